"""The audit trail: who did what to which object, when. Every state change appends an event.

It knows no capability: each one says how its events read in its own `audit.py`, through the
registry in `sentences.py` (create_app imports those modules). The log screen that reads the
journal is admin's (`webapp/admin/views/audit_log.py`)."""
