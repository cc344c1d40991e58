"""Merge translations/messages.pot into every catalog, keeping each catalog's plural rule, and
start catalogs for new languages.

Run as `python -m webapp.i18n.update` (after `pybabel extract`; `make extract` does both), or
`python -m webapp.i18n.update --add CODE` to start a catalog for a language of languages.yaml.
`pybabel init`/`update` refuse languages CLDR does not know; this works for all of them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from webapp.i18n.catalogs import TEMPLATE, TRANSLATIONS, po_files, read_catalog, write_catalog
from webapp.i18n.languages import all_languages


def update_all() -> None:
    with TEMPLATE.open("rb") as fh:
        template = read_po(fh)
    for po in po_files():
        catalog = read_catalog(po)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        write_catalog(catalog, po)
        print(f"updated {po}")


def new_catalog(code: str, directory: Path = TRANSLATIONS) -> Path:
    """An empty catalog for the language: every string untranslated, so all of it falls back
    along the language's chain until a translator fills it in."""
    if code not in all_languages():
        raise SystemExit(f"{code} is not in languages.yaml")
    po = directory / code / "LC_MESSAGES" / "messages.po"
    if po.exists():
        raise SystemExit(f"{po} exists")
    po.parent.mkdir(parents=True, exist_ok=True)
    write_catalog(empty_catalog(code), po)
    return po


def empty_catalog(code: str) -> Catalog:
    """Every message of the template, untranslated, with the language's plural rule."""
    catalog = Catalog(locale=code, project="webapp", fuzzy=False)
    catalog._num_plurals, catalog._plural_expr = all_languages()[code].plural_forms
    with TEMPLATE.open("rb") as fh:
        catalog.update(read_po(fh), no_fuzzy_matching=True, update_header_comment=False)
    return catalog


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--add":
        print(f"created {new_catalog(sys.argv[2])}")
    else:
        update_all()
