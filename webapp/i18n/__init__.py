"""Interface languages: choosing one per request, catalogs with Vietnamese fallback, formatting.

The interface language (which catalog, `<html lang>`) is kept apart from the formatting locale
(dates, numbers), because CLDR has no data for Tày, Nùng, Dao or Mông.
"""
