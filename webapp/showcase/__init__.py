"""Effective models (issue 21): recognising an approved entry as an effective model for a year
and withdrawing it, the photos of entries' results, the public showcase (`/models`) with its
search and filters, and replication ("nhân rộng") of a model into other communes' lists, traced
by district and commune."""
