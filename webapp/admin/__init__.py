"""Administration by a unit's administrator: user accounts and their roles within scope, the
audit log of that scope (the journal of every capability, read here above them all), the
campaign's rules and the report figures."""
