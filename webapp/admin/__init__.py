"""Administration by a unit's administrator: user accounts and their roles within scope."""
