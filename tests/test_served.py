"""Serve what the customer came for (issue 8): a data point that serves the customer's own request is that
request, helped with now; operational data that explains what they report is told plainly; a need they raised
gets a line that answers it; a perk answers the question they asked. Each case is a kind a coach would
recognise, across industries, never one scenario's wording."""
import pytest

from tact.engine import default_engine
from tact.errors import PhrasebookError
from tact.phrasebook import load


def suggest(datapoint: dict, **context) -> dict:
    ctx = {"channel": "phone", "stage": "discovery", "issue_resolved": False, "receptiveness": "medium", **context}
    return default_engine().suggest({"datapoint": {"provenance": "account_record", **datapoint}, "context": ctx})


def top(result: dict) -> str:
    return result["suggestions"][0]["text"] if result["suggestions"] else ""


def rules(result: dict) -> set[str]:
    return {r["rule"] for r in result["reasons"]}


# ---------------------------------------------------------------- 1. the need is the request itself

@pytest.mark.parametrize("datapoint, context, expected", [
    # A product the customer asks a price for, across two turns, with only service consent.
    ({"key": "policy.auto", "value": "none", "consent": ["service"]},
     {"industry": "insurance", "customer_utterances": ["My car's insured with someone else at the moment.",
                                                       "How much would you charge for it? Can I get a quote?"]},
     "quote"),
    ({"key": "policy.home", "value": "none", "consent": ["service"]},
     {"channel": "chat", "industry": "insurance", "customer_utterances": ["could you quote me for my flat as well?"]},
     "quote"),
    # Setting out to buy a home, with no mortgage on file, at a building society that has no phrasebook.
    ({"key": "loans.mortgage", "label": "mortgage", "value": "none", "category": "product_holding"},
     {"channel": "in_person", "industry": "building_society",
      "customer_utterances": ["We're first-time buyers and we've just started looking at flats."]},
     "borrow"),
    # Wanting to save, with no savings account.
    ({"key": "savings.none", "value": True},
     {"industry": "banking", "customer_utterances": ["I'd like to start putting some money away each month."]},
     "savings account"),
    # A discount card that would bring down the price of the ticket being bought, at a ferry desk.
    ({"key": "ferry.discount_card", "label": "discount card", "value": "none", "category": "product_holding"},
     {"channel": "in_person", "industry": "ferry", "customer_utterances": ["A day return for one foot passenger, please."]},
     "discount card"),
])
def test_a_product_the_customer_asks_for_is_served_now_not_deferred(datapoint, context, expected):
    result = suggest(datapoint, **context)
    assert result["decision"] in ("ask", "offer"), result["reasons"]
    assert "serves-their-request" in rules(result)
    assert expected in top(result).lower()
    assert "i can see" not in top(result).lower() and "don't have" not in top(result).lower()


def test_the_same_product_with_nothing_asked_still_waits_and_needs_consent():
    waits = suggest({"key": "policy.auto", "value": "none"}, industry="insurance", reason="billing_question",
                    customer_utterances=["Why has my direct debit changed?"])
    assert waits["decision"] == "defer" and "resolve-first" in rules(waits)
    no_consent = suggest({"key": "policy.auto", "value": "none", "consent": ["service"]}, industry="insurance",
                         stage="wrap_up", issue_resolved=True, customer_utterances=["Thanks, that's all sorted."])
    assert no_consent["decision"] == "withhold" and "consent-binds" in rules(no_consent)


def test_a_customer_asking_for_recommendations_is_asked_what_they_fancy_and_their_history_is_never_quoted():
    result = suggest({"key": "reading.history", "label": "reading history", "value": "Nordic noir",
                      "category": "behaviour", "provenance": "observed"},
                     channel="chat", industry="bookshop",
                     customer_utterances=["any suggestions for my next read?"])
    assert result["decision"] == "ask" and "mood" in top(result)
    assert "nordic" not in top(result).lower() and "history" not in top(result).lower()


# ---------------------------------------------------------------- 2. operational data that explains the problem

@pytest.mark.parametrize("datapoint, context, expected", [
    ({"key": "network.outage", "label": "local outage", "value": {"eta": "4 pm"}, "category": "operational"},
     {"industry": "telecom", "customer_utterances": ["My internet has stopped working and I work from home."]},
     "by 4 pm"),
    ({"key": "supply.interruption", "label": "supply interruption", "value": {"eta": "midnight"},
      "category": "operational"},
     {"channel": "sms", "industry": "water", "customer_utterances": ["no water AGAIN?! this is a joke, whats happening"]},
     "by midnight"),
    ({"key": "grid.fault", "label": "network fault", "value": "engineers on site", "category": "operational"},
     {"channel": "chat", "industry": "energy", "customer_utterances": ["the power's gone off in our whole street"]},
     "known fault"),
])
def test_a_known_fault_is_told_to_the_customer_who_reports_it_even_upset(datapoint, context, expected):
    result = suggest(datapoint, **context)
    assert result["decision"] == "offer", result["reasons"]
    assert expected in top(result)
    assert "system" not in top(result).lower() and "postcode" not in top(result).lower()


@pytest.mark.parametrize("datapoint, context, expected", [
    ({"key": "meter.overnight_use", "label": "overnight use", "value": "continuous flow", "category": "usage",
      "provenance": "observed"},
     {"industry": "water", "customer_utterances": ["Our water bill is far higher than it should be."]},
     "dripping tap"),
    ({"key": "meter.consumption", "label": "consumption", "value": "doubled on usual", "category": "usage",
      "provenance": "observed"},
     {"channel": "chat", "industry": "energy", "customer_utterances": ["my bill has doubled, how??"]},
     "what's behind it"),
])
def test_a_usage_pattern_behind_a_bill_prompts_a_question_about_the_likely_cause_never_the_watching(
        datapoint, context, expected):
    result = suggest(datapoint, **context)
    assert result["decision"] in ("ask", "offer") and expected in top(result)
    for word in ("night", "flow", "meter", "doubled", "we can see", "plan still"):
        assert word not in top(result).lower()


def test_a_priority_register_flag_in_a_power_cut_gives_staff_a_welfare_check_and_says_nothing_of_why():
    flag = {"key": "customer.priority_register", "label": "priority register", "value": "home oxygen",
            "category": "health"}
    cut = suggest(flag, industry="energy", customer_utterances=["We've got no power at all.", "When's it back on?"])
    assert cut["decision"] == "withhold" and cut["action"] and "safe" in cut["action"]
    assert "oxygen" not in cut["action"] and not any("oxygen" in s["text"] for s in cut["suggestions"])
    other = suggest(flag, industry="energy", customer_utterances=["Can I move my payment date?"])
    assert other["decision"] == "withhold" and other["action"] is None


# ---------------------------------------------------------------- 3. lines that answer the need raised

@pytest.mark.parametrize("datapoint, context, expected, never", [
    ({"key": "passenger.condition", "value": "diabetic, feeling faint", "category": "health",
      "provenance": "customer_said"},
     {"channel": "cabin", "industry": "airline", "bystanders": True,
      "customer_utterances": ["I'm diabetic and a bit light-headed. Could I get some juice?"]},
     "bring that", "diabet"),
    ({"key": "customer.medicine", "value": "statins", "category": "medication", "provenance": "customer_said"},
     {"channel": "in_person", "industry": "pharmacy",
      "customer_utterances": ["I take statins. Is it okay to take this cough syrup with them?"]},
     "pharmacist", "statin"),
    ({"key": "customer.nursing", "value": "breastfeeding", "category": "pregnancy", "provenance": "customer_said"},
     {"channel": "video", "industry": "pharmacy",
      "customer_utterances": ["I'm breastfeeding. What can I take for a sore throat?"]},
     "pharmacist", "breastfeed"),
    ({"key": "customer.faith", "value": "no interest for religious reasons", "category": "religion",
      "provenance": "customer_said"},
     {"channel": "chat", "industry": "banking",
      "customer_utterances": ["My faith means I can't earn interest on savings. Is there an account for that?"]},
     "interest", "faith"),
    ({"key": "member.injury", "value": "broken ankle", "category": "health", "provenance": "customer_said"},
     {"channel": "in_person", "industry": "climbing_centre",
      "customer_utterances": ["I've broken my ankle, so I won't be able to come for a few months."]},
     "pause your membership", "ankle"),
    ({"key": "buyer.pregnancy", "value": "baby due in June", "category": "pregnancy", "provenance": "customer_said"},
     {"industry": "letting_agent",
      "customer_utterances": ["We've got a baby due in June, so we need an extra bedroom."]},
     "congratulations", "june"),
])
def test_a_need_the_customer_raised_gets_a_line_that_answers_their_request(datapoint, context, expected, never):
    result = suggest(datapoint, **context)
    assert result["decision"] in ("ask", "offer"), result["reasons"]
    assert expected in top(result).lower(), top(result)
    assert never not in top(result).lower()
    assert "i'll see what i can" not in top(result).lower()


def test_within_earshot_the_answer_to_a_raised_need_never_congratulates_or_names_it():
    result = suggest({"key": "passenger.pregnancy", "value": "pregnant", "category": "pregnancy",
                      "provenance": "customer_said"},
                     channel="cabin", industry="airline", bystanders=True,
                     customer_utterances=["I'm pregnant and really thirsty, could I have some water?"])
    assert result["decision"] == "offer" and "bring that" in top(result)
    assert "congrat" not in top(result).lower() and "pregnan" not in top(result).lower()


# ---------------------------------------------------------------- 4. perks that answer the customer's request

def test_a_member_asking_to_use_their_perk_is_told_yes_not_read_a_balance():
    result = suggest({"key": "membership.guest_passes", "label": "guest passes", "value": 4, "category": "loyalty"},
                     channel="in_person", industry="cinema",
                     customer_utterances=["Two for the seven o'clock. Can I use my guest passes for these?"])
    assert result["decision"] == "offer" and top(result).startswith("Yes")
    assert "4" not in top(result) and "at the moment" not in top(result)


@pytest.mark.parametrize("value", [{"have": 4, "needed": 5}, {"stamps": 10, "needed": 10}])
def test_a_stamp_card_this_order_completes_is_given_at_the_order_not_deferred(value):
    result = suggest({"key": "bakery.loyalty_card", "label": "loyalty card", "value": value, "category": "loyalty"},
                     channel="in_person", industry="bakery", reason="order",
                     customer_utterances=["Two sourdough loaves, please."])
    assert result["decision"] == "offer" and "completes the card" in top(result)
    assert "reward" in result["action"]


def test_a_tier_bears_on_the_allowance_the_member_asks_about_and_is_not_announced():
    result = suggest({"key": "loyalty.tier", "value": "platinum"}, channel="phone", industry="airline",
                     stage="opening", customer_utterances=["Quick one: what's my cabin bag allowance to Rome?"])
    assert result["decision"] == "offer" and "membership" in top(result)
    assert "platinum" not in top(result).lower() and "how can i help" not in top(result).lower()


# ---------------------------------------------------------------- the phrasebook conditions

def _book_with(tmp_path, fits: str):
    (tmp_path / "t.yaml").write_text(
        "topics:\n"
        "  - id: t.one\n    keys: [x.y]\n    category: preference\n    purpose: service\n    decision: ask\n"
        "    phrasings:\n"
        f"      low: [{{fits: {fits}, text: \"Anything?\"}}]\n"
        "      medium: [\"Anything at all?\"]\n"
        "      high: [{tone: warm, text: \"Anything at all today?\"}]\n")
    return load([str(tmp_path)])


@pytest.mark.parametrize("fits, message", [
    ("{served: maybe}", "'served' must be true or false"),
    ("{heard: 3}", "'heard' must be text or a non-empty list of text"),
    ("{heard: []}", "'heard' must be text or a non-empty list of text"),
])
def test_a_broken_served_or_heard_condition_is_a_clear_error_with_its_place(tmp_path, fits, message):
    with pytest.raises(PhrasebookError) as caught:
        _book_with(tmp_path, fits)
    text = str(caught.value)
    assert message in text and "t.yaml:8:" in text
