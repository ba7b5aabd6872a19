"""The top line answers what the customer just asked: with the value when the record is the answer, and with
nothing that pretends to answer when it is not."""
import pytest

import tact


def suggest(datapoint, **context):
    context.setdefault("channel", "phone")
    return tact.suggest({"datapoint": datapoint, "context": context})


def top(result):
    return result["suggestions"][0]["text"] if result["suggestions"] else ""


def every_line(result):
    lines = list(result["suggestions"])
    for level in result["alternatives"].values():
        lines += level
    return [line["text"] for line in lines]


# ---------------------------------------------------------------- the record is the answer

@pytest.mark.parametrize("channel, words", [
    ("chat", "when does my fixed price finish? trying to plan"),
    ("phone", "when am I out of contract?"),
    ("in_person", "when does my deal run out?"),
])
def test_a_date_they_ask_for_is_said_with_a_next_step(channel, words):
    deal = {"key": "tariff.fixed_end", "value": "2027-01-31", "label": "fixed deal end date",
            "category": "account_event", "provenance": "account_record"}
    result = suggest(deal, channel=channel, industry="energy", stage="discovery", receptiveness="medium",
                     customer_utterances=[words])
    assert result["decision"] == "offer"
    line = top(result)
    assert "31 January 2027" in line, line
    assert "go through" not in line and "due on" not in line     # answered, not offered a walk-through
    assert line.rstrip().endswith("?")                           # and a next step


@pytest.mark.parametrize("words", ["where's my food?? ordered ages ago", "how much longer will my order be?"])
def test_where_is_my_order_is_told_how_long(words):
    eta = {"key": "order.eta", "value": "20 minutes", "label": "delivery time", "category": "operational",
           "provenance": "account_record"}
    result = suggest(eta, channel="app", industry="food_delivery", stage="discovery", receptiveness="medium",
                     customer_utterances=[words])
    assert result["decision"] == "offer"
    assert "20 minutes" in top(result)
    assert "need a hand" not in top(result).lower()


def test_a_collection_day_record_is_said_plainly_not_offered_as_help():
    bins = {"key": "bins.garden_day", "value": {"garden": "Tuesday weekly", "next": "2027-02-09"},
            "label": "garden waste collection day", "category": "operational", "provenance": "account_record"}
    result = suggest(bins, channel="chat", industry="local_council", stage="discovery", receptiveness="medium",
                     customer_utterances=["which day do they take the garden waste?"])
    line = top(result)
    assert "Tuesday" in line and "9 February 2027" in line, line
    assert "anything about your" not in line.lower()


def test_a_count_is_said_as_people_say_it():
    passes = {"key": "membership.guest_passes", "value": 3, "label": "guest passes", "category": "loyalty",
              "provenance": "account_record"}
    result = suggest(passes, channel="app", industry="gym", stage="discovery", receptiveness="medium",
                     customer_utterances=["how many guest passes have I got left?"])
    assert top(result).startswith("You've got 3 guest passes")


@pytest.mark.parametrize("words", ["can my wife drive the car as well?", "is my son ok to drive it too?"])
def test_a_perk_they_ask_about_is_a_yes_without_the_record_read_out(words):
    perk = {"key": "member_perk.free_additional_driver", "value": True, "label": "free additional driver",
            "category": "loyalty", "provenance": "account_record"}
    result = suggest(perk, channel="in_person", industry="car_rental", stage="discovery", receptiveness="medium",
                     customer_utterances=[words])
    assert result["decision"] == "offer"
    assert top(result).lower().startswith("yes")
    assert all("member" not in line.lower() and "free additional" not in line.lower() for line in every_line(result))


def test_a_perk_asked_about_mid_complaint_still_waits():
    perk = {"key": "member_perk.free_additional_driver", "value": True, "label": "free additional driver",
            "category": "loyalty", "provenance": "account_record"}
    result = suggest(perk, channel="phone", industry="car_rental", reason="complaint", stage="discovery",
                     customer_utterances=["This is ridiculous, the car you gave me broke down twice.",
                                          "and can my husband even drive it?"])
    assert result["decision"] == "defer"


# ---------------------------------------------------------------- sensitive records: answered, never named

@pytest.mark.parametrize("status, says, never", [
    ({"status": "back", "note": "vitamin D low, GP to call"}, "they're in", ["back", "vitamin", "low", "gp"]),
    ({"status": "awaiting lab"}, "not in", ["lab", "awaiting"]),
])
def test_results_asked_about_are_answered_without_the_note(status, says, never):
    results = {"key": "test.results_status", "value": status, "label": "blood test results", "category": "health",
               "provenance": "account_record"}
    result = suggest(results, channel="phone", industry="healthcare", stage="discovery", receptiveness="medium",
                     customer_utterances=["hiya, are my blood test results in?"])
    assert result["decision"] == "offer"
    assert says in top(result).lower(), top(result)
    assert all(word not in line.lower() for line in every_line(result) for word in never)


def test_a_worried_question_about_a_procedure_is_taken_to_someone_who_can_answer():
    procedure = {"key": "procedure.upcoming", "value": "endoscopy", "label": "procedure", "category": "health",
                 "provenance": "customer_said"}
    result = suggest(procedure, channel="phone", industry="healthcare", stage="discovery", receptiveness="medium",
                     customer_utterances=["I've got an endoscopy on Friday", "does it hurt much?"])
    line = top(result).lower()
    assert "talk it through" in line, line
    assert "how can i help" not in line and "endoscopy" not in line


# ---------------------------------------------------------------- the record does not answer it

@pytest.mark.parametrize("datapoint, context", [
    ({"key": "assistance.booked", "value": "help boarding, coach B", "label": "boarding assistance",
      "category": "disability", "provenance": "customer_stated"},
     {"channel": "in_person", "industry": "rail", "stage": "opening", "customer_utterances": ["is this the 9:40 to York?"]}),
    ({"key": "policy.auto", "value": "none", "label": "car insurance", "category": "product_holding",
      "provenance": "account_record", "consent": ["service", "marketing"]},
     {"channel": "phone", "industry": "insurance", "stage": "discovery",
      "customer_utterances": ["what's the excess on my home policy?"]}),
])
def test_a_question_the_record_does_not_answer_is_left_for_the_agent_to_answer(datapoint, context):
    result = tact.suggest({"datapoint": datapoint, "context": context})
    assert result["decision"] in ("defer", "withhold")
    assert result["guidance"]["moment"] == "answer-first" and result["guidance"]["say_nothing"]
    assert result["suggestions"] == []      # no "Of course, let me help you with that" posing as the answer
    assert "question" in result["guidance"]["message"]


def test_a_request_mid_task_is_still_plain_keep_helping():
    gap = {"key": "policy.auto", "value": "none", "label": "car insurance", "category": "product_holding",
           "provenance": "account_record"}
    result = suggest(gap, industry="insurance", stage="discovery",
                     customer_utterances=["can I change the address on my home policy?"])
    assert result["guidance"]["moment"] == "keep-helping"


# ---------------------------------------------------------------- a recommendation they ask for

@pytest.mark.parametrize("words, says", [
    ("got any suggestions? I'm into a good thriller", "enjoyed"),
    ("which of these scarves would you go for?", "pick"),
])
def test_a_recommendation_asked_for_is_taken_up_never_quoting_what_they_bought(words, says):
    bought = {"key": "purchase.recent", "value": "The Silent Patient", "label": "recent book purchase",
              "category": "transaction", "provenance": "transaction"}
    result = suggest(bought, channel="store", industry="retail", stage="discovery", receptiveness="medium",
                     customer_utterances=[words])
    assert result["decision"] == "offer"
    assert [r["rule"] for r in result["reasons"]] == ["serves-their-request"]
    assert says in top(result).lower(), top(result)
    assert all(word not in line.lower() for line in every_line(result)
               for word in ("silent patient", "bought", "purchase", "last time"))


def test_without_asking_for_a_recommendation_the_purchase_still_waits():
    bought = {"key": "purchase.recent", "value": "The Silent Patient", "label": "recent book purchase",
              "category": "transaction", "provenance": "transaction"}
    result = suggest(bought, channel="store", industry="retail", stage="discovery", receptiveness="medium",
                     customer_utterances=["where do I pay for this?"])
    assert result["decision"] == "defer" and result["suggestions"] == []


# ---------------------------------------------------------------- help they booked, asked about

@pytest.mark.parametrize("datapoint, channel, industry, words, says", [
    ({"key": "accessibility.assistance", "value": "WCHR on arrival", "label": "wheelchair assistance",
      "category": "disability", "provenance": "customer_stated"}, "cabin", "airline",
     "sorry, is the wheelchair sorted for when we land?", "meet you at the door"),
    ({"key": "assistance.booked", "value": "ramp, coach C", "label": "boarding assistance",
      "category": "disability", "provenance": "account_record"}, "phone", "rail",
     "just checking my boarding assistance is booked for tomorrow?", "meet you"),
])
def test_is_my_help_booked_is_answered_yes_without_naming_the_need(datapoint, channel, industry, words, says):
    result = suggest(datapoint, channel=channel, industry=industry, stage="resolution", receptiveness="medium",
                     customer_utterances=[words])
    line = top(result)
    assert line.startswith("Yes, that's booked") and says in line, line
    assert all(w not in line.lower() for w in ("wheelchair", "ramp", "wchr", "disab"))


def test_help_the_customer_only_now_mentions_is_checked_not_claimed_booked():
    need = {"key": "accessibility.assistance", "value": "wheelchair", "label": "wheelchair assistance",
            "category": "disability", "provenance": "customer_said"}
    result = suggest(need, channel="phone", industry="airline", stage="discovery", receptiveness="medium",
                     customer_utterances=["I'll need a wheelchair at Malaga, is that booked?"])
    assert "check" in top(result) and "Yes" not in top(result)


# ---------------------------------------------------------------- news that is the reason they came

@pytest.mark.parametrize("words", [["got the keys to our first house today!!", "need literally everything haha"],
                                   ["moving into my first flat next week", "looking for bits for the kitchen"]])
def test_excited_news_that_is_why_they_are_shopping_is_taken_up_not_put_off(words):
    news = {"key": "life_event.moving_home", "value": "first home", "label": "moving into first home",
            "category": "life_event", "provenance": "customer_said"}
    result = suggest(news, channel="store", industry="retail", stage="discovery", customer_utterances=words)
    assert result["decision"] in ("ask", "offer")
    assert "serves-their-request" in [r["rule"] for r in result["reasons"]]
    assert "start with" in top(result).lower()


@pytest.mark.parametrize("words", ["Hi, I've got a 9:50 with Dr Okoro", "hello, here for my physio appointment"])
def test_a_patient_arriving_for_their_appointment_is_checked_in_not_asked_why_they_came(words):
    condition = {"key": "patient.condition", "value": "type 2 diabetes", "label": "condition", "category": "health",
                 "provenance": "account_record"}
    result = suggest(condition, channel="in_person", industry="healthcare", stage="opening", receptiveness="medium",
                     customer_utterances=[words])
    assert result["decision"] == "withhold"
    assert "check you in" in top(result)
    assert all("what can i do" not in line.lower() and "diabet" not in line.lower() for line in every_line(result))


def test_a_booking_gone_wrong_they_ask_about_is_helped_through_not_read_back():
    journey = {"key": "journey.booked", "value": {"service": "17:40 Leeds to York", "status": "cancelled"},
               "label": "booked journey", "category": "operational", "provenance": "account_record"}
    result = suggest(journey, channel="app", industry="rail", stage="discovery", receptiveness="medium",
                     customer_utterances=["train's cancelled, how do I get to york now??"])
    line = top(result)
    assert line.startswith("I'm sorry") and "way" in line, line
    assert "status" not in line and "cancelled" not in line and "wait" not in line


def test_help_choosing_for_an_occasion_they_share_is_taken_up():
    occasion = {"key": "occasion.gift", "value": "dad's 70th", "label": "dad's 70th birthday", "category": "occasion",
                "provenance": "customer_said"}
    result = suggest(occasion, channel="store", industry="retail", stage="discovery", receptiveness="medium",
                     customer_utterances=["can you help me find a jumper for my dad's 70th?"])
    line = top(result)
    assert "help" in line and ("like" in line or "go for" in line), line
    assert "make it special" not in line
