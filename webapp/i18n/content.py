"""Database text kept per language in columns such as name_vi / name_en."""

from __future__ import annotations

from webapp.i18n.choice import ui_language


class Localized:
    """Mixin: `obj.tr("name")` gives name_<ui language>, falling back along the chain to vi."""

    def tr(self, field: str) -> str:
        for code in (*ui_language().chain, "vi"):
            value = getattr(self, f"{field}_{code}", None)
            if value:
                return value
        return ""
