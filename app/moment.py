"""The moment a line is for, and choosing the line that fits it best.

A phrasing's `fits` names where it suits (channel kind, stage, industry,
relationship, whether the issue is resolved, how the customer seems, what the
value means, whether the customer already said it or just asked about it). A line fits when every
condition it names holds; a line that answers or builds on the customer's words
(`asked`, `said`) comes first, then more conditions beat fewer, ties keep file order,
and a line already shown in this conversation gives way to another that fits.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable

from . import reading
from .wordtree import tree_pattern
from .model import SENSITIVE_CATEGORIES

CHANNEL_KINDS = {"phone": "phone", "video": "phone", "in_person": "in_person", "store": "in_person",
                 "cabin": "cabin", "chat": "written", "messaging": "written", "email": "written",
                 "sms": "written", "app": "written"}
KINDS = ("phone", "in_person", "written", "cabin")
KIND_GROUPS = {"spoken": ("phone", "in_person", "cabin")}
CALM = "calm"
HELD, MISSING = "held", "missing"
SILENT, OTHER = "silent", "other"     # what the customer opened with: nothing yet, or none of the phrasebooks' openings
# Channels where we may write first: nothing from the customer there means the message is ours (a chat they opened).
WRITE_FIRST = frozenset(("email", "sms", "app"))
MISSING_VALUES = (None, False, 0, "", (), [])
MISSING_TEXT = frozenset(("no", "none", "false", "0", "n", "nil", "null", "n/a", "-", "absent", "not held"))
# The conditions a phrasing may name, in the order they are read ('asked' first: it rules out most lines).
# 'heard' reads the customer's words afresh for each line, so it comes last.
FIT_KEYS = ("asked", "channel", "stage", "industry", "relationship", "resolved", "served", "bears", "answers",
            "requested", "state", "value", "said", "told", "opened", "brief", "repeated", "farewell", "questioned",
            "changed", "sent_about", "heard")
RESPONDING = ("asked", "said", "served", "bears", "answers", "requested", "repeated")   # facts about their words
PROBLEM_STATES = ("upset", "problem", "distressed")
BRIEF = "brief reply at the end"     # the estimate's signal (and `brief` fact): a word or two once it is resolved
SUFFIXES = ("ations", "ation", "ments", "ment", "ships", "ship", "ances", "ance", "ences", "ence", "ions", "ion",
            "ings", "ing", "ers", "er", "ies", "es", "ed", "s", "y", "e")
_LETTERS = re.compile(r"[a-z]+")
STOPWORDS = frozenset("the and for with your our their this that from about into over have what".split())
SHORT_STOPWORDS = frozenset("the and for you our any all are was has had not but can one new own its per via off out "
                            "who why how get got use".split())
# Words of a preference's label that name no thing: 'seat preference' is about the seat.
NOT_A_THING = ("prefer", "usual", "favour", "favor", "choice", "option", "setting", "request", "saved", "stored")
# Words before the thing that say which one it is not ('my next prescription', 'a new lamp'): no other value.
FUNCTION_WORDS = frozenset("a an the my your our their his her its this that these those next new same usual one "
                           "another other some any more to for of you me us it i we they can could would will "
                           "please just and or by with on in at from as so also again".split())
_WORD_BEFORE = re.compile(r"([a-z][a-z'’-]*)\s+$")
# A customer asking for what they always have ("the usual tonight, please") asks for nothing else, whatever else
# the sentence holds; "not the usual" is a change.
_AS_USUAL = re.compile(r"(?<!not )(?<!no )\b(?:(?:the|my) usual|same again|same as (?:always|usual|last time))\b")
# Stems too general to tell what a question is about ('my account', 'my plan', 'the date').
VAGUE = frozenset("account plan servic detail inform number status date time thing chang custom record total "
                  "amount current recent last next value level type info prefer guest passeng polic order purchas "
                  "item".split())
# Words that say nothing about which thing a request is about: 'order' and 'book' are how people ask, 'account' and
# 'status' fit anything, a record's 'item' or 'date' field names no thing.
NOT_ABOUT = frozenset("question issue problem query enquiry inquiry request help general change update status account "
                      "call contact check chat follow info information other service support order book thing time "
                      "date last recent current next just want need like know please thank today week month year "
                      "make sure look find tell said come item items".split())
# What was watched, inferred or bought in: never counts as what the customer asked for.
NOT_THEIRS = ("observed", "inferred", "third_party")
OWED = "owed"       # the value reading for money the business still owes the customer
_PAID = re.compile(r"(?<!not )(?<!not yet )\b(?:paid|refunded|credited|settled|issued|sent)\b", re.IGNORECASE)
# A record's field that says the money already went out ({'issued': '2027-03-02'}): on its way, not owed.
_PAID_FIELDS = frozenset(("issued", "paid_on", "refunded_on", "credited_on", "sent"))


def _says_paid(value: Any) -> bool:
    """Whether a record says the money was already paid ('paid', {'paid': True}, issued), not that it is owed."""
    if isinstance(value, dict):
        return value.get("paid") is True or not _PAID_FIELDS.isdisjoint(value) \
            or any(_says_paid(v) for v in value.values() if isinstance(v, str))
    return isinstance(value, str) and bool(_PAID.search(value))
# A question written without its question mark ("what is going on", "where's my parcel").
_QUESTION = re.compile(r"(?:^|[.!,;:]\s*|\band\s+)(?:what|where|when|why|how|who)(?:'s|\s+(?:is|are|was|were|has|have|had|"
                       r"did|does|do|about|happened|going|can|could|should|will))\b")


def _asks_what(lowered: str) -> bool:
    """Whether a lower-cased text asks what, where, how ... (_QUESTION); every such word holds 'wh' or 'how', so
    a text with neither (most) is cleared without running the pattern."""
    return ("wh" in lowered or "how" in lowered) and _QUESTION.search(lowered) is not None


def channel_kind(channel: str) -> str:
    return CHANNEL_KINDS.get(channel, "written")


def fits(conditions: tuple, moment: "Moment") -> bool:
    """Whether every condition of a line holds in this moment (a fact not known fits nothing)."""
    known = moment.known     # the plain facts, read here without a call: most conditions name one
    for name, allowed in conditions:
        if name in known:
            if known[name] not in allowed:
                return False
        elif name == "heard":     # a list of the customer's words ('juice', 'can i take'), not facts to compare
            if not moment.hears(allowed):
                return False
        elif moment.fact(name) not in allowed:
            return False
    return True


def choose(lines: Iterable, moment: "Moment", shown: frozenset = frozenset()) -> list:
    """The lines that fit, best first: not yet shown, then more specific, then file order."""
    fitting = [line for line in lines if not line.fits or fits(line.fits, moment)]
    if len(fitting) < 2 or not (shown or any(line.fits for line in fitting)):
        return fitting      # the common case: nothing to rank
    order = {id(line): i for i, line in enumerate(fitting)}
    return sorted(fitting, key=lambda line: (line.id in shown, -_responds(line), -len(line.fits), order[id(line)]))


def _responds(line) -> int:
    """How many of a line's conditions are on what the customer just said or asked, on the state their words
    show (upset, grieving), or on a message we send first: those lines come first."""
    return sum(1 for name, allowed in line.fits if (name in RESPONDING and allowed == (True,))
               or name == "heard" or (name == "state" and CALM not in allowed)
               or (name == "opened" and SILENT in allowed))     # a message we send first: the line written for it


# ---------------------------------------------------------------- words

def stem(word: str) -> str:
    """A rough stem, enough to hear 'connecting' in a 'connection' label."""
    word = word.lower()
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[:-len(suffix)]
    return word


# Words of a reason for a message we send that say nothing of what it is about ('reminder', 'notice').
NOTICE_WORDS = frozenset(stem(w) + "*" for w in "reminder reminders notice notification alert update message "
                         "courtesy outbound heads general info information".split())

_NOT_ABOUT_STEMS = frozenset(stem(w) for w in NOT_ABOUT)


def label_words(text: Any) -> tuple[str, ...]:
    """The content words of a label or value as patterns ('connect*')."""
    return _label_words(text) if isinstance(text, str) else ()


@lru_cache(maxsize=4096)
def _label_words(text: str) -> tuple[str, ...]:
    words = _LETTERS.findall(text.lower()[:200])
    return tuple(dict.fromkeys(stem(w) + "*" for w in words if len(w) >= 4 and w not in STOPWORDS))


_WITHOUT = re.compile(r"\b[a-z]{4,}less\b")


@lru_cache(maxsize=1024)
def _without_pattern(text: str) -> re.Pattern | None:
    """The things a stored 'X-less' preference does without ('paper' for paperless, 'cash' for cashless), as
    whole words, or None."""
    roots = tuple(dict.fromkeys(w[:-4] for w in _LETTERS.findall(text.lower()[:200])
                                if w.endswith("less") and len(w) >= 8))
    return re.compile(r"\b(?:" + "|".join(map(re.escape, roots)) + r")s?\b") if roots else None


# Heads of a name that say no kind of thing of their own: a 'savings account' is named by 'savings'.
GENERAL_HEADS = frozenset(("account", "accounts", "plan", "plans", "cover", "policy", "insurance", "product", "products",
                           "service", "services", "scheme", "option", "options", "package", "holding", "none",
                           # ... or that take their thing from the word before ('a phone upgrade' is a new phone)
                           "upgrade", "upgrades", "quote", "quotes", "renewal", "replacement", "deal", "deals",
                           "offer", "offers"))


@lru_cache(maxsize=4096)
def head_word(text: str) -> str:
    """The head of a name: its last content word, what the thing is ('pass' in 'delivery pass'), or ''."""
    words = [w for w in _LETTERS.findall(text.lower().replace("_", " ")[:200])
             if w not in STOPWORDS and w not in SHORT_STOPWORDS and len(w) >= 3]
    return words[-1] if words else ""


def short_words(text: Any) -> tuple[str, ...]:
    """The three-letter things of a label ('car', 'van', 'pet'), which label_words leaves out, matched whole."""
    if not isinstance(text, str):
        return ()
    return tuple(dict.fromkeys(w for w in _LETTERS.findall(text.lower()[:200])
                               if len(w) == 3 and w not in SHORT_STOPWORDS))


@lru_cache(maxsize=2048)
def pattern(words: tuple[str, ...]) -> re.Pattern | None:
    """One regex for a word list: '*' ends a prefix, other words match whole, case folded."""
    parts = [(w[:-1].lower(), True) if w.endswith("*") else (w.lower(), False) for w in words if w.strip("*").strip()]
    if not parts:
        return None
    return re.compile(r"(?<![a-z])(?:" + tree_pattern(parts, re.escape(" "), r"[a-z'’]*") + r")(?![a-z])")


_BY_LIST: dict[int, tuple[tuple[str, ...], re.Pattern | None]] = {}


def _pattern_of(words: tuple[str, ...]) -> re.Pattern | None:
    """pattern() of a list the phrasebooks hold, found by the list itself: hashing hundreds of words costs more."""
    if type(words) is not tuple:
        return pattern(tuple(words))
    known = _BY_LIST.get(id(words))
    if known is None or known[0] is not words:     # the list is kept, so its id is not reused while known
        if len(_BY_LIST) >= 4096:
            _BY_LIST.clear()
        known = _BY_LIST[id(words)] = (words, pattern(tuple(words)))
    return known[1]


_TOGETHER: dict[int, tuple[tuple[str, ...], tuple]] = {}


def _together_of(words: tuple[str, ...]) -> tuple:
    """The '&' entries of a kept word list, each as (plain text, pattern) for its parts, found by the list itself:
    the plain text is looked for first, since most conversations hold none of it and a substring test is cheap."""
    known = _TOGETHER.get(id(words))
    if known is None or known[0] is not words:
        if len(_TOGETHER) >= 1024:
            _TOGETHER.clear()
        parts = tuple(tuple((part.strip().rstrip("*").lower(), pattern((part.strip(),))) for part in entry.split("&"))
                      for entry in words if "&" in entry)
        known = _TOGETHER[id(words)] = (words, tuple(p for p in parts if all(found for _, found in p)))
    return known[1]


def heard(words: tuple[str, ...], lowered: Iterable[str]) -> bool:
    """Whether any of the (lower-cased) texts holds one of the words."""
    found = _pattern_of(words)
    return bool(found) and any(found.search(t) for t in lowered)


def heard_together(first: tuple[str, ...], second: tuple[str, ...], lowered: Iterable[str]) -> bool:
    """Whether one (lower-cased) utterance holds words of both lists ('the frother' + 'broke')."""
    a, b = pattern(tuple(first)), _pattern_of(second)      # the first is made for this call, the second kept
    return bool(a and b) and any(a.search(t) and b.search(t) for t in lowered)


class StateReader:
    """A phrasebook set's states compiled once: which states an utterance puts the customer in.

    A state's own words are one prefix-tree pattern; its cue lists are read as the receptiveness estimate
    reads them (negation and all), from the same per-utterance cache, so a turn is read once a request.
    """

    def __init__(self, states: tuple, cues: dict, marks: dict | None = None):
        from . import receptiveness     # the estimate's reader: imported late, it loads VADER
        self.states, self.cues, self.marks = states, cues, marks or {}
        self.book = None        # the set last read with it (state_reader's quick check)
        owners: dict[str, tuple] = {}
        for i, state in enumerate(states):
            for word in state.words:
                owners[word.lower()] = owners.get(word.lower(), ()) + (i,)
        # Other word lists read turn by turn (a sign-off, an offer being weighed) ride on the same pass, marked by
        # name: one scan of each utterance, remembered, rather than one more for every list.
        for name, words in self.marks.items():
            for word in words:
                owners[word.lower()] = owners.get(word.lower(), ()) + (name,)
        for state in states:        # a longer phrase in another sense wins where it starts, and counts for nothing
            for word in state.plain:
                owners.setdefault(word.lower(), ())
        self.words = receptiveness.CueSet(owners) if owners else None
        # Which states each cue list puts the customer in: a turn's few lists are looked up, not every state's.
        self.by_cue: dict[str, tuple[int, ...]] = {}
        for i, state in enumerate(states):
            for name in frozenset(state.cues):
                self.by_cue[name] = self.by_cue.get(name, ()) + (i,)
        self.mood = receptiveness.reader(cues)
        self.reasons = [pattern(tuple(s.reasons)) for s in states]
        self.heard = lru_cache(maxsize=4096)(self._heard)
        self.given = lru_cache(maxsize=1024)(self._given)

    def _heard(self, utterance: str) -> frozenset:
        lowered = reading.turn(utterance).lowered
        found = {i for _, owners in self.words.find(lowered) for i in owners} if self.words else set()
        for name in self.mood.hits(utterance[:500])[1]:
            found.update(self.by_cue.get(name, ()))
        return frozenset(found)

    def _given(self, reason: str) -> frozenset:
        """The states a contact reason ('bereavement', 'fraud') puts the customer in."""
        return frozenset(i for i, found in enumerate(self.reasons) if found is not None and found.search(reason))


_READERS: dict[int, StateReader] = {}


MARKED = ("considered_words", "farewell_words", "wonder_words")     # word lists the state reader marks in each utterance


def state_reader(book) -> StateReader:
    """The compiled state reader for a set (one per loaded phrasebook set)."""
    found = _READERS.get(id(book.states))
    if found is not None and found.book is book:
        return found        # the set it was made for: its lists are the ones compiled
    if found is None or found.states is not book.states or found.cues is not book.cues or any(
            found.marks.get(name) is not getattr(book, name) for name in MARKED):
        if len(_READERS) > 8:
            _READERS.clear()
        found = _READERS[id(book.states)] = StateReader(book.states, book.cues,
                                                        {name: getattr(book, name) for name in MARKED})
    found.book = book
    return found


def forget() -> None:
    """Drop every remembered reading of an utterance (the benchmark's worst case: all words new)."""
    for found in _READERS.values():
        found.heard.cache_clear()
        found.given.cache_clear()
    _asks_something.cache_clear()
    reading.forget()


# ---------------------------------------------------------------- the moment

class memo:
    """`functools.cached_property` without its lock (Python 3.11 takes one on every first read): a moment
    belongs to one request, so nothing else reads it meanwhile."""

    def __init__(self, read):
        self.read, self.name = read, read.__name__
        self.__doc__ = read.__doc__

    def __get__(self, moment, owner=None):
        if moment is None:
            return self
        value = moment.__dict__[self.name] = self.read(moment)
        return value


# A value that opens with one of these says the thing is not there ("not fitted", "no plan", "none held").
NEGATION_HEADS = frozenset(("no", "not", "none", "never", "without", "non", "nil", "nope"))
_FIRST_WORD = re.compile(r"[a-z]+")


def read_value(value: Any, readings: tuple, category: str | None = None, label: Any = None) -> str:
    """What a value means: 'missing', a reading the phrasebooks define ('problem', 'preference'), else 'held'.

    A reading limited to some categories ('cancelled' is a missing product but a problem flight) counts only there.
    Past the readings, a value that opens with a negation ("not on one", "no plan") or negates the label's own
    thing ("unmetered" for a water meter, "non-member") is missing too.
    """
    if value in MISSING_VALUES:
        return MISSING
    if value is True:
        return HELD
    text = value if isinstance(value, str) else " ".join(v for v in value if isinstance(v, str)) \
        if isinstance(value, (list, tuple)) else " ".join(f"{k} {v}" for k, v in value.items()) \
        if isinstance(value, dict) else str(value)      # a record's fields as words: 'status in'

    lowered = " ".join(text.lower().replace("_", " ").split())[:300]     # a record's field names as words
    if not lowered or lowered in MISSING_TEXT:
        return MISSING
    for reading in readings:
        if reading.categories and category not in reading.categories:
            continue
        found = pattern(reading.words)
        if found and found.search(lowered):
            return reading.id
    first = _FIRST_WORD.match(lowered)
    if first is not None and (first.group() in NEGATION_HEADS or _negates(first.group(), label)):
        return MISSING
    return HELD


def _negates(word: str, label: Any) -> bool:
    """Whether a word is the label's own thing negated: 'unmetered' for a water meter, 'uninsured' for cover."""
    if not word.startswith(("un", "non")) or len(word) < 6:
        return False
    rest = word[3:] if word.startswith("non") else word[2:]
    return any(rest.startswith(w.rstrip("*")) for w in label_words(label) if len(w) > 4)


@lru_cache(maxsize=4096)
def _thing_words(about: str) -> tuple[str, ...]:
    """The words of a data point that name a thing, as patterns: stems ('kettl*'), and short words whole or plural
    ('car', 'cars')."""
    words = tuple(w for w in label_words(about) if w[:-1] not in _NOT_ABOUT_STEMS)
    short = tuple(w for w in short_words(about) if w not in NOT_ABOUT)
    return words + short + tuple(w + "s" for w in short)


@lru_cache(maxsize=4096)
def _asks_something(utterance: str, request: re.Pattern | None) -> bool:
    """Whether a (lower-cased) turn asks for something: a question, with or without its mark, or request words."""
    return "?" in utterance or _asks_what(utterance) or bool(request and request.search(utterance))


_GROUPS_IN: dict[tuple[int, str], tuple] = {}


def _groups_in(groups: tuple, about: str) -> tuple:
    """The `same_request` groups whose words the data point holds, each as one pattern; remembered by the set's
    groups (by identity: hashing every word costs more) and the data point's words."""
    known = _GROUPS_IN.get((id(groups), about))
    if known is None or known[0] is not groups:
        if len(_GROUPS_IN) >= 4096:
            _GROUPS_IN.clear()
        lowered = about.lower()
        known = _GROUPS_IN[(id(groups), about)] = (groups, tuple(
            found for found in (_pattern_of(g) for g in groups) if found is not None and found.search(lowered)))
    return known[1]


class Moment:
    """The facts of one conversation moment that lines are chosen by; costly ones are read on first use."""

    def __init__(self, context, *, resolved: bool, value: Any = None, label: Any = None, topic=None,
                 provenance: str | None = None, category: str | None = None, signals: tuple = (), book=None,
                 asks=None, key: str = ""):
        self.context = context
        self.known = {"channel": channel_kind(context.channel), "stage": context.stage, "industry": context.industry,
                      "relationship": context.relationship, "resolved": resolved}
        self._value, self._label, self._topic = value, label, topic
        self._provenance, self._category, self._signals, self._book = provenance, category, signals, book
        self._asks = asks       # whether one utterance asks for something (the check's reading)
        self._key = key

    def fact(self, name: str):
        """A condition's fact: the plain ones known at once, the rest read on first use."""
        if name in self.known:
            return self.known[name]
        if name == "served":    # a line for what they came for fits when they asked for it in any words too
            return self.served or (self._topic is not None and bool(self._topic.serves) and not self.asked
                                   and self.asks_for)
        return getattr(self, name)

    @property
    def resolved(self) -> bool:
        return self.known["resolved"]

    @resolved.setter
    def resolved(self, value: bool) -> None:
        self.known["resolved"] = value

    @property
    def category(self) -> str | None:
        """The data point's category, as the decision reads it."""
        return self._category

    @memo
    def _heard(self) -> tuple[str, ...]:
        """The customer's words, lower-cased once for every list they are read against."""
        return tuple(reading.turn(u).said for u in self.context.customer_utterances)

    @memo
    def _state(self):
        """The first of the phrasebooks' states whose words, cues, reasons or signals fit, or None (calm)."""
        if self._book is None:
            return None
        recent = self.context.customer_utterances[-5:]
        reason = (self.context.reason or "").replace("_", " ").lower()
        if not (recent or reason or self._signals):
            return None
        signals = set(self._signals)
        reader = state_reader(self._book)
        found = frozenset().union(*(reader.heard(u) for u in recent))
        given = reader.given(reason) if reason else frozenset()
        if not (signals or found or given):
            return None     # no state's words, reason or signal: calm, without a look at each state
        for i, state in enumerate(self._book.states):
            if state.after and signals.isdisjoint(state.after):
                continue        # relief counts only after distress
            # A reason (a complaint) makes a state that lasts while the issue is open only while it is open:
            # a calm "Thanks for the update" once it is resolved is calm.
            by_reason = i in given and not (state.defers == "open" and self.resolved)
            if i in found or by_reason or (signals and not signals.isdisjoint(state.signals)):
                return state
        return None

    @memo
    def state(self) -> str:
        """How the customer seems: a state's id, or 'calm'."""
        return self._state.id if self._state is not None else CALM

    @property
    def waits(self) -> bool:
        """Whether the customer's state puts asks and offers on hold: always (grief, distress) or while their
        issue is open (upset, a problem they just reported)."""
        defers = self._state.defers if self._state is not None else None
        return defers == "always" or (defers == "open" and not self.resolved)

    @property
    def waiting_reason(self) -> str:
        """Why a topic waits for this state, in staff's words (the state's own message)."""
        return self._state.message if self._state is not None else ""

    @property
    def preface(self) -> str:
        """What to say first before a line about the customer's own business in this state (a condolence)."""
        return self._state.preface if self._state is not None else ""

    @property
    def waits_always(self) -> bool:
        """Whether the customer's state puts everything else on hold, resolved or not (grief, distress)."""
        return self._state is not None and self._state.defers == "always"

    @memo
    def value(self) -> str:
        readings = self._book.value_readings if self._book else ()
        found = read_value(self._value, readings, self._category, self._label)
        if found in (HELD, "problem") and self._value not in MISSING_VALUES and not _says_paid(self._value):
            # A record of compensation filed as a journey and an amount says 'owed' in its key or label
            # ('delay_repay.owed', 'compensation due'): money owed back is offered plainly, even when the record
            # also says what went wrong ('missed engineer visit'), unless it says it was paid.
            owed = tuple(r for r in readings if r.id == OWED)
            name = f"{self._key.replace('.', ' ')} {self._label or ''}"
            if owed and read_value(name, owed, self._category) == OWED:
                return OWED
        return found

    @memo
    def about(self) -> tuple[str, ...]:
        """Words that mean the thing this topic is about: its `said` list, else the label's words."""
        topic = self._topic
        if topic is not None and topic.said is not None:
            return topic.said
        return label_words(self._label)

    @memo
    def farewell(self) -> bool:
        """Whether the customer's last words sign off ("that's all, thanks", "cheers, bye"): a close, not another
        "anything else?"."""
        if not self._heard or not self._marked("farewell_words", self.context.customer_utterances[-1:]):
            return False
        return self._asks is None or not self._asks(self._heard[-1])

    @memo
    def wonders(self) -> bool:
        """Whether the customer's last turn asks how we know what was just said ("how do you know that??"): they
        are owed a plain answer about where it came from, not the offer again."""
        return self._marked("wonder_words", self.context.customer_utterances[-1:])

    def considered(self) -> bool:
        """Whether the customer's words answer an offer made earlier in this conversation ("I'll have a think about
        the savings one"), whatever the history says."""
        return self._marked("considered_words", self.context.customer_utterances)

    def _marked(self, name: str, utterances) -> bool:
        """Whether any of the utterances holds a word of the named list (read with the states, once a turn)."""
        if not utterances or self._book is None or not getattr(self._book, name):
            return False
        reader = state_reader(self._book)
        return any(name in reader.heard(u) for u in utterances)

    @property
    def brief(self) -> bool:
        """Whether the customer's replies are down to a word or two at the end ("thx", "ok.", "k")."""
        return BRIEF in self._signals

    @memo
    def opened(self) -> str:
        """What the customer's words so far are about, by the phrasebooks' openings ('can you hear me?': hearing;
        'table for four, booked under Lin': booking): an opening's id, 'silent' when they have said nothing (an
        outbound email, text or app message), else 'other'."""
        if not self._heard:
            return SILENT if self.context.channel in WRITE_FIRST else OTHER
        for opening in self._book.openings if self._book is not None else ():
            if heard(opening.words, self._heard[-2:]):
                return opening.id
        return OTHER

    @memo
    def questioned(self) -> bool:
        """Whether the customer's last turn asks a question this data point does not answer ('is this the 9:40 to
        York?' beside booked assistance, 'what's the excess?' beside a product gap) and no opening of the
        phrasebooks already has a line for it: the agent answers it first, and nothing is said about this."""
        return self.asks_question and not (self.answers or self.asked or self.served)

    @memo
    def asks_question(self) -> bool:
        """Whether the customer's last turn asks a question (not a request: 'can I move it to Saturday?' is what
        they came for) that no opening of the phrasebooks already has a line for, whatever the data point."""
        if not self._heard or self.opened != OTHER:
            return False
        last = self._heard[-1]
        if "?" not in last and not _asks_what(last):
            return False
        request = _pattern_of(self._book.request_words) if self._book is not None else None
        return request is None or not request.search(last)

    @property
    def writes_first(self) -> bool:
        """Whether this is a message we send first: nothing from the customer, at the opening, on a channel where
        we may write first (read without the customer's words, so it costs nothing elsewhere)."""
        context = self.context
        return (not context.customer_utterances and context.channel in WRITE_FIRST
                and context.stage in (None, "opening"))

    @memo
    def sent_about(self) -> str | None:
        """The kind of message we are sending first, as the reason for it names it ('planned_supply_interruption'
        is an interruption notice), whatever the data point: a message about a power cut to someone whose care
        need is on file still says what it is for. None when we are not writing first or no notice fits."""
        if not self.writes_first or self._book is None or not self.context.reason:
            return None
        reason = self.context.reason.replace("_", " ").replace("-", " ").lower()
        return next((n.id for n in self._book.notices if heard(n.reasons, (reason,))), None)

    @memo
    def notice(self):
        """The kind of message we send first that this data point is the purpose of (a renewal reminder, a delay
        notice), or None: only when we write first (nothing from the customer on a channel where we may write
        first, at the opening), the data point's key, label or values hold the notice's words (the first such
        notice is the data point's kind), and the reason for the
        message, if given, is of that kind (its words, or a word of the data point) or says nothing more
        ('reminder'). A text about a payment is not about a membership renewal. Sensitive data is only ever the
        purpose of a notice whose lines never say what it is ('your order is ready to collect')."""
        if not self.writes_first or self._book is None:
            return None
        fields = self._value.values() if isinstance(self._value, dict) else (self._value,)
        about = " ".join([self._key.replace(".", " ").replace("_", " "), str(self._label or "")]
                         + [v for v in fields if isinstance(v, str)][:10]).lower()
        reason = (self.context.reason or "").replace("_", " ").replace("-", " ").lower()
        own = set(label_words(about))
        telling = tuple(w for w in label_words(reason) if w not in NOTICE_WORDS)
        sensitive = self._category in SENSITIVE_CATEGORIES
        for notice in self._book.notices:
            if not heard(notice.words, (about,)):
                continue
            # The first notice whose words the data point holds is its kind: a delay compensation is money owed,
            # not a delay, whatever the message is about.
            if sensitive and not notice.unnamed:
                continue        # a later notice of the same kind may say it without naming it (a renewal)
            fits = not telling or heard(notice.reasons + notice.words, (reason,)) or own.intersection(telling)
            return notice if fits else None
        if own.intersection(telling):
            # The record says nothing of its kind, but the reason names it and says what happened to it
            # ('class_cancelled' for a class booking): the message is of that kind.
            for notice in self._book.notices:
                if (not sensitive or notice.unnamed) and heard(notice.words, (reason,)):
                    return notice
        return None

    @memo
    def told(self) -> bool:
        """Whether the customer has already said what they are here for: one of their words asks for something
        ('I'm calling to change my address', 'checking in, please') or opens on something the phrasebooks know
        ('quick question about a charge'), so a greeting that asks again is wrong."""
        if not self._heard:
            return False
        if self.opened != OTHER:
            return True
        request = pattern(self._book.request_words) if self._book is not None else None
        return any((request is not None and request.search(u)) or (self._asks is not None and self._asks(u))
                   for u in self._heard)

    @memo
    def said(self) -> bool:
        """Whether the customer already said the fact a question would ask."""
        if self._provenance == "customer_said":
            return True
        return heard(self.about, self._heard)

    def asks_about(self, words: tuple[str, ...], reason: bool = True) -> bool:
        """Whether the reason for the contact (unless `reason` is false) or the customer's words hold any of the
        words; an entry joined by '&' ("car & quote*") needs each of its parts somewhere in them ("my car's
        elsewhere" ... "a quote?")."""
        if not words:
            return False
        why = (self.context.reason or "").replace("_", " ").lower() if reason else ""
        texts = self._heard + ((why,) if why else ())
        if heard(words, texts):
            return True
        together = _together_of(words)
        if not together:
            return False
        blob, found = "\n".join(texts), {}
        for parts in together:
            for plain, part in parts:
                if plain not in found:
                    found[plain] = plain in blob and part.search(blob) is not None
                if not found[plain]:
                    break
            else:
                return True
        return False

    @memo
    def served(self) -> bool:
        """Whether the customer's words or the reason for the contact hold the topic's `serves` words: what they
        came for is what this data point serves (a quote for the car, an outage when their broadband is down)."""
        topic = self._topic
        # Once the issue is resolved the reason for the contact has been served; only new words ask again.
        return topic is not None and bool(topic.serves) and self.asks_about(topic.serves, not self.resolved)

    @memo
    def bears(self) -> bool:
        """Whether the data point bears on what the customer is asking for right now: one of their last turns that
        asks for something (or, while the issue is open, the reason for the contact) shares a word with the data
        point's key, label or value, or words of one `same_request` group ('where's my parcel?' and delivery
        attempts; 'late checkout' and a loyalty tier). What was watched or inferred never counts as their request;
        a problem they only report is helped with first (`problem-first`) unless they got in touch about it; a
        record of something past bears only when they say it happened again."""
        if self.answers:
            return True
        if self.resolved or not self.context.reason:
            return False
        reason = self.context.reason.replace("_", " ").lower()
        # They got in touch about a problem and name the thing in reporting it ("the kettle I bought leaks").
        problem = _pattern_of(self._book.problem_words)
        reported = tuple(u for u in self._heard[-3:] if problem is not None and problem.search(u))
        return self._bears_on((reason,) + reported)

    @memo
    def asks_for(self) -> bool:
        """The stricter reading for something that would be new to the customer (a product, a perk): one of
        their last turns asks for it, or the reason for the contact names it in a `same_request` group's words.
        A problem they report ('my phone keeps dying') does not ask for an upgrade, and a question thrown in a
        complaint ('what am I even paying for?') asks for nothing new unless it uses words of asking. A message we
        send first asks for nothing: its reason is ours, not theirs."""
        if self.writes_first:
            return False
        # Asked for by name: the thing itself ('membership', 'pass'), not a word it is filed under ('delivery' in a
        # delivery pass: "change my delivery address" asks for no pass).
        if self.answers and self._bears_on(self._asking_turns, words=self._thing_itself, head=self._head):
            if self.state not in ("upset", "distressed"):
                return True
            request = _pattern_of(self._book.request_words)
            return request is not None and any(request.search(u) for u in self._asking_turns)
        if self.resolved or not self.context.reason:
            return False
        return self._bears_on((self.context.reason.replace("_", " ").lower(),), groups_only=True, head=self._head)

    @property
    def requested(self) -> bool:
        """The `requested` fact of a line: the customer asked for what this data point is about (`asks_for`)."""
        return self.asks_for

    @memo
    def answers(self) -> bool:
        """Whether the data point answers a question or request the customer just made ("where's my parcel?",
        "could you do me a quote?"), as opposed to a problem they only reported: its value is then the answer."""
        return self._book is not None and self._bears_on(self._asking_turns)

    def _bears_on(self, texts: tuple[str, ...], groups_only: bool = False, words: tuple[str, ...] | None = None,
                  head: str | None = None) -> bool:
        """Whether the texts name the data point (its words, or `words`) or share a `same_request` group with it;
        with `head`, only a group whose words in the data point hold that word counts ('first home' for a first
        home, not 'delivery' for a delivery membership)."""
        if self._provenance in NOT_THEIRS or self._book is None or not texts or self._past:
            return False
        about = self._about_text
        said = "\n".join(texts)      # one search over all of them
        if not groups_only:
            words = _thing_words(about) if words is None else words
            if words and heard(words, (said,)):
                return True
        groups = _groups_in(self._book.same_request, about)
        if head is not None:
            lowered = about.lower()
            groups = tuple(g for g in groups if head and any(head in m.group() for m in g.finditer(lowered)))
        return any(group.search(said) for group in groups)

    @memo
    def reason_reports_problem(self) -> bool:
        """Whether the reason for the contact reports a problem ('missed_delivery', 'faulty_item'): a complaint, not
        a request for something new."""
        reason = (self.context.reason or "").replace("_", " ").lower()
        return bool(reason) and self._book is not None and heard(self._book.problem_words, (reason,))

    @property
    def _head(self) -> str | None:
        """The word naming what a proposal is: the label's last content word ('membership' in a premium delivery
        membership, 'quote' in a car insurance quote), or the key's last part without a label."""
        head = head_word(self._label if isinstance(self._label, str) else self._key.rsplit(".", 1)[-1])
        # A head that names no kind of thing of its own ('savings account', 'car cover'): the whole name says it.
        return None if head in GENERAL_HEADS else head

    @property
    def _thing_itself(self) -> tuple[str, ...] | None:
        """The head word as patterns (None: the data point's own words)."""
        head = self._head
        return None if head is None else (label_words(head) or (head, head + "s")) if head else ()

    @memo
    def _asking_turns(self) -> tuple[str, ...]:
        """The customer's last three turns when one of the last two asks for something (the turns before it say
        what 'a quote' is for: "my car's with another lot" ... "could you do me a quote?"), else none."""
        recent = self._heard[-3:]
        if not recent:
            return ()
        request = _pattern_of(self._book.request_words)
        for u in recent[-2:]:
            if _asks_something(u, request):
                return recent
        return ()

    @property
    def past(self) -> bool:
        """Whether the data point is a record of something past that the customer has not said happened again."""
        return self._book is not None and self._past

    @memo
    def _past(self) -> bool:
        """Whether the data point is a record of something past (its key or label says 'past', 'previous', ...:
        the book's `past_words`): a parcel lost last year is not the parcel they ask about today, unless they say
        it has happened again."""
        words = self._book.past_words
        if not words:
            return False
        name = f"{self._key.replace('.', ' ').replace('_', ' ')} {self._label or ''}".lower()
        return heard(words, (name,)) and not self.repeated

    @memo
    def _about_text(self) -> str:
        """The data point in words: its key's last part, its label, and its value's words (a record's field names
        and text too)."""
        value = self._value
        parts = [self._key.rsplit(".", 1)[-1].replace("_", " "), self._label if isinstance(self._label, str) else ""]
        if isinstance(value, dict):
            parts += [f"{k} {v}".replace("_", " ") for k, v in value.items() if isinstance(v, (str, int, float))]
        elif isinstance(value, (list, tuple)):
            parts += [v for v in value if isinstance(v, str)]
        elif isinstance(value, str):
            parts.append(value)
        return " ".join(parts)[:500]

    def hears(self, words: tuple[str, ...]) -> bool:
        """Whether the customer's last few turns hold any of the words (what they just asked for: juice, a freeze)."""
        return heard(words, self._heard[-3:])

    def answered(self) -> bool:
        """Whether the customer already answered what a question or offer about this would ask: in one sentence,
        the thing and that they hold it elsewhere or don't need it ('My home insurance is with another company')."""
        if not self.context.customer_utterances or self._book is None:
            return False
        about = self.about + short_words(self._label)   # 'car' in 'car insurance': "the car's with Admiral"
        thing = pattern(about)     # one search over the whole conversation rules most calls out
        return bool(thing and thing.search("\n".join(self._heard))) and \
            heard_together(about, self._book.answered_words, self._heard)

    def asks_again(self) -> bool:
        """Whether their last turn asks for something after they said they hold it elsewhere ("my car's with
        another firm" ... "could you beat it?"), without answering it again in that turn ("Car insurance? No, I
        don't need that")."""
        last = self._heard[-1:]
        if not last or self._book is None or not _asks_something(last[0], _pattern_of(self._book.request_words)):
            return False
        return not heard_together(self.about + short_words(self._label), self._book.answered_words, last)

    def asked_otherwise(self) -> bool:
        """Whether the customer just asked for something else than the stored value: one of their recent
        sentences asks ('could I', 'I'd like') and either asks for a change ('this time', 'instead') without the
        value on file, or names the thing with another word for it ('an aisle seat' for a window, 'a paper
        statement' for paperless): 'Could I get an aisle seat?', 'Can I have an aisle this time?'. 'What time is
        the meal?', 'Can you deliver my next prescription?' and 'Placing an order' ask for nothing else. A value
        that is only true or false is said by the label ('paperless statements')."""
        if not self.context.customer_utterances or self._book is None:
            return False
        value = self._value
        if isinstance(value, (list, tuple)):
            value = " ".join(v for v in value if isinstance(v, str))
        about = tuple(w for w in self.about if not w.startswith(NOT_A_THING))
        thing = pattern(about)
        # A value with no words of its own ('No. 12') is said by the label.
        stored_words = (label_words(value) if isinstance(value, str) else ()) or about
        stored = [pattern((w,)) for w in stored_words]
        asking, other = pattern(self._book.request_words), pattern(self._book.contrast_words)
        if not (stored and asking and (thing or other)):
            return False
        # A stored preference for doing without something ('paperless') is asked otherwise by asking for the
        # thing itself ('a paper copy').
        without = _without_pattern(" ".join(t for t in (self._label, value) if isinstance(t, str)))
        for said in self._heard[-3:]:
            if _AS_USUAL.search(said):
                continue
            if without is not None and without.search(said) and not _WITHOUT.search(said) and (
                    asking.search(said) or (self._asks is not None and self._asks(said))):
                return True     # 'post me a paper copy', not 'can I stay paperless?'

            change = bool(other and other.search(said))
            if not (change or (thing and thing.search(said))) \
                    or not (asking.search(said) or (self._asks is not None and self._asks(said))) \
                    or all(word.search(said) for word in stored):       # they asked for the stored one
                continue
            if change:
                return True
            for found in (thing.finditer(said) if thing else ()):
                before = _WORD_BEFORE.search(said, 0, found.start())
                if before and before.group(1) not in FUNCTION_WORDS and not asking.search(before.group(1)):
                    return True
        return False

    @memo
    def repeated(self) -> bool:
        """Whether the customer says a problem has happened again ('the wrong tablets AGAIN', 'second time this
        month', 'this keeps happening'): words of repeating, with a problem in their words or their state. Their
        earlier trouble is then theirs to be helped with, not a record to keep quiet."""
        recent = self._heard[-3:]
        if not recent or self._book is None:
            return False
        return heard(self._book.again_words, recent) and (
            heard(self._book.problem_words, recent) or self.state in PROBLEM_STATES)

    @memo
    def stopped(self) -> bool:
        """Whether the customer just stopped a stored preference: one of their recent sentences names the thing or
        the value on file and says to stop ('pls dont leave stuff with neighbours anymore', 'no more paper
        statements')."""
        recent = self._heard[-3:]
        if not recent or self._book is None or not self._book.stop_words:
            return False
        value = self._value if isinstance(self._value, str) else None
        things = tuple(w for w in self.about if not w.startswith(NOT_A_THING)) + label_words(value)
        return heard_together(things, self._book.stop_words, recent)

    @memo
    def asked(self) -> bool:
        """Whether the customer just asked about the thing itself ("How many points have I got?"): a question
        naming one of the topic's `said` words, every word of the label, or what the key is filed under."""
        recent = self._heard[-2:]
        if not recent or self._asks is None:
            return False
        said = self._topic.said if self._topic is not None else None
        label = tuple(w for w in label_words(self._label) if w[:-1] not in VAGUE)
        key = [w for w in label_words(self._key.replace(".", " ").replace("_", " ")) if w[:-1] not in VAGUE]
        # Any of the said words; or every word of the label; or the key's word: one pattern a word, made once.
        groups = [[found] for found in (_pattern_of(said),) if found] if said else []
        groups += [[pattern((w,)) for w in words] for words in (label, tuple(key[:1])) if words]

        def names(u: str) -> bool:
            return any(all(found.search(u) for found in group) for group in groups)
        # Whether a turn asks (the check's reading) costs more than naming the thing, unless already read.
        known = getattr(self._asks, "known", lambda u: None)
        return any(known(u) is not False and names(u) and self._asks(u) for u in recent)

    @memo
    def said_value(self) -> bool:
        """Whether the customer's own words hold the value ('It's our wedding anniversary tonight!'), or the
        words of a record's item ({'item': 'rain jacket'})."""
        value = self._value
        if isinstance(value, dict):
            value = " ".join(v for v in value.values() if isinstance(v, str))
        words = label_words(value)
        return bool(words) and heard(words, self._heard)

    @property
    def changed(self) -> str | None:
        """How the customer just changed a preference on file ('stopped', 'otherwise', 'failed'), set once the
        decision has put what is stored aside for their words; None otherwise (it fits no line)."""
        return self.known.get("changed")

    def change_of(self) -> str | None:
        """Which kind of change the customer's words make to what is stored: it failed them, they said to stop
        it, or they asked for something else this time; None when their last words ask what or how ('What would
        you recommend tonight?'): a question to answer, not a change to confirm."""
        if self.value_failed:
            return "failed"
        if self.stopped:
            return "stopped"
        last = self._heard[-1] if self._heard else ""
        return None if _asks_what(last) or re.match(r"\s*(?:what|how|which|who)\b", last) else "otherwise"

    @memo
    def value_failed(self) -> bool:
        """Whether the customer just said the stored value itself failed them ('left behind the bin again and now
        it's gone'); a fault with the thing ('the air conditioning in my room') is not the preference failing."""
        recent = self._heard[-3:]
        return bool(recent) and heard_together(label_words(self._value), self._book.problem_words
                                               if self._book else (), recent)

    @memo
    def problem(self) -> bool:
        """Whether the customer just reported a problem with the thing the topic is about."""
        recent = self._heard[-3:]
        if not recent or self.context.issue_resolved is True or self._provenance == "customer_said":
            return False        # a data point the customer raised is theirs to be helped with
        topic = self._topic
        if topic is not None and topic.problem is not None:
            return heard(topic.problem, recent)
        things = self.about + label_words(self._value)
        return heard_together(things, self._book.problem_words if self._book else (), recent)
