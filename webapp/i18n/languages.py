"""The configured interface languages, read from languages.yaml, and their fallback chains.

Each language has two names for machines: `code`, the product's own key (catalog folder, the
address `?lang=`, stored translations), which never changes once translations exist; and `tag`,
the BCP 47 tag told to browsers, screen readers and search engines (`lang`, `hreflang`), which
says which variety and script the translations are written in. A province that writes Mông in
RPA rather than the 1961 Vietnamese-based script, or Dao as Kim Mun rather than Iu Mien, changes
`tag` and `script_name` in languages.yaml; every label follows with no code change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from babel.messages.plurals import get_plural

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "seed" / "data" / "languages.yaml"
LANGUAGES_FILE = DEFAULT_FILE

# A well-formed BCP 47 tag (RFC 5646 langtag, without grandfathered forms): language, then
# optional script, region, variants, extensions and private use. Checked when the file is read
# so a typing mistake in the province's configuration stops the start, not a screen reader.
_BCP47 = re.compile(
    r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?"
    r"(?:-(?:[0-9A-Za-z]{5,8}|[0-9][0-9A-Za-z]{3}))*"
    r"(?:-[0-9a-wyz](?:-[0-9A-Za-z]{2,8})+)*(?:-x(?:-[0-9A-Za-z]{1,8})+)?$"
)


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself with its script when configured, for the switcher
    name_en: str
    format_locale: str  # a locale CLDR knows, used for dates and numbers
    fallback: tuple[str, ...]
    tag: str = ""  # BCP 47; the code when none is configured
    script_name: str = ""  # the orthography, as readers call it

    @property
    def plural_forms(self) -> tuple[int, str]:
        """(number of forms, rule) for a catalog without its own header: CLDR's rule for the
        formatting locale, since CLDR has none for Tày, Nùng, Dao or Mông (one form, like
        Vietnamese)."""
        rule = get_plural(self.format_locale)
        return rule.num_plurals, rule.plural_expr

    @property
    def chain(self) -> tuple[str, ...]:
        """Catalogs to consult, in order; untranslated strings fall through to the next."""
        return (self.code, *self.fallback)


def use_file(path: str | Path | None) -> None:
    """Read the languages from this file from now on (the app's LANGUAGES_FILE setting)."""
    global LANGUAGES_FILE
    chosen = Path(path) if path else DEFAULT_FILE
    if chosen != LANGUAGES_FILE:
        LANGUAGES_FILE = chosen
        all_languages.cache_clear()


def _language(row: dict) -> Language:
    tag = row.get("tag") or row["code"]
    if not _BCP47.match(tag):
        raise RuntimeError(f"languages.yaml: {row['code']} has tag {tag!r}, not a BCP 47 tag")
    script_name = row.get("script_name") or ""
    return Language(
        code=row["code"],
        name=f"{row['name']} ({script_name})" if script_name else row["name"],
        name_en=row["name_en"],
        format_locale=row["format_locale"],
        fallback=tuple(row.get("fallback") or ()),
        tag=tag,
        script_name=script_name,
    )


@cache
def all_languages() -> dict[str, Language]:
    data = yaml.safe_load(LANGUAGES_FILE.read_text(encoding="utf-8"))
    return {row["code"]: _language(row) for row in data["languages"]}


def tag_of(code: str | None) -> str:
    """The BCP 47 tag to label text in language `code` with (the code itself when unknown,
    e.g. an empty or foreign value)."""
    language = all_languages().get(code or "")
    return language.tag if language else (code or "")
