"""Where the gettext catalogs live and how to read them without CLDR knowing the language."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

TRANSLATIONS = Path(__file__).resolve().parent.parent.parent / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"


def po_files() -> list[Path]:
    return sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def read_catalog(path: Path) -> Catalog:
    # No locale argument: Babel would look the code up in CLDR and fail for tyz, nut, ium, hmn;
    # the catalog's own Plural-Forms header is what counts.
    with path.open("rb") as fh:
        return read_po(fh)


def write_catalog(catalog: Catalog, path: Path) -> None:
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, ignore_obsolete=True)
