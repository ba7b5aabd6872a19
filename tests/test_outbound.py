"""Messages we send first (a renewal email, a delay text, a collection notice), and catch-all lines that read the
value: what a customer would notice in the line they receive or hear."""
import textwrap

import pytest

from tact.engine import default_engine
from tact.phrasebook import collect
from tact.render import parts

ENGINE = default_engine()
FIRST_PERSON_CHAT = ("getting in touch", "while we're", "how can i help", "a hand with it")


def suggest(datapoint, **context):
    return ENGINE.suggest({"datapoint": {"provenance": "account_record", **datapoint},
                           "context": {"stage": "opening", **context}})


def every_line(result):
    return [s["text"] for s in result["suggestions"]] + \
        [s["text"] for group in result["alternatives"].values() for s in group]


def rules(result):
    return [r["rule"] for r in result["reasons"]]


def assert_written_first(result):
    lines = every_line(result)
    assert lines and len(result["suggestions"]) >= 1
    for line in lines:
        assert not any(phrase in line.lower() for phrase in FIRST_PERSON_CHAT), line
    assert "message we send first" in " ".join(r["message"] for r in result["reasons"])


# ---------------------------------------------------------------- messages we send first

def test_a_delay_text_says_the_new_time_and_the_flight():
    result = suggest({"key": "trip.flight_delay", "value": {"flight": "QX208", "new_departure": "17:45",
                                                            "scheduled": "16:10"},
                      "label": "flight delay", "category": "operational"},
                     channel="sms", industry="airline", reason="disruption_alert")
    assert result["decision"] == "offer" and "message-we-send" in rules(result)
    top = result["suggestions"][0]["text"]
    assert "17:45" in top and "QX208" in top and "16:10" in top
    assert_written_first(result)


def test_a_prescription_ready_text_never_names_the_medicine():
    result = suggest({"key": "rx.ready_to_collect", "value": {"medicine": "fluoxetine 20mg", "branch": "Elm Road"},
                      "label": "repeat prescription", "category": "medication"},
                     channel="sms", industry="pharmacy", reason="ready_for_collection")
    assert result["decision"] == "offer"
    lines = every_line(result)
    assert any("ready to collect" in line for line in lines)
    for line in lines:
        assert not any(word in line.lower() for word in ("fluoxetine", "20mg", "prescription", "medic"))
    assert_written_first(result)


def test_a_ready_text_about_a_medicine_record_with_a_status_still_says_it_is_ready():
    """A status field ('ready') names nothing sensitive: the text is sent, the medicine never named."""
    result = suggest({"key": "prescription.refill", "value": {"item": "mirtazapine 15mg", "status": "ready"},
                      "label": "repeat prescription", "category": "health"},
                     channel="sms", industry="pharmacy", reason="ready_to_collect")
    assert result["decision"] == "offer"
    assert "ready to collect" in result["suggestions"][0]["text"]
    assert not any("mirtazapine" in line.lower() or "15mg" in line for line in every_line(result))


def test_an_appointment_reminder_says_when_but_never_what_it_is_for():
    result = suggest({"key": "appointment.next", "value": {"date": "2027-08-09", "time": "14:15",
                                                           "department": "Fertility Clinic"},
                      "label": "appointment", "category": "health"},
                     channel="sms", industry="clinic", reason="appointment_reminder")
    top = result["suggestions"][0]["text"]
    assert result["decision"] == "offer" and "9 August 2027" in top and "2:15 pm" in top
    assert not any("fertility" in line.lower() for line in every_line(result))
    assert not any(phrase in top.lower() for phrase in ("thanks for letting me know", "what would make"))


@pytest.mark.parametrize("datapoint, reason, wanted, unwanted", [
    # a price change says the new price and from when, never 'changing to <a date>'
    ({"key": "subscription.price_change", "value": {"new_price": "£7.49", "from": "2027-09-01"},
      "label": "subscription price", "category": "account_event"}, "price_change_notice",
     ("1 September 2027", "£7.49"), ("changing to 1 September",)),
    # a collection day moved is a change, never an order ready to collect
    ({"key": "waste.day_change", "value": {"new_day": "Monday", "from": "2027-10-04"},
      "label": "recycling collection day", "category": "operational"}, "service_change_notice",
     ("4 October 2027", "Monday"), ("ready to collect", "your order")),
    # a diversion says which route, which way and from when, never a bare greeting
    ({"key": "route.diversion", "value": {"route": "17A", "via": "Mill Road", "from": "2027-02-14"},
      "label": "route diversion", "category": "operational"}, "service_change_notice",
     ("17A", "Mill Road", "14 February 2027"), ("keeping well",)),
    # a hire due back says where and by when, never 'book an appointment'
    ({"key": "hire.return_due", "value": {"when": "2027-07-02T17:30", "branch": "Bristol Temple Meads"},
      "label": "return time", "category": "operational"}, "return_reminder",
     ("Bristol Temple Meads", "5:30 pm", "2 July 2027"), ("appointment",)),
    # planned works say the day and the hours, not only when it is back
    ({"key": "power.planned_outage", "value": {"date": "2027-11-20", "from": "08:30", "to": "15:00"},
      "label": "planned power cut", "category": "operational"}, "planned_works",
     ("20 November 2027", "8:30 am", "3 pm"), ("keeping well",)),
])
def test_a_notice_says_what_changes_and_when(datapoint, reason, wanted, unwanted):
    result = suggest(datapoint, channel="sms", industry="general", reason=reason)
    assert result["decision"] == "offer" and "message-we-send" in rules(result)
    for line in every_line(result):
        for word in wanted:
            assert word in line, (word, line)
        for word in unwanted:
            assert word not in line, (word, line)
    assert_written_first(result)


def test_a_renewal_email_offers_renewal_with_the_date():
    result = suggest({"key": "policy.renewal_date", "value": "2027-09-03", "label": "car insurance renewal",
                      "category": "account_event", "consent": ["service"]},
                     channel="email", industry="insurance", reason="renewal_reminder")
    assert result["decision"] == "offer"
    top = result["suggestions"][0]["text"]
    assert "3 September 2027" in top and "renew" in top.lower() and top.endswith(("?", "message."))
    assert "2027-09-03" not in " ".join(every_line(result))
    assert_written_first(result)


def test_a_failed_payment_email_says_the_amount_with_its_currency_and_the_date():
    result = suggest({"key": "subscription.payment_failed", "value": {"taken_on": "2027-05-02", "amount_eur": 8.5},
                      "label": "payment", "category": "account_event"},
                     channel="email", industry="streaming", reason="dunning")
    top = result["suggestions"][0]["text"]
    assert "€8.50" in top and "2 May 2027" in top
    assert_written_first(result)


def test_a_booster_reminder_names_the_pet_and_the_day():
    result = suggest({"key": "pet.booster_due", "value": {"pet": "Pepper", "due": "2027-10-20"},
                      "label": "annual booster", "category": "account_event"},
                     channel="app", industry="vet", reason="reminder")
    top = result["suggestions"][0]["text"]
    assert "Pepper's annual booster is due on 20 October 2027" in top and "book" in top
    assert_written_first(result)


def test_an_upgrade_in_a_pre_arrival_email_needs_marketing_consent_and_respects_an_opt_out():
    upgrade = {"key": "stay.upgrade_eligible", "value": {"to": "garden room", "price_diff": 25},
               "label": "room upgrade", "category": "account_event"}
    offered = suggest({**upgrade, "consent": ["service", "marketing"]},
                      channel="email", industry="hotel", reason="pre_arrival")
    assert offered["decision"] == "offer"
    assert "a garden room for £25" in offered["suggestions"][0]["text"]
    assert_written_first(offered)
    no_consent = suggest({**upgrade, "consent": ["service"]}, channel="email", industry="hotel", reason="pre_arrival")
    opted_out = suggest({**upgrade, "consent": ["service", "marketing"]}, channel="email", industry="hotel",
                        reason="pre_arrival", do_not_market=True)
    for result in (no_consent, opted_out):
        assert result["decision"] == "withhold" and "consent-binds" in rules(result)
        assert not any("upgrade" in line.lower() for line in every_line(result))


def test_a_message_about_something_else_leaves_this_data_point_alone():
    result = suggest({"key": "gym.membership_renewal", "value": "2027-04-01", "label": "membership renewal",
                      "category": "account_event"},
                     channel="sms", industry="gym", reason="payment_reminder")
    assert result["decision"] == "defer"
    assert not any("renew" in line.lower() or "2027" in line for line in every_line(result))


def test_once_the_customer_has_written_it_is_their_conversation_again():
    result = suggest({"key": "policy.renewal_date", "value": "2027-09-03", "label": "car insurance renewal",
                      "category": "account_event"},
                     channel="chat", industry="insurance", reason="renewal_reminder",
                     customer_utterances=["hi, I need to change my address"])
    assert "message-we-send" not in rules(result)
    assert not any("3 September" in line for line in every_line(result))


def test_a_phone_call_at_the_opening_still_lets_the_customer_speak_first():
    result = suggest({"key": "policy.renewal_date", "value": "2027-09-03", "label": "car insurance renewal",
                      "category": "account_event"}, channel="phone", industry="insurance", reason="renewal_reminder")
    assert result["decision"] == "defer"


def test_sensitive_data_is_never_the_subject_of_a_notice_that_would_name_it():
    result = suggest({"key": "maternity.due_date", "value": "2027-03-01", "label": "due date",
                      "category": "pregnancy"}, channel="sms", reason="reminder")
    assert result["decision"] == "withhold"
    assert not any("due" in line.lower() or "2027" in line for line in every_line(result))


def test_a_notice_of_a_kind_no_phrasebook_knows_still_opens_on_what_it_is_about():
    result = suggest({"key": "class.booking", "value": "Pilates", "label": "class booking",
                      "category": "account_event"}, channel="sms", reason="class_booking", receptiveness="high")
    assert result["decision"] == "offer"
    assert "class booking" in result["suggestions"][0]["text"]
    assert_written_first(result)


# ---------------------------------------------------------------- values said as people write them

def test_parts_reads_dates_times_windows_amounts_and_names():
    assert parts("2027-01-31")["date"] == "31 January 2027"
    window = parts({"slot": "09:00-11:30", "date": "2027-02-01"}, "delivery window")
    assert (window["start"], window["end"], window["date"], window["thing"]) == ("09:00", "11:30", "1 February 2027",
                                                                                "delivery")
    assert parts({"refund_due_usd": 12})["amount"] == "$12"
    assert parts({"amount": 1234.5, "currency": "EUR"})["amount"] == "€1,234.50"
    assert parts({"amount": 20}, locale="en-US")["amount"] == "$20"
    assert parts({"eta": "2027-01-16T14:12:00Z"})["time"] == "14:12"
    assert parts({"eta": "4.30pm"})["time"] == "4:30pm"
    assert parts({"eta": "27:99"})["time"] is None
    assert parts({"flight": "BA12", "was": "10:05", "now": "11:40"})["was"] == "10:05"
    change = parts({"old_unit_p": 24.5, "new_unit_p": 27.1, "effective": "2027-04-01"}, "tariff price change")
    assert (change["old"], change["new"], change["rise"], change["thing"], change["date"]) == \
        ("24.5p", "27.1p", "up", "unit rate", "1 April 2027")
    assert parts({"ready_since": "2027-04-02", "store": "Leeds"})["since"] == "2 April 2027"
    assert parts({"ready_since": "2027-04-02"})["date"] is None
    assert parts(None) == {**dict.fromkeys(("date", "sent", "time", "was", "start", "end", "amount", "name", "item",
                                            "place", "wait", "next", "new", "old", "rise", "route", "via", "since",
                                            "instead", "thing"))}


# ---------------------------------------------------------------- catch-all lines that read the value

def product(value, label, level="medium"):
    return ENGINE.suggest({"datapoint": {"key": "home.extra", "value": value, "label": label,
                                         "category": "product_holding", "provenance": "account_record"},
                           "context": {"channel": "phone", "stage": "wrap_up", "issue_resolved": True,
                                       "receptiveness": level}})


@pytest.mark.parametrize("value", ["not fitted", "no meter", "None held", False, "non-metered"])
def test_someone_without_the_thing_is_asked_whether_they_have_it(value):
    top = product(value, "a water meter")["suggestions"][0]["text"]
    assert top == "Do you have a water meter at the moment?"


def test_someone_with_the_thing_is_asked_how_it_is_going_and_labels_keep_one_article():
    assert product("active", "the contents cover")["suggestions"][0]["text"] == \
        "Is your contents cover still working well for you?"
    high = product("none", "pet health plan", "high")["suggestions"][0]["text"]
    assert "a pet health plan" in high and "fixed for" not in high
    for level in ("low", "medium", "high"):
        for line in every_line(product("none", "a railcard", level)):
            assert "a a " not in line and "your a " not in line


def test_staff_actions_name_the_crew_or_the_kitchen_only_where_there_is_one():
    def action(channel, industry):
        return ENGINE.suggest({"datapoint": {"key": "guest.note", "value": "gluten free", "label": "dietary note",
                                             "category": "health", "provenance": "customer_stated"},
                               "context": {"channel": channel, "industry": industry, "reason": "dinner_order",
                                           "stage": "discovery"}})["action"] or ""
    assert "kitchen" in action("in_person", "restaurant")
    assert "crew" in action("cabin", "airline")
    pharmacy = action("in_person", "pharmacy")
    assert "kitchen" not in pharmacy and "crew" not in pharmacy


# ---------------------------------------------------------------- the phrasebook data

NOTICE = """\
notices:
  - id: renewal
    words: ["renew*"]
    message: a renewal coming up
    unnamed: maybe
    phrasings:
      low: ["Hello, your {{ label }} is due."]
      medium: ["Hello, your {{ label }} is due. Would you like to renew?"]
      high: ["Hello, your {{ label }} is due soon. Shall we renew it now?"]
    colour: red
"""


def test_a_broken_notice_is_reported_with_where_it_is(tmp_path):
    path = tmp_path / "book.yaml"
    path.write_text(textwrap.dedent(NOTICE))
    _, problems = collect([path])
    found = [p.format().replace(str(path), "book.yaml") for p in problems if p.severity == "error"]
    assert any(f.startswith("book.yaml:10:5: error: unknown key 'colour'") for f in found), found
    assert any(f.startswith("book.yaml:5:14: error: 'unnamed' must be true or false") for f in found), found


def test_lint_judges_notice_lines_like_any_written_line(tmp_path):
    from tact.lint import lint_paths
    revealing = NOTICE.replace("    unnamed: maybe\n", "").replace("    colour: red\n", "").replace(
        '"Hello, your {{ label }} is due. Would you like to renew?"',
        '"Hello, our records show your {{ label }} is due. Would you like to renew?"')
    path = tmp_path / "book.yaml"
    path.write_text(textwrap.dedent(revealing))
    found = [p for p in lint_paths([str(path)]) if p.severity == "error"]
    assert [p.rule for p in found] == ["revealing"] and "notice:renewal/medium/1" in found[0].message
    path.write_text(textwrap.dedent(NOTICE.replace("    unnamed: maybe\n", "").replace("    colour: red\n", "")))
    assert not [p for p in lint_paths([str(path)]) if p.severity == "error"]
