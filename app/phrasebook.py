"""Phrasebooks: YAML topics, cue lists and moment lines, validated strictly.

Every problem in every file is reported as file:line:col, and a set with any
error never half-loads: the caller keeps the last good set instead.
"""
from __future__ import annotations

import difflib
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from jinja2 import TemplateSyntaxError

from . import bookcache, render
from .bundled import bundled
from .errors import PhrasebookError, Problem
from .model import (CATEGORIES, CHANNELS, DECISIONS, LEVELS, PURPOSES, RELATIONSHIPS, SENSITIVE_CATEGORIES,
                    STAGES, KEY_PATTERN_CHARS, is_identifier)
from .moment import CHANNEL_KINDS, FIT_KEYS, HELD, KIND_GROUPS, KINDS, MISSING, OTHER, SILENT
from .yamlsource import Collector, Located, YamlProblem, kind_of, read_yaml

DEFAULT_DIR = bundled("phrasebooks")
TOPIC_DECISIONS = ("ask", "offer", "apply_silently")
RULE_DECISIONS = DECISIONS
TEMPLATE_NAMES = {"key", "value", "label", "category", "provenance", "context", "vars"}
CONDITION_NAMES = TEMPLATE_NAMES | {"receptiveness", "consent"}
# A topic rule may also read the moment: whether the customer raised the thing here, what the value means.
RULE_NAMES = CONDITION_NAMES | {"moment"}
# Cue lists for reading the customer (app/receptiveness.py); negators and abbreviations are single words.
CUE_LISTS = ("hurry", "repeat_contact", "complaint", "problem", "anger", "distress", "grief", "anxiety", "sarcasm",
             "irony", "dismissive", "acknowledgement", "courtesy", "warmth", "enthusiasm", "small_talk", "curiosity",
             "need", "stakes", "light", "hedge", "contrary", "plain", "negators", "abbreviations", "distress_reasons")
SINGLE_WORD_CUES = ("negators", "abbreviations")
MAX_PHRASINGS = 12
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


def default_dir() -> Path:
    """The phrasebook folder: $TACT_PHRASEBOOKS when set, else the bundled one."""
    return Path(os.environ.get("TACT_PHRASEBOOKS") or DEFAULT_DIR)


@dataclass(frozen=True)
class Phrasing:
    id: str
    level: str
    tone: str
    text: str
    spoken: str | None = None
    written: str | None = None
    line: int = 0
    col: int = 0
    fits: tuple = ()      # ((condition, allowed values), ...): where this line suits

    def source_for(self, spoken: bool) -> str:
        return (self.spoken if spoken else self.written) or self.text


@dataclass(frozen=True)
class Rule:
    id: str
    when: str
    decision: str
    message: str
    line: int = 0


@dataclass(frozen=True)
class State:
    """How the customer may seem ('bereaved', 'upset'): read from their words, cue lists, the reason or signals."""

    id: str
    words: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()
    defers: str | None = None   # 'always' or 'open': asks and offers wait (while the issue is open)
    message: str = ""           # why a topic waits, naming this state, for the reasons staff read
    after: tuple[str, ...] = ()  # read only when one of these signals is present too ('distress': relieved)
    preface: str = ""           # said before a line about their own business ("I'm so sorry.")
    plain: tuple[str, ...] = ()  # longer phrases holding a word in another sense ("she passed her test")


@dataclass(frozen=True)
class CareNeed:
    """A need the customer told us so we could look after them, and the moments staff can act on it in."""

    id: str
    need: tuple[str, ...]              # words in the key, label or value that make the data point this need
    now: tuple[str, ...] = ()          # words in the reason or the customer's last turns: it can be acted on now
    channels: tuple[str, ...] = ()     # channel kinds where it can always be acted on (a meal in the cabin)
    industries: tuple[str, ...] = ()   # industries where it can always be acted on (an allergy at a restaurant)
    action: str = ""                   # what staff do, unsaid
    # Safety before restraint: (words in the data point, words in the customer's current turns) pairs, each a risk
    # the customer is about to walk into (a peanut allergy and a satay); then `check` is said and `check_action` done.
    risks: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    check: tuple[tuple[str, str], ...] = ()   # (level, line): a plain question that names nothing
    check_action: str = ""
    over: tuple[str, ...] = ()         # words in the reason or last turns: the moment for it has passed (the bill)
    # Acted on only when a risk is met (a medicine on file and a painkiller that interacts): otherwise no need at all.
    only_at_risk: bool = False


@dataclass(frozen=True)
class Reading:
    """A meaning a data point's value may have ('problem', 'preference'), told by its words."""

    id: str
    words: tuple[str, ...]
    categories: tuple[str, ...] = ()      # only for data points of these categories (all when empty)


@dataclass(frozen=True)
class MomentLines:
    """What the agent sees when a data point must not be used, for one kind of moment."""

    id: str
    message: str
    file: str
    line: int
    fits: tuple = ()
    say_nothing: bool = False
    phrasings: dict = field(default_factory=dict)   # level -> tuple[Phrasing]


@dataclass(frozen=True)
class Notice:
    """A kind of message we send first (a renewal reminder, a delay notice), told by the data point's words and
    the reason for the message, with the lines that say what it is for."""

    id: str
    words: tuple[str, ...]          # words of the data point's key or label ('renew*', 'payment fail*')
    reasons: tuple[str, ...]        # words of `context.reason` that mean a message of this kind ('dunning')
    message: str
    file: str
    line: int
    phrasings: dict = field(default_factory=dict)   # level -> tuple[Phrasing]
    unnamed: bool = False           # its lines never say what it is, so it may be about sensitive data


@dataclass(frozen=True)
class TestCase:
    name: str
    request: dict
    expect: dict
    line: int = 0
    col: int = 0


@dataclass(frozen=True)
class Topic:
    id: str
    file: str
    line: int
    purpose: str
    decision: str
    keys: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    category: str | None = None
    industry: str | None = None
    title: str | None = None
    match: str | None = None
    label: str | None = None
    vars: dict = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    phrasings: dict = field(default_factory=dict)   # level -> tuple[Phrasing]
    bystander: dict = field(default_factory=dict)   # level -> tuple[Phrasing]
    action: str | None = None
    action_not_in: tuple[str, ...] = ()   # channels where the action can no longer be done (e.g. cabin)
    quiet_action: str | None = None    # what staff do, unsaid, when the data point is withheld
    proposes: bool = False             # proposes something new: the marketing principles apply
    entitlement: bool = False          # what it serves is the customer's due (money owed, a reward earned, help)
    confirm: tuple[Phrasing, ...] = ()
    avoid: tuple[str, ...] = ()
    honest_answer: str | None = None
    message: str | None = None
    example: dict = field(default_factory=dict)
    tests: tuple[TestCase, ...] = ()
    disable_checks: tuple[str, ...] = ()
    channels: tuple[str, ...] = KINDS               # the channel kinds the topic is used in
    said: tuple[str, ...] | None = None             # words that mean the customer already said it
    problem: tuple[str, ...] | None = None          # words that mean they reported a problem with it
    serves: tuple[str, ...] = ()                    # words of a request this watched data answers ('bill*')

    @property
    def generic(self) -> bool:
        return not self.keys


@dataclass
class Phrasebook:
    """A loaded, valid set: topics indexed by key and category, cue lists and moment lines."""

    topics: dict = field(default_factory=dict)
    by_key: dict = field(default_factory=dict)
    by_category: dict = field(default_factory=dict)
    key_categories: dict = field(default_factory=dict)
    cues: dict = field(default_factory=dict)
    offer_terms: tuple[str, ...] = ()               # words that make a data point an offer
    moments: tuple[MomentLines, ...] = ()
    states: tuple[State, ...] = ()
    value_readings: tuple[Reading, ...] = ()
    care_needs: tuple[CareNeed, ...] = ()           # needs told for care, each with the moments it is acted in
    openings: tuple[Reading, ...] = ()              # what a customer's first words may be about ('hearing', 'seat')
    notices: tuple[Notice, ...] = ()                # kinds of message we send first ('renewal', 'delay')
    problem_words: tuple[str, ...] = ()
    answered_words: tuple[str, ...] = ()            # 'already have', 'don't need': the customer answered
    request_words: tuple[str, ...] = ()             # 'could I', 'I'd like', 'instead': the customer asks
    contrast_words: tuple[str, ...] = ()            # 'instead', 'this time': ... for something other than usual
    stop_words: tuple[str, ...] = ()                # 'stop', 'don't ... anymore': a stored preference is stopped
    again_words: tuple[str, ...] = ()               # 'again', 'second time': a problem has happened before
    considered_words: tuple[str, ...] = ()          # "I'll have a think about it": an offer was made already
    farewell_words: tuple[str, ...] = ()            # "that's all, thanks", "cheers, bye": the customer signs off
    wonder_words: tuple[str, ...] = ()              # "how do you know that?": the topic's honest answer is owed
    standing_terms: tuple[str, ...] = ()            # a relationship fact that is their standing with us
    past_words: tuple[str, ...] = ()                # 'past', 'previous': a record of something over and done
    correction_words: tuple[str, ...] = ()          # 'actually no', 'scratch that': what came before is taken back
    # Groups of words that name one thing a request is about ('parcel', 'delivery', 'redeliver'): a data point
    # whose words hold one of a group bears on a request whose words hold another.
    same_request: tuple[tuple[str, ...], ...] = ()
    files: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()
    version: str = ""     # a hash of the files' names and contents: equal sets have equal versions

    @property
    def industries(self) -> tuple[str, ...]:
        """The industries the set's topics declare, sorted."""
        return tuple(sorted({t.industry for t in self.topics.values() if t.industry}))

    def candidates(self, key: str, category: str | None) -> list[Topic]:
        """Topics that could serve a data point, most specific first."""
        found = list(self.by_key.get(key, ()))
        cat = category or self.key_categories.get(key)
        if cat:
            found.extend(self.by_category.get(cat, ()))
        return found


# ---------------------------------------------------------------- validation

class _Collector(Collector):
    rule = "phrasebook"

    def fields(self, obj: Any, path: tuple, allowed: Iterable[str], required: Iterable[str] = (),
               what: str = "mapping") -> bool:
        """Whether obj is a mapping worth reading on (a missing key is reported, not fatal)."""
        return super().fields(obj, path, allowed, required, what) is not None

    def string(self, obj: dict, path: tuple, name: str, *, choices: Iterable[str] | None = None,
               required: bool = False) -> str | None:
        if name not in obj:
            return None
        value = obj[name]
        where = path + (name,)
        if not isinstance(value, str) or (required and not value.strip()):
            self.add(where, f"'{name}' must be text; got {kind_of(value)}")
            return None
        if choices is not None and value not in choices:
            choices = tuple(choices)
            close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            self.add(where, f"'{name}' must be one of {', '.join(choices)}; got '{value}'{hint}")
            return None
        return value

    def strings(self, obj: dict, path: tuple, name: str, *, choices: Iterable[str] | None = None) -> tuple:
        if name not in obj:
            return ()
        value = obj[name]
        if isinstance(value, str):
            value = [value]
            self.doc.marks.setdefault(path + (name, 0), self.doc.where(path + (name,)))
        if not isinstance(value, list):
            self.add(path + (name,), f"'{name}' must be a list of text; got {kind_of(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                self.add(path + (name, i), f"'{name}' items must be text; got {kind_of(item)}")
            elif choices is not None and item not in choices:
                close = difflib.get_close_matches(item, tuple(choices), n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                self.add(path + (name, i), f"unknown {name[:-1] if name.endswith('s') else name} '{item}'{hint}")
            else:
                out.append(item)
        return tuple(out)

    def template(self, source: Any, path: tuple, allowed: set[str], what: str = "template") -> str | None:
        if not isinstance(source, str) or not source.strip():
            self.add(path, f"{what} must be non-empty text; got {kind_of(source)}")
            return None
        if self._too_long(source, path, what):
            return None
        try:
            # Most lines are plain text: with no '{' there is nothing for Jinja to parse.
            names = render.template_variables(source) if "{" in source else set()
        except TemplateSyntaxError as exc:
            self.add(path, f"{what} syntax: {exc.message}", rule="template-syntax",
                     offset=_template_offset(self.doc, path, exc.lineno))
            return None
        except Exception as exc:   # RecursionError: brackets or filters nested hundreds deep
            self.add(path, f"{what} cannot be read ({_unreadable(exc)})", rule="template-syntax")
            return None
        unknown = sorted(names - allowed)
        if unknown:
            self.add(path, f"{what} uses {', '.join(repr(n) for n in unknown)}, which the topic does not "
                           f"provide (known: {', '.join(sorted(allowed))}; add it under 'vars')",
                     rule="template-variable")
            return None
        return source

    def condition(self, source: Any, path: tuple, allowed: set[str]) -> str | None:
        if not isinstance(source, str) or not source.strip():
            self.add(path, f"condition must be a non-empty expression; got {kind_of(source)}")
            return None
        if self._too_long(source, path, "condition"):
            return None
        try:
            names = render.condition_variables(source)
            render.compile_condition(source)
        except TemplateSyntaxError as exc:
            self.add(path, f"condition does not compile: {exc.message}", rule="condition-syntax")
            return None
        except Exception as exc:
            self.add(path, f"condition cannot be read ({_unreadable(exc)})", rule="condition-syntax")
            return None
        unknown = sorted(names - allowed)
        if unknown:
            self.add(path, f"condition uses {', '.join(repr(n) for n in unknown)}, which is not known "
                           f"(known: {', '.join(sorted(allowed))})", rule="condition-variable")
            return None
        return source

    def _too_long(self, source: str, path: tuple, what: str) -> bool:
        if len(source) <= render.MAX_TEMPLATE:
            return False
        self.add(path, f"{what} is {len(source)} characters long; at most {render.MAX_TEMPLATE}",
                 rule="template-size")
        return True


def _unreadable(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "brackets, filters or blocks nested too deeply"
    return type(exc).__name__


def _template_offset(doc: Located, path: tuple, lineno: int | None) -> tuple[int, int] | None:
    return (max(0, (lineno or 1) - 1), 0) if lineno and lineno > 1 else None


TOPIC_KEYS = ("id", "title", "keys", "categories", "category", "industry", "purpose", "decision", "match",
              "label", "vars", "rules", "phrasings", "bystander", "action", "action_not_in", "quiet_action",
              "proposes", "confirm", "avoid", "honest_answer", "message", "example", "tests", "disable_checks",
              "channels", "said", "problem", "serves", "entitlement")
PHRASING_KEYS = ("tone", "text", "spoken", "written", "fits")
RULE_KEYS = ("id", "when", "decision", "message")
TEST_KEYS = ("name", "datapoint", "context", "expect")
EXPECT_KEYS = ("decision", "rules", "topic", "says", "never_says", "level", "no_suggestions", "action", "moment",
               "first")
FILE_KEYS = ("topics", "cues", "care_needs", "moments", "notices", "states", "value_readings", "openings",
             "problem_words", "disable_checks",
             "description", "industry", "offer_terms", "answered_words", "request_words", "contrast_words", "stop_words",
             "again_words", "standing_terms", "same_request", "past_words", "considered_words", "farewell_words",
             "correction_words", "wonder_words")
WORD_LISTS = ("problem_words", "answered_words", "request_words", "contrast_words", "stop_words", "again_words",
              "standing_terms", "past_words", "considered_words", "farewell_words",
              "correction_words", "wonder_words")   # merged over files
MOMENT_KEYS = ("id", "fits", "say_nothing", "message", "phrasings")
STATE_KEYS = ("id", "words", "cues", "reasons", "signals", "defers", "message", "preface", "after", "plain")
DEFERS = ("always", "open")
READING_KEYS = ("id", "words", "categories")
OPENING_KEYS = ("id", "words")
NOTICE_KEYS = ("id", "words", "reasons", "message", "phrasings", "unnamed")
CARE_KEYS = ("id", "need", "now", "channels", "industries", "action", "risks", "check", "check_action", "over",
             "only_at_risk")
RISK_KEYS = ("holds", "meets")


def _valid_key(key: str) -> bool:
    return bool(key) and set(key) <= KEY_PATTERN_CHARS and not key.startswith(".") and not key.endswith(".")


def _phrasing(c: _Collector, item: Any, where: tuple, pid: str, level: str, allowed: set[str]) -> Phrasing | None:
    """One line: plain text, or {text, tone, spoken, written, fits}."""
    if isinstance(item, str):
        item = {"text": item}
        c.doc.marks.setdefault(where + ("text",), c.doc.where(where))
    if not c.fields(item, where, PHRASING_KEYS, required=("text",), what="phrasing"):
        return None
    text = c.template(item.get("text"), where + ("text",), allowed)
    spoken = c.template(item["spoken"], where + ("spoken",), allowed) if "spoken" in item else None
    written = c.template(item["written"], where + ("written",), allowed) if "written" in item else None
    tone = c.string(item, where, "tone") or _default_tone(level)
    conditions = _fits(c, item["fits"], where + ("fits",)) if "fits" in item else ()
    if not text:
        return None
    line, col = c.doc.where(where + ("text",))
    return Phrasing(id=pid, level=level, tone=tone, text=text, spoken=spoken, written=written, line=line,
                    col=col, fits=conditions)


def _phrasings(c: _Collector, obj: Any, path: tuple, topic_id: str, allowed: set[str],
               prefix: str) -> dict:
    result: dict = {}
    if not c.fields(obj, path, LEVELS):
        return result
    for level in LEVELS:
        items = obj.get(level)
        if items is None:
            continue
        if not isinstance(items, list) or not items:
            c.add(path + (level,), f"'{level}' must be a non-empty list of phrasings")
            continue
        if len(items) > MAX_PHRASINGS:
            c.add(path + (level,), f"at most {MAX_PHRASINGS} phrasings a level")
        out = []
        for i, item in enumerate(items[:MAX_PHRASINGS]):
            found = _phrasing(c, item, path + (level, i), f"{prefix}{topic_id}/{level}/{i + 1}", level, allowed)
            if found:
                out.append(found)
        result[level] = tuple(out)
    return result


FIT_CHOICES = {"stage": STAGES, "relationship": RELATIONSHIPS, "changed": ("failed", "stopped", "otherwise"),
               "channel": KINDS + tuple(KIND_GROUPS)}


def _fits(c: _Collector, obj: Any, path: tuple) -> tuple:
    """A line's conditions as ((name, allowed values), ...); every value checked, kinds expanded."""
    if not c.fields(obj, path, FIT_KEYS, what="mapping of conditions (channel, stage, ...)"):
        return ()
    out = []
    for name in FIT_KEYS:
        if name not in obj:
            continue
        raw, where = obj[name], path + (name,)
        if name in ("resolved", "said", "asked", "told", "served", "bears", "answers", "requested", "brief",
                    "repeated", "farewell", "questioned"):
            if isinstance(raw, bool):
                out.append((name, (raw,)))
            else:
                c.add(where, f"'{name}' must be true or false; got {kind_of(raw)}")
            continue
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list) or not items:
            c.add(where, f"'{name}' must be text or a non-empty list of text; got {kind_of(raw)}")
            continue
        if name == "heard":     # the customer's words, as in a topic's `said` list
            words = c.strings(obj, path, "heard")
            if words:
                out.append((name, tuple(w.lower() for w in words)))
            continue
        allowed: list[str] = []
        for i, item in enumerate(items):
            spot = where if isinstance(raw, str) else where + (i,)
            choices = FIT_CHOICES.get(name)
            if not isinstance(item, str):
                c.add(spot, f"'{name}' items must be text; got {kind_of(item)}")
            elif name == "channel" and item not in choices:
                hint = (f"; the {item} channel is the '{CHANNEL_KINDS[item]}' kind" if item in CHANNEL_KINDS
                        else "")
                c.add(spot, f"unknown channel kind '{item}' (kinds: {', '.join(choices)}){hint}")
            elif choices and item not in choices:
                close = difflib.get_close_matches(item, choices, n=1, cutoff=0.6)
                c.add(spot, f"unknown {name} '{item}'" + (f"; did you mean '{close[0]}'?" if close
                                                           else f"; expected one of {', '.join(choices)}"))
            elif not IDENTIFIER.match(item):
                c.add(spot, f"{name} '{item}' must be a lower-case identifier (letters, digits, '_')")
            else:
                allowed.extend(KIND_GROUPS.get(item, (item,)) if name == "channel" else (item,))
        if allowed:
            out.append((name, tuple(dict.fromkeys(allowed))))
    return tuple(out)


def _default_tone(level: str) -> str:
    return {"low": "brief", "medium": "neutral", "high": "warm"}[level]


def _industry(c: _Collector, obj: dict, path: tuple) -> str | None:
    """An industry: any lower-case identifier, so an energy supplier or a gym can write its own."""
    value = c.string(obj, path, "industry")
    if value is not None and not is_identifier(value):
        c.add(path + ("industry",), f"'industry' must be a lower-case identifier such as 'energy' or "
                                    f"'car_rental'; got '{value[:40]}'")
        return None
    return value


def _topic(c: _Collector, obj: Any, path: tuple, file_disabled: tuple,
           file_industry: str | None = None) -> Topic | None:
    if not c.fields(obj, path, TOPIC_KEYS, required=("id", "purpose"), what="topic"):
        return None
    topic_id = c.string(obj, path, "id", required=True)
    if topic_id and not _valid_key(topic_id):
        c.add(path + ("id",), f"topic id '{topic_id}' must be lower-case letters, digits, '.', '_' or '-'")
    keys = c.strings(obj, path, "keys")
    for i, key in enumerate(keys):
        if not _valid_key(key):
            c.add(path + ("keys", i), f"key '{key}' must be a dotted lower-case name")
    categories = c.strings(obj, path, "categories", choices=CATEGORIES)
    category = c.string(obj, path, "category", choices=CATEGORIES)
    if not keys and not categories and "keys" not in obj and "categories" not in obj:
        c.add(path, "a topic needs 'keys' (the data points it serves) or 'categories' (generic phrasings)")
    if keys and not category:
        c.add(path, "a topic with 'keys' needs 'category' (the usual category of those keys)")
    purpose = c.string(obj, path, "purpose", choices=PURPOSES)
    decision = c.string(obj, path, "decision", choices=TOPIC_DECISIONS) or "ask"
    variables = obj.get("vars", {})
    if not isinstance(variables, dict):
        c.add(path + ("vars",), f"'vars' must be a mapping of name to value; got {kind_of(variables)}")
        variables = {}
    allowed = TEMPLATE_NAMES | set(variables)
    match = c.condition(obj["match"], path + ("match",), CONDITION_NAMES) if "match" in obj else None
    label = c.string(obj, path, "label")
    rules = []
    raw_rules = obj.get("rules", [])
    if not isinstance(raw_rules, list):
        c.add(path + ("rules",), f"'rules' must be a list; got {kind_of(raw_rules)}")
        raw_rules = []
    for i, raw in enumerate(raw_rules):
        where = path + ("rules", i)
        if not c.fields(raw, where, RULE_KEYS, required=("id", "when", "decision", "message"), what="rule"):
            continue
        when = c.condition(raw.get("when"), where + ("when",), RULE_NAMES | set(variables))
        rid = c.string(raw, where, "id", required=True)
        rdec = c.string(raw, where, "decision", choices=RULE_DECISIONS)
        msg = c.string(raw, where, "message", required=True)
        if when and rid and rdec and msg:
            rules.append(Rule(rid, when, rdec, msg, c.doc.where(where)[0]))
    phrasings = _phrasings(c, obj.get("phrasings", {}), path + ("phrasings",), topic_id or "?", allowed, "")
    bystander = _phrasings(c, obj["bystander"], path + ("bystander",), topic_id or "?", allowed,
                           "bystander:") if "bystander" in obj else {}
    if decision in ("ask", "offer") and "phrasings" in obj:
        for level in LEVELS:
            if level not in phrasings and isinstance(obj.get("phrasings"), dict):
                c.add(path + ("phrasings",), f"missing phrasings for '{level}' receptiveness", rule="missing-tone")
    if "phrasings" not in obj and decision != "apply_silently":
        c.add(path, "a topic that asks or offers needs 'phrasings' for low, medium and high")
    action = c.template(obj["action"], path + ("action",), allowed, "action") if "action" in obj else None
    if decision == "apply_silently" and not action:
        if "action" not in obj:
            c.add(path, "an 'apply_silently' topic needs an 'action' (what to do, e.g. 'Pre-select an aisle seat.')")
    action_not_in = c.strings(obj, path, "action_not_in", choices=CHANNELS)
    quiet_action = (c.template(obj["quiet_action"], path + ("quiet_action",), allowed, "quiet_action")
                    if "quiet_action" in obj else None)
    proposes = obj.get("proposes", False)
    if not isinstance(proposes, bool):
        c.add(path + ("proposes",), f"'proposes' must be true or false; got {kind_of(proposes)}")
        proposes = False
    confirm = _confirm(c, obj["confirm"], path + ("confirm",), topic_id or "?", allowed) if "confirm" in obj else ()
    channels = _channels(c, obj, path)
    said = c.strings(obj, path, "said") if "said" in obj else None
    problem = c.strings(obj, path, "problem") if "problem" in obj else None
    serves = c.strings(obj, path, "serves")
    entitlement = _entitlement(c, obj, path, proposes, match, serves)
    honest = (c.template(obj["honest_answer"], path + ("honest_answer",), allowed, "honest_answer")
              if "honest_answer" in obj else None)
    if "honest_answer" not in obj:
        c.add(path, "a topic needs an 'honest_answer' for 'how do you know that?'", severity="warning",
              rule="honest-answer")
    avoid = c.strings(obj, path, "avoid")
    example = obj.get("example", {})
    if not isinstance(example, dict):
        c.add(path + ("example",), f"'example' must be a mapping (value, label, ...); got {kind_of(example)}")
        example = {}
    tests = []
    raw_tests = obj.get("tests", [])
    if not isinstance(raw_tests, list):
        c.add(path + ("tests",), f"'tests' must be a list; got {kind_of(raw_tests)}")
        raw_tests = []
    for i, raw in enumerate(raw_tests):
        where = path + ("tests", i)
        if not c.fields(raw, where, TEST_KEYS, required=("name", "expect"), what="test case"):
            continue
        name = c.string(raw, where, "name", required=True) or f"case {i + 1}"
        expect = raw.get("expect")
        if c.fields(expect, where + ("expect",), EXPECT_KEYS):
            c.string(expect, where + ("expect",), "decision", choices=DECISIONS)
            c.string(expect, where + ("expect",), "level", choices=LEVELS)
        for part in ("datapoint", "context"):
            if part in raw and not isinstance(raw[part], dict):
                c.add(where + (part,), f"'{part}' must be a mapping; got {kind_of(raw[part])}")
        if isinstance(expect, dict):
            tests.append(TestCase(name, {"datapoint": raw.get("datapoint") or {},
                                         "context": raw.get("context") or {}},
                                  expect, *c.doc.where(where)))
    disabled = _disabled_checks(c, obj["disable_checks"], path + ("disable_checks",)) \
        if "disable_checks" in obj else ()
    if not topic_id or not purpose:
        return None
    return Topic(id=topic_id, file=c.doc.file, line=c.doc.where(path)[0], purpose=purpose, decision=decision,
                 keys=keys, categories=categories, category=category,
                 industry=_industry(c, obj, path) or file_industry, title=c.string(obj, path, "title"),
                 match=match, label=label, vars=dict(variables), rules=tuple(rules), phrasings=phrasings,
                 bystander=bystander, action=action, action_not_in=action_not_in, quiet_action=quiet_action,
                 proposes=proposes, entitlement=entitlement, confirm=confirm, avoid=avoid, honest_answer=honest,
                 message=c.string(obj, path, "message"), example=dict(example), tests=tuple(tests),
                 disable_checks=tuple(dict.fromkeys(file_disabled + disabled)), channels=channels,
                 said=said, problem=problem, serves=serves)


def _entitlement(c: _Collector, obj: dict, path: tuple, proposes: bool, match: str | None,
                 serves: tuple[str, ...]) -> bool:
    """`entitlement: true`: the topic serves what the customer is owed or entitled to, so it is service when it fits.
    What says it fits must be the topic's own (`match` on the record, `serves` words in the customer's words): a
    topic that would call every data point of a category the customer's due, or one that proposes, is an error."""
    if "entitlement" not in obj:
        return False
    value = obj["entitlement"]
    if not isinstance(value, bool):
        c.add(path + ("entitlement",), f"'entitlement' must be true or false; got {kind_of(value)}")
        return False
    if value and proposes:
        c.add(path + ("entitlement",), "a topic that 'proposes' something new can't also be the customer's "
                                       "'entitlement'")
        return False
    if value and not (match or serves):
        c.add(path + ("entitlement",), "an 'entitlement' topic needs a 'match' (the record shows it is theirs) or "
                                       "'serves' words (the customer's words show it answers them)")
        return False
    return value


def _confirm(c: _Collector, obj: Any, path: tuple, topic_id: str, allowed: set[str]) -> tuple:
    """Confirm lines: one template, or a list of phrasings that may each say where they fit."""
    items = [obj] if isinstance(obj, str) else obj
    if not isinstance(items, list) or not items:
        c.add(path, f"'confirm' must be a line or a non-empty list of lines; got {kind_of(obj)}")
        return ()
    if isinstance(obj, str):
        c.doc.marks.setdefault(path + (0,), c.doc.where(path))
    out = []
    for i, item in enumerate(items[:MAX_PHRASINGS]):
        pid = f"{topic_id}/confirm" + (f"/{i + 1}" if i else "")
        found = _phrasing(c, item, path + (i,), pid, "medium", allowed)
        if found:
            out.append(found)
    return tuple(out)


def _channels(c: _Collector, obj: dict, path: tuple) -> tuple:
    """The channel kinds a topic is used in (all four unless it says)."""
    if "channels" not in obj:
        return KINDS
    choices = KINDS + tuple(KIND_GROUPS)
    kinds = c.strings(obj, path, "channels", choices=choices)
    if not kinds and isinstance(obj["channels"], list) and not obj["channels"]:
        c.add(path + ("channels",), "'channels' must name at least one channel kind")
    return tuple(dict.fromkeys(k for kind in kinds for k in KIND_GROUPS.get(kind, (kind,)))) or KINDS


def _cues(c: _Collector, obj: Any, path: tuple) -> dict:
    """Cue lists: lower-cased text; '*' only at a cue's end (any word it starts), '^' only at its start (the turn's)."""
    if not c.fields(obj, path, CUE_LISTS):
        return {}
    out = {}
    for name in CUE_LISTS:
        if name not in obj:
            continue
        words = []
        for i, word in enumerate(c.strings(obj, path, name)):
            cue = " ".join(word.lower().split())
            if not cue.strip("^*") or "*" in cue.rstrip("*") or "^" in cue[1:]:
                c.add(path + (name, i),
                      f"cue '{word}' must be text, with '*' only at its end and '^' only at its start")
            elif name in SINGLE_WORD_CUES and " " in cue:
                c.add(path + (name, i), f"'{name}' items are single words; got '{word}'")
            else:
                words.append(cue)
        out[name] = tuple(words)
    return out


def _disabled_checks(c: _Collector, obj: Any, path: tuple) -> tuple:
    if not isinstance(obj, list):
        c.add(path, f"'disable_checks' must be a list of {{rule, reason}}; got {kind_of(obj)}")
        return ()
    out = []
    for i, item in enumerate(obj):
        if c.fields(item, path + (i,), ("rule", "reason"), required=("rule", "reason"), what="mapping"):
            rule = c.string(item, path + (i,), "rule", required=True)
            if rule and c.string(item, path + (i,), "reason", required=True):
                out.append(rule)
    return tuple(out)


def _moment(c: _Collector, obj: Any, path: tuple) -> MomentLines | None:
    if not c.fields(obj, path, MOMENT_KEYS, required=("id", "message"), what="moment"):
        return None
    mid = c.string(obj, path, "id", required=True)
    if mid and not _valid_key(mid):
        c.add(path + ("id",), f"moment id '{mid}' must be lower-case letters, digits, '.', '_' or '-'")
    message = c.string(obj, path, "message", required=True)
    conditions = _fits(c, obj["fits"], path + ("fits",)) if "fits" in obj else ()
    say_nothing = obj.get("say_nothing", False)
    if not isinstance(say_nothing, bool):
        c.add(path + ("say_nothing",), f"'say_nothing' must be true or false; got {kind_of(say_nothing)}")
        say_nothing = False
    phrasings = _phrasings(c, obj["phrasings"], path + ("phrasings",), mid or "?", set(TEMPLATE_NAMES),
                           "moment:") if "phrasings" in obj else {}
    if say_nothing == ("phrasings" in obj):
        c.add(path, "a moment has either 'phrasings' (what to say) or 'say_nothing: true', not both or neither")
    elif phrasings:
        for level in LEVELS:
            if level not in phrasings:
                c.add(path + ("phrasings",), f"missing phrasings for '{level}' receptiveness", rule="missing-tone")
    if not mid or not message:
        return None
    return MomentLines(mid, message, c.doc.file, c.doc.where(path)[0], conditions, say_nothing, phrasings)


def _state(c: _Collector, obj: Any, path: tuple) -> State | None:
    if not c.fields(obj, path, STATE_KEYS, required=("id",), what="state"):
        return None
    sid = c.string(obj, path, "id", required=True)
    if sid and not IDENTIFIER.match(sid):
        c.add(path + ("id",), f"state '{sid}' must be a lower-case identifier (letters, digits, '_')")
        return None
    found = {name: c.strings(obj, path, name, choices=CUE_LISTS if name == "cues" else None)
             for name in ("words", "cues", "reasons", "signals")}
    if not any(found.values()):
        c.add(path, "a state needs 'words', 'cues', 'reasons' or 'signals' to be recognised by")
    defers = c.string(obj, path, "defers", choices=DEFERS)
    message = c.string(obj, path, "message") or (
        f"The customer seems {(sid or '').replace('_', ' ')}: see to that first, and leave this for now.")
    preface = c.string(obj, path, "preface") or ""
    after = c.strings(obj, path, "after")
    plain = c.strings(obj, path, "plain")
    return State(sid, **found, defers=defers, message=message, preface=preface, after=after,
                 plain=plain) if sid else None


def _named_words(c: _Collector, obj: Any, path: tuple, keys: tuple, what: str) -> tuple[str, list] | None:
    """An entry's id and words (each problem collected), or None when its fields or id are wrong."""
    if not c.fields(obj, path, keys, required=("id", "words"), what=what):
        return None
    name = c.string(obj, path, "id", required=True)
    if name and not IDENTIFIER.match(name):
        c.add(path + ("id",), f"{what} '{name}' must be a lower-case identifier (letters, digits, '_')")
        return None
    return name, c.strings(obj, path, "words")


def _reading(c: _Collector, obj: Any, path: tuple) -> Reading | None:
    named = _named_words(c, obj, path, READING_KEYS, "value reading")
    if named is None:
        return None
    (rid, words), categories = named, c.strings(obj, path, "categories", choices=CATEGORIES)
    return Reading(rid, words, categories) if rid and words else None


def _opening(c: _Collector, obj: Any, path: tuple) -> Reading | None:
    """What the customer's first words may be about, told by its words ('can you hear me': hearing)."""
    named = _named_words(c, obj, path, OPENING_KEYS, "opening")
    return Reading(*named) if named and all(named) else None


def _notice(c: _Collector, obj: Any, path: tuple) -> Notice | None:
    """A kind of message we send first: its words, the reasons that mean it, and its lines."""
    if not c.fields(obj, path, NOTICE_KEYS, required=("id", "words", "message", "phrasings"), what="notice"):
        return None
    nid = c.string(obj, path, "id", required=True)
    if nid and not IDENTIFIER.match(nid):
        c.add(path + ("id",), f"notice '{nid}' must be a lower-case identifier (letters, digits, '_')")
        return None
    words = tuple(w.lower() for w in c.strings(obj, path, "words"))
    reasons = tuple(w.lower() for w in c.strings(obj, path, "reasons")) if "reasons" in obj else ()
    message = c.string(obj, path, "message", required=True)
    phrasings = _phrasings(c, obj["phrasings"], path + ("phrasings",), nid or "?", set(TEMPLATE_NAMES),
                           "notice:")
    for level in LEVELS:
        if level not in phrasings:
            c.add(path + ("phrasings",), f"missing phrasings for '{level}' receptiveness", rule="missing-tone")
    unnamed = obj.get("unnamed", False)
    if not isinstance(unnamed, bool):
        c.add(path + ("unnamed",), f"'unnamed' must be true or false; got {kind_of(unnamed)}")
        unnamed = False
    if not (nid and words and message):
        return None
    return Notice(nid, words, reasons, message, c.doc.file, c.doc.where(path)[0], phrasings, unnamed)


def _care_need(c: _Collector, obj: Any, path: tuple) -> CareNeed | None:
    """A need told for care: its words, where staff can act on it, and the quiet action."""
    if not c.fields(obj, path, CARE_KEYS, required=("id", "need", "action"), what="care need"):
        return None
    cid = c.string(obj, path, "id", required=True)
    if cid and not IDENTIFIER.match(cid):
        c.add(path + ("id",), f"care need '{cid}' must be a lower-case identifier (letters, digits, '_')")
        return None
    need = tuple(w.lower() for w in c.strings(obj, path, "need"))
    now = tuple(w.lower() for w in c.strings(obj, path, "now")) if "now" in obj else ()
    channels = tuple(c.strings(obj, path, "channels", choices=KINDS)) if "channels" in obj else ()
    industries = tuple(c.strings(obj, path, "industries")) if "industries" in obj else ()
    action = c.template(obj.get("action"), path + ("action",), set(TEMPLATE_NAMES), "action")
    only_at_risk = obj.get("only_at_risk", False)
    if not isinstance(only_at_risk, bool):
        c.add(path + ("only_at_risk",), f"'only_at_risk' must be true or false; got {kind_of(only_at_risk)}")
        only_at_risk = False
    if not (now or channels or industries or only_at_risk):
        c.add(path, f"care need '{cid}' must say when staff can act on it ('now', 'channels', 'industries' "
                    "or 'only_at_risk')")
        return None
    if not (cid and need and action):
        return None
    over = tuple(w.lower() for w in c.strings(obj, path, "over")) if "over" in obj else ()
    risks, check, check_action = _care_risks(c, obj, path, cid)
    if only_at_risk and not risks:
        c.add(path, f"care need '{cid}' is acted on only at risk ('only_at_risk'), so it needs 'risks'")
        return None
    return CareNeed(cid, need, now, channels, industries, action, risks, check, check_action, over, only_at_risk)


def _care_risks(c: _Collector, obj: dict, path: tuple, cid: str) -> tuple:
    """A care need's risks, the plain check staff make when one is met, and what they do."""
    risks = []
    raw = obj.get("risks", [])
    if not isinstance(raw, list):
        c.add(path + ("risks",), f"'risks' must be a list of {{holds, meets}}; got {kind_of(raw)}")
        raw = []
    for i, item in enumerate(raw):
        where = path + ("risks", i)
        if c.fields(item, where, RISK_KEYS, required=RISK_KEYS, what="risk"):
            holds = tuple(w.lower() for w in c.strings(item, where, "holds"))
            meets = tuple(w.lower() for w in c.strings(item, where, "meets"))
            if holds and meets:
                risks.append((holds, meets))
    check: list[tuple[str, str]] = []
    raw_check = obj.get("check", {})
    if "check" in obj and c.fields(raw_check, path + ("check",), LEVELS, required=LEVELS, what="check"):
        for level in LEVELS:
            line = c.template(raw_check.get(level), path + ("check", level), set(TEMPLATE_NAMES), "check line")
            if line:
                check.append((level, line))
    check_action = c.template(obj["check_action"], path + ("check_action",), set(TEMPLATE_NAMES), "check_action") \
        if "check_action" in obj else ""
    if risks and not (check and check_action):
        c.add(path, f"care need '{cid}' has risks, so it needs 'check' lines and a 'check_action'")
        risks = []
    return tuple(risks), tuple(check), check_action or ""


def _unknown_conditions(book: Phrasebook) -> list[Problem]:
    """Lines that name a state or value reading no file defines: they could never fit."""
    known = {"state": {s.id for s in book.states} | {"calm"},
             "value": {r.id for r in book.value_readings} | {HELD, MISSING},
             "opened": {o.id for o in book.openings} | {SILENT, OTHER}}
    if book.notices:    # a set without messages we send first (no notices.yaml) never writes first: nothing to check
        known["sent_about"] = {n.id for n in book.notices}
    lines = [(t.file, p) for t in book.topics.values()
             for group in (t.phrasings, t.bystander) for ps in group.values() for p in ps]
    lines += [(t.file, p) for t in book.topics.values() for p in t.confirm]
    lines += [(m.file, p) for m in book.moments for ps in m.phrasings.values() for p in ps]
    problems = []
    for file, phrasing in lines:
        for name, allowed in phrasing.fits:
            for value in set(allowed) - known.get(name, set(allowed)):
                problems.append(Problem(file, phrasing.line, phrasing.col or 1, "error",
                                        f"{phrasing.id}: fits {name} '{value}', which no phrasebook defines "
                                        f"(known: {', '.join(sorted(known[name]))})", "unknown-condition"))
    for moment in book.moments:
        for name, allowed in moment.fits:
            for value in set(allowed) - known.get(name, set(allowed)):
                problems.append(Problem(moment.file, moment.line, 1, "error",
                                        f"moment {moment.id}: fits {name} '{value}', which no phrasebook defines",
                                        "unknown-condition"))
    return problems


def parse_file(text: str, file: str) -> tuple[dict, list[Problem]]:
    """One phrasebook file's topics, cues, moments and word lists, and every problem in it."""
    try:
        doc = read_yaml(text, file)
    except YamlProblem as exc:
        lines = text.splitlines()
        src = lines[exc.line - 1] if 0 < exc.line <= len(lines) else None
        return {}, [Problem(file, exc.line, exc.col, "error", exc.message, "yaml", src)]
    c = _Collector(doc)
    parsed: dict = {"topics": [], "cues": {}, "moments": [], "states": [], "value_readings": [],
                    "problem_words": ()}
    if doc.data is None:
        return parsed, [Problem(file, 1, 1, "warning", "empty phrasebook file", "empty")]
    if not c.fields(doc.data, (), FILE_KEYS + ("neutral",), what="mapping at the top of the file"):
        return parsed, c.problems
    if "neutral" in doc.data:
        c.add(("neutral",), "'neutral' lines are no longer used: one stock line cannot fit every moment; write "
                            "'moments' instead (see the phrasebook guide)", key=True, severity="warning",
              rule="neutral-replaced")
    file_disabled = _disabled_checks(c, doc.data["disable_checks"], ("disable_checks",)) \
        if "disable_checks" in doc.data else ()
    parsed["disable_checks"] = file_disabled
    file_industry = _industry(c, doc.data, ())
    topics = doc.data.get("topics", [])
    if not isinstance(topics, list):
        c.add(("topics",), f"'topics' must be a list; got {kind_of(topics)}")
        topics = []
    for i, raw in enumerate(topics):
        topic = _topic(c, raw, ("topics", i), file_disabled, file_industry)
        if topic:
            parsed["topics"].append(topic)
    if "cues" in doc.data:
        parsed["cues"] = _cues(c, doc.data["cues"], ("cues",))
    parsed["offer_terms"] = tuple(w.lower() for w in c.strings(doc.data, (), "offer_terms"))
    for name, reader in (("moments", _moment), ("states", _state), ("value_readings", _reading),
                         ("openings", _opening), ("care_needs", _care_need), ("notices", _notice)):
        items = doc.data.get(name, [])
        if not isinstance(items, list):
            c.add((name,), f"'{name}' must be a list; got {kind_of(items)}")
            continue
        parsed[name] = [found for i, raw in enumerate(items) if (found := reader(c, raw, (name, i)))]
    for name in WORD_LISTS:
        parsed[name] = c.strings(doc.data, (), name)
    parsed["same_request"] = _word_groups(c, doc.data, "same_request")
    return parsed, c.problems


_GROUP_WORD = re.compile(r"^[a-z][a-z' -]*\*?$")


def _word_groups(c: _Collector, data: dict, name: str) -> tuple[tuple[str, ...], ...]:
    """Lists of at least two lower-case words or phrases ('deliver*', 'late checkout'), each naming one thing."""
    groups = data.get(name, [])
    if not isinstance(groups, list):
        c.add((name,), f"'{name}' must be a list of word lists; got {kind_of(groups)}")
        return ()
    out = []
    for i, group in enumerate(groups):
        if not isinstance(group, list) or len(group) < 2:
            c.add((name, i), f"each '{name}' entry must be a list of at least two words; got {kind_of(group)}")
            continue
        words = []
        for j, word in enumerate(group):
            if not isinstance(word, str) or not _GROUP_WORD.match(word) or len(word) > 40:
                c.add((name, i, j), f"'{name}' words must be lower-case letters, spaces, hyphens or apostrophes, "
                                    f"at most 40 characters, with '*' only at the end; got "
                                    f"{repr(word[:40]) if isinstance(word, str) else kind_of(word)}")
            else:
                words.append(word)
        if len(words) >= 2:
            out.append(tuple(words))
    return tuple(out)


def phrasebook_files(paths: Iterable[str | os.PathLike] | None = None) -> list[Path]:
    """The YAML files a set of paths names: files as given, folders' top-level *.yaml, sorted."""
    roots = [Path(p) for p in (paths or [default_dir()])]
    files: list[Path] = []
    for root in roots:
        if root.is_dir():
            files.extend(sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            files.append(root)
    return files


def _display_name(path: Path) -> str:
    """A path as a script writer reads it: relative to the working folder when under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def collect(paths: Iterable[str | os.PathLike] | None = None) -> tuple[Phrasebook, list[Problem]]:
    """Read every file and build the set, returning it with every problem found (errors and warnings)."""
    book = Phrasebook()
    problems: list[Problem] = []
    first_seen: dict[str, Topic] = {}
    names = []
    version = hashlib.sha256()
    for path in phrasebook_files(paths):
        name = _display_name(path)
        names.append(name)
        version.update(path.name.encode("utf-8", "replace") + b"\0")
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            problems.append(Problem(name, 1, 1, "error", "no such file or folder", "io"))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(name, 1, 1, "error", f"cannot read: {exc}", "io"))
            continue
        version.update(text.encode("utf-8") + b"\0")
        parsed, found = parse_file(text, name)
        problems.extend(found)
        for topic in parsed.get("topics", []):
            if topic.id in first_seen:
                other = first_seen[topic.id]
                problems.append(Problem(name, topic.line, 1, "error",
                                        f"topic id '{topic.id}' already defined at {other.file}:{other.line}",
                                        "duplicate-topic"))
                continue
            first_seen[topic.id] = topic
            book.topics[topic.id] = topic
            for key in topic.keys:
                book.by_key.setdefault(key, []).append(topic)
                if topic.category:
                    book.key_categories.setdefault(key, topic.category)
            for cat in topic.categories:
                book.by_category.setdefault(cat, []).append(topic)
        for name_, words in parsed.get("cues", {}).items():
            book.cues[name_] = tuple(dict.fromkeys(book.cues.get(name_, ()) + words))
        book.offer_terms = tuple(dict.fromkeys(book.offer_terms + parsed.get("offer_terms", ())))
        book.moments += tuple(parsed.get("moments", ()))
        book.states += tuple(parsed.get("states", ()))
        book.value_readings += tuple(parsed.get("value_readings", ()))
        book.openings += tuple(parsed.get("openings", ()))
        book.care_needs += tuple(parsed.get("care_needs", ()))
        book.notices += tuple(parsed.get("notices", ()))
        for name in WORD_LISTS:
            setattr(book, name, tuple(dict.fromkeys(getattr(book, name) + parsed.get(name, ()))))
        book.same_request += tuple(parsed.get("same_request", ()))
    book.files = tuple(names)
    book.version = version.hexdigest()[:16]
    problems.extend(_unknown_conditions(book))
    for cat in CATEGORIES:
        if cat not in SENSITIVE_CATEGORIES and book.topics and cat not in book.by_category:
            problems.append(Problem(names[0] if names else "phrasebooks", 1, 1, "warning",
                                    f"no generic topic serves category '{cat}'", "generic-coverage"))
    book.warnings = tuple(p for p in problems if p.severity != "error")
    return book, problems


def load(paths: Iterable[str | os.PathLike] | None = None) -> Phrasebook:
    """Load a valid phrasebook set, or raise PhrasebookError listing every error.

    A fresh process takes the set from the cache (tact.bookcache) when its files and the code are the same.
    """
    paths = list(paths) if paths else None
    sources = _sources(paths)
    if sources is None:
        return _load(paths)
    return bookcache.remembered("phrasebooks", sources, lambda: _load(paths))


def _load(paths: list | None) -> Phrasebook:
    book, problems = collect(paths)
    if any(p.severity == "error" for p in problems):
        raise PhrasebookError(problems)
    return book


def _sources(paths: list | None) -> list[tuple[str, bytes]] | None:
    """Each file's name as shown and its bytes: what a loaded set depends on; None when one cannot be read."""
    try:
        return [(_display_name(path), path.read_bytes()) for path in phrasebook_files(paths)]
    except OSError:
        return None


class PhrasebookStore:
    """The set in use: loaded once, or handed over already validated, and never changed in place.

    A running server changes its set only by validating a new one and starting
    workers on it (see tact.serve); nothing a request does reloads it.
    """

    def __init__(self, paths: Iterable[str | os.PathLike] | None = None, book: Phrasebook | None = None):
        self.paths = list(paths) if paths else None
        self.book = book if book is not None else load(self.paths)
