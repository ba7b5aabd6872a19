"""When the customer is chasing the very thing a record is about, the record is the answer: it is said plainly, in
words, by the record's shape (a status with its dates, attempts with when, a balance as an amount), never kept
quiet as 'earlier contact'. Records the customer has not raised stay quiet."""
from speech import rules, said, suggest


def top(result: dict) -> str:
    return result["suggestions"][0]["text"] if result["suggestions"] else ""


# ---------------------------------------------------------------- service history they are chasing

def test_a_refund_being_chased_is_told_its_status_and_dates():
    result = suggest({"key": "refund.status", "category": "service_history",
                      "value": {"amount_gbp": 23.5, "status": "issued", "issued_on": "2027-02-10",
                                "expected_by": "2027-02-15"}},
                     channel="chat", industry="retail", reason="refund_chase", stage="discovery",
                     issue_resolved=False, customer_utterances=["where on earth is my refund", "still nothing"])
    assert result["decision"] == "offer" and "not-volunteered" not in rules(result)
    line = top(result)
    assert "£23.50" in line and "issued on" in line and "10 February 2027" in line
    assert "by Monday 15 February 2027" in line
    text = said(result)
    assert "issued, issued" not in text and "on on" not in text and "expected by" in text


def test_delivery_attempts_answer_where_the_parcel_is_with_when_and_a_redelivery():
    result = suggest({"key": "courier.attempts", "category": "service_history",
                      "value": {"attempts": 3, "last": "2027-05-04T16:30"}},
                     channel="chat", industry="parcels", reason="parcel_query", stage="discovery",
                     issue_resolved=False, customer_utterances=["hi where's my package got to?"])
    assert result["decision"] == "offer"
    text = said(result)
    assert "three so far" in text and "4 may 2027 at 4:30 pm" in text
    assert "redelivery" in text and "last time" not in text


def test_the_reason_alone_is_enough_when_their_words_are_set_aside():
    # Their turns hold markup that is set aside; they got in touch about the parcel, so the attempts still answer it.
    result = suggest({"key": "delivery.attempts", "category": "service_history",
                      "value": {"attempts": 1, "last": "2027-08-02T10:15"}},
                     channel="chat", industry="parcels", reason="where_is_my_parcel", stage="discovery",
                     issue_resolved=False, customer_utterances=["<b>hello</b>"])
    assert result["decision"] == "offer"
    assert "one so far" in top(result) and "10:15 am" in top(result)
    assert "last time" not in said(result)


def test_attempts_on_a_parcel_not_asked_about_stay_quiet():
    # Sending another parcel is doing something else: the earlier attempts are for staff to take care with.
    result = suggest({"key": "delivery.attempts", "category": "service_history",
                      "value": {"attempts": 2, "last": "2027-08-02T10:15"}},
                     channel="phone", industry="parcels", reason="change_address", stage="discovery",
                     issue_resolved=False, customer_utterances=["I've moved house, can you update my address?"])
    assert result["decision"] == "apply_silently" and "not-volunteered" in rules(result)
    assert result["suggestions"] == [] or "attempt" not in said(result)


# ---------------------------------------------------------------- an amount they ask for is said as an amount

def test_a_balance_asked_for_is_said_as_people_say_it():
    result = suggest({"key": "account.current_balance", "label": "current balance", "category": "account_event",
                      "value": {"gbp": 1033.2}},
                     channel="messaging", industry="banking", reason="balance_enquiry", stage="discovery",
                     issue_resolved=False, customer_utterances=["could you tell me my balance please"])
    assert result["decision"] == "offer"
    assert top(result).startswith("Your current balance is £1,033.20")
    text = said(result)
    assert "here's where" not in text and "reached you" not in text and "chase" not in text


# ---------------------------------------------------------------- what they hold serves what they are asking for

def test_a_member_bringing_a_relative_hears_yes_and_how_they_get_in():
    result = suggest({"key": "club.guest_passes", "label": "guest passes", "category": "loyalty", "value": 4},
                     channel="app", industry="gym", reason="general_enquiry", stage="discovery",
                     issue_resolved=False, customer_utterances=["could I bring my mum with me tomorrow?"])
    assert result["decision"] == "offer" and "their-request-first" not in rules(result)
    assert "reception" in top(result) and top(result).startswith("Yes")
    assert "4" not in said(result) and "four" not in said(result)


def test_a_free_reward_for_what_they_are_buying_is_offered_on_it():
    result = suggest({"key": "loyalty.reward", "label": "free ticket", "category": "loyalty",
                      "value": {"type": "free ticket", "expires": "2027-12-31"}},
                     channel="app", industry="cinema", reason="ticket_booking", stage="resolution",
                     issue_resolved=False, customer_utterances=["3 tickets for tonight's 8pm please"])
    assert result["decision"] == "offer"
    assert "free ticket to use" in top(result) and "towards this" in top(result)
    assert "does that work" not in top(result) and "december" not in said(result)


# ---------------------------------------------------------------- how much longer, from the record of the delay

def test_a_patient_asking_how_much_longer_hears_the_delay_and_their_place():
    result = suggest({"key": "clinic.queue", "category": "operational",
                      "value": {"clinician": "Dr Ruiz", "late_min": 25, "position": "next"}},
                     channel="in_person", industry="clinic", reason="waiting", stage="discovery",
                     issue_resolved=False, customer_utterances=["any idea how much longer it'll be?"])
    assert result["decision"] == "offer" and result["topic"] == "generic.waiting"
    assert "Dr Ruiz is running about 25 minutes behind, and you're next" in top(result)
    assert "quickest way" not in said(result)


# ---------------------------------------------------------------- money owed back on what they paid for

def test_unused_prepaid_lessons_are_refunded_when_they_ask_how_to_finish_up():
    result = suggest({"key": "lessons.prepaid_unused", "category": "transaction",
                      "value": {"lessons": 4, "refund_gbp": 140}},
                     channel="chat", industry="driving_school", reason="general_enquiry", stage="discovery",
                     issue_resolved=False, customer_utterances=["Finished with lessons now", "what do I do to close things off?"])
    assert result["decision"] == "offer" and "resolve-first" not in rules(result)
    assert "£140" in top(result) and "refund" in top(result)
    assert "shouldn't have happened" not in top(result)


# ---------------------------------------------------------------- the same again

def test_asking_for_the_same_again_in_an_app_is_confirmed_not_met_with_silence():
    result = suggest({"key": "account.usual_order", "category": "preference", "provenance": "transaction",
                      "value": {"items": ["margherita", "garlic bread"], "last": "2027-03-02"}},
                     channel="app", industry="takeaway", reason="new_order", stage="discovery",
                     customer_utterances=["can I have my usual order again?"])
    assert result["decision"] == "apply_silently"
    assert top(result) == "Of course. Same again as before?"
    assert "margherita" not in said(result)


# ---------------------------------------------------------------- help they booked, asked about

def test_a_passenger_asking_if_booked_help_will_be_there_is_told_it_is_booked():
    result = suggest({"key": "accessibility.assistance", "category": "disability", "provenance": "customer_stated",
                      "value": "ramp and help to the taxi rank"},
                     channel="cabin", industry="rail", reason="passenger_question", stage="resolution",
                     receptiveness="medium", customer_utterances=["will someone be there to help me off at York?"])
    assert result["decision"] == "apply_silently" and result["action"]
    assert "booked" in top(result)
    assert "ramp" not in said(result) and "taxi" not in said(result)


def test_help_on_file_is_still_seen_to_quietly_when_they_ask_something_else():
    result = suggest({"key": "accessibility.assistance", "category": "disability", "provenance": "customer_stated",
                      "value": "ramp and help to the taxi rank"},
                     channel="cabin", industry="rail", reason="passenger_question", stage="resolution",
                     receptiveness="medium", customer_utterances=["is the buffet car still open?"])
    assert result["decision"] == "apply_silently" and result["action"]
    assert result["suggestions"] == [] or "booked" not in said(result)


# ---------------------------------------------------------------- why the bill is higher, from the bill itself

def test_an_overage_charge_on_the_bill_explains_the_higher_bill():
    result = suggest({"key": "plan.data_overage", "category": "usage",
                      "value": {"month": "2027-04", "over_gb": 2.1, "charge_gbp": 8}},
                     channel="chat", industry="telecom", reason="billing_question", stage="discovery",
                     receptiveness="medium", customer_utterances=["how come my bill went up by £8?"])
    assert result["decision"] == "offer"
    assert top(result).startswith("The extra £8 is a charge for data used over your allowance")
    assert "2.1" not in said(result) and "gb" not in said(result)


def test_usage_that_was_only_watched_is_still_asked_about_never_stated():
    result = suggest({"key": "plan.data_overage", "category": "usage", "provenance": "observed",
                      "value": {"over_gb": 2.1, "charge_gbp": 8}},
                     channel="chat", industry="telecom", reason="billing_question", stage="discovery",
                     receptiveness="medium", customer_utterances=["how come my bill went up by £8?"])
    assert "using more data" in top(result)
    assert "the extra £8" not in said(result)


# ---------------------------------------------------------------- why something of theirs was refused

def test_a_refused_pass_is_explained_by_its_expiry_with_renewal_offered_and_nothing_sensitive_said():
    result = suggest({"key": "concession_pass", "category": "disability",
                      "value": {"pass_type": "disabled persons", "expiry": "2027-03-31"}},
                     channel="app", industry="bus", reason="pass_rejected", stage="discovery",
                     receptiveness="medium", customer_utterances=["why was my pass declined this morning?"])
    assert result["decision"] == "offer"
    assert "31 March 2027" in top(result) and "renew" in top(result)
    assert "disab" not in said(result)


def test_results_marked_in_on_the_record_answer_whether_they_are_back():
    result = suggest({"key": "test.results", "category": "health",
                      "value": {"status": "in", "note": "vitamin D low, GP to discuss"}},
                     channel="phone", industry="clinic", reason="results_query", stage="discovery",
                     receptiveness="medium", customer_utterances=["are my blood results back?"])
    assert result["decision"] == "offer"
    assert top(result).startswith("They're in now")
    assert "vitamin" not in said(result) and "gp to discuss" not in said(result)


# ---------------------------------------------------------------- their issue, even through worry

def test_a_worried_customer_who_lost_something_hears_where_it_was_handed_in_and_describes_theirs():
    result = suggest({"key": "lost_property.found", "category": "operational",
                      "value": {"item": "grey backpack", "depot": "Stratford", "found": "2027-10-02"}},
                     channel="phone", industry="bus", reason="lost_property", stage="discovery",
                     issue_resolved=False, customer_utterances=["I think I left my backpack on the bus, I'm really worried"])
    assert result["decision"] == "offer" and "their-issue-first" not in rules(result)
    assert "Stratford" in top(result) and "describe" in top(result)
    # What it is stays unsaid: the customer describes it, so it goes back to its owner.
    assert "grey" not in said(result) and "depot" not in said(result)


# ---------------------------------------------------------------- a gift for someone else

def test_help_choosing_a_gift_asks_about_the_person_it_is_for():
    result = suggest({"key": "purchase.recent", "category": "transaction", "provenance": "transaction",
                      "value": {"item": "wool hat", "date": "2027-02-01"}},
                     channel="store", industry="retail", reason="gift_advice", stage="discovery",
                     issue_resolved=False, receptiveness="medium",
                     customer_utterances=["could you help me pick a present for my mum?"])
    assert result["decision"] == "offer" and "resolve-first" not in rules(result)
    assert "they usually go for" in top(result)
    assert "wool" not in said(result)


def test_a_perk_that_says_yes_is_not_turned_into_a_reward_to_spend():
    perk = {"key": "member_perk.free_breakfast", "value": True, "label": "free breakfast", "category": "loyalty"}
    result = suggest(perk, channel="in_person", industry="hotel", stage="discovery", receptiveness="medium",
                     customer_utterances=["could we have breakfast in the morning?"])
    assert "to use" not in top(result)


def test_keys_with_empty_or_blank_parts_are_named_without_error():
    from tact.policy import key_label
    for key, label in (("_.status", "status"), ("refund.status", "refund status"), ("a._", "a")):
        assert key_label(key) == label
    for key in ("x. ", ".", "a.__"):
        assert isinstance(key_label(key), str)
    result = suggest({"key": "a._", "category": "service_history", "value": {"status": "issued"}})
    assert result["decision"] in ("ask", "offer", "apply_silently", "defer", "withhold")
