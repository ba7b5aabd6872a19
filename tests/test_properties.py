"""Properties over generated requests: nothing revealing, nothing sensitive, deterministic, clean errors."""
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tact.check import default_checker
from tact.engine import default_engine
from tact.errors import RequestError
from tact.model import (CATEGORIES, CHANNELS, LEVELS, PROVENANCES, RELATIONSHIPS, SENSITIVE_CATEGORIES, STAGES,
                       load_json)

ENGINE = default_engine()
KNOWN_KEYS = sorted(ENGINE.book.by_key) + ["widget.thing", "misc.note"]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
values = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), words,
                   st.sampled_from(["none", "aisle", "vegetarian", "gold", "pregnancy", "insulin", "Lisbon"]),
                   st.lists(words, max_size=3))
datapoints = st.fixed_dictionaries(
    {"key": st.sampled_from(KNOWN_KEYS), "value": values, "provenance": st.sampled_from(PROVENANCES)},
    optional={"label": st.one_of(words.filter(str.strip), st.sampled_from(["insulin", "wheelchair", "pregnancy"])),
              "category": st.sampled_from(CATEGORIES),
              "consent": st.lists(st.sampled_from(["service", "marketing"]), unique=True)})
contexts = st.fixed_dictionaries(
    {"channel": st.sampled_from(CHANNELS)},
    optional={"stage": st.sampled_from(STAGES), "issue_resolved": st.booleans(),
              "receptiveness": st.sampled_from(LEVELS), "relationship": st.sampled_from(RELATIONSHIPS),
              "do_not_market": st.booleans(), "bystanders": st.booleans(),
              "customer_utterances": st.lists(words, max_size=3),
              "reason": st.sampled_from(["billing_question", "claim", "bereavement", "booking_change"]),
              "industry": st.one_of(st.sampled_from(ENGINE.book.industries),
                                    st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True))})


def all_texts(result):
    found = [s["text"] for s in result["suggestions"]]
    return found + [s["text"] for group in result["alternatives"].values() for s in group]


@SETTINGS
@given(datapoints, contexts)
def test_no_suggestion_reveals_or_names_sensitive_data(datapoint, context):
    result = ENGINE.suggest({"datapoint": datapoint, "context": context})
    checker = default_checker()
    for text in all_texts(result):
        assert not checker.is_revealing(text), text
    if result["category"] in SENSITIVE_CATEGORIES or datapoint.get("category") in SENSITIVE_CATEGORIES:
        for item in (datapoint.get("label"), datapoint["value"]):
            if isinstance(item, str) and len(item.strip()) > 2:
                assert all(item.strip().lower() not in t.lower() for t in all_texts(result))
    if result["decision"] in ("withhold", "defer"):
        assert not any(s["id"].startswith(result["topic"] or "\0") for s in result["suggestions"])


@SETTINGS
@given(datapoints, contexts)
def test_output_is_deterministic(datapoint, context):
    request = {"datapoint": datapoint, "context": context}
    first = json.dumps(ENGINE.suggest(request))
    assert json.dumps(ENGINE.suggest(json.loads(json.dumps(request)))) == first


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=20)
mangled = st.one_of(
    json_values,
    st.fixed_dictionaries({"datapoint": json_values, "context": json_values}),
    st.fixed_dictionaries({"datapoint": st.fixed_dictionaries({"key": json_values, "value": json_values,
                                                                "provenance": json_values}),
                           "context": st.fixed_dictionaries({"channel": json_values}, optional={
                               "stage": json_values, "customer_utterances": json_values})}),
)


@SETTINGS
@given(mangled)
def test_any_input_gives_a_response_or_a_clean_request_error(obj):
    try:
        ENGINE.suggest(obj)
    except RequestError as exc:
        assert exc.message and "Traceback" not in exc.message


@SETTINGS
@given(st.text(max_size=200))
def test_any_text_is_json_or_a_clean_request_error(text):
    try:
        load_json(text)
    except RequestError as exc:
        assert exc.message.startswith("malformed JSON") or "UTF-8" in exc.message


# ------------------------------------------------------------------ nothing unspeakable, nothing sensitive named

INVISIBLE = ["\u202e", "\u202d", "\u2066", "\u2069", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\x00",
             "\x07", "\x1b", "\u2028", "\u00ad"]
TEMPLATE_BITS = ["{{", "}}", "{%", "%}", "{#", "<script>", "</b>", "<img src=x>", "\uff5b\uff5b", "\uff1cb\uff1e"]
hostile_text = st.lists(st.one_of(st.sampled_from(INVISIBLE + TEMPLATE_BITS),
                                  st.sampled_from(["aisle", "none", "MS", "HIV", "gold", "cover", " ", "42"]),
                                  st.text(max_size=6)), max_size=6).map("".join)
leaves = st.one_of(st.integers(-1000, 10**6), st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: round(f, 2)),
                   st.sampled_from(["MS", "HIV", "B+", "Crohns disease", "insulin", "pregnant", "wheelchair"]),
                   st.from_regex(r"[A-Za-z]{2,6}[0-9]{1,2}", fullmatch=True), hostile_text)
sensitive_values = st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                                 st.dictionaries(st.sampled_from(["a", "dx"]), inner,
                                                                                 max_size=2)), max_leaves=5)
hostile_points = st.fixed_dictionaries(
    {"key": st.sampled_from(KNOWN_KEYS + ["customer.condition", "passenger.need"]),
     "value": st.one_of(values, hostile_text, sensitive_values),
     "provenance": st.sampled_from(PROVENANCES)},
    optional={"label": st.one_of(hostile_text.filter(str.strip), leaves.map(str).filter(str.strip)),
              "category": st.sampled_from(CATEGORIES)})
# Words of the moment lines (said when the data point is not used) may coincide with a short value.
NEUTRAL_WORDS = {w.lower() for moment in ENGINE.book.moments for level in moment.phrasings.values() for p in level
                 for w in __import__("re").findall(r"[\w'-]+", p.text)}


def _leaves(item):
    if isinstance(item, dict):
        for v in item.values():
            yield from _leaves(v)
    elif isinstance(item, list):
        for v in item:
            yield from _leaves(v)
    elif isinstance(item, (str, int, float)) and not isinstance(item, bool):
        yield item


def _as_spoken(leaf) -> str:
    """A leaf as a line would hold it, worked out independently of the engine's own code."""
    import unicodedata
    text = unicodedata.normalize("NFKC", str(leaf))
    text = "".join(ch for ch in text if ch.isspace() or unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    return " ".join(text.split()).lower()


@SETTINGS
@given(hostile_points, contexts)
def test_no_line_or_action_holds_invisible_characters_markup_or_a_sensitive_value(datapoint, context):
    import re
    import unicodedata
    result = ENGINE.suggest({"datapoint": datapoint, "context": context})
    spoken = all_texts(result)
    for text in spoken + [result["action"] or "", result["honest_answer"] or ""]:
        assert all(unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cn", "Zl", "Zp") for ch in text), text
        assert not re.search(r"\{\{|\}\}|\{%|%\}|\{#|#\}|<[/!?]?[A-Za-z]", text), text
    if result["decision"] in ("ask", "offer"):
        assert result["suggestions"], "an ask or offer always has a line"
    if result["category"] in SENSITIVE_CATEGORIES:
        for leaf in list(_leaves(datapoint["value"])) + [datapoint.get("label")]:
            needle = _as_spoken(leaf) if leaf is not None else ""
            if not needle or needle in NEUTRAL_WORDS:
                continue
            for text in spoken + [result["action"] or ""]:
                assert not re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", text.lower()), (needle, text)
UNSPEAKABLE = ["\u202e", "\u202d", "\u2066", "\u2069", "\u200b", "\u200c", "\u200d", "\ufeff", "\u2060",
               "\x00", "\x07", "\x1b", "\x7f", "\u0085", "{{ 7*7 }}", "{% if 1 %}x{% endif %}", "{# c #}",
               "<script>alert(1)</script>", "<b>", "}}", "{{"]
hostile = st.builds(lambda a, bad, b: a + bad + b, st.sampled_from(["", "aisle", "broadband", "gold ", "size"]),
                    st.sampled_from(UNSPEAKABLE), st.sampled_from(["", " seat", "x", " package"]))


def _unspeakable(text):
    import unicodedata
    return (any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp") for ch in text)
            or any(mark in text for mark in ("{{", "}}", "{%", "%}", "{#", "#}", "<script", "<b>")))


@SETTINGS
@given(st.fixed_dictionaries({"key": st.sampled_from(KNOWN_KEYS), "provenance": st.sampled_from(PROVENANCES)},
                             optional={"category": st.sampled_from(CATEGORIES)}),
       st.one_of(hostile, words), st.one_of(hostile, words, st.none()), contexts)
def test_no_spoken_line_holds_control_bidi_zero_width_or_template_syntax(datapoint, value, label, context):
    datapoint = {**datapoint, "value": value, **({"label": label} if label and label.strip() else {})}
    result = ENGINE.suggest({"datapoint": datapoint, "context": context})
    for text in all_texts(result) + [result["action"] or "", result["honest_answer"] or ""]:
        assert not _unspeakable(text), text
