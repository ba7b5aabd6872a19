"""What staff are told to say, as a customer would hear it: a record said as a sentence, a change they just asked
for confirmed, reasons that agree with the lines, goodbyes that are goodbyes, tones that really differ."""
import tact


def suggest(datapoint, **context):
    return tact.suggest({"datapoint": datapoint, "context": context})


def lines(result):
    return [s["text"] for s in result["suggestions"]] + \
        [s["text"] for group in result["alternatives"].values() for s in group]


def top(result):
    return result["suggestions"][0]["text"] if result["suggestions"] else ""


def reasons(result):
    return " ".join(r["message"] for r in result["reasons"])


# ---------------------------------------------------------------- records said as sentences

def test_a_found_item_is_said_by_where_and_when_and_they_describe_theirs():
    result = suggest({"key": "lost_property.case", "value": {"item": "green scarf", "found": "2027-04-02",
                                                              "depot": "Bath Spa"},
                      "label": "lost property report", "category": "service_history",
                      "provenance": "account_record"},
                     channel="phone", industry="rail", reason="lost_property", stage="discovery",
                     receptiveness="medium",
                     customer_utterances=["I left a green scarf on the train on Friday", "did anyone find it?"])
    said = top(result)
    assert "handed in at Bath Spa on 2 April 2027" in said and "describe" in said
    assert "scarf" not in said      # what it is: the customer describes it, so it goes back to its owner
    for field_name in ("item green", "depot", "found 2027"):
        assert field_name not in said


def test_the_tones_of_an_answer_differ_in_more_than_an_apology():
    result = suggest({"key": "courier.attempts", "value": {"count": 3, "last": "2027-05-11T10:05"},
                      "label": "delivery attempts", "category": "service_history", "provenance": "account_record"},
                     channel="chat", industry="parcels", stage="discovery",
                     customer_utterances=["where is my parcel? it's been days"])
    by_level = {result["receptiveness"]["level"]: top(result)}
    by_level.update({level: group[0]["text"] for level, group in result["alternatives"].items() if group})
    assert len(set(by_level.values())) == 3
    assert all("three so far, the last on Tuesday 11 May 2027 at 10:05 am" in line for line in by_level.values())


# ---------------------------------------------------------------- a change they just asked for

def test_a_customer_who_says_stop_hears_that_it_will_stop():
    result = suggest({"key": "marketing.post", "value": "monthly catalogue", "label": "catalogue mailings",
                      "category": "preference", "provenance": "customer_stated"},
                     channel="chat", industry="retail", stage="discovery", receptiveness="medium",
                     customer_utterances=["please don't send me the catalogue anymore, it all goes in the bin"])
    assert result["decision"] == "withhold"
    assert result["guidance"]["moment"] == "do-as-they-say"
    assert "stop" in top(result).lower()
    assert "catalogue" not in " ".join(lines(result)).lower()


def test_a_question_is_not_mistaken_for_a_change_to_confirm():
    result = suggest({"key": "meal.preference", "value": "pescatarian", "label": "pescatarian",
                      "category": "preference", "provenance": "customer_stated"},
                     channel="in_person", industry="restaurant", stage="discovery", receptiveness="medium",
                     customer_utterances=["What would you go for this evening?"])
    assert "get that done" not in " ".join(lines(result)).lower()


def test_an_aside_in_brackets_is_never_repeated_to_staff_or_customer():
    result = suggest({"key": "room.preference", "value": "ground floor (bad hip)", "label": "room preference",
                      "category": "preference", "provenance": "customer_stated"},
                     channel="phone", industry="hotel", stage="discovery",
                     customer_utterances=["I'd like to book two nights from Friday"])
    said = " ".join(lines(result)) + " " + (result["action"] or "")
    assert "hip" not in said
    if result["action"]:
        assert "ground floor" in result["action"]


# ---------------------------------------------------------------- reasons that agree with the lines

def test_a_bystander_reason_for_a_product_never_says_it_would_expose_them():
    result = suggest({"key": "cover.gadget", "value": "none", "label": "gadget cover", "category": "product_holding",
                      "provenance": "account_record", "consent": ["service", "marketing"]},
                     channel="in_person", industry="retail", stage="wrap_up", issue_resolved=True,
                     bystanders=True, customer_utterances=["lovely, that's everything"])
    assert "expose" not in reasons(result)


def test_an_annoyed_customer_is_the_first_reason_not_the_people_around():
    result = suggest({"key": "promo.coffee", "value": "free refill", "label": "refill offer",
                      "category": "product_holding", "provenance": "account_record",
                      "consent": ["service", "marketing"]},
                     channel="in_person", industry="cafe", stage="resolution", issue_resolved=False,
                     bystanders=True,
                     customer_utterances=["this is the second cold coffee today", "honestly this is ridiculous"])
    assert result["decision"] in ("withhold", "defer")
    assert result["reasons"][0]["rule"] == "their-issue-first"
    assert "annoyed" in result["reasons"][0]["message"]


def test_a_usage_pattern_behind_a_bill_is_asked_about_never_stated():
    result = suggest({"key": "plan.data_overage", "value": {"months": 2, "avg_gb_over": 4},
                      "label": "data over allowance", "category": "usage", "provenance": "observed"},
                     channel="phone", industry="telecom", reason="bill_query", stage="discovery",
                     receptiveness="medium", customer_utterances=["why is my bill so high this month?"])
    assert "?" in top(result)
    assert not any("you've gone over" in line.lower() for line in lines(result))


# ---------------------------------------------------------------- the moment's end, the opening

def test_have_a_nice_afternoon_is_a_goodbye():
    result = suggest({"key": "spending.groceries", "value": {"direction": "down", "pct": 12},
                      "label": "grocery spending", "category": "behaviour", "provenance": "transaction"},
                     channel="in_person", industry="banking", stage="wrap_up", issue_resolved=True,
                     customer_utterances=["great, all done then", "thanks, have a nice afternoon"])
    assert result["guidance"] and result["guidance"]["moment"] == "farewell"
    assert "anything else" not in top(result).lower()


def test_a_returning_guest_who_gives_their_name_and_nights_is_welcomed_back_to_their_booking():
    result = suggest({"key": "guest.stays", "value": 7, "label": "returning guest", "category": "relationship",
                      "provenance": "account_record"},
                     channel="in_person", industry="hotel", reason="check_in", stage="opening",
                     bystanders=True, receptiveness="medium", customer_utterances=["hi there, Okafor, two nights"])
    assert "welcome back" in top(result).lower() and "booking" in top(result).lower()
    assert "7" not in top(result) and "seven" not in top(result).lower()


def test_a_check_in_never_promises_a_call_a_patient_may_not_hear():
    result = suggest({"key": "clinic.note", "value": "none", "label": "note", "category": "service_history",
                      "provenance": "account_record"},
                     channel="in_person", industry="clinic", reason="check_in", stage="opening",
                     receptiveness="medium", customer_utterances=["hi, 11:15 with Dr Osei"])
    assert "call you" not in " ".join(lines(result)).lower()


# ---------------------------------------------------------------- a money worry, a refund owed, a delay

def test_a_double_charge_is_offered_back_with_the_amount_not_a_recommendation():
    result = suggest({"key": "charge.refund_owed", "value": {"amount": "£4.99", "reason": "charged twice"},
                      "label": "money owed", "category": "transaction", "provenance": "account_record"},
                     channel="chat", industry="streaming", reason="billing_complaint", stage="discovery",
                     customer_utterances=["you've charged me twice again", "not impressed"])
    assert "£4.99 owed back to you" in top(result)
    assert not any("enjoyed lately" in line or "in the mood" in line for line in lines(result))


def test_a_late_order_with_a_new_time_says_the_time_as_people_say_it():
    result = suggest({"key": "order.eta", "value": {"status": "driver delayed", "eta": "20:15"},
                      "label": "order status", "category": "operational", "provenance": "account_record"},
                     channel="chat", industry="food_delivery", reason="late_order", stage="discovery",
                     customer_utterances=["where is my order?? it's been ages"])
    assert "8:15 pm" in top(result)
    assert "driver delayed" not in top(result)


# ---------------------------------------------------------------- money owed back, records with their units

def test_money_coming_back_on_the_account_is_offered_with_the_amount_at_the_close():
    result = suggest({"key": "account.overpayment_refund", "value": {"amount": 31.2, "currency": "GBP",
                                                                     "status": "not paid"},
                      "label": "overpayment refund", "category": "account_event", "provenance": "account_record"},
                     channel="chat", industry="gym", reason="address_change", stage="wrap_up", issue_resolved=True,
                     customer_utterances=["Lovely, all updated, ta"])
    assert result["decision"] == "offer"
    assert any("£31.20" in line and "owed back to you" in line for line in lines(result))
    assert "amount" in reasons(result)      # the reason says to say it with the amount, not 'don't recite amounts'


def test_a_bill_the_customer_still_has_to_pay_is_never_money_owed_to_them():
    result = suggest({"key": "invoice.latest", "value": {"amount": 55, "status": "unpaid"}, "label": "latest invoice",
                      "category": "account_event", "provenance": "account_record"},
                     channel="phone", industry="telecom", stage="wrap_up", issue_resolved=True, receptiveness="high")
    assert not any("owed" in line or "owe you" in line for line in lines(result))


def test_a_record_field_says_its_unit_and_a_currency_field_is_never_read_out():
    from tact.render import facts, parts
    said = facts({"amount": 12, "currency": "EUR", "eta_hours": 48})
    assert said == "€12, expected within 48 hours"
    assert parts({"eta_hours": 48}, "refund").get("wait") is None      # hours are never read as minutes


def test_nothing_said_for_a_junk_value_is_explained_in_one_plain_sentence():
    result = suggest({"key": "loyalty.points_balance", "value": "NaN", "label": "points balance",
                      "category": "loyalty", "provenance": "account_record"},
                     channel="app", industry="retail", stage="discovery",
                     customer_utterances=["how many points have i got?"])
    text = reasons(result)
    assert "NaN" not in text and "(" not in text and "data point" not in text


def test_a_ready_car_message_names_the_car_where_and_when_but_a_medicine_never():
    car = suggest({"key": "booking.vehicle_ready", "value": {"location": "Airport desk 3", "time": "08:15",
                                                              "date": "2027-05-02"},
                   "label": "car ready for collection", "category": "operational", "provenance": "account_record"},
                  channel="sms", industry="car_hire", reason="collection_notice", stage="opening",
                  receptiveness="medium")
    assert top(car).startswith("Hello, your car is ready to collect from Airport desk 3 at 8:15 am on 2 May 2027")
    medicine = suggest({"key": "prescription.ready", "value": {"medicine": "sertraline", "branch": "High St"},
                        "label": "prescription", "category": "medication", "provenance": "account_record"},
                       channel="sms", industry="pharmacy", reason="prescription_ready", stage="opening",
                       receptiveness="medium")
    assert all("sertraline" not in line and "prescription" not in line.lower() for line in lines(medicine))


def test_being_passed_to_someone_else_is_not_read_as_a_death():
    result = suggest({"key": "support.payment_plan", "value": "available", "label": "payment plan",
                      "category": "account_event", "provenance": "account_record"},
                     channel="phone", industry="telecom", reason="arrears", stage="discovery",
                     customer_utterances=["They said they're passing my account on to a collection agency.",
                                          "I can't pay it all in one go."])
    assert "griev" not in reasons(result).lower()
