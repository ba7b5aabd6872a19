"""Rendering phrasebook templates in Jinja2's immutable sandbox.

Script writers are not programmers and phrasebooks may come from anywhere, so
templates see plain data only, unknown names raise instead of printing blank,
and nothing a template does can run long or grow large.
"""
from __future__ import annotations

import datetime
import re
from functools import lru_cache
from typing import Any, Hashable

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta, nodes, pass_context
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import budget
from .budget import MAX_OUTPUT, MAX_TEMPLATE
from .errors import TemplateError
from .model import FrozenDict
from .people import pronoun

UNSAFE_FILTERS = ("attr", "xmlattr", "pprint", "indent", "wordwrap", "center", "format",
                  "filesizeformat", "urlize", "tojson", "map", "select", "reject",
                  "selectattr", "rejectattr", "groupby", "batch", "slice", "dictsort", "sum")
TEMPLATE_GLOBALS = ("range", "lipsum", "dict", "cycler", "joiner", "namespace")


@lru_cache(maxsize=1)
def _inflect():
    """inflect's engine, loaded on first use.

    inflect wraps its methods in typeguard's @typechecked, which re-instruments
    them at import and costs seconds of start-up; we pass it plain strings, so
    the import runs with that decorator as a pass-through.
    """
    with budget.paused():   # loading is not the template's work
        import typeguard

        original = typeguard.typechecked
        typeguard.typechecked = lambda target=None, **_: target if target is not None else (lambda t: t)
        try:
            import inflect
        finally:
            typeguard.typechecked = original
        return inflect.engine()


def article(phrase: Any) -> str:
    """'a' or 'an' before a phrase, reading leading digits as spoken ('an 8-hour flight')."""
    text = str(phrase).strip()
    if not text:
        return text
    head = text.split()[0].replace(",", "")
    digits = re.match(r"^\d+", head)
    if digits:
        number = int(digits.group())
        spoken = _inflect().number_to_words(number) if number < 10**15 else "one"
        word = "an" if spoken.startswith(("eight", "eleven", "eighteen")) else "a"
        return f"{word} {text}"
    # inflect may capitalise the article it picks; keep only its choice of word.
    word = _inflect().a(text[:100]).split(" ", 1)[0].lower()
    return f"{word} {text}"


# Nouns English does not count ("Do you have broadband?", not "a broadband"), by the label's last word.
MASS_NOUNS = frozenset("""
usage
insurance cover coverage assurance broadband wifi wi-fi internet data electricity gas water power energy heating
advice information assistance help support protection luggage baggage equipment furniture software hardware
storage credit money cash finance travel accommodation parking breakfast lunch dinner food coffee tea milk
healthcare care childcare maintenance servicing transport mail post shopping access music entertainment news
feedback evidence research weather traffic paperwork packaging legal stuff wine beer seating legroom space
""".split())
PREFERENCE_WORDS = frozenset(("preference", "preferences", "preferred", "choice", "choices", "favourite",
                              "favorite", "usual"))


def _head(text: str) -> str:
    """The noun a phrase is about: its last word, or the last before a preposition ('break from loan payments')."""
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]*", text.lower()) if w not in PREFERENCE_WORDS]
    cut = next((i for i, w in enumerate(words) if i and w in _PREPOSITIONS), len(words))
    return words[cut - 1] if words else ""


_PREPOSITIONS = frozenset(("from", "for", "with", "of", "on", "at", "to", "in", "against"))


def is_plural(phrase: Any) -> bool:
    """Whether a noun phrase is plural, read from its last word ('contact lenses', 'points')."""
    head = _head(str(phrase))
    return bool(head) and head not in MASS_NOUNS and head.endswith("s") and not head.endswith(("ss", "us", "is"))\
        and bool(_inflect().singular_noun(head))


def indefinite(phrase: Any) -> str:
    """The phrase as English says it after 'Do you have': 'a savings account', 'broadband', 'contact lenses'."""
    text = " ".join(str(phrase).split())
    if not text or text.split()[0].lower() in _DETERMINERS:
        return text
    head = _head(text)
    if head in MASS_NOUNS or is_plural(text):
        return text
    return article(text)


# A phrase that starts with one of these already says how many or whose ('a hotel room', 'your usual seat').
_DETERMINERS = frozenset("a an the some any no your my our their his her its this that these those each every".split())


def subject(phrase: Any) -> str:
    """What a preference is about: 'seat preference' -> 'seat', 'preferred branch' -> 'branch'."""
    words = [w for w in str(phrase).split() if w.lower() not in PREFERENCE_WORDS]
    return " ".join(words) or str(phrase)


def be(phrase: Any) -> str:
    """'is' or 'are', agreeing with a noun phrase ('Are your contact lenses ...', 'Is your broadband ...')."""
    return "are" if is_plural(phrase) else "is"


def plural(word: Any, count: Any = 2) -> str:
    """The plural of a noun when count is not one ('policy' -> 'policies')."""
    text = str(word)
    try:
        number = int(count)
    except (TypeError, ValueError):
        number = 2
    return text if number == 1 else _inflect().plural_noun(text) or text


def join_words(items: Any, conj: str = "and") -> str:
    """'x, y and z' (no serial comma), or 'x, y or z' with conj='or'."""
    if isinstance(items, str) or not hasattr(items, "__iter__"):
        return str(items)
    words = [str(i) for i in items][:20]
    if conj not in ("and", "or"):
        conj = "and"
    return _inflect().join(words, conj=conj, final_sep="") if words else ""


def number_words(value: Any) -> str:
    """Small numbers as words, as people say them ('3' -> 'three')."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return str(value)
    return _inflect().number_to_words(number) if 0 <= number <= 100 else str(number)


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+(?:Z|[+-][0-9:]+)?)?")


def spoken_date(value: Any) -> str:
    """A record's date as people say it ('2027-01-31' -> '31 January 2027'); anything else as it is."""
    text = str(value).strip()
    found = _ISO_DATE.fullmatch(text[:40])
    if not found:
        return text
    try:
        day = datetime.date(*(int(part) for part in found.groups()))
    except ValueError:
        return text
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def is_date(value: Any) -> bool:
    """Whether a value is a date `date` can say ('{% if value is date %}')."""
    return isinstance(value, str) and spoken_date(value) != value.strip()


def figure(value: Any) -> str:
    """A whole number with thousands marked, as it is read out ('3200' -> '3,200'); anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
        return str(value)
    return f"{int(value):,}"


_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})(?::\d{2})?\s*([ap]\.?m\.?)?", re.IGNORECASE)
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ](\d{2}:\d{2})")
_SPAN = re.compile(r"^\s*(\d{1,2}[:.]\d{2}\s*(?:[ap]m)?)\s*(?:-|–|to|and)\s*(\d{1,2}[:.]\d{2}\s*(?:[ap]m)?)\s*$",
                   re.IGNORECASE)
# What a record's field names say a value is ('due', 'new_departure', 'price_diff'), read in this order.
_EARLIER = re.compile(r"was|old|original|previous|scheduled|before")
# How long is left for someone waiting, by a field or label word (never 'late_fee': a number of pounds).
_WAIT_FIELD = re.compile(r"(?<![a-z])(?:minutes|mins|min|wait\w*|eta)(?![a-z])")
_WAIT_TEXT = re.compile(r"^(?:about |around )?\d+(?:-\d+)? *(?:min|mins|minutes|hour|hours|hrs)$", re.IGNORECASE)
_SENT_FIELD = re.compile(r"dispatch|sent|posted|ship|mailed|issued")   # when it left us: never a due or expiry date
_DATE_FIELD = re.compile(r"due|date|expir|end|renew|until|valid|day|journey|when|on$|deadline|by$")
_AMOUNT_FIELD = re.compile(r"amount|price|cost|fee|diff|balance|total|charge|refund|owed|sum|gbp|eur|usd|premium")
_NEW_FIELD = re.compile(r"^(?:new|new_\w+|now|becomes|changes_to|changing_to)$")   # what something changes to
_LONG_WAIT = re.compile(r"(?<![a-z])(?:hours|hrs|days)(?![a-z])")      # 'eta_hours: 24' is not 24 minutes
_ROUTE_FIELD = re.compile(r"^(?:route|line|service|bus|route_number|service_number)$")
_VIA_FIELD = re.compile(r"^(?:via|diverted_via|diversion|instead_via)$")
_NAME_FIELD = re.compile(r"^(?:pet|pet_name|name|doctor|clinician|nurse|flight|flight_number|vehicle|registration|reg|train|ref|reference)$")
_ITEM_FIELD = re.compile(r"^(?:to|item|product|room|upgrade|plan|tariff|new_plan|offer)$")
_PLACE_FIELD = re.compile(r"^(?:branch|store|pharmacy|shop|place|collect_from|pickup|pickup_point|depot|venue|at|"
                          r"location|desk|counter|library)$")
CURRENCIES = {"gbp": "£", "eur": "€", "usd": "$", "£": "£", "€": "€", "$": "$"}
LOCALE_CURRENCY = {"en-us": "$", "en-ie": "€"}
# Words of a label that name the event rather than the thing ('flight delay' is about the flight).
EVENT_WORDS = frozenset("delay delayed delays renewal renewals reminder due notice expiry expires expiring window "
                        "failed failure ready date dates alert update change changes eligible eligibility "
                        "ending end ends cancellation cancelled status replacement collection pickup disruption "
                        "disruptions rise increase".split())


# Words that say which part of something a label means ('day', 'price'): never the thing on their own.
ATTRIBUTE_WORDS = frozenset("day date time price rate fee amount cost charge".split())


def clock(value: Any) -> str:
    """A time as written in a message ('15:20', '2025-01-16T14:12' -> '14:12'); '' when it is none."""
    text = str(value).strip()[:40]
    found = _ISO_TIME.match(text)
    if found:
        return found.group(1)
    found = _CLOCK.fullmatch(text)
    if not found:
        return ""
    hour, minute, half = int(found.group(1)), found.group(2), found.group(3)
    if hour > 23 or int(minute) > 59:
        return ""
    return f"{hour}:{minute}{half.replace('.', '').lower()}" if half else f"{hour:02d}:{minute}"


def ampm(value: Any) -> str:
    """A time as people say it ('19:42' -> '7:42 pm', '09:00' -> '9 am'); '' when it is none."""
    spoken = clock(value)
    if not spoken or "m" in spoken:
        return spoken
    hour, minute = (int(x) for x in spoken.split(":"))
    return f"{hour % 12 or 12}{f':{minute:02d}' if minute else ''} {'am' if hour < 12 else 'pm'}"


def money(amount: Any, currency: str = "£") -> str:
    """An amount with its currency, as written ('£10.99', '£40')."""
    if isinstance(amount, bool) or not isinstance(amount, (int, float)):
        return str(amount)
    return f"{currency}{amount:,.0f}" if float(amount).is_integer() else f"{currency}{amount:,.2f}"


def parts(value: Any, label: Any = None, locale: Any = None) -> dict:
    """What a message needs of a record, each said as people write it, or None: `date` ('14 March 2025'), `sent`
    (when it left us: a dispatch date, never read as a due or expiry date), `wait` (how long a waiting customer
    has left: '15 minutes'), `next` (they are next in the queue),
    `time` (the new time), `was` (the earlier one), `start` and `end` (a window), `amount` ('£10.99'), `name`
    (a pet's name, a flight number), `item` (what is on offer), `place` (where to collect), `new` (what it changes
    to: a `new_price`, a `new_day`), `old` and `rise` (what a change record goes from, and 'up' or 'down': see
    `change_of`), `since` (when it became so: 'ready_since', never a date to come), `instead` (what runs instead:
    a replacement bus), `route` and `via` (a bus route and the way it now runs) and `thing` (what the label is
    about: 'flight' in 'flight delay'). Read from a mapping's field names, or a plain value."""
    found: dict = dict.fromkeys(("date", "sent", "time", "was", "start", "end", "amount", "name", "item", "place",
                                 "wait", "next", "new", "old", "rise", "route", "via", "since", "instead"))
    waiting = bool(_WAIT_FIELD.search(str(label or "").lower()))
    currency = LOCALE_CURRENCY.get(str(locale or "").lower(), "£")
    fields = value.items() if isinstance(value, dict) else [("", value)]
    times = []
    for raw_key, item in list(fields)[:30]:
        key = str(raw_key).lower()
        if isinstance(item, str) and key in ("currency", "ccy"):
            currency = CURRENCIES.get(item.strip().lower(), currency)
        for code, sign in CURRENCIES.items():
            if key.endswith(code) and code.isalpha():
                currency = sign
    for raw_key, item in list(fields)[:30]:
        key = str(raw_key).lower()
        if isinstance(item, bool) or item is None or isinstance(item, (dict, list)):
            continue
        if key in ("position", "queue_position", "place_in_queue") and isinstance(item, (int, float, str)):
            # A queue position of 1, or written as 'next' or 'first': they are next.
            found["next"] = found["next"] or item == 1 or str(item).strip().lower() in ("next", "1", "1st", "first")
            continue
        if isinstance(item, (int, float)) and item >= 0 and (_WAIT_FIELD.search(key) and not _LONG_WAIT.search(key)
                                                             or not key and waiting):
            found["wait"] = found["wait"] or f"{figure(item)} {'minute' if item == 1 else 'minutes'}"
            continue
        if isinstance(item, str) and _WAIT_TEXT.match(item.strip()) and (not key or _WAIT_FIELD.search(key)):
            found["wait"] = found["wait"] or " ".join(item.split())
            continue
        if isinstance(item, (int, float)):
            if found["amount"] is None and (_AMOUNT_FIELD.search(key) or not key and isinstance(item, float)):
                found["amount"] = money(item, currency)
            if _NEW_FIELD.match(key) and found["new"] is None:
                found["new"] = money(item, currency) if _AMOUNT_FIELD.search(key) else figure(item)
            if _ROUTE_FIELD.match(key) and found["route"] is None:
                found["route"] = figure(item)
            continue
        text = str(item).strip()
        if found["amount"] is None and _AMOUNT_FIELD.search(key) and _MONEY_TEXT.match(text):
            # '£8.99' written in the record: said as written, with the currency where it has none ('8.99').
            found["amount"] = text if text[0] in "£€$" else money(float(re.sub(r"[^\d.]", "", text) or 0), currency)
        if _NEW_FIELD.match(key) and found["new"] is None and text:
            found["new"] = spoken_date(text) if is_date(text) else clock(text) or text
        if _ROUTE_FIELD.match(key) and found["route"] is None and text:
            found["route"] = text
            continue
        if _VIA_FIELD.match(key) and found["via"] is None and text:
            found["via"] = text
            continue
        span = _SPAN.match(text)
        if span and found["start"] is None:
            found["start"], found["end"] = clock(span.group(1)), clock(span.group(2))
            continue
        if key.endswith("since") and is_date(text):
            found["since"] = found["since"] or spoken_date(text)    # when it became so: never a date to come
            continue
        if key and _SENT_FIELD.search(key) and is_date(text):
            found["sent"] = found["sent"] or spoken_date(text)
            continue
        if is_date(text) and found["date"] is None and (not key or _DATE_FIELD.search(key) or not _EARLIER.search(key)):
            found["date"] = spoken_date(text)
            if not _ISO_TIME.match(text):
                continue
        spoken = clock(text)
        if spoken:
            if _EARLIER.search(key):
                found["was"] = found["was"] or spoken
            else:
                times.append(spoken)
            continue
        for name, pattern in (("name", _NAME_FIELD), ("item", _ITEM_FIELD), ("place", _PLACE_FIELD)):
            if found[name] is None and pattern.search(key):
                found[name] = text
                break
    if len(times) >= 2 and found["start"] is None:
        found["start"], found["end"] = times[0], times[1]
    found["time"] = times[-1] if times else None
    said = str(label or "").split()
    words = [w for w in said if w.lower() not in EVENT_WORDS]
    if len(words) == 1 and words[0].lower() in ATTRIBUTE_WORDS and said.index(words[0]):
        # 'collection day change' is about the collection day, not a day
        words = said[said.index(words[0]) - 1:said.index(words[0]) + 1]
    while words and words[-1].lower() in ("for", "to", "of", "on", "at"):     # 'car for collection' is a car
        words.pop()
    found["thing"] = " ".join(words) or (str(label) if label else None)
    if isinstance(value, dict) and found["new"] is None and found["thing"] and any(
            str(k).lower() in _STARTS_FIELD for k in value):
        # From a date, the field named by what the label is about is what it will be: {'from': ..., 'day':
        # 'Thursday'} beside 'collection day' is the new day.
        named = value.get(found["thing"].split()[-1].lower())
        if isinstance(named, (str, int, float)) and not isinstance(named, bool) and str(named).strip():
            found["new"] = figure(named) if isinstance(named, (int, float)) else str(named).strip()
    if isinstance(value, dict):
        change = change_of(value, locale)
        if change:
            found["old"], found["new"], found["rise"], what = change
            found["thing"] = what or found["thing"]     # 'unit rate' says what changes better than 'tariff price'
        found["instead"] = next((" ".join(v.split()) for k, v in list(value.items())[:30]
                                 if _INSTEAD_PARTS.match(str(k).lower()) and isinstance(v, str) and v.strip()), None)
    return found


# A change record names what it was and what it becomes ('old_gbp'/'new_gbp', 'from_pct'/'to_pct', 'old'/'new'):
# a 'from' or 'to' on its own is a change only when it is not a date (a bare 'from' date is when it starts).
_OLD_PART = re.compile(r"^(?:old|was|previous|prev|from)(?:_\w+)?$")
_NEW_PART = re.compile(r"^(?:new|now|to|becomes|changes_to|changing_to)(?:_\w+)?$")
_PENCE_PART = re.compile(r"(?:^|_)(?:p|pence|ppkwh)$")
_PERCENT_PART = re.compile(r"(?:^|_)(?:pct|percent|percentage|apr|aer|rate)$")
# What runs instead (a replacement bus, the change made to a journey): said as it is written.
_INSTEAD_PARTS = re.compile(r"^(?:change|changes|replacement|replaced_by|alternative|instead|what_changes)$")


def _said_as(key: str, item: Any, currency: str) -> str | None:
    """One side of a change as people write it: '£96', '24.5p', '2.6%', 'Thursday', '1 May 2026'."""
    if isinstance(item, bool) or item is None or isinstance(item, (dict, list)):
        return None
    if isinstance(item, (int, float)):
        number = f"{item:,.2f}".rstrip("0").rstrip(".") if not float(item).is_integer() else figure(item)
        if _PENCE_PART.search(key):
            return f"{number}p"
        if _PERCENT_PART.search(key):
            return f"{number}%"
        if _AMOUNT_FIELD.search(key) or any(key.endswith(code) for code in CURRENCIES if code.isalpha()):
            return money(item, currency)
        return number
    text = " ".join(str(item).split())[:80]
    if not text:
        return None
    return spoken_date(text) if is_date(text) else ampm(text) if clock(text) and len(text) <= 8 else text


_SIDE_PREFIX = re.compile(r"^(?:old|was|previous|prev|from|new|now|to|becomes|changes_to|changing_to)_?")
_UNIT_SUFFIX = re.compile(r"_?(?:p|pence|pct|percent|percentage|gbp|eur|usd)$")


def _changed_part(old_key: str, new_key: str) -> str | None:
    """What both sides of a change name, when their field names say it ('old_unit_p'/'new_unit_p' -> 'unit rate',
    'old_standing_charge_p' -> 'standing charge'); None when they name nothing ('old_gbp') or differ."""
    stems = [_UNIT_SUFFIX.sub("", _SIDE_PREFIX.sub("", key)) for key in (old_key, new_key)]
    if not stems[0] or stems[0] != stems[1]:
        return None
    words = stems[0].replace("_", " ").split()
    if len(words) == 1 and words[0] in ATTRIBUTE_WORDS:
        return None         # 'new_price' says no more than the label does
    if words[-1] not in ATTRIBUTE_WORDS and words[-1] not in ("charge", "fee", "premium", "payment"):
        if _PENCE_PART.search(old_key) or _PERCENT_PART.search(old_key):
            words.append("rate")
        elif _AMOUNT_FIELD.search(old_key) or any(old_key.endswith(c) for c in CURRENCIES if c.isalpha()):
            words.append("price")
        else:
            return None
    return " ".join(words)


def change_of(value: Any, locale: Any = None) -> tuple[str, str, str | None, str | None] | None:
    """What a change record goes from and to, each said as people write it, 'up' or 'down' for two numbers, and
    what changes when both field names say it ('old_unit_p: 24.5, new_unit_p: 27.1' -> ('24.5p', '27.1p', 'up',
    'unit rate')); None when the record is not a change."""
    if not isinstance(value, dict):
        return None
    currency = LOCALE_CURRENCY.get(str(locale or "").lower(), "£")
    for raw_key, item in list(value.items())[:30]:
        key = str(raw_key).lower()
        if key in _CURRENCY_FIELD and isinstance(item, str):
            currency = CURRENCIES.get(item.strip().lower(), currency)
        for code, sign in CURRENCIES.items():
            if code.isalpha() and key.endswith(code):
                currency = sign
    old = new = None
    for raw_key, item in list(value.items())[:30]:
        key = str(raw_key).lower()
        if key in ("from", "to") and isinstance(item, str) and is_date(item):
            continue        # 'from: 2026-08-01' is when the change starts
        if old is None and _OLD_PART.match(key):
            old = (item, _said_as(key, item, currency), key)
        elif new is None and _NEW_PART.match(key):
            new = (item, _said_as(key, item, currency), key)
    if old is None or new is None or not old[1] or not new[1] or old[1] == new[1]:
        return None
    rise = None
    if all(isinstance(side, (int, float)) and not isinstance(side, bool) for side in (old[0], new[0])):
        rise = "up" if new[0] > old[0] else "down"
    return old[1], new[1], rise, _changed_part(old[2], new[2])


def is_change(value: Any) -> bool:
    """Whether a record says what something goes from and to ('{% if value is change %}')."""
    return change_of(value) is not None


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ISO_IN_TEXT = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?\b")
COUNTS = ("count", "attempts", "times", "number", "tries")     # fields that count how often something happened
MAX_FACTS = 6       # a record's fields said in one line: more is a recital, not an answer


def _spoken_moment(found: re.Match) -> str:
    """One ISO date (and time) as people say it: 'Thursday 16 January 2025 at 2:12 pm'."""
    year, month, day, hour, minute = found.groups()
    try:
        when = datetime.date(int(year), int(month), int(day))
    except ValueError:
        return found.group(0)
    said = f"{WEEKDAYS[when.weekday()]} {when.day} {MONTHS[when.month - 1]} {when.year}"
    if hour is not None and int(hour) < 24 and int(minute) < 60:
        h, m = int(hour), int(minute)
        said += f" at {h % 12 or 12}{f':{m:02d}' if m else ''} {'am' if h < 12 else 'pm'}"
    return said


# How a record's field names are said, so a record reads as a phrase and never as 'field value' pairs:
_LEAD_FIELD = re.compile(r"^(?:item|items|product|what|description|thing|status|state|result|outcome|type|kind)$")
# How long until it comes ('eta_hours: 24', 'eta_days: "3-5"'): said with its unit, never 'eta hours 24'.
_ETA_FIELD = re.compile(r"^(?:eta|due|arrives|arrival|expected|ready|wait)_(?:in_)?(minutes|mins|hours|hrs|days)$")
_ETA_UNITS = {"minutes": "minutes", "mins": "minutes", "hours": "hours", "hrs": "hours", "days": "days"}
_ADVICE_FIELD = re.compile(r"^(?:advice|what_to_do|to_do|next_step|instructions?)$")
_INSTEAD_FIELD = re.compile(r"^(?:alternative|alternatives|instead|replacement)$")
_CURRENCY_FIELD = ("currency", "ccy")
_LAST_FIELD = re.compile(r"^(?:last|latest|last_attempt|most_recent)$")
_DUE_FIELD = {"arrives": "arriving", "arrival": "arriving", "expected": "expected", "eta": "expected",
              "due": "due", "ready": "ready", "back": "back"}
_PLACE_WORDS = re.compile(r"^(?:depot|branch|store|shop|pharmacy|station|office|venue|location|place|at|"
                          r"collect_from|pickup|pickup_point|desk|counter)$")
_BY_FIELD = re.compile(r"^([a-z_]+?)_by$")
_TRAILING_PREPOSITION = re.compile(r"\s+(?:on|at|in)$")
_DONE_FIELD = re.compile(r"^[a-z]+(?:ed|_in|_on|_at)$|^(?:found|sent|paid|made|taken|given|done|held|kept|"
                         r"seen|left|won|spent|begun|run|put|set|cut)$")
_MONEY_TEXT = re.compile(r"^[£€$]?\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:GBP|EUR|USD|p))?$", re.IGNORECASE)
_FOR_FIELD = re.compile(r"^(?:reason|for)$")
_CAUSE_FIELD = re.compile(r"^(?:cause|caused_by|because)$")
_OCCASION_FIELD = re.compile(r"^(?:journey|trip|stay|visit|booking|order|flight|travel|travel_date|journey_date)$")


def _when(text: str) -> str:
    """A date or time field's value as people say it, with its preposition: 'on Tuesday 2 March 2027', 'at 7:42 pm'."""
    said = _ISO_IN_TEXT.sub(_spoken_moment, text[:200])
    if said != text[:200]:
        return f"on {said}"
    spoken = ampm(text)
    if spoken:
        return f"at {spoken}"
    return f"in {text}" if re.match(r"^(?:about |around )?\d", text) else text


def _fact(name: str, value: Any, currency: str = "£") -> tuple[int, str] | None:
    """One field said as words, with where it goes: 0 what it is (the item, its status, the amount), 1 the rest
    in the record's order, 2 where (said straight after what comes before it: 'found on ... at Victoria'), 3 what
    to do about it ('; the advice is to ...'). The currency field is not said: it is the amount's sign."""
    key = name.lower().strip()
    if key in _CURRENCY_FIELD:
        return None
    words = name.replace("_", " ").replace("-", " ").split()
    symbol = CURRENCIES.get(words[-1].lower()) if words else None
    if symbol:
        words = words[:-1]
    field = " ".join(words)
    eta = _ETA_FIELD.match(key)
    if eta and not isinstance(value, bool) and isinstance(value, (int, float, str)) and str(value).strip():
        return 1, f"expected within {figure(value) if not isinstance(value, str) else ' '.join(value.split())[:40]} " \
                  f"{_ETA_UNITS[eta.group(1)]}"
    if isinstance(value, bool):
        if key == "safe":
            return 1, "safe to use" if value else "not safe to use"
        return 1, (field if value else f"not {field}")
    if isinstance(value, (int, float)):
        if not symbol and field.lower() in COUNTS and isinstance(value, int):
            return 0, f"{number_words(value)} so far"      # 'count 2' is a record; 'two so far' is said
        if symbol or _AMOUNT_FIELD.search(key):
            return 0, money(value, symbol or currency)
        if _ROUTE_FIELD.match(key):
            return 1, f"on the {figure(value)}"
        return 1, f"{field} {figure(value)}".strip()
    if not isinstance(value, str):
        return None     # a nested record is not read out
    text = " ".join(value.split())[:200]
    if not text:
        return None
    if _ROUTE_FIELD.match(key):
        return 1, f"on the {text}" if re.match(r"^[A-Za-z]?\d+[A-Za-z]?$", text) else f"on the {text} route"
    if _CAUSE_FIELD.match(key):
        return 1, f"because of {text}"
    if _ADVICE_FIELD.match(key):
        return 3, f"; the advice is to {text[0].lower()}{text[1:]}"
    if _INSTEAD_FIELD.match(key):
        return 3, f"; instead, {text[0].lower()}{text[1:]}"
    if _LEAD_FIELD.match(key) or (_AMOUNT_FIELD.search(key) and _MONEY_TEXT.match(text)):
        return 0, _ISO_IN_TEXT.sub(_spoken_moment, text)
    if _PLACE_WORDS.match(key):
        return 2, f"at {text}"
    if _FOR_FIELD.match(key):
        return 1, f"for {article(text)}"
    if _LAST_FIELD.match(key) and (is_date(text) or clock(text)):
        return 1, f"the last {_when(text)}"
    if key in _DUE_FIELD:
        return 1, f"{_DUE_FIELD[key]} {_when(text)}"
    by = _BY_FIELD.match(key)
    if by and (is_date(text) or _ISO_IN_TEXT.search(text)) and _when(text).startswith("on "):
        # 'expected_by' is a deadline: 'expected by Sunday 8 March 2026', never 'expected on'.
        return 1, f"{_DUE_FIELD.get(by.group(1), by.group(1).replace('_', ' '))} by {_when(text).split(' ', 1)[-1]}"
    if _DONE_FIELD.match(key) and (is_date(text) or _ISO_IN_TEXT.search(text)):
        # The field's own preposition gives way to the date's ('issued_on' is 'issued on 3 March', not 'on on').
        return 1, f"{_TRAILING_PREPOSITION.sub('', field)} {_when(text)}"
    if _OCCASION_FIELD.match(key) and is_date(text):
        return 1, f"for the {words[0]} {_when(text)}"
    if key in _STARTS_FIELD and is_date(text):
        return 1, f"from {_when(text).removeprefix('on ')}"      # 'from Friday 1 May 2026', never 'from on'
    if key in ("date", "when", "on") and (is_date(text) or _ISO_IN_TEXT.search(text)):
        return 1, _when(text)
    if is_date(text) and not _ISO_TIME.match(text):
        return 1, f"{field} {_when(text)}"
    return 1, f"{field} {_ISO_IN_TEXT.sub(_spoken_moment, text)}".strip()


def _is_side(key: str, value: Any) -> bool:
    """Whether a field is one side of a change ('old_gbp', 'to_pct'), not the date it starts ('from: 2026-05-01')."""
    if key in ("from", "to") and isinstance(value, str) and is_date(value):
        return False
    return bool(_OLD_PART.match(key) or _NEW_PART.match(key))


_STARTS_FIELD = ("from", "effective_from", "starts", "starting", "start_date", "applies_from")


def _said_by_another(name: str, value: Any, heads: set) -> bool:
    """Whether a status field's one word opens another field's name ('issued' and 'issued_on'), which says it with
    its date."""
    return (name.lower() in ("status", "state", "outcome") and isinstance(value, str)
            and value.strip().lower() in heads and value.strip().lower() != name.lower())


def facts(value: Any) -> str:
    """A record's value said plainly, as a phrase people say: what it is first (the item, its status, the
    amount), then the rest with its own words (counts as 'two so far', 'found on Wednesday 10 February 2027',
    'at Victoria', 'arriving in 3-5 working days'), dates and times as people say them, never the record's field
    names read out ({'count': 2, 'last': '2025-01-16T14:12'} -> 'two so far, the last on Thursday 16 January
    2025 at 2:12 pm')."""
    if isinstance(value, dict):
        sign = next((CURRENCIES.get(str(v).strip().lower()) for k, v in value.items()
                     if str(k).lower() in _CURRENCY_FIELD and isinstance(v, str)), None) or "£"
        change = change_of(value)
        items = list(value.items())[:MAX_FACTS]
        if change:      # a change is said by its shape ('up from £96 to £118'), never as its two fields
            items = [(k, v) for k, v in items if not _is_side(str(k).lower(), v)]
        # A status another field already says ('status: issued' beside 'issued_on') is said once, with its date.
        heads = {str(k).lower().split("_")[0] for k, _ in items}
        said = [f for k, v in items if not _said_by_another(str(k), v, heads) and (f := _fact(str(k), v, sign))]
        if change:
            said.insert(0, (0, f"{change[2] + ' ' if change[2] else ''}from {change[0]} to {change[1]}"))
        ordered = [text for order, text in said if order == 0] + [text for order, text in said if order in (1, 2)]
        places = {text for order, text in said if order == 2}
        out = ""
        for text in ordered:
            out += (" " if text in places and out else ", " if out else "") + text
        for order, text in said:
            if order == 3:
                out += text if out else text.lstrip("; ")
        return out
    if isinstance(value, (list, tuple)):
        return join_words([facts(v) for v in value[:MAX_FACTS] if not isinstance(v, (dict, list, tuple))])
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (int, float)):
        return figure(value)
    return _ISO_IN_TEXT.sub(_spoken_moment, str(value)[:200])


class PhraseEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox with a budget: every render's loops, calls, arithmetic and output are metered."""

    intercepted_binops = frozenset(["**", "*", "+", "%"])
    budget_steps = staticmethod(budget.steps)
    budget_charge = staticmethod(budget.charge)
    budget_size = staticmethod(budget.check_size)

    def _generate(self, source, name, filename, defer_init=False):  # type: ignore[override]
        return super()._generate(budget.Metering(self).visit(source), name, filename, defer_init)

    def call_binop(self, context, operator, left, right):  # type: ignore[override]
        budget.check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(self, context, obj, /, *args, **kwargs):  # type: ignore[override]
        spending = budget.current()
        if spending is None:
            return super().call(context, obj, *args, **kwargs)
        spending.step()
        spending.depth += 1
        try:
            if spending.depth > budget.MAX_DEPTH:
                raise budget.BudgetExceeded(f"calls nested more than {budget.MAX_DEPTH} deep")
            return super().call(context, obj, *args, **kwargs)
        finally:
            spending.depth -= 1

    def wrap_str_format(self, value: Any) -> None:  # type: ignore[override]
        # str.format and format_map are methods like any other: never reachable from a template.
        return None

    def unsafe_undefined(self, obj: Any, attribute: str):  # type: ignore[override]
        # Fail loudly: a blocked attribute must never quietly read as empty or None.
        raise SecurityError(f"'{attribute}' cannot be read here; templates see plain data only")

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # Plain data only: dict keys are read by item, never Python attributes or methods.
        if isinstance(obj, (str, int, float, bool, type(None), list, tuple, dict)):
            return False
        return super().is_safe_attribute(obj, attr, value)


def _build_environment() -> PhraseEnvironment:
    env = PhraseEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True,
                            lstrip_blocks=True, keep_trailing_newline=False, cache_size=4000,
                            finalize=budget.finalize)
    for name in UNSAFE_FILTERS:
        env.filters.pop(name, None)
    for name in TEMPLATE_GLOBALS:
        env.globals.pop(name, None)
    env.globals["range"] = budget.safe_range
    env.filters.update({"replace": budget.replace_checked(env.filters["replace"]),
                        "join": budget.join_checked(env.filters["join"]),
                        "round": budget.round_checked(env.filters["round"]),
                        "a": article, "an": article, "plural": budget.word_checked(plural),
                        "join_words": join_words, "words": number_words, "date": spoken_date, "figure": figure,
                        "parts": parts, "clock": clock, "ampm": ampm, "facts": facts,
                        "indefinite": budget.word_checked(indefinite), "subject": budget.word_checked(subject),
                        "be": budget.word_checked(be)})
    env.filters = {name: budget.bounded_filter(function) for name, function in env.filters.items()}
    env.tests["date"] = is_date
    env.tests["change"] = is_change
    env.globals["named"] = named
    env.globals["person"] = person
    return env


@pass_context
def named(context, *words: str) -> bool:
    """Whether the data point's key or label holds any of these words: `named('hardship', 'support tariff')` is how a
    topic's match says which records are its own, in words a script writer can read ('_' and '-' read as spaces)."""
    about = f"{context.get('key') or ''} {context.get('label') or ''}".lower().replace("_", " ").replace("-", " ")
    return any(str(word).lower() in about for word in words)


@pass_context
def person(context, form: str = "them") -> str:
    """The pronoun for the one person the customer spoke of: `person('them')` is 'her' after "add my daughter",
    'him' after "my son", and 'them' when they named nobody, or both."""
    return pronoun(str(form), context.get("context", {}).get("person", "they"))


# Globals that read names a template need not mention: a remembered line is keyed by these too.
_GLOBALS_READ = {"named": {"key", "label"}, "person": {"context"}}

ENV = _build_environment()


@lru_cache(maxsize=8192)
def compile_template(source: str):
    """Compile once, cache by source: the same phrasing is rendered on many calls."""
    return ENV.from_string(source)


@lru_cache(maxsize=8192)
def compile_condition(source: str):
    """A rule condition; a blocked attribute raises instead of quietly reading as None."""
    return ENV.compile_expression(source, undefined_to_none=False)


def template_variables(source: str) -> set[str]:
    """Top-level names a template reads (raises TemplateSyntaxError)."""
    return _with_what_named_reads(ENV.parse(source))


def _with_what_named_reads(parsed: nodes.Template) -> set[str]:
    """The names a parsed template looks up, with what `named` and `person` read (the key and label, the context),
    so a remembered result is keyed by them too."""
    names = meta.find_undeclared_variables(parsed)
    for name in {node.name for node in parsed.find_all(nodes.Name)} & _GLOBALS_READ.keys():
        names |= _GLOBALS_READ[name]
    return names


def condition_variables(source: str) -> set[str]:
    """Top-level names a condition reads (raises TemplateSyntaxError)."""
    parsed = ENV.parse("{{ (" + source + ") }}")
    names = _with_what_named_reads(parsed)
    # An expression that escaped the wrapper (e.g. ') }}{{ (') is not one condition.
    outputs = list(parsed.find_all(nodes.Output))
    if len(outputs) != 1 or len(outputs[0].nodes) != 1:
        raise TemplateSyntaxError("a condition must be a single expression", 1)
    return names


@lru_cache(maxsize=8192)
def _names(source: str) -> tuple[str, ...]:
    return tuple(sorted(template_variables(source)))


def names_used(source: str) -> tuple[str, ...]:
    """The top-level names a template reads, cached (raises TemplateSyntaxError)."""
    return _names(source)


_SCALARS = frozenset((str, int, float, bool, type(None)))     # hashable as they are: most values a line reads


def _freeze(value: Any) -> Hashable:
    """A hashable stand-in that tells apart every value that could render differently (True vs 1)."""
    kind = type(value)
    if kind in _SCALARS:
        return (kind.__name__, value)
    if kind is FrozenDict:      # the request's context: keyed once, however many lines read it
        key = value.__dict__.get("key")
        if key is None:
            key = value.__dict__["key"] = ("dict", tuple((k, _freeze(v)) for k, v in value.items()))
        return key
    if isinstance(value, dict):     # a scalar (most items) frozen here, without a call
        return ("dict", tuple([(k, (type(v).__name__, v) if type(v) in _SCALARS else _freeze(v))
                               for k, v in value.items()]))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple([(type(v).__name__, v) if type(v) in _SCALARS else _freeze(v)
                                             for v in value]))
    hash(value)
    return (type(value).__name__, value)


_MISSING = object()   # a name the caller did not give: rendering raises, never cached
MAX_REMEMBERED = 20_000


class _Remembered:
    """Results by source and the values it reads: the same phrasing comes back call after call."""

    def __init__(self, names, compute):
        self.names, self.compute, self.results = names, compute, {}

    def __call__(self, source: str, variables: dict):
        try:
            frozen = []
            for name in self.names(source):
                value = variables.get(name, _MISSING)
                kind = type(value)      # a scalar (most values) frozen here, without a call
                frozen.append((name, (kind.__name__, value) if kind in _SCALARS else _freeze(value)))
            key = (source, tuple(frozen))
        except Exception:   # a name list or value that cannot key the cache: compute uncached
            return self.compute(source, variables)
        result = self.results.get(key)
        if result is None:
            result = self.compute(source, variables)
            if len(self.results) >= MAX_REMEMBERED:
                self.results.clear()
            self.results[key] = result
        return result


def _failure(what: str, exc: Exception) -> TemplateError:
    """Any exception from a render as a TemplateError saying what kind of failure it was."""
    if isinstance(exc, TemplateSyntaxError):
        return TemplateError(f"{what} syntax error at line {exc.lineno}: {exc.message}")
    if isinstance(exc, UndefinedError):
        return TemplateError(f"{what} uses a value it was not given: {exc.message}")
    if isinstance(exc, budget.BudgetExceeded):
        return TemplateError(f"{what} went over its budget: {exc}")
    if isinstance(exc, SecurityError):
        return TemplateError(f"{what} did something the sandbox forbids: {exc}")
    if isinstance(exc, (MemoryError, RecursionError)):
        return TemplateError(f"{what} went over its budget: {type(exc).__name__}")
    return TemplateError(f"{what} failed: {type(exc).__name__}: {exc}")


def _render(source: str, variables: dict) -> str:
    if len(source) > MAX_TEMPLATE:
        raise TemplateError(f"template longer than {MAX_TEMPLATE} characters")
    try:
        template = compile_template(source)
        spending = budget.start()
        try:
            text = template.render(variables)
        finally:
            budget.stop(spending)
    except Exception as exc:
        raise _failure("template", exc) from None
    if len(text) > MAX_OUTPUT:
        raise TemplateError(f"template output longer than {MAX_OUTPUT} characters")
    return " ".join(text.split())


@lru_cache(maxsize=8192)
def _condition_names(source: str) -> tuple[str, ...]:
    return tuple(sorted(condition_variables(source)))


def _evaluate(source: str, variables: dict) -> bool:
    if len(source) > MAX_TEMPLATE:
        raise TemplateError(f"condition longer than {MAX_TEMPLATE} characters")
    try:
        condition = compile_condition(source)
        spending = budget.start()
        try:
            return bool(condition(**variables))
        finally:
            budget.stop(spending)
    except Exception as exc:
        raise _failure("condition", exc) from None


_RENDERED = _Remembered(_names, _render)
_EVALUATED = _Remembered(_condition_names, _evaluate)


def render(source: str, variables: dict) -> str:
    """Render a phrasing: whitespace folded, output capped, every failure a TemplateError."""
    return _RENDERED(source, variables)


def evaluate(source: str, variables: dict) -> bool:
    """Evaluate a rule condition to a boolean; every failure a TemplateError."""
    return _EVALUATED(source, variables)
