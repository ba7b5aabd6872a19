"""One test per principle, on the field's own cases and the bundled phrasebooks."""
import json

import pytest

from tact.engine import default_engine

EXAMPLE = json.load(open("examples/auto-insurance.json"))


def suggest(datapoint: dict, **context) -> dict:
    ctx = {"channel": "phone", **context}
    return default_engine().suggest({"datapoint": {"provenance": "account_record", **datapoint}, "context": ctx})


def texts(result: dict) -> list[str]:
    out = [s["text"] for s in result["suggestions"]]
    out += [s["text"] for group in result["alternatives"].values() for s in group]
    return out + [result.get("action") or ""]


def rules(result: dict) -> set[str]:
    return {r["rule"] for r in result["reasons"]}


def test_ask_dont_tell_the_auto_insurance_pair():
    result = default_engine().suggest(EXAMPLE)
    assert result["decision"] == "ask" and result["topic"] == "insurance.auto-gap"
    assert result["suggestions"][0]["text"] == "Do you also have auto insurance?"
    assert result["suggestions"][0]["question"] is True
    assert "I can see that you don't have auto insurance." in result["avoid"]
    assert not any("can see" in t.lower() for t in texts(result))


def test_resolve_first_defers_a_cross_sell():
    result = suggest({"key": "policy.auto", "value": "none"}, reason="billing_question", stage="resolution",
                     issue_resolved=False, receptiveness="high")
    assert result["decision"] == "defer" and "resolve-first" in rules(result)
    assert not any("auto" in t.lower() or "car" in t.lower() for t in texts(result))
    # Issue 8: before the issue is resolved the agent keeps helping; no stock close, and the response says so.
    assert result["suggestions"] == []
    assert result["guidance"]["moment"] == "keep-helping" and result["guidance"]["say_nothing"] is True


def test_read_the_customer_estimates_and_defers_when_low():
    result = suggest({"key": "policy.auto", "value": "none"}, stage="wrap_up", issue_resolved=True,
                     customer_utterances=["I'm in a hurry.", "Fine.", "Just finish it quickly."])
    assert result["receptiveness"]["estimated"] is True and result["receptiveness"]["level"] == "low"
    assert "hurry" in result["receptiveness"]["signals"]
    assert result["decision"] == "defer" and "read-the-customer" in rules(result)


def test_tone_variants_read_differently():
    result = default_engine().suggest(EXAMPLE)
    low, medium, high = (result["alternatives"]["low"][0]["text"], result["suggestions"][0]["text"],
                         result["alternatives"]["high"][0]["text"])
    assert len({low, medium, high}) == 3
    assert len(high.split()) > len(medium.split())


def test_dont_exploit_emotion_wildfire_evacuation():
    result = suggest({"key": "policy.auto", "value": "none"}, stage="wrap_up", issue_resolved=True,
                     receptiveness="high", reason="claim",
                     customer_utterances=["We're evacuating because of the wildfire, I need to check my cover."])
    assert result["decision"] == "withhold" and "dont-exploit-emotion" in rules(result)
    assert not any("auto" in t.lower() or "car" in t.lower() for t in texts(result))


@pytest.mark.parametrize("datapoint", [
    {"key": "purchase.pattern", "value": "prenatal vitamins, unscented lotion", "category": "pregnancy",
     "provenance": "inferred", "label": "pregnancy"},
    {"key": "browsing.category", "value": "medication", "category": "medication", "provenance": "observed",
     "label": "migraine medication"},
    {"key": "account.overdraft", "value": True, "provenance": "account_record"},
])
def test_sensitive_data_never_surfaces(datapoint):
    result = suggest(datapoint, stage="wrap_up", issue_resolved=True, receptiveness="high")
    assert result["decision"] == "withhold" and "sensitive-data" in rules(result)
    for text in texts(result):
        for word in ("pregnan", "vitamin", "medication", "migraine", "overdraft"):
            assert word not in text.lower()


def test_sensitive_data_the_customer_raised_serves_their_request():
    result = suggest({"key": "accessibility.assistance", "value": "wheelchair", "provenance": "customer_said"},
                     channel="cabin", stage="discovery")
    assert result["decision"] != "withhold"
    marketing = suggest({"key": "accessibility.assistance", "value": "wheelchair", "provenance": "account_record"},
                        channel="cabin")
    assert marketing["decision"] == "withhold"


def test_category_can_raise_sensitivity_never_lower_it():
    raised = suggest({"key": "purchase.recent", "value": "pregnancy test", "category": "pregnancy",
                      "provenance": "transaction"}, stage="wrap_up", issue_resolved=True)
    assert raised["decision"] == "withhold" and raised["category"] == "pregnancy"
    lowered = suggest({"key": "accessibility.assistance", "value": "wheelchair", "category": "preference"})
    assert lowered["decision"] == "withhold" and lowered["category"] == "disability"


def test_respect_provenance_third_party_and_inferred():
    third = suggest({"key": "policy.auto", "value": "none", "provenance": "third_party"}, stage="wrap_up",
                    issue_resolved=True)
    assert third["decision"] == "withhold" and "respect-provenance" in rules(third)
    inferred = suggest({"key": "bank.branch", "label": "preferred branch", "value": "High Street",
                        "category": "preference", "provenance": "inferred"},
                       stage="wrap_up", issue_resolved=True, receptiveness="medium")
    assert inferred["decision"] == "ask" and "respect-provenance" in rules(inferred)
    assert all(s["question"] for s in inferred["suggestions"])
    assert not any("high street" in t.lower() for t in texts(inferred)[:-1])   # the lines; staff's action may
    # An inferred life or habit (a new driver at home) is not turned into a question about it at all.
    household = suggest({"key": "household.new_driver", "value": True, "provenance": "inferred"},
                        stage="wrap_up", issue_resolved=True, receptiveness="medium")
    assert household["decision"] == "withhold" and "respect-provenance" in rules(household)
    assert not any("driv" in t.lower() for t in texts(household))


def test_consent_and_opt_outs_bind_marketing_but_not_service():
    opted_out = suggest({"key": "policy.auto", "value": "none"}, stage="wrap_up", issue_resolved=True,
                        do_not_market=True)
    assert opted_out["decision"] == "withhold" and "consent-binds" in rules(opted_out)
    no_consent = suggest({"key": "policy.auto", "value": "none", "consent": ["service"]}, stage="wrap_up",
                         issue_resolved=True)
    assert no_consent["decision"] == "withhold"
    service = suggest({"key": "flight.recent_disruption", "value": "cancelled", "provenance": "account_record"},
                      channel="cabin", do_not_market=True)
    # Service stays: not withheld by the opt-out (unraised, a past disruption is seen to quietly by the crew).
    assert service["decision"] in ("ask", "offer", "apply_silently")
    assert "consent-binds" not in rules(service) and service["action"]


def test_apply_quietly_aisle_seat():
    result = suggest({"key": "seat.preference", "value": "aisle", "provenance": "customer_stated"},
                     channel="phone", industry="airline")
    assert result["decision"] == "apply_silently" and "apply-quietly" in rules(result)
    assert "aisle" in result["action"].lower()
    for suggestion in result["suggestions"]:
        assert "aisle" not in suggestion["text"].lower() and "prefer" not in suggestion["text"].lower()


def test_a_check_in_action_is_no_to_do_on_board_but_a_meal_still_is():
    seat = suggest({"key": "seat.preference", "value": "aisle", "provenance": "customer_stated"}, channel="cabin")
    assert seat["decision"] == "apply_silently"
    assert seat["action"] is None and seat["suggestions"] == []
    meal = suggest({"key": "meal.preference", "value": "vegetarian", "provenance": "customer_stated"},
                   channel="cabin")
    assert "vegetarian" in meal["action"]


def test_be_honest_when_asked():
    result = default_engine().suggest(EXAMPLE)
    assert result["honest_answer"] and "see" in result["honest_answer"].lower()


def test_sound_like_a_person_spoken_lines_are_short():
    for level in ("low", "medium", "high"):
        result = suggest({"key": "policy.auto", "value": "none"}, stage="wrap_up", issue_resolved=True,
                         receptiveness=level if level != "low" else "medium")
        for text in texts(result):
            assert len(text.split()) <= 25


def test_unknown_key_falls_back_to_category_or_is_withheld():
    generic = suggest({"key": "widget.warranty", "value": "none", "category": "product_holding",
                       "label": "extended warranty"}, stage="wrap_up", issue_resolved=True, receptiveness="medium")
    assert generic["decision"] in ("ask", "offer") and generic["suggestions"]
    unknown = suggest({"key": "widget.mystery", "value": 3})
    assert unknown["decision"] == "withhold" and "privacy-by-default" in rules(unknown)


def test_bystanders_get_a_general_welcome():
    result = suggest({"key": "trip.occasion", "value": "anniversary", "provenance": "customer_stated"},
                     channel="cabin", bystanders=True, receptiveness="high")
    for text in texts(result):
        assert "anniversary" not in text.lower()


def test_batch_keeps_order_and_ranks_say_now():
    req = {"datapoints": [
        {"key": "policy.auto", "value": "none", "provenance": "account_record"},
        {"key": "purchase.pattern", "value": "x", "category": "pregnancy", "provenance": "inferred"},
        {"key": "policy.home", "value": "active", "provenance": "account_record"},
    ], "context": {"channel": "phone", "stage": "wrap_up", "issue_resolved": True, "receptiveness": "medium"}}
    result = default_engine().suggest(req)
    assert [r["decision"] for r in result["results"]][1] == "withhold"
    assert result["results"][0]["topic"] == "insurance.auto-gap"
    ids = {s["id"] for r in result["results"] for s in r["suggestions"]}
    assert set(result["say_now"]) <= ids
    assert not any(sid.startswith("neutral") for sid in result["say_now"])


def test_dont_exploit_emotion_an_angry_complaint():
    result = suggest({"key": "device.upgrade_eligible", "value": True}, stage="wrap_up", issue_resolved=True,
                     customer_utterances=["Fine, it's fixed, but I'm furious it took three calls."])
    assert result["decision"] == "withhold" and "dont-exploit-emotion" in rules(result)
    assert "anger" in result["receptiveness"]["signals"]


def test_no_customer_value_reaches_the_logs(tmp_path, caplog):
    """A phrasing that fails on this value, or is dropped by the guard, is logged by topic id only."""
    from tact.engine import Engine
    (tmp_path / "book.yaml").write_text('''topics:
  - id: demo.points
    keys: [demo.points]
    category: loyalty
    purpose: service
    decision: offer
    honest_answer: "It's on your account."
    example: {value: 3}
    phrasings:
      low: ["{{ value + 1 }} points to go?"]
      medium: ["I can see you have {{ value }} points."]
      high: ["Would you like to hear about your points?"]
''')
    secret = "SECRET-VALUE-93"
    with caplog.at_level("DEBUG"):
        result = Engine([str(tmp_path)]).suggest({
            "datapoint": {"key": "demo.points", "value": secret, "provenance": "account_record"},
            "context": {"channel": "phone", "receptiveness": "medium",
                        "customer_utterances": [f"my code is {secret}"]}})
    # Both medium-tone lines are refused, so there is nothing to offer: the decision becomes defer.
    assert result["decision"] == "defer" and "no-safe-line" in rules(result)
    assert all(s["id"].startswith("neutral") for s in result["suggestions"])
    assert caplog.records and secret not in caplog.text and secret not in json.dumps(result["reasons"])
