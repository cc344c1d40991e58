"""Compile translations/*/LC_MESSAGES/messages.po into .mo files.

Run as `python -m webapp.i18n.compile`. Unlike `pybabel compile`, untranslated plural messages
are left out (python-babel issue 697 writes them with the English msgid as the translation), so
they fall back to the next language of the chain instead of showing English.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo

from webapp.i18n.catalogs import po_files, read_catalog


def compile_catalog(po: Path) -> int:
    """Write the .mo beside the .po; returns the number of translated messages."""
    catalog = read_catalog(po)
    for message in list(catalog):
        if message.pluralizable and not all(message.string):
            # By id and context: `del catalog[id]` would drop the context-free message.
            catalog.delete(message.id, context=message.context)
    with po.with_suffix(".mo").open("wb") as fh:
        write_mo(fh, catalog, use_fuzzy=False)
    return sum(1 for m in catalog if m.id and not m.fuzzy and m.string)


def compile_all() -> list[str]:
    return [f"{po.parent.parent.name}: {compile_catalog(po)} messages" for po in po_files()]


if __name__ == "__main__":
    for line in compile_all():
        print(line)
    sys.exit(0)
