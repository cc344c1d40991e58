"""The configured interface languages, read from languages.yaml, and their fallback chains."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from babel.messages.plurals import get_plural

LANGUAGES_FILE = Path(__file__).resolve().parent.parent / "seed" / "data" / "languages.yaml"


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself, for the switcher
    name_en: str
    format_locale: str  # a locale CLDR knows, used for dates and numbers
    fallback: tuple[str, ...]

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


@cache
def all_languages() -> dict[str, Language]:
    data = yaml.safe_load(LANGUAGES_FILE.read_text(encoding="utf-8"))
    return {
        row["code"]: Language(
            code=row["code"],
            name=row["name"],
            name_en=row["name_en"],
            format_locale=row["format_locale"],
            fallback=tuple(row.get("fallback") or ()),
        )
        for row in data["languages"]
    }
