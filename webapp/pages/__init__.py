"""Guidance pages: plans, guidance, forms and news in a tree, with revisions, publishing,
attachments and accent-insensitive search; the public reading side and the editors' side."""
