"""Review of submitted registration lists: decisions per entry (approve, return, reopen), the
reviewer's queue, what changed since a return, and the history of an item."""
