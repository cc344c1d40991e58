"""True language labels: every piece of interface text carries the language it is actually in.

A Tày reader is served Tày where a string is translated and Vietnamese (or, for a string the
Vietnamese catalog lacks, the English msgid) elsewhere. Labelling the whole document `tyz`
would tell screen readers and browser translation the wrong language for most of the page.

The design:

- **The document's language** (`<html lang>`, the template variable `page_language`) is the
  language most of the interface is in: the reader's language once at least half of the
  strings public readers see are translated into it (queries.public_coverage), else the first
  language of its fallback chain (Vietnamese). It is decided per language, before rendering,
  so a page and the htmx fragments later swapped into it agree.
- **Strings in another language** are labelled: while a template renders for a language that
  falls back, gettext (templates' `_`, and Python's `_`/`_l` evaluated during the render, such
  as form labels and enum labels) wraps each string whose answering catalog is not the
  document's language in invisible markers (private-use characters) naming that language.
- **The template layer turns markers into labels** when the render ends: in HTML text they
  become `<span lang="…">…</span>`; inside a tag (attribute values), in `<title>`, `<option>`,
  `<textarea>`, `<script>` and `<style>` (text only, no elements allowed) they are removed,
  as they are in any template that is not HTML (mail bodies). Markers never leave the template
  layer: strings produced outside a render (flash messages made in a view, JSON, XLSX, mail
  subjects, the CLI) are never marked.
- Content stored in the database labels itself in the templates: a guidance page shown in
  Vietnamese because no translation exists carries lang="vi"; a translated one its language.
  A template that sets `lang` on a container must set it again on interface text inside.

What is not labelled: attribute text (aria-label, title, placeholder) inherits its element's
language, as HTML has no way to label part of an attribute; and strings a view translated
before rendering (flash messages) are taken to be in the document's language.
"""

from __future__ import annotations

import re
import secrets

from flask import g, has_request_context
from jinja2 import Template

from webapp.i18n.languages import tag_of
from webapp.i18n.models import message_key
from webapp.i18n.readiness import page_language

# Each marker carries a secret of this process, so text a person typed (private-use characters
# included) is never taken for one; the language in it must look like a language tag.
_SECRET = secrets.token_hex(6)
OPEN, SEP, CLOSE = f"\ue000{_SECRET}", "\ue001", f"\ue002{_SECRET}"
_TAG = r"[a-z]{2,8}(?:-[A-Za-z0-9]{1,8})*"
_MARKERS = re.compile(f"{OPEN}{_TAG}{SEP}|{CLOSE}")
# Elements whose content is text only (or not shown): markers there are dropped.
_TEXT_ONLY = ("title", "option", "textarea", "script", "style")
_TOKEN = re.compile(
    r"<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9-]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*>"
    f"|{OPEN}({_TAG}){SEP}|{CLOSE}",
    re.S,
)


def strip(text: str) -> str:
    return _MARKERS.sub("", text)


def to_labels(html: str) -> str:
    """Markers in text become `<span lang>`; markers inside tags and text-only elements go."""
    if OPEN not in html:
        return html
    out: list[str] = []
    position = 0
    opened: list[bool] = []  # for each open marker: did it emit a span?
    text_only: str | None = None
    for match in _TOKEN.finditer(html):
        chunk = match.group(0)
        out.append(html[position : match.start()])
        position = match.end()
        if chunk.startswith("<"):
            out.append(strip(chunk))
            name = (match.group(2) or "").lower()
            if text_only is None and not match.group(1) and name in _TEXT_ONLY:
                text_only = name
            elif text_only == name and match.group(1):
                text_only = None
        elif chunk == CLOSE:
            if opened and opened.pop():
                out.append("</span>")
        else:
            span = text_only is None
            opened.append(span)
            if span:
                # Markers name the product's code; the label is the configured BCP 47 tag.
                out.append(f'<span lang="{tag_of(match.group(3))}">')
    out.append(html[position:])
    out.extend("</span>" for emitted in opened if emitted)
    return "".join(out)


def _marking() -> bool:
    return has_request_context() and g.get("marking_depth", 0) > 0


def label(text: str, language: str) -> str:
    """Database text shown while a template renders, labelled with the language it is in when
    that is not the document's (a campaign word in Vietnamese on a Tày page)."""
    if not text or not _marking() or language == g.get("page_language"):
        return text
    return f"{OPEN}{language}{SEP}{text}{CLOSE}"


class LabellingTemplate(Template):
    """Renders with marking on (for a request whose language falls back) and turns the markers
    into labels, or strips them from templates that are not HTML."""

    def render(self, *args, **kwargs) -> str:
        if not has_request_context():
            return super().render(*args, **kwargs)
        page_language()
        if not g.get("labelling"):
            return super().render(*args, **kwargs)
        g.marking_depth = g.get("marking_depth", 0) + 1
        try:
            text = super().render(*args, **kwargs)
        finally:
            g.marking_depth -= 1
        html = (self.name or "").endswith(".html")
        return to_labels(text) if html else strip(text)


class LabellingTranslations:
    """A catalog chain that knows which language answered each string: it labels the string
    (while a template renders) when that is not the document's language, and records which
    strings were asked for (to measure what public readers see)."""

    def __init__(self, head, layers: list[tuple[str, object]], source: str):
        self._head = head
        self._layers = layers
        self._source = source

    def __getattr__(self, name):
        return getattr(self._head, name)

    def _answer(self, key) -> str:
        for code, layer in self._layers:
            if key in layer._catalog:
                return code
        return self._source

    def _done(self, text: str, msgid: str, context: str | None, key) -> str:
        heard = g.get("heard_msgids")
        if heard is not None:
            heard.add(message_key(msgid, context))
        if not _marking():
            return text
        language = self._answer(key)
        if language == g.get("page_language"):
            return text
        return f"{OPEN}{language}{SEP}{text}{CLOSE}"

    def ugettext(self, message):
        return self._done(self._head.ugettext(message), message, None, message)

    def ungettext(self, singular, plural, num):
        text = self._head.ungettext(singular, plural, num)
        return self._done(text, singular, None, (singular, 0))

    def upgettext(self, context, message):
        text = self._head.upgettext(context, message)
        return self._done(text, message, context, f"{context}\x04{message}")

    def unpgettext(self, context, singular, plural, num):
        text = self._head.unpgettext(context, singular, plural, num)
        return self._done(text, singular, context, (f"{context}\x04{singular}", 0))

    gettext = ugettext
    ngettext = ungettext
    pgettext = upgettext
    npgettext = unpgettext
