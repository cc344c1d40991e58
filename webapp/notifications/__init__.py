"""In-app notifications: what happened to a user's items (returned, approved) or needs them
(a list submitted for their review). No e-mail or SMS is assumed."""
