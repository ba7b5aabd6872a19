"""The check holds up against disguised text, long input and sensitive rewrites."""
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tact import default_engine
from tact.check import default_checker, fold, rewrite, sentences

CHECK = default_checker()
PLAIN = "I can see you don't have auto insurance with us."


# ---------------------------------------------------------------- evasion

@pytest.mark.parametrize("disguised", [
    "I can s\u200bee you don't have auto insurance with us.",          # zero-width space
    "I can se\u00ade you don't have auto insurance with us.",           # soft hyphen
    "I can s\u0435e you don't have auto insurance with us.",            # Cyrillic e
    "I can se\u0301e you don't have auto insurance with us.",           # combining accent
    "\uff29 \uff43\uff41\uff4e \uff53\uff45\uff45 you don't have auto insurance with us.",   # fullwidth
    "I can \u202esee\u202c you don\u2019t have auto insurance with us.",  # bidi controls, curly apostrophe
    "\u0399 c\u03b1n s\u03b5e you don't have auto insurance with us.",        # Greek capital iota, alpha, epsilon
])
def test_look_alikes_do_not_hide_a_frame(disguised):
    result = CHECK.check(disguised)
    assert result.revealing
    assert any(f["rule"] == "records-frame" for f in result.findings)
    for f in result.findings:
        assert disguised[f["start"]:f["end"]] == f["match"]      # offsets into the text as written
    assert result.rewrite == "Do you have auto insurance with us?"


invisible = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u202a", "\u202c",
                             "\u2066", "\u2069", "\u0301", "\u0308"])
look_alike = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "c": "\u0441", "p": "\u0440", "i": "\u0456",
              "y": "\u0443", "x": "\u0445"}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.booleans(), invisible, st.booleans(), st.booleans()), min_size=len(PLAIN),
                max_size=len(PLAIN)))
def test_any_disguise_of_a_revealing_line_still_reveals(edits):
    """Insert invisibles, swap in Cyrillic look-alikes and fullwidth forms anywhere: same verdict, same rules."""
    out = []
    for ch, (insert, mark, swap, wide) in zip(PLAIN, edits):
        if swap and ch in look_alike:
            ch = look_alike[ch]
        elif wide and "!" <= ch <= "~":
            ch = chr(ord(ch) + 0xFEE0)
        out.append(ch + (mark if insert else ""))
    text = "".join(out)
    result = CHECK.check(text)
    assert fold(text)[0] == PLAIN
    assert {f["rule"] for f in result.findings} == {"records-frame", "held-data-statement"}
    for f in result.findings:
        assert text[f["start"]:f["end"]] == f["match"]


def test_engine_guard_reads_look_alikes_too():
    """A label that carries a disguised records frame cannot get into a suggestion."""
    label = "auto insurance - I c\u0430n s\u200bee y\u043eu don\u2019t have it"
    request = {"datapoint": {"key": "policy.auto", "value": "none", "label": label, "category": "product_holding",
                             "provenance": "account_record", "consent": ["service", "marketing"]},
               "context": {"channel": "phone", "industry": "insurance", "stage": "wrap_up", "issue_resolved": True,
                           "receptiveness": "high"}}
    result = default_engine().suggest(request)
    texts = [s["text"] for s in result["suggestions"]] + [s["text"] for lv in result["alternatives"].values()
                                                          for s in lv]
    assert texts, "the plain phrasings that do not use the label still come back"
    assert not any("i can see" in fold(t)[0].lower() for t in texts), texts


# ---------------------------------------------------------------- linear time

CHECK.check("Mr. Smith called at 3 p.m. and asked. ok?!")      # load NLTK's Punkt and lemminflect before timing


def _seconds(text: str) -> float:
    CHECK.cache_clear()
    start = time.perf_counter()
    CHECK.check(text)
    return time.perf_counter() - start


def _best(text: str, runs: int = 3) -> float:
    return min(_seconds(text) for _ in range(runs))


def _best_pair(small: str, big: str, runs: int = 5) -> tuple[float, float]:
    """Best of `runs` for each, timed in turn so both see the same (shared, noisy) machine."""
    times = [(_seconds(small), _seconds(big)) for _ in range(runs)]
    return min(t[0] for t in times), min(t[1] for t in times)


@pytest.mark.parametrize("unit", ["you ", "I can see you ", "your your, ", "You usually "])
def test_time_grows_linearly(unit):
    """Four times the text takes well under six times as long (quadratic would be sixteen)."""
    t_small, t_big = _best_pair(unit * (5000 // len(unit)), unit * (20000 // len(unit)))
    assert t_big < 6 * t_small + 0.05


def test_twenty_kilobytes_of_you_check_quickly():
    """The issue's case: {"text": "you " * 5000} was 7 s of CPU (about 0.1 s now on a quiet machine; the bound
    leaves room for a shared one)."""
    assert _best("you " * 5000) < 1.0
    assert _best("I can see you " * 1400) < 1.0


pathological = st.lists(st.sampled_from(["you", "your", "u", "ur", "I", "can", "see", "since", "as", ",", "and",
                                         "records", "show", "usually", "last", "week", "-", "(", "?", "."]),
                        min_size=1, max_size=8)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pathological)
def test_repeated_fragments_never_go_quadratic(parts):
    """Any short fragment repeated to 20 KB checks in bounded time, linear against a quarter of it
    (best of five runs each: the machine is shared)."""
    unit = " ".join(parts) + " "
    t_small, t_big = _best_pair(unit * (5000 // len(unit) + 1), unit * (20000 // len(unit) + 1))
    assert t_big < 1.0
    assert t_big < 6 * t_small + 0.05


# ---------------------------------------------------------------- safe rewrites

@pytest.mark.parametrize("text, reason", [
    ("I can see you're picking up your atorvastatin again.", "sensitive"),
    ("Our records show you collected your sertraline last week.", "sensitive"),
    ("Would you like water for your medication?", "sensitive"),
    ("Customers like you are flagged as high value.", "no-question"),
])
def test_no_rewrite_names_sensitive_data_and_the_response_says_why(text, reason):
    result = CHECK.check(text)
    assert result.revealing and result.rewrite is None
    assert result.rewrite_withheld["reason"] == reason and result.rewrite_withheld["message"]
    assert result.to_dict()["rewrite_withheld"] == result.rewrite_withheld


def test_a_rewrite_never_carries_a_sensitive_term_even_unaddressed():
    from tact.check.rules import load_rules
    from tact.check import Checker
    rules = [r for r in load_rules() if r.id != "sensitive"] + [r for r in load_rules() if r.id == "sensitive"]
    checker = Checker(rules)
    # the sensitive rule switched off for this call: the rewrite still must not name the medicine
    result = checker.check("I can see you're picking up your atorvastatin again.", None, ["sensitive"])
    assert result.revealing and result.rewrite is None
    assert result.rewrite_withheld["reason"] == "names-sensitive"


@pytest.mark.parametrize("text, rewrite", [
    ("I can see you're picking up your prescription again.", "Are you picking up your prescription?"),
    ("I see you bought a kettle last week.", "Did you buy a kettle recently?"),
    ("You've flown with us three times this year.", "Have you flown with us recently?"),
    ("Our records show you always order the fish again.", "Do you always order the fish?"),
])
def test_rewrites_agree_in_tense(text, rewrite):
    """'recently' only with a past or perfect question; a present one drops the time words."""
    assert CHECK.check(text).rewrite == rewrite


@pytest.mark.parametrize("text, frame", [
    ("Acording to our recrods, you moved house in May.", "Acording to our recrods"),
    ("accourding to ur reocrds u moved in may", "accourding to ur reocrds"),
])
def test_common_misspellings_are_corrected_before_matching(text, frame):
    """The rules are written in plain spelling; the matches point at the words as typed."""
    result = CHECK.check(text)
    assert result.revealing
    assert any(f["rule"] == "records-frame" and f["match"] == frame for f in result.findings), result.findings
    for f in result.findings:
        assert text[f["start"]:f["end"]] == f["match"]


# ---------------------------------------------------------------- shortcuts taken for speed

sentence_like = st.text(st.sampled_from("ab .!?\"')\t\u00a0AZ,\u0130"), min_size=1, max_size=12)


@given(sentence_like)
@settings(max_examples=400, deadline=None)
def test_a_line_taken_as_one_sentence_splits_as_the_full_splitter_would(line):
    """Most lines skip the sentence-break patterns and Punkt; the spans must be the ones they would give."""
    if not line.strip():
        return
    fast = sentences._line_spans(line)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sentences, "_one_sentence", lambda _: False)
        full = sentences._line_spans(line)
    assert fast == full


@given(st.lists(st.sampled_from(list("abc ") + ["Last ", "WEEK", "since ", "Mondays", "two ", "cats", "usually ",
                                                "flagged", "in ", "May", "\u0130", "\u212a"]), max_size=12).map("".join))
@settings(max_examples=400, deadline=None)
def test_rewrite_time_phrases_read_on_the_lower_case_text_match_as_case_insensitive_ones(text):
    """The rewrite's time, count and habit phrases run on the lower-cased text for speed: same result as
    IGNORECASE on any casing."""
    for pattern in (rewrite._RECENT, rewrite._HABIT_WHEN, rewrite._FOR_A_WHILE, rewrite._SINCE_POSITIVE,
                    rewrite._COUNT, rewrite._HABIT, rewrite._NO_QUESTION):
        assert pattern.subn(" X", text) == pattern.any_case.subn(" X", text)
        assert pattern.sub(" X", text, count=1) == pattern.any_case.sub(" X", text, count=1)
