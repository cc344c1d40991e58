"""The audit trail: who did what to which object, when. Every state change appends an event."""
