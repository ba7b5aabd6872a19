"""Messages we send first and account events say what changes, when and why, in plain words: never a record's field
names, never a template noun ('your change', 'your disruption'), and the money's direction as it is."""
import re

from tests.speech import rules, said, suggest

FIELD_NAMES = re.compile(r"\b(?:old|new|unit p|from_pct|to_pct|gbp|effective|ready since)\b|_")


def written(datapoint: dict, reason: str, channel: str = "email", **context) -> str:
    result = suggest(datapoint, channel=channel, reason=reason, stage="opening", **context)
    assert result["decision"] == "offer", result
    return said(result)


def test_a_price_change_says_from_what_to_what_from_when():
    text = written({"key": "membership.price_change", "value": {"old_gbp": 20, "new_gbp": 24, "from": "2027-09-01"},
                    "category": "account_event"}, "price_change_notice", industry="gym")
    assert "goes up from £20 to £24" in text and "1 september 2027" in text
    assert "will be £24" not in text and not FIELD_NAMES.search(text)


def test_a_change_says_why_when_the_record_says_why():
    text = written({"key": "direct_debit.change", "value": {"old_gbp": 50, "new_gbp": 45, "from": "2027-03-01",
                                                             "reason": "lower usage"}, "category": "account_event"},
                   "direct_debit_review", industry="energy")
    assert "your direct debit goes down from £50 to £45" in text and "because of lower usage" in text


def test_a_day_that_moves_names_the_day_it_is_and_both_days():
    text = written({"key": "refuse.day_change", "value": {"old": "Monday", "new": "Wednesday", "from": "2027-10-04"},
                    "category": "operational"}, "service_change", industry="council")
    assert "your refuse day changes from monday to wednesday" in text
    assert "your day" not in text


def test_rates_in_pence_and_percent_are_said_with_their_units():
    text = written({"key": "tariff.price_change", "value": {"old_unit_p": 30.2, "new_unit_p": 28.75,
                                                             "effective": "2027-04-01"},
                    "category": "account_event"}, "price_change_notice", industry="energy")
    assert "from 30.2p to 28.75p" in text and not FIELD_NAMES.search(text)
    result = suggest({"key": "savings.rate_change", "value": {"from_pct": 4.0, "to_pct": 4.25, "effective": "2027-01-01"},
                      "label": "savings rate change", "category": "account_event"},
                     channel="phone", industry="banking", stage="wrap_up", issue_resolved=True,
                     customer_utterances=["Great, that's the address updated."])
    assert "your savings rate goes up from 4% to 4.25%" in said(result)
    assert "coming up on your account" not in said(result)


def test_a_delay_names_the_thing_not_the_event():
    text = written({"key": "train.delay", "value": {"train": "1Y22", "scheduled": "08:10", "expected": "08:40"},
                    "category": "operational"}, "delay_notice", channel="app", industry="rail")
    assert "your 08:10 train 1y22 is running late" in text
    assert "delay 1y22" not in text and "your delay" not in text


def test_a_disruption_without_a_new_time_says_what_runs_instead_never_running_late():
    text = written({"key": "journey.disruption", "value": {"date": "2027-05-09", "route": "Bath to Bristol",
                                                           "change": "rail replacement coach from Keynsham"},
                    "category": "operational"}, "disruption_notice", channel="sms", industry="rail")
    assert "running late" not in text and "your disruption" not in text
    assert "9 may 2027" in text and "a rail replacement coach from keynsham" in text and "bath to bristol" in text


def test_a_date_it_was_ready_since_is_never_a_date_to_collect():
    result = suggest({"key": "order.ready_for_collection", "value": {"store": "Derby", "ready_since": "2027-02-02"},
                      "label": "order", "category": "operational"},
                     channel="email", industry="retail", reason="click_and_collect_ready", stage="opening")
    text = said(result)
    assert "ready to collect from derby" in text and "2 february" not in text and "doesn't suit" not in text
    # one line each, never a second one that names less
    assert len(result["suggestions"]) == 1


def test_a_deposit_still_to_come_back_is_owed_to_them_never_a_payment_we_could_not_take():
    text = written({"key": "deposit.refund", "value": {"amount_gbp": 75, "status": "unpaid"},
                    "category": "transaction"}, "refund_owed", channel="app", industry="car_rental")
    first = text.split(". ")[0]
    assert "£75" in first and ("owe you" in first or "come back to you" in first)
    assert "couldn't take" not in text and "card details" not in text


def test_a_customer_signing_off_is_let_go_but_something_due_is_a_booking_question():
    leaving = suggest({"key": "savings.rate_change", "value": {"from_pct": 3.0, "to_pct": 2.5, "effective": "2027-07-01"},
                       "label": "savings rate change", "category": "account_event"},
                      channel="in_person", industry="banking", stage="wrap_up", issue_resolved=True,
                      customer_utterances=["Perfect, that's all I needed, thanks!"])
    assert leaving["decision"] == "defer" and "let-them-go" in rules(leaving)
    assert "rate" not in said(leaving)
    due = suggest({"key": "boiler.service_due", "value": "2027-06-01", "label": "boiler service",
                   "category": "account_event"},
                  channel="phone", industry="energy", stage="wrap_up", issue_resolved=True,
                  customer_utterances=["Lovely, see you Tuesday then."])
    assert due["decision"] == "offer"
    text = said(due)
    assert "your boiler service is due" in text and "book" in text and "coming up on your account" not in text


def test_a_topic_declined_under_another_id_for_the_same_thing_is_not_raised_again():
    history = [{"topic": "banking.savings-nudge", "event": "shown"},
               {"topic": "banking.savings-nudge", "event": "declined"}]
    result = suggest({"key": "savings.none", "value": True, "label": "savings account", "category": "product_holding",
                      "consent": ["service", "marketing"]},
                     channel="phone", industry="banking", stage="wrap_up", issue_resolved=True, history=history,
                     customer_utterances=["No thanks, I'm fine.", "That's the card sorted then."])
    assert result["decision"] == "withhold" and "declined-earlier" in rules(result)
    other = [{"topic": "banking.mortgage-nudge", "event": "declined"}]
    kept = suggest({"key": "savings.none", "value": True, "label": "savings account", "category": "product_holding",
                    "consent": ["service", "marketing"]},
                   channel="phone", industry="banking", stage="wrap_up", issue_resolved=True, history=other,
                   customer_utterances=["That's the card sorted then."])
    assert "declined-earlier" not in rules(kept)


def test_a_change_read_as_facts_is_said_by_its_shape():
    from tact.render import facts
    said_facts = facts({"old_gbp": 30, "new_gbp": 27.5, "from": "2027-05-01", "reason": "a lower estimate"})
    assert said_facts.startswith("down from £30 to £27.50, from Saturday 1 May 2027")
    assert "from on" not in said_facts and "old" not in said_facts and "gbp" not in said_facts


def test_a_collection_day_that_moves_says_the_new_day_from_when_never_ready_to_collect():
    text = written({"key": "waste.collection_day", "value": {"effective_from": "2027-05-03", "day": "Monday"},
                    "label": "recycling collection day", "category": "operational"}, "collection_day_change",
                   industry="council")
    assert "3 may 2027" in text and "will be monday" in text
    assert "ready to collect" not in text and not FIELD_NAMES.search(text)
