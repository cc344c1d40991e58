"""Six-monthly and annual result reports (issue 6, first part)."""
