"""Users, their role assignments, signing in and out, passwords and sign-in throttling, and
moving the roles held on the units a reorganization ends."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Auth's part in what happens below it: a reorganization's page (units) shows the roles
    held on the units that end, with the proposed moves (units publish the event and import
    nothing of auth)."""
    from webapp import events
    from webapp.auth.views import role_moves_section

    events.subscribe(events.REORGANIZATION_SHOWN, role_moves_section)
