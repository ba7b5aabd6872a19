"""What the engine decides, and what it lets be spoken: needs the customer raised, open industries, safe values,
no empty asks, and principles that hold whatever topic serves a data point."""
import json
import unicodedata

import pytest

from tact.engine import Engine, default_engine
from tact.errors import RequestError
from tact.lint import lint_paths
from tact.model import parse_context

ENGINE = default_engine()


def suggest(datapoint: dict, engine=ENGINE, **context) -> dict:
    ctx = {"channel": "phone", **context}
    return engine.suggest({"datapoint": {"provenance": "account_record", **datapoint}, "context": ctx})


def rules(result: dict) -> set[str]:
    return {r["rule"] for r in result["reasons"]}


def lines(result: dict) -> list[str]:
    return ([s["text"] for s in result["suggestions"]]
            + [s["text"] for group in result["alternatives"].values() for s in group])


def said(result: dict) -> str:
    return " ".join(lines(result)).lower()


def messages(result: dict) -> str:
    return " ".join(r["message"] for r in result["reasons"]).lower()


# ------------------------------------------------------------------ serve what the customer raised

def test_a_pregnant_passenger_asking_for_an_aisle_seat_is_helped_without_it_being_said():
    result = suggest({"key": "passenger.pregnancy", "value": True, "label": "pregnancy",
                      "provenance": "customer_said"}, channel="cabin",
                     customer_utterances=["I'm pregnant, could I have an aisle seat please?"])
    assert result["decision"] == "offer" and result["topic"] == "needs.pregnancy"
    assert result["suggestions"] and "pregnan" not in said(result) and "baby" not in said(result)
    assert "bystanders" in rules(result), "others can hear: the discreet lines are used"
    assert "aisle seat" in result["action"] and "pregnan" not in result["action"].lower()


def test_a_customer_who_cannot_manage_the_stairs_gets_help_arranged():
    result = suggest({"key": "customer.mobility", "value": "can't manage the stairs", "category": "disability",
                      "provenance": "customer_said"}, industry="airline", receptiveness="medium")
    assert result["decision"] == "offer" and "customer-raised-it" in rules(result)
    assert "board" in result["action"].lower() and "stairs" not in said(result)


def test_said_in_the_conversation_counts_even_when_the_record_is_the_source():
    dp = {"key": "customer.pregnancy", "value": True, "label": "pregnancy", "provenance": "account_record"}
    raised = suggest(dp, receptiveness="medium", customer_utterances=["I'm expecting a baby in March."])
    assert raised["decision"] == "offer" and raised["action"]
    silent = suggest(dp, receptiveness="medium", customer_utterances=["I need to change the date."])
    assert silent["decision"] == "withhold" and "sensitive-data" in rules(silent)
    yes = suggest({**dp, "value": "yes", "label": None}, receptiveness="medium", customer_utterances=["Yes, please."])
    assert yes["decision"] == "withhold", "a 'yes' from the customer does not raise a record's 'yes'"


def test_a_customer_who_mentions_their_wheelchair_has_raised_a_booked_disability_need():
    result = suggest({"key": "passenger.mobility", "value": "reduced mobility", "category": "disability"},
                     channel="phone", receptiveness="medium",
                     customer_utterances=["I'll have my wheelchair with me, is that okay?"])
    assert result["decision"] == "offer" and result["action"] and "wheelchair" not in said(result)


def test_booked_assistance_and_a_special_meal_give_staff_a_quiet_action():
    assistance = suggest({"key": "accessibility.assistance", "value": "wheelchair"}, channel="cabin")
    assert assistance["decision"] == "withhold" and "booked" in assistance["action"]
    assert "wheelchair" not in (assistance["action"] + said(assistance)).lower()
    # Told us before, for their care: seen to quietly, nothing said.
    meal = suggest({"key": "meal.preference", "value": "diabetic", "provenance": "customer_stated"}, channel="cabin")
    assert meal["decision"] == "apply_silently" and meal["category"] == "health" and not meal["suggestions"]
    assert "meal" in meal["action"] and "diabet" not in meal["action"].lower()


def test_inferred_or_observed_needs_give_staff_nothing_to_act_on():
    inferred = suggest({"key": "purchase.pattern", "value": "prenatal vitamins", "category": "pregnancy",
                        "provenance": "inferred"}, channel="store")
    assert inferred["decision"] == "withhold" and inferred["action"] is None
    observed = suggest({"key": "device.last_seen", "value": "Lisbon", "category": "location",
                        "provenance": "observed"})
    assert observed["decision"] == "withhold" and observed["action"] is None


def test_a_raised_need_is_never_sold_to():
    result = suggest({"key": "offer.maternity_bundle", "value": "available", "category": "pregnancy",
                      "provenance": "customer_said"}, stage="wrap_up", issue_resolved=True, receptiveness="high")
    assert result["decision"] == "withhold" and "sensitive-data" in rules(result)


# ------------------------------------------------------------------ industries

@pytest.mark.parametrize("industry", ["energy", "gym", "car_rental"])
def test_any_industry_is_welcome_and_gets_the_generic_topics(industry):
    result = suggest({"key": "loyalty.tier", "value": "gold"}, industry=industry, receptiveness="medium")
    assert result["topic"] == "generic.loyalty" and "industry" in rules(result)


@pytest.mark.parametrize("bad", ["Energy", "car rental", "", "x" * 60, 5])
def test_an_industry_must_be_a_lower_case_identifier(bad):
    with pytest.raises(RequestError) as err:
        parse_context({"channel": "phone", "industry": bad})
    assert err.value.field == "context.industry"


def test_topics_of_other_industries_are_not_used():
    banking = suggest({"key": "loyalty.points_balance", "value": 300}, industry="banking", receptiveness="medium")
    assert banking["topic"] != "retail.points" and "points before you pay" not in said(banking)
    retail = suggest({"key": "loyalty.points_balance", "value": 300}, industry="retail", receptiveness="medium")
    assert retail["topic"] == "retail.points" and "industry" not in rules(retail)
    unsaid = suggest({"key": "loyalty.points_balance", "value": 300}, receptiveness="medium")
    assert unsaid["topic"] == "retail.points"


def test_a_phrasebook_declares_its_industry_and_any_identifier_lints(tmp_path):
    (tmp_path / "energy.yaml").write_text('''industry: energy
topics:
  - id: energy.smart-meter
    keys: [meter.smart]
    category: product_holding
    purpose: service
    decision: offer
    honest_answer: "Your meter type is on your account."
    example: {value: none}
    phrasings:
      low: ["Anything else today?"]
      medium: ["Would a smart meter be useful for you?"]
      high: ["Out of interest, would a smart meter help? It means no more meter readings."]
    tests:
      - name: offered on an energy call
        datapoint: {value: none}
        context: {industry: energy, receptiveness: medium}
        expect: {decision: offer, says: "smart meter"}
''')
    problems = lint_paths([str(tmp_path)])
    assert not [p for p in problems if p.severity == "error"]
    engine = Engine([str(tmp_path)])
    assert engine.book.topics["energy.smart-meter"].industry == "energy"
    assert suggest({"key": "meter.smart", "value": "none"}, engine, industry="energy")["topic"] == "energy.smart-meter"
    assert suggest({"key": "meter.smart", "value": "none"}, engine, industry="gym")["topic"] is None
    (tmp_path / "energy.yaml").write_text("industry: Energy Supplier\ntopics: []\n")
    bad = [p for p in lint_paths([str(tmp_path)]) if p.severity == "error"]
    assert bad and bad[0].line == 1 and "lower-case identifier" in bad[0].message


def test_openapi_publishes_industry_as_an_identifier(client):
    doc = client.get("/openapi.json").get_json()
    industry = doc["components"]["schemas"]["Context"]["properties"]["industry"]
    assert "enum" not in json.dumps(industry) and "^[a-z][a-z0-9_]*$" in json.dumps(industry)
    response = client.post("/api/v1/suggest", json={"datapoint": {"key": "loyalty.tier", "value": "gold",
                                                                  "provenance": "account_record"},
                                                     "context": {"channel": "phone", "industry": "car_rental"}})
    assert response.status_code == 200 and response.get_json()["topic"] == "generic.loyalty"


# ------------------------------------------------------------------ values made safe

INVISIBLE = "\u202e\u200b\u200d\x00\x07\u2066\ufeff"


def test_invisible_characters_never_reach_a_line_or_an_action():
    result = suggest({"key": "seat.preference", "value": "ai" + INVISIBLE + "sle", "provenance": "customer_stated"},
                     industry="airline")
    assert result["action"].startswith("Pre-select an aisle seat")
    generic = suggest({"key": "delivery.slot", "label": "deli\u202every slot\u200b", "value": "x",
                       "category": "operational"}, receptiveness="medium")
    for text in lines(generic):
        assert all(unicodedata.category(ch) not in ("Cc", "Cf") for ch in text)
    assert "delivery slot" in said(generic)


def test_compatibility_forms_are_normalised():
    result = suggest({"key": "widget.warranty", "label": "ｅｘｔｅｎｄｅｄ warranty", "value": "none",
                      "category": "product_holding"}, stage="wrap_up", issue_resolved=True, receptiveness="medium")
    assert "extended warranty" in said(result)


@pytest.mark.parametrize("label", ["{{ 7*7 }} cover", "<script>alert(1)</script>", "{% if 1 %}x{% endif %}",
                                   "＜img src=x＞", "cover {# note #}"])
def test_a_label_holding_template_syntax_or_markup_is_never_spoken(label):
    result = suggest({"key": "widget.warranty", "label": label, "value": "none", "category": "product_holding"},
                     stage="wrap_up", issue_resolved=True, receptiveness="medium")
    everything = json.dumps(result)
    assert "script" not in everything and "{{" not in everything and "{%" not in everything and "49" not in everything
    assert "img" not in everything and "note" not in everything
    assert result["decision"] == "defer" and "no-safe-line" in rules(result)
    assert "markup or template syntax" in messages(result)


def test_only_the_lines_that_need_an_unsafe_value_are_dropped(tmp_path):
    (tmp_path / "book.yaml").write_text('''topics:
  - id: demo.slot
    categories: [operational]
    purpose: service
    decision: offer
    honest_answer: "It's on your booking."
    example: {label: delivery slot, value: x}
    phrasings:
      low: ["Need a hand with anything?"]
      medium: ["Is there anything about your {{ label }} I can help with?"]
      high: ["Is there anything about your {{ label }} I can sort out while we're talking?"]
''')
    result = suggest({"key": "demo.slot", "label": "<b>slot</b>", "value": "x", "category": "operational"},
                     Engine([str(tmp_path)]), receptiveness="low")
    assert result["decision"] == "offer" and result["suggestions"], "the low line does not use the label"
    assert "safe-values" in rules(result) and "<b>" not in json.dumps(result)
    assert result["alternatives"]["medium"] == [], "the medium line needs the label"


def test_a_huge_value_is_capped_before_it_is_spoken():
    result = suggest({"key": "delivery.slot", "label": "slot " * 39 + "end", "value": "x",
                      "category": "operational"}, receptiveness="medium")
    assert all(len(text) < 250 for text in lines(result)) and lines(result)


@pytest.mark.parametrize("value", ["none", "None", "  NONE  ", "NONE\n"])
def test_match_ignores_case_and_surrounding_space(value):
    result = suggest({"key": "policy.auto", "value": value}, stage="wrap_up", issue_resolved=True,
                     receptiveness="medium")
    assert result["topic"] == "insurance.auto-gap" and "loose-match" not in rules(result)


def test_a_value_with_extra_words_does_not_silently_change_topic():
    loose = suggest({"key": "policy.auto", "value": "None at all"}, stage="wrap_up", issue_resolved=True,
                    receptiveness="medium")
    assert loose["topic"] == "insurance.auto-gap" and "loose-match" in rules(loose)
    held = suggest({"key": "policy.auto", "value": "active since 2019"}, stage="wrap_up", issue_resolved=True,
                   receptiveness="medium")
    assert held["topic"] == "insurance.auto-review" and "loose-match" not in rules(held)


def test_a_value_that_fits_no_specific_topic_says_so(tmp_path):
    (tmp_path / "book.yaml").write_text('''topics:
  - id: demo.gold
    keys: [demo.tier]
    category: loyalty
    purpose: service
    decision: offer
    match: "value == 'gold'"
    honest_answer: "It's on your account."
    example: {value: gold}
    phrasings: {low: ["Hello again."], medium: ["Welcome back, anything you need?"], high: ["Lovely to see you again, anything at all you need?"]}
  - id: demo.any-loyalty
    categories: [loyalty]
    purpose: service
    decision: offer
    honest_answer: "It's on your account."
    phrasings: {low: ["Hello."], medium: ["Anything I can help with?"], high: ["Is there anything at all I can help with today?"]}
''')
    result = suggest({"key": "demo.tier", "value": "silver"}, Engine([str(tmp_path)]), receptiveness="medium")
    assert result["topic"] == "demo.any-loyalty" and "no-specific-topic" in rules(result)


# ------------------------------------------------------------------ the guard and sensitive values

SENSITIVE_BOOK = '''topics:
  - id: demo.condition
    categories: [health]
    purpose: service
    decision: offer
    honest_answer: "You mentioned it."
    example: {value: x, provenance: customer_said}
    phrasings:
      low: ["About {{ value }}?"]
      medium: ["Is {{ value }} the reason for the {{ label }}?"]
      high: ["Tell me more about the {{ value | join_words }}."]
'''


@pytest.mark.parametrize("value,label", [
    ("MS", None), (42, None), (["Crohns disease"], None), ({"dx": "MS", "since": 2019}, None), (3.5, None),
    (7, "seven"), ("x", "MS"), ("Ｍｓ", None), ("M\u200bS", None),
])
def test_the_guard_catches_sensitive_values_of_every_type_and_length(tmp_path, value, label):
    (tmp_path / "book.yaml").write_text(SENSITIVE_BOOK)
    dp = {"key": "demo.dx", "value": value, "category": "health", "provenance": "customer_said"}
    if label:
        dp["label"] = label
    result = suggest(dp, Engine([str(tmp_path)]), receptiveness="medium")
    assert result["decision"] == "defer" and "no-safe-line" in rules(result)
    assert "name sensitive data" in messages(result)
    text = said(result)
    for needle in ("ms", "42", "crohns", "2019", "3.5", "seven", "forty-two"):
        assert needle not in text.split() and "crohns" not in text


def test_sensitive_terms_in_values_and_labels_raise_the_category_never_lower_it():
    diabetic = suggest({"key": "guest.note", "value": "diabetic", "category": "preference",
                        "provenance": "customer_stated"}, channel="in_person", industry="restaurant",
                       receptiveness="high")
    # Told us before: seen to quietly at a meal, as a health need, never said.
    assert diabetic["category"] == "health" and diabetic["decision"] == "apply_silently"
    assert not diabetic["suggestions"] and "diabet" not in (diabetic["action"] or "").lower()
    hiv = suggest({"key": "order.item", "value": "Biktarvy", "label": "HIV medicine", "category": "operational",
                   "provenance": "transaction"}, receptiveness="high")
    assert hiv["category"] in ("health", "medication") and hiv["decision"] == "withhold"
    assert "biktarvy" not in said(hiv) and "hiv" not in said(hiv)
    kept = suggest({"key": "customer.note", "value": "aisle", "category": "health", "provenance": "customer_stated"})
    # Kept as health: no need staff can act on here, so nothing is said or done with it.
    assert kept["category"] == "health" and kept["decision"] == "withhold" and not kept["action"]
    assert "aisle" not in said(kept)


# ------------------------------------------------------------------ the principles hold for every topic

def test_a_paid_late_checkout_waits_while_a_complaint_is_open():
    result = suggest({"key": "room.late_checkout", "label": "late checkout", "value": "available",
                      "category": "account_event"}, channel="in_person", industry="hospitality",
                     reason="room_move", stage="resolution", issue_resolved=False, receptiveness="medium")
    assert result["decision"] == "defer" and "resolve-first" in rules(result)
    assert "checkout" not in said(result)


def test_no_package_is_sold_to_a_guest_leaving_for_a_family_emergency():
    result = suggest({"key": "spa.offer", "label": "spa package", "value": "available", "category": "preference"},
                     channel="in_person", industry="hospitality", stage="wrap_up", issue_resolved=True,
                     customer_utterances=["We have to leave today, there's been a family emergency."])
    assert result["decision"] == "withhold" and "dont-exploit-emotion" in rules(result)


def test_no_loyalty_sign_up_while_the_prescription_is_not_ready():
    result = suggest({"key": "loyalty.card", "label": "loyalty card", "value": "not a member",
                      "category": "loyalty"}, channel="in_person", industry="pharmacy",
                     reason="prescription_not_ready", stage="resolution", receptiveness="medium")
    assert result["decision"] == "defer" and "resolve-first" in rules(result)


def test_contract_end_talk_waits_during_an_outage_and_follows_consent():
    outage = suggest({"key": "contract.end", "value": "2027-01-31"}, industry="telecom", reason="outage",
                     stage="resolution", receptiveness="low",
                     customer_utterances=["This is the third outage this month."])
    assert outage["decision"] == "defer" and {"resolve-first", "read-the-customer"} <= rules(outage)
    opted_out = suggest({"key": "contract.end", "value": "2027-01-31"}, industry="telecom", stage="wrap_up",
                        issue_resolved=True, do_not_market=True, receptiveness="medium")
    assert opted_out["decision"] == "withhold" and "consent-binds" in rules(opted_out)


def test_a_proposal_that_fixes_the_open_issue_is_offered_now():
    result = suggest({"key": "contract.end", "value": "2027-01-31"}, industry="telecom",
                     reason="contract_end_options", stage="resolution", receptiveness="medium")
    assert result["decision"] == "offer" and result["suggestions"]


def test_service_help_is_not_mistaken_for_selling():
    result = suggest({"key": "connection.tight", "value": "35 minutes"}, industry="airline", reason="delay",
                     stage="resolution", receptiveness="medium")
    assert result["decision"] == "offer"


@pytest.mark.parametrize("key,value,label", [
    ("billing.paperless", "paperless statements", "statement preference"),
    ("delivery.instructions", "leave it with a neighbour", "delivery preference"),
    ("packaging.caps", "easy-open caps", "packaging preference"),
])
def test_a_stated_preference_is_honoured_quietly_not_asked_again(key, value, label):
    result = suggest({"key": key, "value": value, "label": label, "category": "preference",
                      "provenance": "customer_stated"}, receptiveness="medium")
    assert result["decision"] == "apply_silently" and "apply-quietly" in rules(result)
    assert value in result["action"]
    asked = suggest({"key": key, "value": value, "label": label, "category": "preference",
                     "provenance": "observed"}, receptiveness="medium")
    assert asked["decision"] == "ask"


def test_reasons_never_carry_the_customers_values():
    secret = "Zyx-4417"
    for dp in ({"key": "customer.note", "value": secret, "category": "health", "provenance": "customer_said"},
               {"key": "widget.warranty", "label": "<i>" + secret, "value": secret, "category": "product_holding"},
               {"key": "policy.auto", "value": "none " + secret}):
        result = suggest(dp, stage="wrap_up", issue_resolved=True, receptiveness="medium")
        assert secret.lower() not in messages(result) and "<i>" not in messages(result)
        assert all(r["message"] for r in result["reasons"])


def test_lint_refuses_an_action_that_names_sensitive_data(tmp_path):
    (tmp_path / "book.yaml").write_text('''topics:
  - id: demo.need
    categories: [medication]
    purpose: service
    decision: offer
    honest_answer: "You mentioned it."
    example: {value: insulin, provenance: customer_said}
    action: "Offer to keep the {{ value }} cold."
    quiet_action: "Have somewhere cold ready."
    phrasings: {low: ["Of course."], medium: ["Thanks for letting me know. Anything I can get you?"], high: ["Thank you for telling me. Just say what would help and I'll see to it."]}
''')
    errors = [p for p in lint_paths([str(tmp_path)]) if p.severity == "error"]
    assert [p.rule for p in errors] == ["sensitive-data"] and "demo.need: action" in errors[0].message


def test_lint_catches_a_short_sensitive_example_value_in_a_line(tmp_path):
    (tmp_path / "book.yaml").write_text('''topics:
  - id: demo.dx
    categories: [health]
    purpose: service
    decision: offer
    honest_answer: "You mentioned it."
    example: {value: MS, provenance: customer_said}
    phrasings: {low: ["Of course."], medium: ["Is {{ value }} why you called?"], high: ["Thank you for telling me. Just say what would help and I'll see to it."]}
''')
    errors = [p for p in lint_paths([str(tmp_path)]) if p.severity == "error"]
    assert [p.rule for p in errors] == ["sensitive-data"] and "'MS'" in errors[0].message


def test_a_label_given_with_a_possessive_is_not_doubled_in_a_line():
    from tact.engine import default_engine
    result = default_engine().suggest({
        "datapoint": {"key": "rail.card", "value": "none", "label": "your railcard", "category": "product_holding",
                      "provenance": "account_record", "consent": ["marketing"]},
        "context": {"channel": "phone", "stage": "wrap_up", "issue_resolved": True, "receptiveness": "high"}})
    texts = [s["text"] for s in result["suggestions"]] + [s["text"] for v in result["alternatives"].values() for s in v]
    assert texts and not [t for t in texts if "your your" in t.lower()]


@pytest.mark.parametrize("key, category, value", [("smart_meter.pattern", "usage", "spikes 2-4am nightly"),
                                                  ("gym.attendance", "usage", "no visits in 6 weeks"),
                                                  ("salary.pattern", "income", "deposits down a third")])
def test_a_watched_habit_served_only_by_a_general_line_is_left_alone(key, category, value):
    from tact.engine import default_engine
    for provenance in ("observed", "inferred"):
        result = default_engine().suggest({
            "datapoint": {"key": key, "value": value, "category": category, "provenance": provenance},
            "context": {"channel": "chat", "stage": "wrap_up", "issue_resolved": True, "receptiveness": "medium"}})
        assert result["decision"] == "withhold" and result["reasons"][0]["rule"] == "respect-provenance"
    said = default_engine().suggest({
        "datapoint": {"key": key, "value": value, "category": category, "provenance": "account_record"},
        "context": {"channel": "chat", "stage": "wrap_up", "issue_resolved": True, "receptiveness": "medium"}})
    assert said["decision"] != "withhold"
