"""Layout and wording checks run inside a page by one `page.evaluate` call, so a crawl can
afford them on every page: sideways scroll, tables whose header cells do not sit over their
columns, text wrapped a character (or a short token) per line, a header taller than a fifth of
a phone screen, raw codes and English in Vietnamese pages, a page without exactly one
heading. Also collects the page's links for the crawl (tests/crawl.py) and its link check.

Each problem is a (check, detail) pair; the crawl adds role, width and URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PHONE_HEIGHT = 740
HEADER_SHARE = 0.20  # the site header may take at most this share of a phone screen
_PLACEHOLDER = re.compile(r"%\(|%[sd]|\{")


@dataclass(frozen=True)
class Vocabulary:
    """What Vietnamese pages must not show: English msgids (whole strings), language codes
    that are not Vietnamese words."""

    english: frozenset[str] = frozenset()
    codes: frozenset[str] = frozenset()

    def as_argument(self) -> dict:
        return {"english": sorted(self.english), "codes": sorted(self.codes)}


@cache
def vocabulary(language_codes: tuple[str, ...] = ()) -> Vocabulary:
    """English msgids of two words or more whose Vietnamese differs (a msgid shown as is in a
    Vietnamese page is an untranslated or hard-coded string); language codes of three letters
    or more that no Vietnamese msgstr uses as a word."""
    with open(ROOT / "translations/vi/LC_MESSAGES/messages.po", "rb") as po:
        catalog = read_po(po)
    english, words = set(), set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            words.update(re.findall(r"\w+", (text or "").lower()))
        for msgid in ids:
            text = " ".join(msgid.split())
            if (
                len(text.split()) >= 2
                and not _PLACEHOLDER.search(text)
                and all(text != " ".join((s or "").split()) for s in strings)
                and any(s for s in strings)
            ):
                english.add(text)
    codes = {c for c in language_codes if len(c) >= 3 and c.lower() not in words}
    return Vocabulary(frozenset(english), frozenset(codes))


# One function, run in the page; the argument is Vocabulary.as_argument().
CHECKS_JS = r"""
(vocab) => {
  const problems = [];
  const add = (check, detail) => problems.push([check, detail]);
  const W = window.innerWidth;
  const root = document.documentElement;
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    else if (el.classList.length) s += '.' + [...el.classList].slice(0, 2).join('.');
    return s;
  };
  const short = (text) => {
    text = text.replace(/\s+/g, ' ').trim();
    return text.length > 60 ? text.slice(0, 57) + '…' : text;
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && el.checkVisibility({visibilityProperty: true});
  };
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
    }
    return false;
  };

  // 1. No sideways scroll of the page (a table in an overflow wrapper scrolls by itself).
  if (root.scrollWidth > W + 1) {
    const wide = [...document.body.querySelectorAll('*')]
      .filter((el) => el.getBoundingClientRect().right > W + 1 && !scrolls(el))
      .filter((el) => ![...el.children].some((c) => c.getBoundingClientRect().right > W + 1));
    add('sideways scroll', `page ${root.scrollWidth} px wide at ${W} px: ` +
        (wide.slice(0, 3).map(name).join(', ') || '?'));
  }

  // 2. Every table's first header row sits over the first body row, column for column.
  for (const [t, table] of [...document.querySelectorAll('table')].entries()) {
    if (!visible(table)) continue;
    const head = table.tHead ? table.tHead.rows[0] :
      [...table.rows].find((r) => r.querySelector('th') && !r.querySelector('td'));
    const body = [...(table.tBodies[0] ? table.tBodies[0].rows : table.rows)]
      .find((r) => r !== head && r.closest('thead') === null && r.cells.length);
    if (!head || !body || ![...head.cells].some(visible)) continue;
    const slots = (row) => {
      const out = [];
      let col = 0;
      for (const cell of row.cells) {
        out.push({cell, first: col, last: col + cell.colSpan - 1});
        col += cell.colSpan;
      }
      return out;
    };
    const bodySlots = slots(body);
    const label = `table ${t + 1} (${short(head.innerText).slice(0, 30)})`;
    // A table stacked into cards on a phone moves its header off screen on purpose; then each
    // cell must carry its column's name (data-label), or the reader loses what it means.
    if (head.getBoundingClientRect().right < 0) {
      const bare = [...body.cells].find((c) => visible(c) && short(c.innerText) &&
        !(c.dataset.label || '').trim() && c.tagName === 'TD' &&
        !c.querySelector('a, button'));  // a cell of actions speaks for itself
      if (bare) add('table header off its column',
        `${label}: stacked, but a cell "${short(bare.innerText).slice(0, 30)}" has no data-label`);
      continue;
    }
    for (const h of slots(head)) {
      if (!visible(h.cell)) continue;
      const from = bodySlots.find((b) => b.first === h.first);
      const to = bodySlots.find((b) => b.last === h.last);
      if (!from || !to || !visible(from.cell) || !visible(to.cell)) continue;
      const hr = h.cell.getBoundingClientRect();
      const left = from.cell.getBoundingClientRect().left;
      const right = to.cell.getBoundingClientRect().right;
      const below = from.cell.getBoundingClientRect().top >= hr.bottom - 2;
      if (Math.abs(hr.left - left) > 2 || Math.abs(hr.right - right) > 2 || !below) {
        add('table header off its column',
            `${label}: "${short(h.cell.innerText)}" at x ${Math.round(hr.left)}–` +
            `${Math.round(hr.right)}, its column at ${Math.round(left)}–${Math.round(right)}` +
            (below ? '' : ', not above it'));
        break;
      }
    }
  }

  // 3. No text wrapped a character per line, and no short token (a date, a number, a word)
  // broken over lines.
  const cells = document.body.querySelectorAll(
    'td, th, a, span, button, label, li, dt, dd, p, strong, em, b, time, small, h1, h2, h3');
  let squeezed = 0, broken = 0;
  for (const el of cells) {
    const text = el.textContent.trim();
    if (text.length < 4 || el.closest('pre, code, .diff, textarea')) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize);
    const line = style.lineHeight === 'normal' ? 1.2 * size : parseFloat(style.lineHeight);
    if (r.width < 1.5 * size && r.height > 3 * line) {
      if (squeezed++ < 3) add('one character per line',
        `${name(el)} "${short(text)}" is ${Math.round(r.width)} px wide, ` +
        `${Math.round(r.height / line)} lines`);
    } else if (/^[\p{L}\p{N}\/.,:-]{4,20}$/u.test(text) && !el.children.length &&
               style.display !== 'block' && el.getClientRects().length > 1) {
      if (broken++ < 3) add('word broken over lines', `${name(el)} "${text}"`);
    }
  }

  // 4. The site header takes at most a fifth of a phone screen.
  const header = document.querySelector('header.site');
  if (header && header.getBoundingClientRect().height > vocab.headerMax) {
    add('header too tall', `header.site is ${Math.round(header.getBoundingClientRect().height)}` +
        ` px, more than ${vocab.headerMax} px`);
  }

  // 5. Words: no raw codes anywhere; no English or "anh/chị" in Vietnamese pages. Text in
  // code-like elements, and text marked with another language, is exempt.
  const vietnamese = (root.lang || '').startsWith('vi');
  const english = new Set(vocab.english);
  const codes = new RegExp('(?<![\\w/.-])(' + (vocab.codes.join('|') || '(?!)') +
                           ')(?![\\w/.-])');
  const action = /(?<![\w\/@.:-])([a-z]{2,}\.[a-z_]{2,})(?![\w\/@-]|\.\w)/;
  const fileish =
    /\.(com|vn|org|net|gov|edu|xlsx|docx|pdf|pot?|css|js|html|csv|txt|png|jpe?g|gif|svg|zip)$/;
  const snake = /(?<![\w\/.@-])([a-z][a-z0-9]*_[a-z0-9_]+)(?![\w\/@-]|\.\w)/;
  const stop = new Set(['the', 'of', 'has', 'have', 'is', 'are', 'each', 'least', 'with', 'and',
    'for', 'from', 'this', 'that', 'your', 'you', 'was', 'were', 'been', 'not', 'must', 'at',
    'by', 'be', 'or', 'which', 'there', 'their', 'will', 'should', 'can', 'per']);
  const seen = new Set();
  const once = (check, detail) => {
    if (!seen.has(check + detail)) { seen.add(check + detail); add(check, detail); }
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue.replace(/\s+/g, ' ').trim();
    if (text.length < 2) continue;
    const parent = node.parentElement;
    const exempt = 'script, style, template, pre, code, kbd, samp, .diff, textarea, [translate=no]';
    if (!parent || parent.closest(exempt)) continue;
    if (!parent.checkVisibility({visibilityProperty: true})) continue;
    const lang = (parent.closest('[lang]') || root).getAttribute('lang') || '';
    let m = text.match(action);
    if (m && !fileish.test(m[1])) once('raw code', `"${m[1]}" in "${short(text)}"`);
    m = text.match(snake);
    if (m) once('snake_case word', `"${m[1]}" in "${short(text)}"`);
    if (!vietnamese || !lang.startsWith('vi')) continue;
    if (/anh\s*\/\s*chị/i.test(text)) once('anh/chị', `"${short(text)}"`);
    const bare = text.replace(/[\s:.…]+$/, '');
    if (english.has(text) || english.has(bare)) once('English msgid', `"${short(text)}"`);
    else {
      const words = text.split(/[\s,;()]+/).filter(Boolean);
      if (words.length >= 4 && words.every((w) => /^[A-Za-z0-9'.:-]+$/.test(w)) &&
          words.filter((w) => stop.has(w.toLowerCase())).length >= 2)
        once('English text', `"${short(text)}"`);
    }
    m = text.match(codes);
    if (m) once('language code', `"${m[1]}" in "${short(text)}"`);
  }

  // 6. One heading that says what the page is: exactly one <h1>, with words in it (a page
  // that lost its content, or a form shown without its inline row's context, has none).
  const headings = [...document.querySelectorAll('h1')].filter(visible);
  if (headings.length !== 1 || !short(headings[0]?.innerText || '')) {
    add('page heading', `${headings.length} visible <h1>: ` +
        (headings.map((h) => `"${short(h.innerText)}"`).join(', ') || 'none'));
  }

  const links = [...document.querySelectorAll('a[href]')].map((a) => a.href);
  return {problems, links};
}
"""


def check_page(page, vocab: Vocabulary) -> tuple[list[tuple[str, str]], list[str]]:
    """Run the checks in the page: its problems (check, detail) and its links (absolute)."""
    argument = vocab.as_argument() | {"headerMax": round(PHONE_HEIGHT * HEADER_SHARE)}
    result = page.evaluate(CHECKS_JS, argument)
    return [tuple(p) for p in result["problems"]], result["links"]
