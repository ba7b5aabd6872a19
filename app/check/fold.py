"""Text folded to what a reader sees, so look-alike characters cannot hide a revealing phrase.

NFKC (fullwidth and mathematical letters, ligatures), accents and other
combining marks dropped, format characters (zero-width, soft hyphen, bidi
controls) dropped, Cyrillic and Greek look-alikes and curly quotes mapped to
ASCII, and common misspellings of the words the rules look for corrected
('recrods' -> 'records': phrasebooks/checks/spelling/misspellings.yaml), so
rules are written in plain spelling. `fold` also returns where each folded
character came from, so findings point into the text as written.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .spelling import load_spelling

# Letters that look like Latin ones in common fonts (Unicode's confusables, the ones seen in practice).
_CONFUSABLES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "һ": "h", "ӏ": "l", "ո": "n", "ս": "u",
    "А": "A", "В": "B", "Е": "E", "Ё": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ї": "I", "Ј": "J", "Ѕ": "S", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W",
    "Һ": "H", "Ӏ": "I",
    # Greek
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "γ": "y", "ω": "w",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # quotes and dashes people paste from word processors
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"',
    "\u2010": "-", "\u2011": "-",
}
_DROPPED = ("Cf", "Mn", "Me")    # format characters; combining marks
# Misspellings of the words the rules key on (phrasebooks/checks/spelling/); others are the learned model's to read.
_CORRECT = load_spelling()
# Matched on the lower-cased text (Python scans lower-case literals far faster than IGNORECASE ones).
_MISSPELT = re.compile(r"\b(?:" + "|".join(sorted(_CORRECT, key=len, reverse=True)) + r")\b")


@lru_cache(maxsize=4096)
def _char(c: str) -> str:
    """What one character reads as ('' for nothing)."""
    if c in _CONFUSABLES:
        return _CONFUSABLES[c]
    if unicodedata.category(c) in _DROPPED:
        return ""
    out = []
    for part in unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", c)):
        if unicodedata.category(part) not in _DROPPED:
            out.append(_CONFUSABLES.get(part, part))
    return "".join(out)


def fold(text: str) -> tuple[str, tuple[int, ...] | None]:
    """The folded text and, unless it is the text itself, the original offset of each folded character."""
    chars, where = _fold_chars(text)
    lower = chars.lower()
    if len(lower) != len(chars) or not _MISSPELT.search(lower):
        return chars, where
    spelt, moved = _correct(chars)
    return spelt, tuple(where[i] for i in moved) if where is not None else moved


def _fold_chars(text: str) -> tuple[str, tuple[int, ...] | None]:
    if text.isascii():
        return text, None
    out: list[str] = []
    where: list[int] = []
    for i, c in enumerate(text):
        f = c if c.isascii() else _char(c)
        out.append(f)
        where.extend([i] * len(f))
    folded = "".join(out)
    return (folded, None) if folded == text else (folded, tuple(where))


def _correct(text: str) -> tuple[str, tuple[int, ...]]:
    """Misspellings corrected (a capital kept), and where each character of the result came from."""
    out: list[str] = []
    where: list[int] = []
    last = 0
    for m in _MISSPELT.finditer(text.lower()):
        out.append(text[last:m.start()])
        where.extend(range(last, m.start()))
        right = _CORRECT[m.group()]
        right = right.capitalize() if text[m.start()].isupper() else right
        out.append(right)
        where.extend(min(m.start() + k, m.end() - 1) for k in range(len(right)))
        last = m.end()
    out.append(text[last:])
    where.extend(range(last, len(text)))
    return "".join(out), tuple(where)


def folded(text: str) -> str:
    """Just the folded text."""
    return fold(text)[0]


def original_span(where: tuple[int, ...] | None, start: int, end: int, size: int) -> tuple[int, int]:
    """A span of the folded text as a span of the original (size: the original's length)."""
    if where is None:
        return start, end
    a = where[start] if start < len(where) else size
    b = where[end - 1] + 1 if 0 < end <= len(where) else a
    return a, max(a, b)
