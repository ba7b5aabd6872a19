"""The call remembers: declined topics are not offered again, one offer a call; the engine stays pure."""
import json
from pathlib import Path

from tact import suggest

EXAMPLE = json.loads(Path("examples/auto-insurance.json").read_text())


def ask(history=(), utterances=None, provenance=None, key=None, label=None, **context):
    datapoint = dict(EXAMPLE["datapoint"])
    if provenance:
        datapoint["provenance"] = provenance
    if key:
        datapoint = {"key": key, "value": "yes", "provenance": "account_record", "consent": ["service", "marketing"]}
    if label:
        datapoint["label"] = label
    ctx = {**EXAMPLE["context"], "conversation_id": "c1", "history": list(history), **context}
    if utterances:
        ctx["customer_utterances"] = utterances
    return suggest({"datapoint": datapoint, "context": ctx})


def rules(result):
    return [r["rule"] for r in result["reasons"]]


def test_a_topic_declined_earlier_in_the_call_is_deferred_with_a_reason_an_agent_understands():
    first = ask()
    assert first["decision"] == "ask"
    later = ask([{"topic": first["topic"], "event": "declined", "suggestion_id": first["suggestions"][0]["id"]}])
    assert later["decision"] == "withhold" and rules(later) == ["declined-earlier"]
    assert "earlier in this conversation" in later["reasons"][0]["message"]
    assert "auto" not in later["suggestions"][0]["text"].lower()      # the held topic is not hinted at
    # Another topic's decline, or the same topic merely shown, changes nothing.
    assert ask([{"topic": "retail.cart-abandoned", "event": "declined"}])["decision"] == "ask"
    assert ask([{"topic": first["topic"], "event": "shown"}])["decision"] == "ask"


def test_one_marketing_offer_a_call_unless_the_customer_asks():
    upgrade = ask(key="device.upgrade_eligible", industry="telecom")
    assert upgrade["decision"] in ("ask", "offer")
    offered = [{"topic": upgrade["topic"], "event": "used"}]
    auto = ask(offered)
    assert auto["decision"] == "defer" and rules(auto) == ["one-offer-per-call"]
    assert "one offer" in auto["reasons"][0]["message"].lower()
    # An edited line was said too; a line only shown or declined was not an offer made.
    assert rules(ask([{"topic": upgrade["topic"], "event": "edited"}])) == ["one-offer-per-call"]
    assert ask([{"topic": upgrade["topic"], "event": "shown"}])["decision"] == "ask"
    # The customer asks about it: answered.
    asked = ask(offered, utterances=["Great. Do you do auto insurance as well?"], label="auto insurance")
    assert asked["decision"] == "ask"
    assert ask(offered, provenance="customer_said")["decision"] != "defer"


def test_stricter_rules_still_win_over_memory():
    declined = [{"topic": "insurance.auto-gap", "event": "declined"}]
    assert ask(declined, do_not_market=True)["decision"] == "withhold"


def test_the_web_layer_fills_history_from_the_store_only_when_none_is_given(client):
    request = {**EXAMPLE, "context": {**EXAMPLE["context"], "conversation_id": "call-memory"}}
    first = client.post("/api/v1/suggest", json=request).get_json()
    line = first["suggestions"][0]
    r = client.post("/api/v1/feedback", json={"events": [
        {"id": "m1", "conversation_id": "call-memory", "topic": first["topic"], "suggestion_id": line["id"],
         "event": "declined", "reason": "customer_upset"}]})
    assert r.status_code == 202
    assert rules(client.post("/api/v1/suggest", json=request).get_json()) == ["declined-earlier"]
    # History given in the request is used as given (here: none), and other conversations are unaffected.
    given = {**request, "context": {**request["context"], "history": []}}
    assert client.post("/api/v1/suggest", json=given).get_json()["decision"] == "ask"
    other = {**request, "context": {**request["context"], "conversation_id": "call-other"}}
    assert client.post("/api/v1/suggest", json=other).get_json()["decision"] == "ask"
