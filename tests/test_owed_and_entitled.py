"""What the customer is owed or entitled to is service, not a sale; care told before is acted on when it matters;
their words now beat a stored preference; an offer named only by a word it is filed under is still an offer."""
import textwrap

import pytest

from speech import rules, said, suggest
from tact.phrasebook import collect


# ------------------------------------------------------------ owed or entitled: service, not a sale

def test_support_for_a_customer_who_says_they_cannot_pay_is_offered_now():
    result = suggest({"key": "bill.social_tariff", "label": "social tariff", "value": "not on it",
                      "category": "product_holding", "consent": ["service"]},
                     industry="water", reason="payment_difficulty", stage="discovery", issue_resolved=False,
                     customer_utterances=["I get pension credit and the bill is more than I can manage",
                                          "I can't afford it all at once"])
    assert result["decision"] == "offer"
    assert "social tariff" in said(result)
    assert "pension" not in said(result)


def test_the_same_support_with_nothing_said_about_money_waits_like_any_product():
    result = suggest({"key": "bill.social_tariff", "label": "social tariff", "value": "not on it",
                      "category": "product_holding", "consent": ["service", "marketing"]},
                     industry="water", reason="moving_home", stage="discovery", issue_resolved=False,
                     customer_utterances=["I'm moving out at the end of the month"])
    assert result["decision"] == "defer"
    assert "tariff" not in said(result)


def test_a_discount_card_for_the_ticket_being_bought_is_asked_about_at_a_busy_counter():
    result = suggest({"key": "fares.railcard", "label": "railcard", "value": "none", "category": "product_holding"},
                     channel="in_person", industry="rail", reason="ticket_purchase", stage="discovery",
                     issue_resolved=False, bystanders=True,
                     customer_utterances=["an open return to York for tomorrow please"])
    assert result["decision"] == "ask"
    assert "railcard" in said(result)


def test_a_reward_earned_goes_with_the_order_being_placed():
    result = suggest({"key": "app.reward_earned", "label": "reward", "value": "free side", "category": "loyalty"},
                     channel="app", industry="food_delivery", reason="placing_order", stage="discovery",
                     issue_resolved=False, customer_utterances=["ordering our usual friday curry"])
    assert result["decision"] == "offer"
    assert "free side" in said(result)


def test_money_owed_is_offered_before_a_customer_who_is_down_to_one_word_goes():
    result = suggest({"key": "refund.owed", "label": "refund owed", "value": {"amount": "£6.00"},
                      "category": "service_history"},
                     channel="chat", industry="rail", reason="seat_change", stage="wrap_up", issue_resolved=True,
                     customer_utterances=["fine, coach C then", "ok"])
    assert result["decision"] == "offer"
    assert "owed" in said(result)


def test_a_discount_a_bereavement_brings_is_told_with_care_not_withheld_as_a_sale():
    result = suggest({"key": "account.sole_occupier_discount", "label": "sole occupier discount",
                      "value": "not applied", "category": "account_event"},
                     industry="council", reason="change_of_details", stage="discovery", issue_resolved=False,
                     customer_utterances=["my mum passed away and it's just me in the house now",
                                          "what do I need to change?"])
    assert result["decision"] == "offer"
    assert "sorry" in said(result)
    assert "passed" not in said(result)


# ------------------------------------------------------------ still a sale

def test_a_membership_is_not_offered_to_a_customer_being_sarcastic_about_a_missed_delivery():
    result = suggest({"key": "club.join", "label": "express delivery club", "value": "not member",
                      "category": "product_holding", "consent": ["service", "marketing"]},
                     channel="chat", industry="retail", reason="missed_delivery", stage="resolution",
                     issue_resolved=False,
                     customer_utterances=["wonderful, the driver says nobody was in. I was in all day.", "superb."])
    assert result["decision"] in ("defer", "withhold")
    assert "club" not in said(result)


def test_asking_to_change_a_delivery_does_not_ask_for_a_delivery_subscription():
    result = suggest({"key": "delivery.subscription", "label": "delivery subscription", "value": "none",
                      "category": "product_holding", "consent": ["service", "marketing"]},
                     channel="chat", industry="retail", reason="address_change", stage="resolution",
                     issue_resolved=False, customer_utterances=["need my delivery sent to my mum's instead, asap"])
    assert result["decision"] in ("defer", "withhold")
    assert "subscription" not in said(result)


# ------------------------------------------------------------ care told before, when it matters

def test_medical_equipment_at_home_is_put_first_in_a_power_cut_without_naming_it():
    result = suggest({"key": "customer.priority_need", "label": "priority services", "value": "home ventilator",
                      "category": "health", "provenance": "customer_stated"},
                     industry="energy", reason="power_cut", stage="discovery", issue_resolved=False,
                     customer_utterances=["everything's gone off on our road", "how long will it be?"])
    assert result["decision"] == "apply_silently"
    assert "told-for-care" in rules(result)
    assert result["action"] and "ventilator" not in result["action"].lower()
    assert "ventilator" not in said(result)


# ------------------------------------------------------------ their words now, and a moment that has passed

def test_a_customer_who_asks_for_paper_is_not_kept_paperless_quietly():
    result = suggest({"key": "statements.paperless", "label": "paperless", "value": True, "category": "preference",
                      "provenance": "customer_stated"},
                     channel="email", industry="banking", reason="statement_request", stage="resolution",
                     issue_resolved=False, customer_utterances=["please can you post me paper statements for 2026?"])
    assert result["decision"] == "withhold"
    assert result["action"] is None


def test_a_meal_note_is_not_applied_when_the_table_asks_for_the_bill():
    result = suggest({"key": "table.diet", "label": "meal note", "value": "no mushrooms", "category": "preference",
                      "provenance": "customer_stated"},
                     channel="in_person", industry="restaurant", reason="bill", stage="wrap_up", issue_resolved=True,
                     customer_utterances=["that was great, could we get the bill?"])
    assert result["decision"] in ("withhold", "defer")
    assert result["action"] is None


# ------------------------------------------------------------ the phrasebook property is strict

TOPIC = """\
    topics:
      - id: demo.owed
        categories: [account_event]
        purpose: service
        decision: offer
        {extra}
        phrasings:
          low: ["There's something owed to you. Shall I pay it now?"]
          medium: ["There's some money owed back to you. Shall I get that paid to you now?"]
          high: [{{tone: warm, text: "Good news, there's some money owed back to you! Shall I pay it to your card now?"}}]
        honest_answer: "We keep a note of anything we owe you."
    """


def load_errors(tmp_path, extra: str) -> list[str]:
    path = tmp_path / "book.yaml"
    path.write_text(textwrap.dedent(TOPIC.format(extra=extra.replace("\n", "\n        "))))
    _, problems = collect([path])
    return [p.format() for p in problems if p.severity == "error"]


@pytest.mark.parametrize("extra, message", [
    ("entitlement: true", "needs a 'match'"),
    ("entitlement: yes please", "must be true or false"),
    ("entitlement: true\nproposes: true\nmatch: \"value == 'x'\"", "can't also be"),
])
def test_an_entitlement_must_say_how_it_is_known_to_be_theirs(tmp_path, extra, message):
    found = load_errors(tmp_path, extra)
    assert any(message in e and "entitlement" in e for e in found), found


def test_an_entitlement_with_a_match_loads(tmp_path):
    assert load_errors(tmp_path, "entitlement: true\nmatch: \"'owed' in key\"") == []
