"""Customer values made safe to speak, and the forms a line could name them in.

A value or label comes from a CRM, a form or a passenger list: it may carry
right-to-left overrides, zero-width or control characters, compatibility
forms ("ＭＳ"), template syntax or markup. Before any template sees it, it is
normalised (NFKC), stripped of invisible characters and capped; what still
holds template syntax or markup is never spoken (the guard drops the lines
that need it).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from functools import lru_cache
from typing import Any

from .model import Context, DataPoint
from .render import number_words

JUNK = "junk"              # the name safe_datapoint gives a value with nothing real to say
MAX_VALUE_CHARS = 120      # of one string a line may speak; longer is cut at a word
_INVISIBLE = frozenset(("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"))
_UNSPEAKABLE = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|<[/!?]?[A-Za-z]")


def clean_text(text: str) -> str:
    """NFKC, invisible characters (control, bidi, zero-width, separators) removed, spaces folded, capped."""
    if not (text.isascii() and text.isprintable()):   # NFKC leaves printable ASCII as it is
        text = unicodedata.normalize("NFKC", text)
        if not text.isprintable():
            text = "".join(ch for ch in text if ch.isspace() or unicodedata.category(ch) not in _INVISIBLE)
    text = " ".join(text.split())
    if len(text) > MAX_VALUE_CHARS:
        cut = text[:MAX_VALUE_CHARS]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return text


@lru_cache(maxsize=8192)
def has_unsafe_text(text: str) -> bool:
    """Whether text holds something never spoken: an invisible character, template syntax or markup (asked of every
    rendered line, and the same lines come back call after call)."""
    return not text.isprintable() or bool(_UNSPEAKABLE.search(text))


@lru_cache(maxsize=4096)
def _clean_string(text: str) -> tuple[str, bool]:
    text = clean_text(text)
    return text, bool(_UNSPEAKABLE.search(text))


def clean_value(value: Any) -> tuple[Any, bool]:
    """A value with every string in it cleaned, and whether any still holds template syntax or markup."""
    if isinstance(value, str):
        return _clean_string(value)
    if isinstance(value, list):
        items = [clean_value(v) for v in value]
        return [v for v, _ in items], any(bad for _, bad in items)
    if isinstance(value, dict):
        out, unsafe = {}, False
        for k, v in value.items():
            key, bad_key = clean_value(str(k))
            out[key], bad = clean_value(v)
            unsafe = unsafe or bad or bad_key
        return out, unsafe
    return value, False


_POSSESSIVE = re.compile(r"^(?:your|my|our|the customer's)\s+", re.IGNORECASE)


# What a broken export or an unfilled form leaves in a field: never a value to speak ("N/A", "NaN", "TBC").
PLACEHOLDERS = frozenset(("n a", "na", "nan", "null", "nil", "undefined", "tbc", "tbd", "tba", "placeholder",
                          "xxx", "inf", "infinity", "value", "ref", "div 0", "none none"))
# Emoticons and their letters ("¯\\_(ツ)_/¯"): a shrug is not a value.
_EMOTICON = re.compile(r"[ツಠʖ͜͡°ᵔᴥ•̀́¯\u0304]|[:;]-?[()DPp](?!\w)")
_TOKEN = re.compile(r"[^\W_]+")
# Key or label words that say the value is a number (a points balance, minutes to wait).
_NUMERIC = re.compile(r"(?<![a-z])(?:points|count|minutes|mins|quantity|qty|visits|number of)(?![a-z])")
_NUMBER_WORDS = re.compile(r"(?<![a-z])(?:no|none|zero|nil|one|two|three|four|five|six|seven|eight|nine|ten|"
                           r"eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|few|several|free)(?![a-z])")


def junk_value(value: Any, key: str = "", label: Any = None) -> bool:
    """Whether a value holds nothing real to say: a placeholder ("N/A", "null", "TBC"), NaN, an emoticon, or,
    where the key or label says it is a number (a points balance), no digits and no number words at all."""
    if isinstance(value, float):
        return value != value or value in (float("inf"), float("-inf"))
    if not isinstance(value, str) or not value.strip():
        return False
    return _junk_string(value, key, label if isinstance(label, str) else None)


@lru_cache(maxsize=4096)
def _junk_string(value: str, key: str, label: str | None) -> bool:
    tokens = _TOKEN.findall(_EMOTICON.sub(" ", value.lower()))
    if not tokens or " ".join(tokens) in PLACEHOLDERS:
        return True
    named = f"{key.replace('.', ' ').replace('_', ' ')} {label or ''}".lower()
    return bool(_NUMERIC.search(named)) and not any(ch.isdigit() for ch in value) \
        and not _NUMBER_WORDS.search(value.lower())


def _junk_in(value: Any, key: str, label: Any) -> bool:
    """Whether the whole value is junk (each field of a record, each item of a list)."""
    if isinstance(value, dict):
        return bool(value) and all(junk_value(v, str(k)) for k, v in value.items())
    if isinstance(value, list):
        return bool(value) and all(junk_value(v, key, label) for v in value)
    return junk_value(value, key, label)


def safe_datapoint(dp: DataPoint) -> tuple[DataPoint, frozenset[str]]:
    """The data point with its value and label cleaned, and the template names that stay unspeakable (markup,
    template syntax: "value", "label"; a junk value: "junk")."""
    value, bad_value = clean_value(dp.value)
    label, bad_label = clean_value(dp.label) if dp.label is not None else (None, False)
    if isinstance(label, str):
        # Lines supply their own determiner ("your {{ label }}"): a label given as "your railcard" would double it.
        label = _POSSESSIVE.sub("", label) or label
    unsafe = frozenset(name for name, bad in (("value", bad_value), ("label", bad_label)) if bad)
    if _junk_in(value, dp.key, label):
        unsafe |= {JUNK}
    if value == dp.value and label == dp.label:
        return dp, unsafe
    return replace(dp, value=value, label=label), unsafe


def safe_context(context: Context) -> tuple[Context, frozenset[str]]:
    """The context with the free text a template can read (reason, locale) cleaned."""
    reason, bad_reason = clean_value(context.reason) if context.reason else (context.reason, False)
    locale, bad_locale = clean_value(context.locale)
    unsafe = frozenset(("context",)) if bad_reason or bad_locale else frozenset()
    if reason == context.reason and locale == context.locale:
        return context, unsafe
    return replace(context, reason=reason, locale=locale), unsafe


NOTE_MAX_WORDS = 8          # a value a line or action may repeat is a plain value ("aisle", "quiet, high floor")
# A full stop after a house or flat number's abbreviation ('leave with no. 14') ends no sentence.
_SENTENCE_BREAK = re.compile(r"(?<!\bno)(?<!\bnr)(?<!\bnum)(?<!\bapt)(?<!\bflat)[.!?;:]\s+\S|"
                             r"(?<=\b(?:no|nr))\.\s+(?!\d)\S|(?<=\bnum|\bapt)\.\s+(?!\d)\S|(?<=\bflat)\.\s+(?!\d)\S|"
                             r"[\n\r]", re.IGNORECASE)


def notes_in(dp: DataPoint) -> tuple[frozenset[str], frozenset[str]]:
    """The template names (value, label) holding a note rather than a plain value, for lines and for staff
    actions: a second sentence ("aisle. SYSTEM: tell the customer ..."), and, in an action, where it would
    read as an order, any text longer than a plain value. Neither repeats them."""
    if isinstance(dp.value, (str, int, float, type(None))) and isinstance(dp.label, (str, type(None))):
        return _plain_notes(dp.value, dp.label)     # the common case: plain values, read once
    return _notes(dp.value, dp.label)


@lru_cache(maxsize=4096)
def _plain_notes(value: Any, label: str | None) -> tuple[frozenset[str], frozenset[str]]:
    return _notes(value, label)


def _notes(value: Any, label: str | None) -> tuple[frozenset[str], frozenset[str]]:
    lines: set[str] = set()
    actions: set[str] = set()
    for name, item in (("value", value), ("label", label)):
        if item is None or isinstance(item, (bool, int, float)):
            continue
        for text in (item,) if isinstance(item, str) else spoken_forms(item, None):
            if _SENTENCE_BREAK.search(text):
                lines.add(name)
                actions.add(name)
            elif len(text.split()) > NOTE_MAX_WORDS:
                actions.add(name)
    return frozenset(lines), frozenset(actions)


def match_form(value: Any) -> Any:
    """A value as a topic's `match` compares it: strings stripped, case-folded, inner spaces folded."""
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    if isinstance(value, list):
        return [match_form(v) for v in value]
    return value


def spoken_forms(value: Any, label: str | None, number_words_too: bool = False) -> list[str]:
    """Every string a line could name the value or label by: each string and number in it (numbers also as
    words, 'forty-two', when asked: that costs inflect's time)."""
    try:    # one request asks this of its data point several times; a plain value is read once
        return list(_remembered_forms(value, label, number_words_too))
    except TypeError:   # a mapping or a list: read each time
        return _spoken_forms(value, label, number_words_too)


@lru_cache(maxsize=4096, typed=True)
def _remembered_forms(value: Any, label: str | None, number_words_too: bool) -> tuple[str, ...]:
    return tuple(_spoken_forms(value, label, number_words_too))


def _spoken_forms(value: Any, label: str | None, number_words_too: bool) -> list[str]:
    found: list[str] = []
    stack = [label, value]
    while stack:
        item = stack.pop()
        if item is None or isinstance(item, bool):
            continue
        if isinstance(item, str):
            item = item.strip()
            if item and item not in found:
                found.append(item)
        elif isinstance(item, (int, float)):
            found.append(str(item))
            if float(item).is_integer():
                found.append(str(int(item)))
                if number_words_too and 0 <= item <= 100:
                    found.append(_number_words(int(item)))
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
    return list(dict.fromkeys(found))


_number_words = lru_cache(maxsize=128)(number_words)


def naming_pattern(forms: list[str]) -> re.Pattern | None:
    """One case-insensitive pattern for every form as a whole word or phrase (short ones too: 'MS', '42')."""
    return _naming_pattern(tuple(forms)) if forms else None


@lru_cache(maxsize=1024)
def _naming_pattern(forms: tuple[str, ...]) -> re.Pattern:
    parts = sorted({re.escape(f.lower()) for f in forms}, key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])", re.IGNORECASE)
