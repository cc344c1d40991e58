"""The home page: the campaign's introduction for visitors, "what needs my attention" for users."""
