"""People's opinions and proposals (issue 19): sent by anyone or recorded at meetings, handled
by the Front committee of the commune and the levels above, answered and tracked by code."""
