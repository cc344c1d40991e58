"""Evaluation and commendation (issue 6, second part): the yearly evaluation of a unit or an
organization by the level above, nominations for commendation and their approval by the level
above the proposing unit, and the public list of a year's approved commendations."""
