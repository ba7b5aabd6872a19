"""What a coach expects of sensitive data told before, grief, occasions, watched income and member perks."""
import pytest

import speech
from speech import rules, said


def suggest(datapoint: dict, **context) -> dict:
    return speech.suggest({"provenance": "customer_stated", **datapoint}, **context)


# ------------------------------------------------------------ a condition on file is not a need to act on

@pytest.mark.parametrize("datapoint, context", [
    # A shoulder injury from a gym's health form, at the desk once the renewal is done.
    ({"key": "member.injury", "value": "torn rotator cuff", "label": "shoulder injury", "category": "health",
      "consent": ["service", "marketing"]},
     {"channel": "in_person", "industry": "gym", "stage": "wrap_up", "issue_resolved": True, "bystanders": True,
      "customer_utterances": ["Lovely, that's me signed up."]}),
    # Epilepsy from an old holiday quote, on a call that moved the dates.
    ({"key": "health.declared", "value": "epilepsy", "label": "medical declaration", "category": "health"},
     {"industry": "travel_agent", "stage": "wrap_up", "issue_resolved": True,
      "customer_utterances": ["Great, thanks for moving the dates."]}),
    # An inhaler on the passenger record while tea is served.
    ({"key": "pax.medication", "value": "salbutamol inhaler", "label": "medication", "category": "medication"},
     {"channel": "cabin", "industry": "airline", "customer_utterances": ["Could I get a tea please?"]}),
])
def test_a_condition_or_medicine_told_before_is_withheld_and_nothing_is_done(datapoint, context):
    result = suggest(datapoint, **context)
    assert result["decision"] == "withhold" and "sensitive-data" in rules(result)
    assert result["action"] is None
    for word in (datapoint["value"].split()[0], "injur", "medic", "condition"):
        assert word not in said(result)


def test_an_allergy_told_at_booking_goes_to_the_kitchen_at_dinner_but_not_at_checkout():
    allergy = {"key": "guest.allergy", "value": "tree nuts", "label": "allergy", "category": "health"}
    dinner = suggest(allergy, channel="in_person", industry="hospitality", reason="dinner_reservation",
                     stage="opening", customer_utterances=["Hi, we're booked in for dinner at eight."])
    assert dinner["decision"] == "apply_silently" and "told-for-care" in rules(dinner)
    assert "kitchen" in dinner["action"] and "nut" not in dinner["action"] and "nut" not in said(dinner)
    checkout = suggest(allergy, channel="in_person", industry="hospitality", reason="checkout", stage="wrap_up",
                       issue_resolved=True, customer_utterances=["Checking out, room 14."])
    assert checkout["decision"] == "withhold" and checkout["action"] is None and "nut" not in said(checkout)


@pytest.mark.parametrize("datapoint, context, action", [
    # Large print on an insurer's file, when the customer asks for papers to be posted.
    ({"key": "customer.format", "value": "large print", "label": "document format", "category": "disability",
      "consent": ["service"]},
     {"industry": "insurance", "reason": "policy_documents", "stage": "resolution", "issue_resolved": False,
      "customer_utterances": ["Could you post me the renewal papers?"]}, "format the customer's record asks for"),
    # A no-Friday note on a furniture order, in a chat about delivery days.
    ({"key": "delivery.no_friday", "value": "religious reasons", "label": "no Friday deliveries",
      "category": "religion"},
     {"channel": "chat", "industry": "retail", "reason": "delivery_booking", "stage": "resolution",
      "issue_resolved": False, "customer_utterances": ["what days have you got for the sofa?"]}, "never why"),
    # Assistance booked for a train journey, at the platform.
    ({"key": "booking.assistance", "value": "wheelchair ramp", "label": "passenger assist", "category": "disability"},
     {"channel": "in_person", "industry": "rail", "reason": "boarding", "stage": "opening",
      "customer_utterances": ["Hi, I'm on the 10:15 to Leeds."]}, "help that was booked"),
])
def test_a_need_told_before_is_honoured_quietly_with_its_own_action(datapoint, context, action):
    result = suggest(datapoint, **context)
    assert result["decision"] == "apply_silently" and "told-for-care" in rules(result)
    assert action in result["action"]
    assert "arrange" not in said(result)        # no "I'll see what I can arrange" offer
    for word in ("relig", "faith", "wheelchair", "large print", "friday"):
        assert word not in said(result) and word not in result["action"].lower()


def test_the_same_need_waits_when_nothing_in_the_moment_lets_staff_act_on_it():
    result = suggest({"key": "customer.format", "value": "braille", "label": "document format",
                      "category": "disability"},
                     industry="energy", reason="meter_reading", stage="discovery", issue_resolved=False,
                     customer_utterances=["I'd like to give you a reading."])
    assert result["decision"] == "withhold" and result["action"] is None and "braille" not in said(result)


# ------------------------------------------------------------ raised only by the contact reason

def test_a_parent_collecting_their_own_is_not_offered_their_childs_medicine():
    result = suggest({"key": "prescription.son", "value": {"drug": "beclometasone", "patient": "son"},
                      "label": "son's prescription", "category": "children", "provenance": "account_record"},
                     channel="store", industry="pharmacy", reason="collect_own_prescription", stage="resolution",
                     issue_resolved=False, bystanders=True, customer_utterances=["Just mine today please."])
    assert result["decision"] == "withhold" and result["action"] is None
    assert not any(w in said(result) for w in ("son", "becl", "prescription"))


def test_a_login_problem_has_not_raised_the_face_login_on_file():
    result = suggest({"key": "app.face_id_enrolled", "value": True, "label": "face login", "category": "biometric",
                      "provenance": "account_record"},
                     industry="banking", reason="login_problem", stage="opening", issue_resolved=False,
                     customer_utterances=["I can't log in to the app."])
    assert result["decision"] == "withhold" and "sensitive-data" in rules(result) and "face" not in said(result)


def test_getting_in_touch_about_a_prescription_still_raises_it():
    result = suggest({"key": "prescription.refill", "value": {"drug": "amlodipine", "status": "ready"},
                      "label": "prescription", "category": "health", "provenance": "account_record"},
                     channel="store", industry="pharmacy", reason="prescription_collection", stage="resolution",
                     issue_resolved=False, bystanders=True, customer_utterances=["Hi, collecting for Jones."])
    assert result["decision"] == "offer" and result["suggestions"] and "amlodipine" not in said(result)


# ------------------------------------------------------------ grief, occasions, watched income, perks

@pytest.mark.parametrize("datapoint, context", [
    ({"key": "loyalty.points_balance", "value": 800, "label": "points"},
     {"industry": "telecom", "reason": "bereavement", "stage": "opening", "issue_resolved": False,
      "customer_utterances": ["My husband passed away last month, I need to close his line."]}),
    ({"key": "loyalty.tier", "value": "gold", "label": "membership tier"},
     {"channel": "in_person", "industry": "hospitality", "stage": "wrap_up", "issue_resolved": True,
      "customer_utterances": ["We're here for my father's funeral.", "Thanks for the key."]}),
])
def test_a_grieving_customer_is_offered_no_points_or_perks_for_the_whole_conversation(datapoint, context):
    result = suggest({**datapoint, "category": "loyalty", "provenance": "account_record",
                      "consent": ["service", "marketing"]}, **context)
    assert result["decision"] == "withhold" and "dont-exploit-emotion" in rules(result)
    assert not any(w in said(result) for w in ("point", "gold", "member", "loyal", "extra"))


def test_a_milestone_from_the_date_of_birth_is_not_fished_for_by_a_month_in_common():
    result = suggest({"key": "customer.milestone_birthday", "value": "40th in March", "label": "40th birthday",
                      "category": "occasion", "provenance": "account_record", "consent": ["service", "marketing"]},
                     industry="travel_agent", reason="new_booking", stage="discovery", issue_resolved=False,
                     receptiveness="high", customer_utterances=["We're thinking of Lisbon in March."])
    assert result["decision"] == "withhold" and "respect-provenance" in rules(result)
    assert not any(w in said(result) for w in ("celebrat", "special", "birthday", "40"))


def test_an_anniversary_told_at_booking_is_prepared_quietly_at_a_table_with_others_around():
    result = suggest({"key": "celebration.noted", "value": "silver wedding", "label": "anniversary",
                      "category": "occasion", "consent": ["service"]},
                     channel="in_person", industry="hospitality", reason="restaurant_booking", stage="opening",
                     bystanders=True, customer_utterances=["Evening, table for four under Shah."])
    assert result["decision"] == "apply_silently" and "something small ready" in result["action"]
    assert not any(w in said(result) for w in ("anniversar", "wedding", "congratul", "special"))


def test_higher_spending_read_from_payments_is_never_a_question_even_with_profiling_consent():
    result = suggest({"key": "spending.uplift", "value": "spending up 30%", "label": "higher income",
                      "category": "income", "provenance": "transaction",
                      "consent": ["service", "marketing", "profiling"]},
                     channel="app", industry="banking", reason="card_freeze", stage="wrap_up", issue_resolved=True,
                     receptiveness="high", customer_utterances=["perfect, cheers"])
    assert result["decision"] == "withhold" and "respect-provenance" in rules(result)
    assert not any(w in said(result) for w in ("income", "spend", "30", "earn", "sav"))


def test_a_member_perk_on_offer_needs_marketing_consent_unlike_their_own_points():
    context = {"industry": "hospitality", "reason": "booking_change", "stage": "wrap_up", "issue_resolved": True,
               "receptiveness": "high", "customer_utterances": ["Brilliant, thanks so much."]}
    perk = suggest({"key": "loyalty.perks_available", "value": "free breakfast for members",
                    "label": "member perks", "category": "loyalty", "provenance": "account_record",
                    "consent": ["service"]}, **context)
    assert perk["decision"] == "withhold" and "consent-binds" in rules(perk) and "breakfast" not in said(perk)
    points = suggest({"key": "loyalty.points_balance", "value": 3000, "label": "points", "category": "loyalty",
                      "provenance": "account_record", "consent": ["service"]}, **context)
    assert points["decision"] in ("offer", "ask") and "consent-binds" not in rules(points)
