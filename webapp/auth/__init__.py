"""Users, their role assignments, signing in and out, passwords and sign-in throttling."""
