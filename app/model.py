"""The JSON contract as typed objects, and its parsing with field-path errors.

A typo silently ignored changes what an agent is told, so unknown fields are
errors (with a did-you-mean), and every error names the field it is about.
"""
from __future__ import annotations

import difflib
import json
import math
import re
from dataclasses import MISSING, dataclass, fields as dataclass_fields
from typing import Any

from .errors import RequestError
from .people import person_named

PROVENANCES = (
    "customer_said", "customer_stated", "account_record", "transaction",
    "observed", "inferred", "third_party",
)
STAGES = ("opening", "discovery", "resolution", "wrap_up")
LEVELS = ("low", "medium", "high")
RELATIONSHIPS = ("new", "returning", "regular")
DECISIONS = ("ask", "offer", "apply_silently", "defer", "withhold")
PURPOSES = ("service", "marketing")
SPOKEN_CHANNELS = ("phone", "video", "in_person", "cabin", "store")
WRITTEN_CHANNELS = ("chat", "messaging", "email", "sms", "app")
CHANNELS = SPOKEN_CHANNELS + WRITTEN_CHANNELS
# Industries are open: any lower-case identifier (an energy supplier, a gym, a car-rental desk); the
# phrasebooks say which they speak for, and an industry none knows gets the generic topics.
IDENTIFIER_PATTERN = r"^[a-z][a-z0-9_]*$"
_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
SENSITIVE_CATEGORIES = (
    "health", "medication", "pregnancy", "disability", "religion", "ethnicity",
    "sexual_orientation", "political", "union", "genetic", "biometric",
    "criminal", "financial_hardship", "location", "children", "immigration",
)
OTHER_CATEGORIES = (
    "product_holding", "account_event", "service_history", "operational",
    "transaction", "behaviour", "usage", "loyalty", "preference", "occasion",
    "relationship", "life_event", "income",
)
CATEGORIES = SENSITIVE_CATEGORIES + OTHER_CATEGORIES
CONSENT_PURPOSES = ("service", "marketing", "profiling", "third_party_sharing")
HISTORY_EVENTS = ("shown", "used", "edited", "declined")

MAX_TEXT = 2000          # characters in any one string field
MAX_VALUE_JSON = 4000    # characters of a data point's value once serialised
MAX_UTTERANCES = 50
MAX_DATAPOINTS = 100
MAX_HISTORY = 200
KEY_PATTERN_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_.-")
_PLAIN_KEY = re.compile(r"(?!\.)[a-z0-9_.-]*(?<!\.)")     # KEY_PATTERN_CHARS only, no dot first or last


@dataclass(frozen=True)
class DataPoint:
    key: str
    value: Any
    provenance: str
    label: str | None = None
    category: str | None = None
    collected_via: str | None = None
    consent: tuple[str, ...] | None = None

    def to_template(self) -> dict:
        return {"key": self.key, "value": self.value, "label": self.label,
                "category": self.category, "provenance": self.provenance}


@dataclass(frozen=True)
class HistoryItem:
    """Something that already happened to a suggestion in this conversation (never what was said)."""

    topic: str
    event: str
    suggestion_id: str | None = None
    at: str | None = None


class FrozenDict(dict):
    """A mapping that is only read once made, so the render cache may keep its key on it."""


@dataclass(frozen=True)
class Context:
    channel: str
    industry: str | None = None
    reason: str | None = None
    stage: str | None = None
    issue_resolved: bool | None = None
    receptiveness: str | None = None
    customer_utterances: tuple[str, ...] = ()
    do_not_market: bool = False
    relationship: str | None = None
    locale: str = "en"
    bystanders: bool = False
    conversation_id: str | None = None
    history: tuple[HistoryItem, ...] = ()

    @property
    def spoken(self) -> bool:
        return self.channel in SPOKEN_CHANNELS

    def to_template(self) -> dict:
        """What templates see of the context: made once a request, the same mapping for every line (templates
        only read it: they run in an immutable sandbox), so the render cache keys it once."""
        made = self.__dict__.get("_template")
        if made is None:
            made = FrozenDict({
                "channel": self.channel, "industry": self.industry, "reason": self.reason,
                "stage": self.stage, "issue_resolved": self.issue_resolved,
                "receptiveness": self.receptiveness, "do_not_market": self.do_not_market,
                "relationship": self.relationship, "locale": self.locale,
                "spoken": self.spoken, "bystanders": self.bystanders,
                "person": person_named(self.customer_utterances),
            })
            object.__setattr__(self, "_template", made)
        return made


@dataclass(frozen=True)
class SuggestRequest:
    datapoints: tuple[DataPoint, ...]
    context: Context
    batch: bool = False


@dataclass(frozen=True)
class CheckRequest:
    text: str
    context: Context | None = None
    disable: tuple[str, ...] = ()


# ---------------------------------------------------------------- parsing

def is_identifier(value: object) -> bool:
    """A lower-case identifier such as 'energy' or 'car_rental'."""
    return isinstance(value, str) and len(value) <= 50 and bool(_IDENTIFIER.match(value))


def describe(value: Any) -> str:
    """What kind of JSON value this is, never the value itself: it may be the customer's data."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "an empty string" if not value else "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def quoted(value: Any) -> str:
    """A mistaken enum value or name, quoted and bounded: these name the contract's words, not data."""
    if not isinstance(value, str):
        return describe(value)
    shown = value if len(value) <= 40 else value[:37] + "..."
    return repr(shown)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _reject_surrogates(value: str, where: str | None) -> None:
    """A lone surrogate is not text: it cannot be encoded into any response, so it is a bad request."""
    if _SURROGATE.search(value):
        raise RequestError(where, "expected valid Unicode text; got a lone surrogate (an unpaired code point "
                                  "in U+D800-U+DFFF)", "invalid_unicode")


def _join(path: str, name: str | int) -> str:
    if isinstance(name, int):
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else name


def expect_object(obj: Any, path: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
    if not isinstance(obj, dict):
        raise RequestError(path or None, f"expected an object; got {describe(obj)}")
    for name in obj:
        if name not in allowed:
            _reject_surrogates(str(name), path or None)
            close = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else f"; expected one of {', '.join(allowed)}"
            raise RequestError(_join(path, str(name)), "unknown field" + hint, "unknown_field")
    for name in required:
        if name not in obj:
            raise RequestError(_join(path, name), "required field is missing", "missing_field")
    return obj


def expect_string(obj: dict, path: str, name: str, *, required: bool = False,
                  choices: tuple[str, ...] | None = None, max_len: int = MAX_TEXT) -> str | None:
    if name not in obj or (obj[name] is None and not required):
        return None
    value = obj[name]
    if (type(value) is str and len(value) <= max_len and (value in choices if choices else not required
                                                           or value.strip())
            and (value.isascii() or not _SURROGATE.search(value))):
        return value     # the common case, checked before any message is built
    where = _join(path, name)
    if isinstance(value, str):
        _reject_surrogates(value, where)
    if choices is not None:
        if not isinstance(value, str) or value not in choices:
            raise RequestError(where, f"expected one of {', '.join(choices)}; got {quoted(value)}",
                               "invalid_value")
    if not isinstance(value, str):
        raise RequestError(where, f"expected a string; got {describe(value)}", "invalid_type")
    if len(value) > max_len:
        raise RequestError(where, f"expected at most {max_len} characters; got {len(value)}", "too_long")
    if required and not value.strip():
        raise RequestError(where, "expected a non-empty string", "invalid_value")
    return value


def _bool(obj: dict, path: str, name: str) -> bool | None:
    if name not in obj or obj[name] is None:
        return None
    value = obj[name]
    if not isinstance(value, bool):
        raise RequestError(_join(path, name), f"expected true or false; got {describe(value)}",
                           "invalid_type")
    return value


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,39}")


def _check_json_value(value: Any, where: str, depth: int = 0) -> None:
    if depth > 8:
        raise RequestError(where, "expected a value nested at most 8 levels deep", "too_deep")
    if isinstance(value, str):
        _reject_surrogates(value, where)
    elif isinstance(value, float) and not math.isfinite(value):
        raise RequestError(where, "expected a finite number", "invalid_value")
    elif isinstance(value, dict):
        for i, (k, v) in enumerate(value.items()):
            # A name inside the value may itself be data: paths show plain names only, others by position.
            inner = _join(where, k) if isinstance(k, str) and _NAME.fullmatch(k) else f"{where}{{{i}}}"
            if isinstance(k, str):
                _reject_surrogates(k, inner)
            _check_json_value(v, inner, depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_json_value(v, _join(where, i), depth + 1)
    elif not isinstance(value, (str, int, float, bool)) and value is not None:
        raise RequestError(where, f"expected a JSON value; got {describe(value)}", "invalid_type")


@dataclass(frozen=True)
class FieldSpec:
    """One field of the contract: how it is validated here and described in the OpenAPI schema."""

    name: str
    kind: str                      # text | key | ident | enum | bool | texts | enums | json | objects
    required: bool = False
    choices: tuple[str, ...] = ()
    max_len: int = MAX_TEXT
    max_items: int = 0
    description: str = ""
    fields: tuple["FieldSpec", ...] = ()   # the items' own fields, for kind "objects"


DATAPOINT_SPEC = (
    FieldSpec("key", "key", True, max_len=200, description="Dotted name of what is known, e.g. policy.auto."),
    FieldSpec("value", "json", True, max_len=MAX_VALUE_JSON, description="What is known: any JSON value."),
    FieldSpec("label", "text", max_len=200, description="How to say the thing in words."),
    FieldSpec("category", "enum", choices=CATEGORIES,
              description="Optional when the phrasebooks know the key; may raise sensitivity, never lower it."),
    FieldSpec("provenance", "enum", True, choices=PROVENANCES, description="Where the data came from."),
    FieldSpec("collected_via", "text", max_len=100, description="Channel the data was collected on."),
    FieldSpec("consent", "enums", choices=CONSENT_PURPOSES, max_items=len(CONSENT_PURPOSES),
              description="Purposes agreed to; absent means unknown."),
)
HISTORY_SPEC = (
    FieldSpec("topic", "key", True, max_len=200, description="The topic id a suggest response gave."),
    FieldSpec("event", "enum", True, choices=HISTORY_EVENTS, description="What happened to the suggestion."),
    FieldSpec("suggestion_id", "text", max_len=300, description="The phrasing id a suggest response gave."),
    FieldSpec("at", "text", max_len=40, description="When, as an ISO 8601 time."),
)
CONTEXT_SPEC = (
    FieldSpec("channel", "enum", True, choices=CHANNELS, description="Where the conversation happens."),
    FieldSpec("industry", "ident", max_len=50,
              description="The business the conversation is for, as a lower-case identifier (e.g. insurance, "
                          "energy, car_rental). Topics of other industries are not used; an industry no phrasebook "
                          "knows gets the generic topics."),
    FieldSpec("reason", "text", max_len=100, description="Why the customer got in touch, e.g. billing_question."),
    FieldSpec("stage", "enum", choices=STAGES, description="How far the conversation has got."),
    FieldSpec("issue_resolved", "bool", description="Whether the customer's own issue is solved; offers wait for it."),
    FieldSpec("receptiveness", "enum", choices=LEVELS,
              description="When absent, estimated from customer_utterances."),
    FieldSpec("customer_utterances", "texts", max_items=MAX_UTTERANCES,
              description="The customer's own recent words, oldest first."),
    FieldSpec("do_not_market", "bool", description="The customer opted out of marketing: no offers at all."),
    FieldSpec("relationship", "enum", choices=RELATIONSHIPS, description="How well the business knows the customer."),
    FieldSpec("locale", "text", max_len=20, description="An English locale such as en or en-GB."),
    FieldSpec("bystanders", "bool",
              description="Others can hear: keep it general. Defaults to true in a cabin, false elsewhere."),
    FieldSpec("conversation_id", "text", max_len=200,
              description="An opaque id for this conversation: lines are not repeated within it, and the "
                          "web app remembers what was offered in it."),
    FieldSpec("history", "objects", max_items=MAX_HISTORY, fields=HISTORY_SPEC,
              description="What already happened to suggestions in this conversation, oldest first."),
)
CONTEXT_FIELDS = tuple(f.name for f in CONTEXT_SPEC)


_NAMES: dict[int, tuple[tuple[str, ...], tuple[str, ...], dict[str, tuple[int, FieldSpec]]]] = {}


def _field_names(spec: tuple[FieldSpec, ...]) -> tuple[tuple[str, ...], tuple[str, ...], dict[str, tuple[int, FieldSpec]]]:
    """All and required field names of a spec, and each name's place and spec (kept by identity: hashing the specs
    costs more)."""
    names = _NAMES.get(id(spec))
    if names is None:
        every = tuple(f.name for f in spec)
        names = _NAMES[id(spec)] = (every, tuple(f.name for f in spec if f.required),
                                    {f.name: (i, f) for i, f in enumerate(spec)})
    return names


def _plain_text(value: Any, max_len: int) -> bool:
    """Whether a value is a string that needs no closer look (the common case, checked before any message)."""
    return type(value) is str and len(value) <= max_len and (value.isascii() or not _SURROGATE.search(value))


_LOOK_CLOSER = object()


def _valid_as_is(f: FieldSpec, value: Any) -> Any:
    """The field's value when it is plainly valid (the common case: short ASCII text, a known choice, a list of
    them), checked without building any path or message; else _LOOK_CLOSER, for the full check and its error."""
    kind = type(value)
    if kind is str and value.isascii():
        if f.kind == "enum":
            return value if value in f.choices else _LOOK_CLOSER
        if f.kind == "text" and len(value) <= f.max_len and (not f.required or value.strip()):
            return value
        if f.kind == "key" and len(value) <= f.max_len and _PLAIN_KEY.fullmatch(value):
            return value
        if f.kind == "json" and len(value) <= MAX_TEXT:
            return value
    elif f.kind == "json" and kind in (int, bool):
        return value
    elif kind is bool and f.kind == "bool":
        return value
    elif kind is list and len(value) <= f.max_items:
        if f.kind == "enums" and all(type(item) is str and item in f.choices for item in value):
            return tuple(dict.fromkeys(value))
        if f.kind == "texts" and all(type(item) is str and len(item) <= f.max_len and item.isascii()
                                     for item in value):
            return tuple(value)
    return _LOOK_CLOSER


def _parse_fields(obj: Any, path: str, spec: tuple[FieldSpec, ...]) -> dict:
    """Validate an object against a field spec; every error names its field path."""
    every, required, known = _field_names(spec)
    if not (isinstance(obj, dict) and known.keys() >= obj.keys() and all(name in obj for name in required)):
        expect_object(obj, path, every, required)
    out: dict = {}
    closer = []
    for name, value in obj.items():     # only the fields given: a request names a handful of a spec's twenty
        if value is None:
            if known[name][1].required:
                closer.append(known[name])
            continue
        quick = _valid_as_is(known[name][1], value)
        if quick is _LOOK_CLOSER:
            closer.append(known[name])
        else:
            out[name] = quick
    if closer:
        _look_closer(obj, path, sorted(closer), out)
    return out


def _look_closer(obj: dict, path: str, closer: list, out: dict) -> None:
    """Validate the fields that were not plainly valid into `out`, or raise a RequestError naming the first bad
    one; in the spec's order, so the first error reported is the same whatever the order of the fields."""
    for _, f in closer:
        value = obj[f.name]
        if f.kind == "json" and (type(value) in (int, bool) or _plain_text(value, MAX_TEXT)):
            pass    # nothing in it to check
        elif f.kind in ("text", "key", "ident", "enum"):
            value = expect_string(obj, path, f.name, required=f.required, choices=f.choices or None, max_len=f.max_len)
            if f.kind == "ident" and not is_identifier(value):
                raise RequestError(_join(path, f.name), "expected a lower-case identifier (letters, digits and "
                                   f"'_', starting with a letter); got {describe(value)}", "invalid_value")
            if f.kind == "key" and (not set(value) <= KEY_PATTERN_CHARS or value.startswith(".")
                                    or value.endswith(".")):
                raise RequestError(_join(path, f.name), "expected a dotted name of lower-case letters, digits, "
                                   f"'_' and '-'; got {quoted(value)}", "invalid_value")
        elif f.kind == "bool":
            value = _bool(obj, path, f.name)
        elif f.kind == "json":
            where = _join(path, f.name)
            _check_json_value(value, where)
            if isinstance(value, str) and len(value) > MAX_TEXT:
                raise RequestError(where, f"expected at most {MAX_TEXT} characters; got {len(value)}", "too_long")
            if isinstance(value, (dict, list)) and len(json.dumps(value)) > f.max_len:
                raise RequestError(where, f"expected at most {f.max_len} characters of JSON", "too_long")
        elif f.kind == "objects":
            where = _join(path, f.name)
            if not isinstance(value, list):
                raise RequestError(where, f"expected an array of objects; got {describe(value)}", "invalid_type")
            if len(value) > f.max_items:
                raise RequestError(where, f"expected at most {f.max_items} items; got {len(value)}", "too_long")
            value = tuple(made(HistoryItem, _parse_fields(item, _join(where, i), f.fields))
                          for i, item in enumerate(value))
        else:  # texts | enums
            where = _join(path, f.name)
            what = "purposes" if f.kind == "enums" else "strings"
            if not isinstance(value, list):
                raise RequestError(where, f"expected an array of {what}; got {describe(value)}", "invalid_type")
            if len(value) > f.max_items:
                raise RequestError(where, f"expected at most {f.max_items} items; got {len(value)}", "too_long")
            for i, item in enumerate(value):
                if f.kind == "texts" and _plain_text(item, f.max_len):
                    continue
                if f.kind == "enums" and (not isinstance(item, str) or item not in f.choices):
                    if isinstance(item, str):
                        _reject_surrogates(item, _join(where, i))
                    raise RequestError(_join(where, i), f"expected one of {', '.join(f.choices)}; "
                                                        f"got {quoted(item)}", "invalid_value")
                if not isinstance(item, str):
                    raise RequestError(_join(where, i), f"expected a string; got {describe(item)}", "invalid_type")
                _reject_surrogates(item, _join(where, i))
                if len(item) > f.max_len:
                    raise RequestError(_join(where, i), f"expected at most {f.max_len} characters; "
                                                        f"got {len(item)}", "too_long")
            value = tuple(dict.fromkeys(value)) if f.kind == "enums" else tuple(value)
        out[f.name] = value


_DEFAULTS: dict[type, dict] = {}


def made(cls: type, fields: dict):
    """A frozen dataclass from fields already validated, the same as `cls(**fields)` (field order, defaults,
    equality) without the generated __init__'s object.__setattr__ for every field, a tenth of parsing a request."""
    defaults = _DEFAULTS.get(cls)
    if defaults is None:
        assert all(f.default_factory is MISSING for f in dataclass_fields(cls)), "shared mutable defaults"
        defaults = _DEFAULTS[cls] = {f.name: None if f.default is MISSING else f.default for f in dataclass_fields(cls)}
    obj = object.__new__(cls)
    obj.__dict__.update(defaults)
    obj.__dict__.update(fields)
    return obj


def parse_datapoint(obj: Any, path: str = "datapoint") -> DataPoint:
    return made(DataPoint, _parse_fields(obj, path, DATAPOINT_SPEC))


def parse_context(obj: Any, path: str = "context") -> Context:
    fields = _parse_fields(obj, path, CONTEXT_SPEC)
    locale = fields.get("locale") or "en"
    if not locale.lower().startswith("en"):
        raise RequestError(_join(path, "locale"),
                           f"expected an English locale such as 'en' or 'en-GB'; got {quoted(locale)}",
                           "invalid_value")
    fields["locale"] = locale
    fields["do_not_market"] = bool(fields.get("do_not_market"))
    if fields.get("bystanders") is None:
        fields["bystanders"] = fields["channel"] == "cabin"   # in a cabin, others can hear
    return made(Context, fields)


def expect_items(raw: Any, where: str, what: str, limit: int) -> list:
    """A non-empty array of at most `limit` items, or a RequestError naming the field."""
    if not isinstance(raw, list):
        raise RequestError(where, f"expected an array of {what}s; got {describe(raw)}", "invalid_type")
    if not raw:
        raise RequestError(where, f"expected at least one {what}", "invalid_value")
    if len(raw) > limit:
        raise RequestError(where, f"expected at most {limit} {what}s; got {len(raw)}", "too_long")
    return raw


def parse_suggest_request(obj: Any) -> SuggestRequest:
    """Turn a decoded suggest request into typed objects, or raise RequestError naming the field."""
    expect_object(obj, "", ("datapoint", "datapoints", "context"), required=("context",))
    if ("datapoint" in obj) == ("datapoints" in obj):
        raise RequestError("datapoint", "expected exactly one of 'datapoint' or 'datapoints'", "missing_field")
    context = parse_context(obj["context"])
    if "datapoint" in obj:
        return SuggestRequest((parse_datapoint(obj["datapoint"]),), context, batch=False)
    raw = expect_items(obj["datapoints"], "datapoints", "data point", MAX_DATAPOINTS)
    points = tuple(parse_datapoint(item, f"datapoints[{i}]") for i, item in enumerate(raw))
    return SuggestRequest(points, context, batch=True)


def parse_check_request(obj: Any) -> CheckRequest:
    """Turn a decoded check request into typed objects, or raise RequestError naming the field."""
    expect_object(obj, "", ("text", "context", "disable"), required=("text",))
    text = obj["text"]
    if not isinstance(text, str):
        raise RequestError("text", f"expected a string; got {describe(text)}", "invalid_type")
    if len(text) > 10 * MAX_TEXT:
        raise RequestError("text", f"expected at most {10 * MAX_TEXT} characters; got {len(text)}", "too_long")
    _reject_surrogates(text, "text")
    context = None
    if obj.get("context") is not None:
        raw = obj["context"]
        if isinstance(raw, dict) and "channel" not in raw:
            raw = {**raw, "channel": "phone"}
        context = parse_context(raw)
    disable: list[str] = []
    if obj.get("disable") is not None:
        raw = obj["disable"]
        if not isinstance(raw, list) or not all(isinstance(x, str) and len(x) <= 100 for x in raw):
            raise RequestError("disable", f"expected an array of rule ids; got {describe(raw)}", "invalid_type")
        for i, rule in enumerate(raw):
            _reject_surrogates(rule, f"disable[{i}]")
        disable = raw
    return CheckRequest(text=text, context=context, disable=tuple(disable))


def load_json(text: str | bytes) -> Any:
    """Decode JSON, reporting a syntax error with line and column instead of a traceback."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return json.loads(text, parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise RequestError(None, "expected UTF-8 encoded JSON", "malformed_json") from None
    except json.JSONDecodeError as exc:
        raise RequestError(None, f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                           "malformed_json") from None
    except ValueError as exc:
        raise RequestError(None, f"malformed JSON: {exc}", "malformed_json") from None
    except RecursionError:
        raise RequestError(None, "malformed JSON: nested too deeply", "malformed_json") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")
