"""Reference data shipped with the app (webapp/seed/data, copied from the project's shared data
with its sources) and the `flask seed` command that loads it idempotently."""
