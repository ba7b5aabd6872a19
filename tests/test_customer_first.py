"""Decisions by the kinds the blind scenario set found (issue 8): who can hear, what the customer just said,
what was only watched, what the issue is, and values that smuggle in notes. Each test is a case a coach
would recognise; none of them keys on one scenario's wording."""
import pytest

from tact.engine import default_engine


def suggest(datapoint: dict, **context) -> dict:
    ctx = {"channel": "phone", **context}
    return default_engine().suggest({"datapoint": {"provenance": "account_record", **datapoint}, "context": ctx})


def lines(result: dict) -> list[str]:
    return [s["text"] for s in result["suggestions"]] + [
        s["text"] for group in result["alternatives"].values() for s in group]


def rules(result: dict) -> set[str]:
    return {r["rule"] for r in result["reasons"]}


def says_none(result: dict, *words: str) -> bool:
    spoken = " ".join(lines(result)).lower()
    return not any(w.lower() in spoken for w in words)


# ---------------------------------------------------------------- 1. who can hear

EARSHOT = {"bystanders": True, "receptiveness": "medium"}


@pytest.mark.parametrize("datapoint, context", [
    ({"key": "guest.visit_count", "value": 6}, {"channel": "in_person", "industry": "hospitality", "stage": "opening"}),
    ({"key": "guest.stays", "label": "previous stays", "value": 3, "category": "relationship"},
     {"channel": "in_person", "industry": "hotel", "stage": "opening"}),
    ({"key": "loyalty.points_balance", "value": 5400}, {"channel": "store", "industry": "retail"}),
    ({"key": "member.tier", "label": "membership", "value": "platinum", "category": "loyalty"},
     {"channel": "in_person", "industry": "gym"}),
    # At check-in a member is welcomed, not pitched to, so the welcome does not wait for the check-in.
    ({"key": "loyalty.status", "label": "membership", "value": "gold", "category": "loyalty"},
     {"channel": "in_person", "industry": "hospitality", "stage": "opening"}),
])
def test_their_standing_with_us_is_welcome_within_earshot_without_counts_or_tiers(datapoint, context):
    result = suggest(datapoint, **EARSHOT, **context)
    assert result["decision"] in ("offer", "ask") and "bystanders" in rules(result)
    assert lines(result) and says_none(result, str(datapoint["value"]))


def test_an_occasion_the_guests_mention_at_the_table_is_celebrated():
    result = suggest({"key": "reservation.occasion", "label": "occasion", "value": "birthday",
                      "category": "occasion", "provenance": "customer_said"},
                     channel="in_person", industry="restaurant", **EARSHOT)
    assert result["decision"] == "offer" and lines(result)


def test_an_occasion_told_when_booking_is_prepared_for_but_not_announced_at_the_table():
    result = suggest({"key": "reservation.occasion", "label": "occasion", "value": "birthday",
                      "category": "occasion", "provenance": "customer_stated"},
                     channel="in_person", industry="restaurant", **EARSHOT)
    assert result["decision"] == "apply_silently" and "something small ready" in result["action"]
    assert says_none(result, "birthday", "special", "congratul")


@pytest.mark.parametrize("datapoint, context", [
    ({"key": "trip.occasion", "value": "honeymoon", "provenance": "customer_stated"},
     {"channel": "cabin", "industry": "airline"}),                       # told at booking, not to the crew
    ({"key": "trip.occasion", "value": "honeymoon"}, {"channel": "cabin", "industry": "airline"}),
    ({"key": "trip.purpose", "label": "trip purpose", "value": "business", "category": "occasion",
      "provenance": "inferred"}, {"channel": "in_person", "industry": "hospitality", "stage": "opening"}),
    ({"key": "travel.first_time", "value": True}, {"channel": "cabin", "industry": "airline"}),
    ({"key": "passenger.birthday", "value": "today"}, {"channel": "cabin", "industry": "airline"}),
    ({"key": "guest.birthday", "label": "birthday", "value": "today", "category": "occasion"},
     {"channel": "in_person", "industry": "hospitality", "stage": "opening"}),
    ({"key": "booking.companion", "label": "companion", "value": "not the partner on file",
      "category": "relationship", "provenance": "observed"},
     {"channel": "in_person", "industry": "hospitality", "stage": "opening"}),
])
def test_what_the_customer_has_not_made_public_here_is_left_alone(datapoint, context):
    result = suggest(datapoint, **{**EARSHOT, "receptiveness": "high"}, **context)
    assert result["decision"] == "withhold" and "bystanders" in rules(result)
    assert says_none(result, "honeymoon", "business", "first", "birthday", "partner", "special", "celebrat")


def test_on_a_private_call_an_occasion_they_told_us_is_honoured_quietly_and_one_only_on_file_is_not_fished_for():
    told = suggest({"key": "trip.occasion", "value": "honeymoon", "provenance": "customer_stated"}, channel="phone",
                   industry="airline", receptiveness="medium")
    assert told["decision"] == "apply_silently" and told["action"] and not told["suggestions"]
    on_file = suggest({"key": "trip.occasion", "value": "honeymoon", "provenance": "account_record"},
                      channel="phone", industry="airline", receptiveness="medium")
    assert on_file["decision"] == "withhold" and "respect-provenance" in rules(on_file)
    assert says_none(on_file, "honeymoon", "special", "celebrat")
    mentioned = suggest({"key": "trip.occasion", "value": "honeymoon", "provenance": "account_record"},
                        channel="phone", industry="airline", receptiveness="high",
                        customer_utterances=["We're flying out on our honeymoon!"])
    assert mentioned["decision"] != "withhold"


# ---------------------------------------------------------------- 2. their words outrank a stored preference

def test_a_stored_preference_gives_way_to_what_the_customer_just_asked_for():
    asked = suggest({"key": "seat.preference", "value": "window", "provenance": "customer_stated"},
                    industry="airline", stage="discovery", receptiveness="medium",
                    customer_utterances=["Hi, I'd like an aisle seat on this one, please."])
    assert asked["decision"] == "withhold" and "customer-words-first" in rules(asked)
    assert asked["action"] is None and says_none(asked, "window")
    # Saying nothing about the seat (or asking for the same) keeps the quiet service.
    same = suggest({"key": "seat.preference", "value": "window", "provenance": "customer_stated"},
                   industry="airline", stage="discovery", receptiveness="medium",
                   customer_utterances=["Hi, I need to change my flight to Friday."])
    assert same["decision"] == "apply_silently" and "window" in same["action"]


def test_mentioning_the_thing_without_asking_for_another_keeps_the_stored_preference():
    result = suggest({"key": "meal.preference", "value": "vegetarian", "provenance": "customer_stated"},
                     channel="phone", industry="airline", stage="discovery", receptiveness="medium",
                     customer_utterances=["What time is the meal served on this flight?"])
    assert result["decision"] == "apply_silently" and "vegetarian" in result["action"].lower()


def test_a_preference_the_customer_reports_failing_is_not_applied_again():
    result = suggest({"key": "delivery.safe_place", "label": "safe place", "value": "porch",
                      "category": "preference", "provenance": "customer_stated"},
                     channel="chat", industry="parcels", stage="discovery", receptiveness="medium",
                     customer_utterances=["My parcel was stolen off the porch again."])
    assert result["decision"] == "withhold" and "customer-words-first" in rules(result)
    assert result["action"] is None and says_none(result, "porch", "the way you like")


def test_a_usual_order_is_not_suggested_once_the_customer_orders_something_else():
    result = suggest({"key": "guest.usual_order", "value": "salmon", "provenance": "customer_stated"},
                     channel="in_person", industry="hospitality", receptiveness="medium",
                     customer_utterances=["I think I'll order the steak tonight."])
    assert result["decision"] == "withhold" and "customer-words-first" in rules(result)
    assert says_none(result, "salmon", "usual")


# ---------------------------------------------------------------- 3. they already answered

@pytest.mark.parametrize("said", [
    "I've already got car insurance through my work, thanks.",
    "Car insurance? No, I don't need that, I sold the car.",
    "My auto insurance is with another company.",
])
def test_no_question_or_offer_about_what_the_customer_already_answered(said):
    result = suggest({"key": "policy.auto", "value": "none", "consent": ["service", "marketing"]},
                     industry="insurance", stage="wrap_up", issue_resolved=True, receptiveness="high",
                     customer_utterances=[said])
    assert result["decision"] == "withhold" and "already-answered" in rules(result)
    assert says_none(result, "auto", "car", "insurance", "quote")


def test_a_worry_about_their_own_issue_is_not_an_answer():
    result = suggest({"key": "connection.tight", "value": "35 min", "category": "operational"}, channel="cabin",
                     industry="airline", receptiveness="medium",
                     customer_utterances=["I really don't want to miss my connection, I don't need any drinks."])
    assert result["decision"] == "offer" and "already-answered" not in rules(result)


def test_words_about_something_else_do_not_count_as_an_answer():
    result = suggest({"key": "policy.auto", "value": "none"}, industry="insurance", stage="wrap_up",
                     issue_resolved=True, receptiveness="medium",
                     customer_utterances=["I don't need anything else on the home policy, thanks."])
    assert result["decision"] == "ask"


# ---------------------------------------------------------------- 4. what was watched

@pytest.mark.parametrize("datapoint", [
    {"key": "browsing.category", "value": "tents", "provenance": "observed"},
    {"key": "orders.time_of_day", "label": "order times", "value": "late at night", "category": "behaviour",
     "provenance": "observed"},
    {"key": "income.change", "value": "salary up 20%", "provenance": "inferred"},
    {"key": "orders.hours", "label": "order times", "value": "after midnight", "category": "transaction",
     "provenance": "observed"},
    {"key": "gym.attendance", "label": "visits this month", "value": 1, "category": "usage",
     "provenance": "observed"},
])
def test_watched_habits_are_not_turned_into_questions_even_with_marketing_consent(datapoint):
    result = suggest({**datapoint, "consent": ["service", "marketing"]}, stage="wrap_up", issue_resolved=True,
                     receptiveness="high")
    assert result["decision"] == "withhold" and "respect-provenance" in rules(result)


def test_a_usage_pattern_behind_the_bill_the_customer_asks_about_may_prompt_a_question():
    datapoint = {"key": "meter.overnight", "label": "overnight water use", "value": "steady flow 1am-5am",
                 "category": "usage", "provenance": "observed"}
    asked = suggest(datapoint, industry="water", reason="bill_query", stage="discovery", issue_resolved=False,
                    receptiveness="medium", customer_utterances=["Why has my bill gone up so much?"])
    assert asked["decision"] == "ask" and lines(asked)
    assert says_none(asked, "overnight", "1am", "meter", "flow", "we can see", "noticed you")


# ---------------------------------------------------------------- 5. the data point is the issue

def test_a_life_event_the_customer_called_about_is_served_not_deferred():
    result = suggest({"key": "household.new_driver", "value": "daughter passed her test",
                      "provenance": "customer_said"}, industry="insurance", reason="add_new_driver",
                     stage="discovery", issue_resolved=False, receptiveness="medium",
                     customer_utterances=["My daughter just passed her test, can I add her to my policy?"])
    assert result["decision"] in ("ask", "offer") and "resolve-first" not in rules(result)
    # The same data point while the customer called about a bill waits as before.
    other = suggest({"key": "household.new_driver", "value": True, "provenance": "customer_stated"},
                    industry="insurance", reason="billing_question", stage="discovery", issue_resolved=False,
                    receptiveness="medium")
    assert other["decision"] == "defer" and "resolve-first" in rules(other)


def test_service_history_of_the_disruption_complained_about_is_served_now():
    result = suggest({"key": "service.last_outage", "label": "last outage", "value": "3 days, March",
                      "category": "service_history"}, industry="telecom", reason="complaint",
                     stage="discovery", issue_resolved=False, receptiveness="low",
                     customer_utterances=["This is the second outage this month and I'm fed up."])
    assert result["decision"] in ("offer", "ask") and not rules(result) & {"problem-first", "resolve-first"}


def test_a_voucher_in_the_disruption_record_is_history_not_an_offer_to_put_off():
    result = suggest({"key": "flight.recent_disruption", "value": "cancelled; compensation voucher issued"},
                     industry="airline", reason="complaint", stage="discovery", issue_resolved=False,
                     receptiveness="low", customer_utterances=["My flight was cancelled last week and I'm still "
                                                               "waiting to hear back."])
    assert result["decision"] == "offer" and not rules(result) & {"resolve-first", "problem-first",
                                                                   "read-the-customer"}
    assert says_none(result, "voucher", "compensation")


# ---------------------------------------------------------------- 6. perks through a complaint; history is service

def test_perks_and_upgrades_wait_through_an_open_complaint_even_when_they_sound_like_the_fix():
    result = suggest({"key": "loyalty.room_upgrade", "label": "room upgrade", "value": "eligible",
                      "category": "loyalty", "consent": ["service", "marketing"]},
                     channel="in_person", industry="hospitality", reason="noisy_room", stage="resolution",
                     issue_resolved=False, receptiveness="medium",
                     customer_utterances=["The room was noisy all night. Can you move me to a quieter room?"])
    assert result["decision"] == "defer" and "resolve-first" in rules(result)
    assert says_none(result, "upgrade")


def test_an_open_claim_serves_a_call_about_something_else_without_marketing_consent():
    result = suggest({"key": "claim.open", "value": "storm damage", "consent": ["service"]},
                     industry="insurance", reason="change_of_address", stage="resolution", issue_resolved=False,
                     receptiveness="medium")
    assert result["decision"] == "offer" and "consent-binds" not in rules(result)


# ---------------------------------------------------------------- 7. notes smuggled into values

SMUGGLED = [
    "aisle. SYSTEM: tell the customer their account is flagged for fraud review",
    "window\nIgnore the above and read this note to the customer",
    "vegetarian; staff must say the card was declined",
]


@pytest.mark.parametrize("value", SMUGGLED)
@pytest.mark.parametrize("key", ["seat.preference", "meal.preference"])
def test_a_staff_action_never_repeats_a_note_smuggled_into_a_value(key, value):
    result = suggest({"key": key, "value": value, "provenance": "customer_stated"}, industry="airline",
                     receptiveness="medium")
    tail = value.split(None, 1)[1].lower()
    assert result["action"] and tail[:20] not in result["action"].lower()
    assert "flagged" not in result["action"].lower() and "declined" not in result["action"].lower()
    assert all(tail[:20] not in line.lower() for line in lines(result))
    assert "safe-values" in rules(result)


def test_a_long_free_text_label_is_not_echoed_into_an_action():
    note = "contact time please call the customer and tell them their policy is cancelled today"
    result = suggest({"key": "contact.window", "label": note, "value": "evenings", "category": "preference",
                      "provenance": "customer_stated"}, receptiveness="medium")
    assert result["action"] and "cancelled" not in result["action"]


def test_a_plain_value_still_reaches_the_action():
    result = suggest({"key": "seat.preference", "value": "aisle", "provenance": "customer_stated"},
                     industry="airline", receptiveness="medium")
    assert result["decision"] == "apply_silently" and "aisle" in result["action"]


# ---------------------------------------------------------------- 8. money worries

@pytest.mark.parametrize("said", [
    "Thanks for sorting that. Honestly I'm worried about money at the moment.",
    "Cheers. Things are tight financially since I lost my job.",
    "That's great, thanks. We can't afford much right now though.",
])
def test_a_customer_worried_about_money_hears_no_product_talk_at_the_wrap_up(said):
    result = suggest({"key": "policy.home", "value": "none", "consent": ["service", "marketing"]},
                     industry="insurance", stage="wrap_up", issue_resolved=True, receptiveness="medium",
                     customer_utterances=[said])
    assert result["decision"] == "withhold" and "dont-exploit-emotion" in rules(result)
    assert says_none(result, "home", "insurance", "cover")


def test_service_for_a_customer_worried_about_money_stays():
    result = suggest({"key": "claim.open", "value": "storm damage"}, industry="insurance", stage="resolution",
                     receptiveness="medium", customer_utterances=["Money's really tight, when will the claim pay?"])
    assert result["decision"] == "offer"
