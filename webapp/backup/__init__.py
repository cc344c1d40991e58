"""Backup and restore of one installation: `flask backup` writes the database, the attachments
and the secret key into one archive; `flask restore` puts them back. Both work on SQLite (the
online backup API) and PostgreSQL (pg_dump and pg_restore)."""
