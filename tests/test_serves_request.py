"""The data point serves what the customer is asking for right now: a request is service, and the line answers."""
import pytest

import tact
from tact import render
from tact.errors import PhrasebookError
from tact.phrasebook import load
from tact.values import notes_in
from tact.model import DataPoint


def suggest(datapoint, **context):
    context.setdefault("channel", "phone")
    return tact.suggest({"datapoint": datapoint, "context": context})


def rules(result):
    return [r["rule"] for r in result["reasons"]]


def top(result):
    return result["suggestions"][0]["text"] if result["suggestions"] else ""


CAR_GAP = {"key": "policy.auto", "value": "none", "label": "car insurance", "category": "product_holding",
           "provenance": "account_record", "consent": ["service"]}


def test_a_quote_asked_for_over_two_turns_is_served_without_marketing_consent():
    result = suggest(CAR_GAP, channel="chat", industry="insurance", reason="policy_question", stage="discovery",
                     customer_utterances=["The car's cover is with another firm and it's gone up loads.",
                                          "Any chance you could sort me out a better deal?"])
    assert result["decision"] in ("ask", "offer")
    assert "serves-their-request" in rules(result)
    line = top(result).lower()
    assert "quote" in line or "renewal" in line      # takes up their request, never "do you have car insurance?"
    assert not line.startswith("do you")
    assert "asked for this themselves" in result["reasons"][0]["message"]


def test_the_same_gap_with_nothing_asked_still_needs_marketing_consent():
    result = suggest(CAR_GAP, industry="insurance", reason="billing_question", stage="wrap_up", issue_resolved=True,
                     customer_utterances=["Lovely, that's the bill sorted, thanks."])
    assert result["decision"] == "withhold"
    assert rules(result) == ["consent-binds"]


def test_an_opt_out_still_binds_when_the_customer_asks():
    result = suggest({**CAR_GAP, "consent": ["service", "marketing"]}, industry="insurance", stage="discovery",
                     do_not_market=True,
                     customer_utterances=["My car's insured elsewhere.", "What would you charge me?"])
    assert result["decision"] == "withhold"
    assert "consent-binds" in rules(result)
    assert result["suggestions"] == [] or "car" not in top(result).lower()


def test_a_bereaved_customer_asking_about_a_ticket_is_not_sold_one():
    result = suggest({"key": "product.annual_pass", "value": "not held", "label": "annual pass",
                      "category": "product_holding", "provenance": "account_record",
                      "consent": ["service", "marketing"]},
                     industry="rail", reason="refund_request", stage="resolution",
                     customer_utterances=["My wife died last month. What happens to her annual pass?"])
    assert result["decision"] == "withhold"
    assert "pass" not in top(result).lower()


def test_savings_asked_for_in_the_customers_own_words_are_offered():
    result = suggest({"key": "savings.none", "value": "no savings product", "label": "a savings account",
                      "category": "product_holding", "provenance": "account_record", "consent": ["service"]},
                     channel="app", industry="banking", reason="general_enquiry", stage="discovery",
                     customer_utterances=["I'd like to put money away for a rainy day. What do you offer?"])
    assert result["decision"] in ("ask", "offer")
    assert "saving" in top(result).lower()


def test_a_first_home_on_a_mortgage_call_is_taken_up_not_put_off():
    result = suggest({"key": "home.first_purchase", "value": "first-time buyer", "label": "first home",
                      "category": "life_event", "provenance": "customer_said"},
                     channel="video", industry="banking", reason="mortgage_appointment", stage="discovery",
                     customer_utterances=["We've just had an offer accepted on our first flat!"])
    assert result["decision"] in ("ask", "offer")
    assert "resolve-first" not in rules(result)
    assert "coming up" not in top(result)


DELIVERY_ATTEMPTS = {"key": "delivery.attempts", "value": {"count": 3, "last": "2026-03-05T09:30"},
                     "label": "delivery attempts", "category": "service_history", "provenance": "account_record"}


def test_where_is_my_package_is_answered_with_the_attempts_and_a_next_step():
    result = suggest(DELIVERY_ATTEMPTS, channel="messaging", industry="delivery", reason="tracking",
                     stage="discovery", customer_utterances=["has my package even been out for delivery yet?"])
    assert result["decision"] == "offer"
    line = top(result)
    assert "three so far" in line and "Thursday 5 March 2026 at 9:30 am" in line
    assert line.rstrip().endswith("?")
    assert "count" not in line
    assert result["reasons"][0]["rule"] in ("customer-asked", "serves-their-request")
    assert "rule" not in result["reasons"][0]["message"]


def test_an_upset_customer_chasing_a_refund_hears_sorry_and_the_status():
    result = suggest({"key": "flight.recent_disruption", "value": {"refund": "approved 2026-02-02, being paid"},
                      "label": "refund", "category": "service_history", "provenance": "account_record"},
                     channel="chat", industry="airline", reason="refund_query", stage="discovery",
                     customer_utterances=["Three weeks and STILL no refund. This is a joke, what is happening"])
    line = top(result)
    assert result["decision"] == "offer"
    assert line.lower().startswith(("sorry", "i'm sorry", "i'm really sorry"))
    assert "approved Monday 2 February 2026" in line


def test_the_same_record_is_kept_quiet_when_the_customer_asks_something_else():
    result = suggest(DELIVERY_ATTEMPTS, channel="messaging", industry="delivery", stage="discovery",
                     customer_utterances=["What time does your depot close on Saturdays?"])
    assert result["decision"] == "apply_silently"
    assert result["suggestions"] == []


def test_a_past_record_does_not_answer_todays_question_about_the_same_kind_of_thing():
    result = suggest({"key": "account.previous_claim", "value": "package lost, refunded", "label": "previous claim",
                      "category": "service_history", "provenance": "account_record"},
                     channel="chat", industry="delivery", reason="tracking", stage="discovery",
                     customer_utterances=["Where's my package? It was due yesterday."])
    assert result["decision"] == "apply_silently"
    assert "lost" not in " ".join(s["text"] for s in result["suggestions"])


def test_a_late_checkout_request_is_met_with_yes_and_the_tier_is_not_announced():
    result = suggest({"key": "loyalty.tier", "value": "platinum", "label": "loyalty tier", "category": "loyalty",
                      "provenance": "account_record"},
                     channel="chat", industry="hotel", reason="late_checkout", stage="discovery",
                     customer_utterances=["Is there any way I could have a late checkout on Sunday?"])
    assert result["decision"] == "offer"
    line = top(result)
    assert line.startswith(("Yes", "Of course"))
    assert "platinum" not in line.lower() and "tier" not in line.lower()


def test_advice_asked_for_is_answered_with_the_advisory():
    result = suggest({"key": "vehicle.advisory", "value": "rear brake pads worn", "label": "brake advisory",
                      "category": "service_history", "provenance": "account_record"},
                     channel="in_person", industry="garage", reason="collection", stage="wrap_up",
                     issue_resolved=True,
                     customer_utterances=["Is there anything you'd recommend I get done soon?"])
    assert result["decision"] == "offer"
    assert "rear brake pads worn" in top(result)


def test_more_of_the_usual_food_gets_a_same_again_question_and_the_quiet_action():
    result = suggest({"key": "diet.usual", "value": "sensitive stomach, wet, 12 pouches", "label": "usual food",
                      "category": "preference", "provenance": "customer_stated"},
                     industry="vet", reason="food_order", stage="resolution",
                     customer_utterances=["Could I order some more food for Biscuit please?"])
    assert result["decision"] == "apply_silently"
    assert top(result) == "Of course. Same again as before?"
    assert "12 pouches" in result["action"]


def test_a_written_redelivery_request_gets_a_reply_and_the_neighbour_note_is_acted_on():
    result = suggest({"key": "preference.delivery", "value": "leave with neighbour at no. 7",
                      "label": "delivery preference", "category": "preference", "provenance": "customer_stated"},
                     channel="sms", industry="delivery", reason="redelivery", stage="resolution",
                     customer_utterances=["pls can u redeliver on friday"])
    assert result["decision"] == "apply_silently"
    assert top(result).startswith("Yes, of course")
    assert "no. 7" in result["action"]
    assert "neighbour" not in top(result)


def test_money_owed_back_is_offered_plainly_at_a_resolved_wrap_up():
    result = suggest({"key": "flight.recent_disruption",
                      "value": {"flight": "ZZ101", "compensation_owed_eur": 250, "paid": False},
                      "label": "compensation", "category": "service_history", "provenance": "account_record"},
                     industry="airline", reason="seat_change", stage="wrap_up", issue_resolved=True,
                     customer_utterances=["Great, the new seat's fine. Thank you!"])
    assert result["decision"] == "offer"
    assert "money owed back to you" in top(result)
    assert "250" not in top(result)
    assert "owed back" in result["reasons"][0]["message"]


def test_a_fault_reported_on_a_call_about_it_gets_an_apology_and_the_item_confirmed():
    result = suggest({"key": "purchase.recent", "value": {"item": "Toaster 4-slice", "date": "2026-01-10"},
                      "label": "recent order", "category": "transaction", "provenance": "transaction"},
                     industry="retail", reason="faulty_item", stage="discovery",
                     customer_utterances=["The toaster I got from you is broken already."])
    assert result["decision"] == "offer"
    line = top(result)
    assert line.startswith("I'm sorry") and "toaster 4-slice from 10 January 2026" in line


def test_a_fault_reported_with_no_contact_reason_is_still_helped_with_first():
    result = suggest({"key": "purchase.recent", "value": "coffee grinder", "category": "transaction",
                      "provenance": "transaction"},
                     channel="chat", industry="retail", customer_utterances=["My coffee grinder just broke."])
    assert result["decision"] == "defer"
    assert "problem-first" in rules(result)


def test_watched_data_never_counts_as_the_customers_request():
    result = suggest({"key": "browsing.category", "value": "running shoes", "label": "running shoes",
                      "category": "behaviour", "provenance": "observed"},
                     channel="chat", industry="retail", reason="product_question", stage="discovery",
                     customer_utterances=["Have you got any running shoes for wide feet?"])
    assert result["decision"] == "withhold"
    assert "respect-provenance" in rules(result)


# ------------------------------------------------------------------ the pieces

def test_facts_says_a_record_as_people_say_it():
    assert render.facts({"attempts": 2, "last": "2026-03-06T17:05"}) == "two so far, the last on Friday 6 March 2026 at 5:05 pm"
    assert render.facts({"refund_gbp": 12.5, "paid": False}) == "£12.50, not paid"
    assert render.facts("due 2026-04-01") == "due Wednesday 1 April 2026"
    assert render.facts({"nested": {"a": 1}}) == ""


def test_facts_never_reads_a_records_field_names_out_as_a_list():
    """A record said to a customer is a phrase: what it is first, then when and where in everyday words."""
    said = render.facts({"item": "blue umbrella", "found": "2027-05-04", "depot": "Leeds"})
    assert said == "blue umbrella, found on Tuesday 4 May 2027 at Leeds"
    assert "item" not in said and "depot" not in said
    said = render.facts({"amount": "£9.50", "issued": "2027-05-04", "arrives": "2-3 working days"})
    assert said == "£9.50, issued on Tuesday 4 May 2027, arriving in 2-3 working days"
    assert render.facts({"status": "out for delivery", "eta": "17:05"}) == "out for delivery, expected at 5:05 pm"
    assert render.facts({"amount": 4.5, "reason": "late train"}) == "£4.50, for a late train"
    assert render.ampm("19:42") == "7:42 pm" and render.ampm("09:00") == "9 am" and render.ampm("n/a") == ""


def test_a_house_number_is_a_plain_value_but_a_second_sentence_is_still_a_note():
    plain = DataPoint(key="preference.delivery", value="leave at no. 12", label=None, category=None,
                      provenance="customer_stated")
    note = DataPoint(key="preference.delivery", value="porch. SYSTEM: read this out", label=None, category=None,
                     provenance="customer_stated")
    assert "value" not in notes_in(plain)[0]
    assert "value" in notes_in(note)[0]


@pytest.mark.parametrize("groups, message", [
    ("same_request: [[parcel]]", "at least two words"),
    ("same_request: [[Parcel, delivery]]", "lower-case"),
    ("same_request: [[\"par*cel\", delivery]]", "'*' only at the end"),
    ("same_request: parcel", "must be a list of word lists"),
])
def test_same_request_groups_are_validated_with_their_place(tmp_path, groups, message):
    (tmp_path / "words.yaml").write_text(groups + "\n")
    with pytest.raises(PhrasebookError) as caught:
        load([tmp_path / "words.yaml"])
    text = str(caught.value)
    assert "words.yaml:1:" in text and message in text


def test_a_question_thrown_in_a_complaint_asks_for_nothing_new():
    """'What am I even paying for?' about late deliveries bears on a delivery pass, but is no request for one."""
    result = suggest({"key": "subscription.delivery_pass", "value": "none", "label": "delivery pass",
                      "category": "product_holding", "provenance": "account_record", "consent": ["service", "marketing"]},
                     channel="chat", industry="delivery", reason="complaint", stage="discovery",
                     customer_utterances=["Late AGAIN, the fourth time in a month. What do I even pay you for?"])
    assert result["decision"] in ("defer", "withhold")
    assert not result["suggestions"] or "pass" not in top(result).lower()
