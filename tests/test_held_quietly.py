"""Held data used quietly, not volunteered, and the customer's words win (issue 8): what an agent, a waiter or a
pharmacist would notice on screen. Cases are written across industries by kind, never from one scenario's words."""
import pytest

from tact.engine import default_engine


def suggest(datapoint: dict, **context) -> dict:
    return default_engine().suggest({"datapoint": {"provenance": "account_record", **datapoint},
                                     "context": {"channel": "phone", **context}})


def spoken(result: dict) -> str:
    """Everything the agent could be prompted to say, lower-cased."""
    lines = [s["text"] for s in result["suggestions"]]
    lines += [s["text"] for group in result["alternatives"].values() for s in group]
    return " ".join(lines).lower()


def rules(result: dict) -> set[str]:
    return {r["rule"] for r in result["reasons"]}


# ---------------------------------------------------------------- service history is not volunteered

@pytest.mark.parametrize("datapoint, context", [
    ({"key": "service.dropouts", "label": "recent dropouts", "value": 5, "category": "service_history"},
     {"industry": "telecom", "reason": "add_tv_package", "stage": "discovery",
      "customer_utterances": ["Hiya, I'd like to add the sports channels to my package."]}),
    ({"key": "delivery.failed_attempts", "label": "failed deliveries", "value": 2, "category": "service_history"},
     {"channel": "chat", "industry": "furniture", "reason": "new_order", "stage": "resolution",
      "customer_utterances": ["can I add a footstool to my sofa order"]}),
    ({"key": "stay.noise_complaint", "label": "noise complaint", "value": "room 214, refunded one night",
      "category": "service_history"},
     {"channel": "in_person", "industry": "hotel", "stage": "discovery",
      "customer_utterances": ["Could we book a table in the restaurant for eight?"]}),
])
def test_past_trouble_is_not_brought_up_while_the_customer_does_something_else(datapoint, context):
    result = suggest(datapoint, **context)
    assert result["decision"] == "apply_silently" and "not-volunteered" in rules(result)
    assert "extra care" in result["action"] and "don't bring it up" in result["action"].lower()
    assert not any(w in spoken(result) for w in ("last time", "before", "follow up", "pick up", "complaint"))


def test_past_trouble_the_customer_raises_is_followed_up():
    result = suggest({"key": "claim.previous", "label": "previous claim", "value": "storm damage, paid",
                      "category": "service_history"},
                     industry="insurance", stage="discovery", receptiveness="medium",
                     customer_utterances=["I'm ringing about the previous claim, the roofer never came back."])
    assert result["decision"] == "offer" and result["suggestions"]
    assert "storm" not in spoken(result) and "paid" not in spoken(result)


# ---------------------------------------------------------------- occasions on file are not news

@pytest.mark.parametrize("utterance", ["Hi, we have a table booked under Nakamura.", "That was gorgeous, thank you.",
                                       "Could we see the dessert menu?"])
def test_an_occasion_told_at_booking_is_prepared_for_not_greeted(utterance):
    result = suggest({"key": "booking.occasion", "label": "occasion", "value": "silver wedding",
                      "category": "occasion", "provenance": "customer_stated"},
                     channel="in_person", industry="restaurant", stage="discovery", receptiveness="high",
                     customer_utterances=[utterance])
    assert result["decision"] == "apply_silently" and "honour-quietly" in rules(result)
    assert "something small ready" in result["action"]
    assert not any(w in spoken(result) for w in ("congrat", "lovely!", "special", "celebrat", "wedding"))
    assert not any("raised" in r["message"] or "mentioned" in r["message"] for r in result["reasons"])


def test_the_occasion_is_celebrated_once_the_customer_says_it():
    result = suggest({"key": "booking.occasion", "label": "occasion", "value": "silver wedding",
                      "category": "occasion", "provenance": "customer_stated"},
                     channel="in_person", industry="restaurant", stage="discovery", receptiveness="high",
                     customer_utterances=["It's our silver wedding today, twenty-five years!"])
    assert result["decision"] == "offer" and "congratulations" in spoken(result)


# ---------------------------------------------------------------- stored preferences and the customer's words

@pytest.mark.parametrize("datapoint, utterance", [
    ({"key": "delivery.window", "label": "delivery time", "value": "before noon"},
     "Can you send my next repeat order out please?"),
    ({"key": "parcel.safe_place", "label": "safe place", "value": "in the shed"},
     "I'm ordering a new kettle"),
    ({"key": "contact.channel", "label": "contact preference", "value": "text message"},
     "Could you book my boiler service for next week?"),
])
def test_a_stored_preference_is_honoured_when_the_customer_simply_asks_for_the_service(datapoint, utterance):
    result = suggest({**datapoint, "category": "preference", "provenance": "customer_stated"},
                     stage="resolution", customer_utterances=[utterance])
    assert result["decision"] == "apply_silently" and datapoint["value"] in result["action"]
    assert not result["suggestions"]


@pytest.mark.parametrize("datapoint, utterance", [
    ({"key": "statements.paperless", "label": "paperless statements", "value": True},
     "I need a printed statement sent to me for the visa office."),
    ({"key": "seat.preference", "label": "seat preference", "value": "aisle"},
     "Could I have a window seat on the way back?"),
    ({"key": "room.preference", "label": "room preference", "value": "high floor"},
     "We'd like a ground floor room this time, my dad's with us."),
])
def test_what_the_customer_asks_for_this_time_wins_over_what_is_stored(datapoint, utterance):
    result = suggest({**datapoint, "category": "preference", "provenance": "customer_stated"},
                     stage="discovery", customer_utterances=[utterance])
    assert result["decision"] == "withhold" and "customer-words-first" in rules(result)
    assert result["action"] is None


def test_a_catch_all_usual_reads_as_a_usual_never_as_which_one():
    app = suggest({"key": "order.usual", "label": "usual order", "value": "two lattes", "category": "preference",
                   "provenance": "transaction"}, channel="app", industry="coffee_chain", stage="opening")
    assert app["decision"] == "apply_silently" and not app["suggestions"]
    counter = suggest({"key": "order.usual", "label": "usual order", "value": "two lattes", "category": "preference",
                       "provenance": "transaction"}, channel="in_person", industry="coffee_chain",
                      relationship="regular", stage="opening", receptiveness="medium")
    assert counter["suggestions"][0]["text"] == "The usual today, or something different?"
    assert "which" not in spoken(counter) and "latte" not in spoken(counter)


# ---------------------------------------------------------------- observed and inferred labels

@pytest.mark.parametrize("datapoint, context", [
    ({"key": "customer.segment", "label": "returns risk", "value": "frequent returner", "category": "behaviour",
      "provenance": "inferred"},
     {"channel": "store", "industry": "fashion", "reason": "return", "stage": "resolution",
      "customer_utterances": ["I'd like to return this coat please."]}),
    ({"key": "app.usage_pattern", "label": "app use", "value": "opens app 40 times a day", "category": "usage",
      "provenance": "observed"},
     {"channel": "chat", "industry": "banking", "reason": "card_freeze", "stage": "wrap_up", "issue_resolved": True,
      "customer_utterances": ["done, thanks"]}),
])
def test_an_inferred_or_watched_label_is_withheld_not_made_a_question(datapoint, context):
    result = suggest(datapoint, **context)
    assert result["decision"] == "withhold" and "respect-provenance" in rules(result)
    assert result["action"] is None
    assert not any(w in spoken(result) for w in ("return", " app", "40", "looking for", "tariff", "plan"))


# ---------------------------------------------------------------- purpose and consent

def test_an_allergy_told_at_booking_goes_to_the_kitchen_without_a_word_at_the_table():
    result = suggest({"key": "guest.dietary", "label": "dietary note", "value": "shellfish allergy",
                      "category": "health", "provenance": "customer_stated"},
                     channel="in_person", industry="restaurant", stage="opening", bystanders=True)
    assert result["decision"] == "apply_silently" and "kitchen" in result["action"]
    assert "shellfish" not in result["action"].lower() and "shellfish" not in spoken(result)


def test_a_prescription_collected_at_a_busy_counter_is_fetched_without_naming_it():
    result = suggest({"key": "prescription.refill", "label": "repeat prescription",
                      "value": {"drug": "fluoxetine 20mg", "status": "ready"}},
                     channel="store", industry="pharmacy", reason="prescription_collection", stage="resolution",
                     bystanders=True, customer_utterances=["Hi, collecting for Ana Silva, please."])
    assert result["decision"] in ("offer", "apply_silently") and "collection shelf" in result["action"]
    assert "fluoxetine" not in spoken(result) and "prescription" not in spoken(result)


def test_a_members_benefits_are_not_hidden_by_consent_for_something_else():
    result = suggest({"key": "member.tier", "label": "membership", "value": "gold", "category": "loyalty",
                      "consent": ["third_party_sharing"]},
                     channel="chat", industry="hotel", stage="wrap_up", issue_resolved=True, receptiveness="high")
    assert result["decision"] == "offer" and "consent-binds" not in rules(result)
    assert "gold" not in spoken(result)


def test_a_legal_date_on_the_customers_own_vehicle_is_service_despite_a_marketing_opt_out():
    result = suggest({"key": "van.mot_due", "label": "MOT", "value": "2027-02-14", "category": "account_event"},
                     industry="garage", reason="service_booking", stage="wrap_up", issue_resolved=True,
                     do_not_market=True, receptiveness="medium")
    assert result["decision"] in ("ask", "offer") and "consent-binds" not in rules(result)


# ---------------------------------------------------------------- after-sales lines

@pytest.mark.parametrize("context", [
    {"industry": "restaurant", "reason": "table_booking", "stage": "discovery",
     "customer_utterances": ["Hello, have you got a table for four on Sunday lunchtime?"]},
    {"channel": "in_person", "industry": "electronics", "stage": "wrap_up", "issue_resolved": True,
     "customer_utterances": ["I swapped the charger for the right one.", "That's the one, thanks!"]},
])
def test_no_after_sales_check_is_dropped_into_another_request_or_a_finished_exchange(context):
    result = suggest({"key": "purchase.recent", "label": "recent purchase", "value": {"item": "charger"},
                      "category": "transaction", "provenance": "transaction"}, **context)
    assert result["decision"] in ("defer", "withhold")
    assert "had from us" not in spoken(result) and "bought" not in spoken(result)
