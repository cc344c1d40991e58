"""Merge translations/messages.pot into every catalog, keeping each catalog's plural rule.

Run as `python -m webapp.i18n.update` (after `pybabel extract`; `make extract` does both).
`pybabel init`/`update` refuse languages CLDR does not know; this works for all of them.
"""

from __future__ import annotations

from babel.messages.pofile import read_po, write_po

from webapp.i18n.catalogs import TEMPLATE, po_files, read_catalog


def update_all() -> None:
    with TEMPLATE.open("rb") as fh:
        template = read_po(fh)
    for po in po_files():
        catalog = read_catalog(po)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        with po.open("wb") as fh:
            write_po(fh, catalog, width=100, omit_header=False, ignore_obsolete=True)
        print(f"updated {po}")


if __name__ == "__main__":
    update_all()
