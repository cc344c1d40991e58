"""Coverage against the plan: the minimum rules (Requirement rows) evaluated per commune and
year over approved entries, the matrices built on them, and the gap list with its exports."""
