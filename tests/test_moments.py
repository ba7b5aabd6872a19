"""Lines chosen for the moment: channel kind, stage, customer state, value meaning, what the customer said."""
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tact.engine import Engine, default_engine
from tact.lint import lint_paths
from tact.model import CHANNELS
from tact.moment import KINDS, channel_kind, pattern, read_value
from tact.phrasebook import collect
from tact.render import be, indefinite, subject

ENGINE = default_engine()
AUTO_GAP = {"key": "policy.auto", "value": "none", "provenance": "account_record", "consent": ["service"]}


def suggest(datapoint, **context):
    return ENGINE.suggest({"datapoint": datapoint, "context": {"channel": "phone", **context}})


def texts(result):
    return [s["text"] for s in result["suggestions"]] + \
        [s["text"] for group in result["alternatives"].values() for s in group]


def write_book(tmp_path, body, name="book.yaml"):
    (tmp_path / name).write_text(textwrap.dedent(body))
    return tmp_path


TOPIC = """\
topics:
  - id: shop.points
    keys: [shop.points]
    category: loyalty
    purpose: service
    decision: offer
    honest_answer: "It's on your card."
    phrasings:
      low: ["Points today?"]
      medium:
        - "Would you like to use your points?"
        - {fits: {channel: in_person}, text: "Would you like to use your points before you pay?"}
        - {fits: {channel: in_person, stage: wrap_up}, text: "Before you go, shall we put your points towards this?"}
        - {fits: {channel: in_person}, text: "Shall I take your points off at the till?"}
      high: ["Lovely to see you! Shall I check what your points could get you?"]
"""


def points(engine, history=(), **context):
    request = {"datapoint": {"key": "shop.points", "value": 300, "provenance": "account_record"},
               "context": {"receptiveness": "medium", **context,
                           "history": [{"topic": "shop.points", "event": "shown", "suggestion_id": sid}
                                       for sid in history]}}
    return engine.suggest(request)


def test_every_contract_channel_has_a_kind():
    assert {channel_kind(c) for c in CHANNELS} == set(KINDS)
    assert channel_kind("video") == "phone" and channel_kind("store") == "in_person"
    assert channel_kind("sms") == "written"


def test_the_best_fitting_line_comes_first_and_ties_keep_file_order(tmp_path):
    engine = Engine([str(write_book(tmp_path, TOPIC))])
    phone = [s["text"] for s in points(engine, channel="phone")["suggestions"]]
    assert phone == ["Would you like to use your points?"], "a till line never reaches the phone"
    shop = [s["text"] for s in points(engine, channel="store")["suggestions"]]
    assert shop[0] == "Would you like to use your points before you pay?"
    assert shop[1] == "Shall I take your points off at the till?"
    assert shop[-1] == "Would you like to use your points?"
    closing = points(engine, channel="in_person", stage="wrap_up", issue_resolved=True)["suggestions"]
    assert closing[0]["text"] == "Before you go, shall we put your points towards this?"


def test_a_key_whose_topics_are_for_other_channels_is_not_raised_there():
    result = suggest({"key": "savings.none", "value": True, "provenance": "account_record"},
                     channel="cabin", receptiveness="medium", bystanders=False)
    assert result["decision"] == "withhold" and result["topic"] is None
    assert [r["rule"] for r in result["reasons"]] == ["channel-fit"]
    roaming = suggest({"key": "roaming.recent", "value": "Lisbon", "provenance": "observed"}, channel="cabin")
    assert [r["rule"] for r in roaming["reasons"]] == ["sensitive-data"], "a sensitive reason is kept"


def test_a_line_already_shown_in_the_conversation_gives_way(tmp_path):
    engine = Engine([str(write_book(tmp_path, TOPIC))])
    first = points(engine, channel="in_person")["suggestions"][0]
    again = points(engine, channel="in_person", history=[first["id"]], conversation_id="c-1")["suggestions"]
    assert again[0]["text"] == "Shall I take your points off at the till?"
    assert again[-1]["id"] == first["id"], "a shown line stays available, last"
    every = [s["id"] for s in again]
    assert points(engine, channel="in_person", history=every)["suggestions"][0]["id"] == first["id"], \
        "when every fitting line was shown, the best one comes back rather than nothing"


@pytest.mark.parametrize("words, reason, expected", [
    (["My husband passed away last month and I need to sort his policy."], None, "condolence"),
    ([], "bereavement", "condolence"),
    (["There's been a flood, water everywhere, I'm terrified."], None, "reassure"),
    (["I'm absolutely furious, this is the third time."], None, "make-amends"),   # resolved: no "let's put it right"
])
def test_a_customer_in_distress_or_bereaved_gets_empathy_never_anything_else(words, reason, expected):
    result = suggest(AUTO_GAP, stage="wrap_up", issue_resolved=True, customer_utterances=words, reason=reason)
    assert result["decision"] == "withhold"
    assert result["guidance"]["moment"] == expected and result["guidance"]["say_nothing"] is False
    assert result["suggestions"] and all("anything else" not in t.lower() for t in texts(result))
    assert "sorry" in result["suggestions"][0]["text"].lower()


def test_a_moment_line_is_said_once_a_conversation():
    context = {"stage": "wrap_up", "issue_resolved": True, "reason": "bereavement", "conversation_id": "c-9"}
    first = suggest(AUTO_GAP, **context)
    shown = [{"topic": "insurance.auto-gap", "event": "shown", "suggestion_id": first["suggestions"][0]["id"]}]
    again = suggest({**AUTO_GAP, "key": "policy.home"}, **context, history=shown)
    assert again["guidance"]["moment"] == "condolence" and again["guidance"]["say_nothing"] is True
    assert again["suggestions"] == [] and "Already said" in again["guidance"]["message"]


def test_before_the_issue_is_resolved_the_agent_keeps_helping():
    result = suggest({**AUTO_GAP, "consent": ["service", "marketing"]}, stage="resolution", issue_resolved=False,
                     receptiveness="medium")
    assert result["decision"] == "defer" and result["suggestions"] == []
    assert result["guidance"] == {"moment": "keep-helping", "say_nothing": True,
                                  "message": result["guidance"]["message"]}
    assert "keep helping" in result["guidance"]["message"].lower()


@pytest.mark.parametrize("channel, greeting", [
    ("chat", "Thanks for getting in touch. How can I help today?"),
    ("phone", "Thanks for calling. How can I help today?"),
    ("store", "Hello, what can I do for you today?"),
    ("cabin", "Welcome aboard. Just let me know if you need anything."),
])
def test_at_the_opening_a_greeting_fit_for_the_channel(channel, greeting):
    result = suggest(AUTO_GAP, channel=channel, stage="opening", receptiveness="medium")
    assert result["guidance"]["moment"] == "greet"
    assert result["suggestions"][0]["text"] == greeting


def test_the_stock_close_only_at_a_resolved_wrap_up():
    closed = suggest(AUTO_GAP, stage="wrap_up", issue_resolved=True, receptiveness="medium")
    assert closed["guidance"]["moment"] == "close"
    assert closed["suggestions"][0]["text"] == "Is there anything else I can help with today?"
    shop_floor = suggest(AUTO_GAP, channel="in_person", receptiveness="high", stage="wrap_up", issue_resolved=True)
    assert "while you're here" in shop_floor["suggestions"][0]["text"]
    aisle = suggest(AUTO_GAP, channel="cabin", receptiveness="medium")
    assert aisle["guidance"]["moment"] == "carry-on" and aisle["suggestions"] == []


def test_a_customer_in_a_hurry_is_let_go_at_the_end_not_asked_for_more():
    result = suggest(AUTO_GAP, stage="wrap_up", issue_resolved=True, receptiveness="medium",
                     customer_utterances=["Great, that's done.", "I'm in a hurry, got to go."])
    assert result["guidance"]["moment"] == "let-go"
    assert result["suggestions"][0]["text"] == "I'll let you get on. Thanks for calling."


def test_a_used_data_point_carries_no_guidance():
    result = suggest({"key": "policy.auto", "value": "none", "provenance": "account_record"},
                     stage="wrap_up", issue_resolved=True, receptiveness="medium")
    assert result["decision"] == "ask" and result["guidance"] is None


def test_what_the_customer_already_said_is_built_on_not_asked_again():
    connection = {"key": "connection.tight", "value": "35 minutes", "provenance": "account_record"}
    plain = suggest(connection, channel="cabin", receptiveness="medium")
    assert plain["suggestions"][0]["text"].startswith("Are you catching a connecting flight")
    worried = suggest(connection, channel="cabin", receptiveness="medium",
                      customer_utterances=["I\u2019m so worried I\u2019ll miss my ONWARD flight to Lima."])
    assert worried["decision"] == "offer"
    assert not any("Are you" in t or "Connecting today?" in t for t in texts(worried))
    assert "that connection" in worried["suggestions"][0]["text"]


def test_a_problem_just_reported_with_the_thing_defers_the_topic():
    frother = {"key": "purchase.recent", "value": "milk frother", "provenance": "transaction"}
    result = suggest(frother, channel="chat", receptiveness="medium",
                     customer_utterances=["Hello", "the frother I got last week broke already"])
    assert result["decision"] == "defer" and [r["rule"] for r in result["reasons"]] == ["problem-first"]
    assert result["suggestions"] == [] and result["guidance"]["say_nothing"] is True
    resolved = suggest(frother, channel="chat", receptiveness="medium", issue_resolved=True,
                       customer_utterances=["the frother broke", "great, thanks for the replacement"])
    # Once it is put right, the purchase was the conversation: no after-sales question about it on top.
    assert resolved["decision"] == "withhold" and resolved["reasons"][0]["rule"] == "already-dealt-with"


@pytest.mark.parametrize("value, meaning", [
    (None, "missing"), (False, "missing"), (0, "missing"), ("none", "missing"), (" No ", "missing"),
    ("lapsed in March", "missing"), (True, "held"), ("active", "held"), (3, "held"),
    ("late delivery", "problem"), ("complaint about noise", "problem"), ("prefers evenings", "preference"),
])
def test_values_are_read_for_what_they_mean(value, meaning):
    assert read_value(value, ENGINE.book.value_readings) == meaning


def test_a_reading_can_belong_to_some_categories():
    readings = ENGINE.book.value_readings
    assert read_value("cancelled", readings, "product_holding") == "missing"
    assert read_value("cancelled", readings, "service_history") == "problem"


@pytest.mark.parametrize("label, value, first", [
    ("broadband package", "none", "Do you have a broadband package at the moment?"),
    ("broadband package", "active", "Is your broadband package still working well for you?"),
    ("breakdown cover", False, "Do you have breakdown cover at the moment?"),
    ("contact lenses", True, "Are your contact lenses still working well for you?"),
    ("extended warranty", "none", "Do you have an extended warranty at the moment?"),
])
def test_catch_all_lines_say_the_label_grammatically_and_read_the_value(label, value, first):
    result = suggest({"key": "misc.thing", "value": value, "label": label, "category": "product_holding",
                      "provenance": "account_record"}, stage="wrap_up", issue_resolved=True, receptiveness="medium")
    assert result["suggestions"][0]["text"] == first


def test_preference_catch_alls_use_the_label_and_differ_by_tone():
    result = suggest({"key": "shop.size", "value": "M", "label": "size preference", "category": "preference",
                      "provenance": "observed"}, channel="in_person", receptiveness="medium")
    lines = [result["suggestions"][0]["text"]] + [result["alternatives"][lv][0]["text"] for lv in ("low", "high")]
    assert lines[0] == "Which size would suit you best?"
    assert all("size" in line for line in lines) and len(set(lines)) == 3


def test_service_history_is_not_always_a_complaint():
    def top(value):     # the customer got in touch about their last contact, so it is theirs to follow up
        return suggest({"key": "crm.last_contact", "value": value, "category": "service_history",
                        "provenance": "account_record"}, reason="last_contact",
                       receptiveness="medium")["suggestions"][0]["text"]
    assert "sorted" in top("complaint about late delivery")
    assert "sorted" not in top("new router installed") and "pick up" in top("new router installed")


def test_label_filters():
    assert indefinite("savings account") == "a savings account" and indefinite("home insurance") == "home insurance"
    assert indefinite("glasses") == "glasses" and indefinite("upgrade") == "an upgrade"
    assert be("contact lenses") == "are" and be("broadband") == "is"
    assert subject("seat preference") == "seat" and subject("preferred branch") == "branch"


@pytest.mark.parametrize("fits, message", [
    ("{channel: chat}", "unknown channel kind 'chat' (kinds: phone, in_person, written, cabin, spoken); "
                        "the chat channel is the 'written' kind"),
    ("{stage: wrapup}", "unknown stage 'wrapup'; did you mean 'wrap_up'?"),
    ("{resolved: maybe}", "'resolved' must be true or false; got text"),
    ("{chanel: phone}", "unknown key 'chanel'; did you mean 'channel'?"),
    ("{state: grieving}", "fits state 'grieving', which no phrasebook defines"),
])
def test_fits_is_validated_strictly_with_file_line_col(tmp_path, fits, message):
    body = TOPIC.replace('"Would you like to use your points?"', "{fits: %s, text: \"Points?\"}" % fits)
    _, problems = collect([str(write_book(tmp_path, body))])
    errors = [p for p in problems if p.severity == "error"]
    assert errors and message in errors[0].message
    assert errors[0].file.endswith("book.yaml") and errors[0].line == 11 and errors[0].col > 1


def test_a_moment_says_something_or_nothing_not_both(tmp_path):
    body = """\
    moments:
      - id: odd
        message: Both.
        say_nothing: true
        phrasings: {low: [a], medium: [b], high: [c]}
    """
    _, problems = collect([str(write_book(tmp_path, body))])
    assert any("either 'phrasings'" in p.message and p.line == 2 for p in problems)


def test_the_old_neutral_lines_load_with_a_warning_that_says_what_replaced_them(tmp_path):
    book, problems = collect([str(write_book(tmp_path, "neutral:\n  low: [Anything else?]\n"))])
    assert [(p.severity, p.line, p.rule) for p in problems if "neutral" in p.message] == \
        [("warning", 1, "neutral-replaced")]
    assert "write 'moments' instead" in problems[0].message and book.moments == ()


def test_lint_warns_when_a_channel_kind_has_no_line(tmp_path):
    body = TOPIC.replace('low: ["Points today?"]', 'low: [{fits: {channel: in_person}, text: "Points today?"}]')
    problems = lint_paths([str(write_book(tmp_path, body))])
    coverage = [p for p in problems if p.rule == "channel-coverage"]
    assert len(coverage) == 1 and coverage[0].severity == "warning"
    assert "no 'low' line for phone, written, cabin" in coverage[0].message
    limited = body.replace("    purpose: service\n", "    purpose: service\n    channels: [in_person]\n")
    assert not [p for p in lint_paths([str(write_book(tmp_path, limited))]) if p.rule == "channel-coverage"]


def test_lint_flags_completion_claims_in_confirm_lines(tmp_path):
    body = TOPIC.replace("    decision: offer\n", "    decision: apply_silently\n    action: Apply the points.\n"
                                                   "    confirm: \"It's all arranged for you.\"\n")
    claims = [p for p in lint_paths([str(write_book(tmp_path, body))]) if p.rule == "completion-claim"]
    assert claims and claims[0].severity == "error" and "It's all arranged" in claims[0].message


def test_lint_warns_when_moments_leave_a_gap(tmp_path):
    problems = lint_paths([str(write_book(tmp_path, TOPIC))])
    gap = [p for p in problems if p.rule == "moment-coverage"]
    assert gap and "say nothing" in gap[0].message


def test_bundled_moments_cover_every_moment():
    assert not [p for p in lint_paths() if p.rule in ("moment-coverage", "channel-coverage")]


def test_tones_must_differ_within_the_same_moment_too(tmp_path):
    body = TOPIC.replace('high: ["Lovely to see you! Shall I check what your points could get you?"]',
                         'high: ["Lovely to see you! Shall I check what your points could get you?", '
                         '{fits: {channel: in_person}, text: "Shall I take your points off at the till?"}]')
    same = [p for p in lint_paths([str(write_book(tmp_path, body))]) if p.rule == "tones-differ"]
    assert len(same) == 1 and "'high' repeats a 'medium' phrasing" in same[0].message and same[0].line == 15 and same[0].col > 80


# Wording that only makes sense in some channel kinds: where it must never be said.
OUT_OF_PLACE = {
    "before you pay": ("phone", "written", "cabin"), "here's your key": ("phone", "written", "cabin"),
    "while you're here": ("phone", "written", "cabin"), "this stay": ("phone", "written"),
    "see you": ("phone", "written"), "while you're on": ("in_person", "written", "cabin"),
    "while i have you": ("in_person", "written", "cabin"), "aboard": ("phone", "written"),
    "take off": ("phone", "written", "in_person"), "tonight": ("phone", "written"),
    "while we're chatting": ("phone", "in_person", "cabin"),
}
SAMPLE_CHANNEL = {"phone": "phone", "written": "chat", "in_person": "store", "cabin": "cabin"}


@pytest.mark.parametrize("kind", KINDS)
def test_no_bundled_line_uses_wording_out_of_place_for_the_channel(kind):
    wrong = []
    for topic in ENGINE.book.topics.values():
        key = topic.keys[0] if topic.keys else "example.thing"
        for stage in (None, "discovery", "wrap_up"):
            for provenance in ("account_record", "customer_said"):
                datapoint = {"key": key, "value": topic.example.get("value", "example"), "provenance": provenance,
                             "consent": ["service", "marketing"]}
                if topic.generic:
                    datapoint["category"] = topic.categories[0]
                context = {"channel": SAMPLE_CHANNEL[kind], "receptiveness": "medium", "bystanders": False,
                           **({"stage": stage, "issue_resolved": stage == "wrap_up"} if stage else {})}
                result = ENGINE.suggest({"datapoint": datapoint, "context": context})
                for text in texts(result):
                    wrong += [(topic.id, text) for phrase, kinds in OUT_OF_PLACE.items()
                              if kind in kinds and phrase in text.lower()]
    assert not wrong


def test_a_broken_lint_rule_file_is_reported_with_its_place(tmp_path):
    (tmp_path / "lint").mkdir()
    (tmp_path / "lint" / "rules.yaml").write_text(
        "rules:\n  - id: x\n    message: m\n    applies_to: [confirms]\n    patterns: ['(']\n"
        "    examples: {flag: ['no match here']}\n")
    write_book(tmp_path, TOPIC)
    found = {(p.rule, p.line) for p in lint_paths([str(tmp_path)]) if p.file.endswith("rules.yaml")}
    assert ("lint-rule", 4) in found and ("lint-rule", 5) in found


# ---------------------------------------------------------------- word lists as one tree-shaped pattern

def _plain_alternation(words):
    """The word-list pattern written the obvious way: each word a branch of its own."""
    import re
    parts = [re.escape(w[:-1].lower()) + r"[a-z'’]*" if w.endswith("*") else re.escape(w.lower()) for w in words]
    return re.compile(r"(?<![a-z])(?:" + "|".join(parts) + r")(?![a-z])")


_WORD_PARTS = st.sampled_from(["con", "connect", "ion", "ing", "s", "a", "b", "'", "’", " ", "x", "-", "é"])
_WORDS = st.lists(st.builds("".join, st.lists(_WORD_PARTS, min_size=1, max_size=4))
                  .filter(lambda w: w.strip()).map(lambda w: w.strip()), min_size=1, max_size=6)


@settings(max_examples=400, deadline=None)
@given(_WORDS, st.lists(st.booleans(), min_size=6, max_size=6),
       st.builds("".join, st.lists(st.sampled_from(["con", "connect", "ion", "ing", "s", "a", "b", "'", "’", " ",
                                                     "x", "-", "é", "C", ".", "A"]), max_size=10)))
def test_a_word_list_is_heard_where_any_of_its_words_is(words, open_ended, text):
    words = tuple(w + "*" if star else w for w, star in zip(words, open_ended))
    assert bool(pattern(words).search(text.lower())) == bool(_plain_alternation(words).search(text.lower()))


ASKED_TOPIC = TOPIC.replace('''      high: ["Lovely to see you! Shall I check what your points could get you?"]''', '''      high:
        - "Lovely to see you! Shall I check what your points could get you?"
        - {fits: {channel: in_person}, text: "Lovely to see you! Shall I put your points towards this?"}
        - {fits: {asked: true}, text: "You've got {{ value | figure }} points on your card. Would you like to use some?"}''')


def test_a_question_about_the_thing_is_answered_first_and_judged_as_an_answer(tmp_path):
    engine = Engine([str(write_book(tmp_path, ASKED_TOPIC))])
    asked = points(engine, channel="in_person", receptiveness="high",
                   customer_utterances=["How many points have I got?"])
    # Listed last, with fewer conditions than the till line: it still comes first, because it answers them.
    assert asked["suggestions"][0]["text"] == "You've got 300 points on your card. Would you like to use some?"
    told = points(engine, channel="in_person", receptiveness="high",
                  customer_utterances=["I'd like to pay for these, please."])
    assert told["suggestions"][0]["text"] == "Lovely to see you! Shall I put your points towards this?"
    assert all("300" not in t for t in texts(told)), "the balance is said only when they ask for it"


def test_what_only_waited_is_answered_when_the_customer_asks_about_it():
    contract = {"key": "contract.end", "value": "2026-10-31", "provenance": "account_record"}
    waiting = suggest(contract, industry="telecom", stage="discovery", receptiveness="medium")
    assert waiting["decision"] == "defer"
    asked = suggest(contract, industry="telecom", stage="discovery", receptiveness="medium",
                    customer_utterances=["Am I out of contract yet?"])
    assert asked["decision"] == "offer" and [r["rule"] for r in asked["reasons"]] == ["customer-asked"]
    assert "31 October 2026" in asked["suggestions"][0]["text"]
    refused = suggest(contract, industry="telecom", stage="discovery", do_not_market=True,
                      customer_utterances=["Am I out of contract yet?"])
    assert refused["decision"] == "withhold", "a question sets aside waiting, never an opt-out"


@pytest.mark.parametrize("words, state", [
    (["Why has my bill gone up?"], None),
    (["Hi, I think I typed the wrong postcode, can I change it?"], None),
    (["This is ridiculous, I've been waiting three weeks."], "apologise"),
    (["I'm really worried I'll lose my deposit."], "steady"),
])
def test_apologies_are_for_upset_customers_not_calm_ones(words, state):
    result = suggest(AUTO_GAP, stage="resolution", customer_utterances=words)
    assert result["guidance"]["moment"] == (state or "keep-helping")
    assert bool(result["suggestions"]) is (state is not None)
    assert all("sorry" not in t.lower() for t in texts(result)) or state == "apologise"


def test_mid_problem_a_service_offer_waits_and_a_quiet_action_is_done_without_its_line():
    welcome = suggest({"key": "loyalty.tier", "value": "gold", "provenance": "account_record"}, industry="airline",
                      stage="discovery", receptiveness="medium", customer_utterances=["My bag never arrived."])
    assert welcome["decision"] == "defer" and welcome["reasons"][0]["rule"] == "their-issue-first"
    seat = suggest({"key": "seat.preference", "value": "aisle", "provenance": "customer_stated"}, industry="airline",
                   stage="discovery", customer_utterances=["My flight was cancelled."])
    assert seat["decision"] == "apply_silently" and "aisle" in seat["action"]
    assert seat["suggestions"] == [] and seat["guidance"]["moment"] == "keep-helping"
    calm = suggest({"key": "seat.preference", "value": "aisle", "provenance": "customer_stated"}, industry="airline",
                   stage="discovery", customer_utterances=["I'd like to book Rome in May."])
    assert calm["suggestions"][0]["text"].startswith("I'll get your seat sorted")


def test_a_state_that_defers_is_validated(tmp_path):
    body = TOPIC + "states:\n  - id: cross\n    words: [cross]\n    defers: sometimes\n"
    _, problems = collect([str(write_book(tmp_path, body))])
    errors = [p.message for p in problems if p.severity == "error"]
    assert any("'defers' must be one of always, open; got 'sometimes'" in m for m in errors)
