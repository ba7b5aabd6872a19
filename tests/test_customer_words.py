"""How the customer's words are read: requests for help that are not distress, preferences they stop, replace
or say failed, products they say are held elsewhere, problems that happened again, distress about the very
thing they came for, and messages we send first about the data point itself."""
import pytest

from tact.engine import default_engine

ENGINE = default_engine()


def suggest(datapoint, **context):
    return ENGINE.suggest({"datapoint": {"provenance": "account_record", **datapoint},
                           "context": {"channel": "phone", **context}})


def rules(result):
    return [r["rule"] for r in result["reasons"]]


def spoken(result):
    return [s["text"] for s in result["suggestions"]] + \
        [s["text"] for group in result["alternatives"].values() for s in group]


@pytest.mark.parametrize("said", [
    "Can you help me pick a card for my nan's 90th?",
    "Could you help me find a bottle of something nice for our anniversary?",
    "Can you help me choose a cake for my son's birthday?",
])
def test_asking_for_help_choosing_is_not_distress(said):
    result = suggest({"key": "x.note", "value": 1}, channel="in_person", customer_utterances=[said])
    assert "distress" not in result["receptiveness"]["signals"]


@pytest.mark.parametrize("said", ["Please help me, my wallet's been stolen and I'm stuck here.",
                                  "I'm at the end of my tether, I can't cope with this any more."])
def test_a_real_cry_for_help_is_still_distress(said):
    result = suggest({"key": "x.note", "value": 1}, customer_utterances=[said])
    assert "distress" in result["receptiveness"]["signals"]


def test_an_occasion_the_customer_shares_while_asking_for_help_is_celebrated():
    result = suggest({"key": "occasion.gift", "value": "sister's wedding", "label": "wedding present",
                      "category": "occasion", "provenance": "customer_said"},
                     channel="in_person", industry="retail", stage="discovery",
                     customer_utterances=["Can you help me pick a vase for my sister's wedding?"])
    assert result["decision"] in ("offer", "ask")
    assert not any("sorry" in line.lower() for line in spoken(result))


@pytest.mark.parametrize("stored,said", [
    ({"key": "bills.format", "value": "paper", "label": "paper bills"},
     "can u just email my bills from now on"),
    ({"key": "delivery.neighbour", "value": "No. 7", "label": "leave with neighbour"},
     "please don't leave my parcels with the neighbours anymore"),
    ({"key": "delivery.safe_place", "value": "porch", "label": "safe place"},
     "Someone's nicked my delivery off the porch again."),
    ({"key": "delivery.safe_place", "value": "garden shed", "label": "safe place"},
     "My box was taken from the garden shed last night."),
    ({"key": "room.newspaper", "value": "The Times", "label": "morning newspaper"},
     "Stop sending up a newspaper, I read it on my phone."),
])
def test_a_stored_preference_the_customer_replaces_stops_or_says_failed_is_not_used(stored, said):
    result = suggest({**stored, "category": "preference", "provenance": "customer_stated"},
                     channel="chat", stage="discovery", customer_utterances=[said])
    assert result["decision"] == "withhold"
    assert "customer-words-first" in rules(result)
    assert result["action"] is None      # nothing done on the quiet against what they said


def test_a_stored_preference_the_customer_just_mentions_is_still_honoured():
    result = suggest({"key": "delivery.safe_place", "value": "porch", "label": "safe place",
                      "category": "preference", "provenance": "customer_stated"},
                     channel="chat", stage="discovery", customer_utterances=["Leave it in the porch as usual, thanks."])
    assert result["decision"] == "apply_silently"


@pytest.mark.parametrize("said", ["The car's insured with Direct Line, it's just the house with you.",
                                  "My car is covered by my partner's policy."])
def test_a_product_the_customer_says_is_covered_elsewhere_is_not_asked_about(said):
    result = suggest({"key": "policy.auto", "value": "none", "label": "car insurance",
                      "consent": ["service", "marketing"]},
                     industry="insurance", stage="wrap_up", issue_resolved=True, receptiveness="high",
                     customer_utterances=[said])
    assert result["decision"] == "withhold"
    assert "already-answered" in rules(result)
    assert not any("car" in line.lower() for line in spoken(result))


@pytest.mark.parametrize("said", ["The wrong size came AGAIN.", "Second time this month the order's been wrong.",
                                  "This keeps happening, my order's damaged every time."])
def test_history_the_customer_raises_by_repeating_is_served(said):
    result = suggest({"key": "order.earlier_fault", "value": "wrong item sent", "label": "earlier order fault",
                      "category": "service_history"},
                     channel="chat", industry="retail", reason="complaint", stage="discovery", issue_resolved=False,
                     customer_utterances=[said])
    assert result["decision"] == "offer"
    assert "again" in result["suggestions"][0]["text"].lower()
    assert "Don't bring it up" not in (result["action"] or "")


def test_waiting_is_not_repeating():
    result = suggest({"key": "order.earlier_fault", "value": "wrong item sent", "label": "earlier wrong item",
                      "category": "service_history"},
                     channel="chat", industry="retail", reason="late_order", stage="discovery", issue_resolved=False,
                     customer_utterances=["My order still hasn't come and I'm fed up."])
    assert result["decision"] == "apply_silently"


def test_distress_does_not_put_off_the_issue_the_customer_called_about():
    result = suggest({"key": "claim.open", "value": {"ref": "HX-1", "status": "awaiting surveyor"},
                      "label": "your claim", "category": "service_history"},
                     industry="insurance", reason="claim_status", stage="discovery", issue_resolved=False,
                     customer_utterances=["The ceiling came down and we've nowhere to sleep.", "I can't cope."])
    assert result["decision"] in ("offer", "ask")
    assert result["suggestions"][0]["text"].startswith("I'm so sorry")
    # Where the claim stands is what they called about: it is said, the file's reference never is.
    assert "awaiting surveyor" in result["suggestions"][0]["text"]
    assert not any("HX-1" in line for line in spoken(result))


def test_distress_still_puts_off_what_the_customer_did_not_come_for():
    result = suggest({"key": "policy.renewal", "value": "2027-01-01", "label": "renewal date",
                      "category": "account_event"},
                     industry="insurance", reason="claim_status", stage="discovery", issue_resolved=False,
                     customer_utterances=["The ceiling came down and we've nowhere to sleep."])
    assert result["decision"] in ("defer", "withhold")


@pytest.mark.parametrize("datapoint,reason", [
    ({"key": "meter.reading_due", "value": "2027-03-31", "label": "meter reading", "category": "account_event"},
     "meter_reading_reminder"),
    ({"key": "class.booking", "value": {"class": "Spin", "status": "cancelled"}, "label": "class booking",
      "category": "operational"}, "class_cancelled"),
])
def test_a_message_we_send_first_about_the_data_point_is_about_it(datapoint, reason):
    result = suggest(datapoint, channel="sms", reason=reason, stage="opening", receptiveness="medium")
    assert result["decision"] in ("offer", "ask")
    top = result["suggestions"][0]["text"]
    assert "?" in top and "keeping well" not in top and "getting in touch" not in top
    # The value is said as people write it, never as the record holds it.
    assert "2027-03-31" not in top and ("31 March 2027" in top or "meter" not in datapoint["key"])


def test_a_phone_call_opening_still_hears_the_customer_out():
    result = suggest({"key": "meter.reading_due", "value": "2027-03-31", "label": "meter reading",
                      "category": "account_event"}, reason="meter_reading_reminder", stage="opening",
                     customer_utterances=["Hi, I'm calling about my bill."])
    assert result["decision"] == "defer"
