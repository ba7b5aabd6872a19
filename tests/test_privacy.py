"""No data value or utterance in reasons, errors, packs, CLI output or logs, whatever breaks."""
import json
import logging

import pytest
from click.testing import CliRunner

from tact.cli import main
from tact.engine import Engine
from tact.phrasebook import DEFAULT_DIR
from tact.web import create_app

# Distinctive and not itself sensitive, so it reaches the rule, match and phrasing that fail on it.
SECRET = "Platinum XYZZY-4471"
SAID = "my wife has PLUGH syndrome"
# Topics that lint clean on their example value (so `tact suggest --phrasebooks` takes them) but whose rule,
# match condition and phrasing fail on another value: each error quotes that value.
BROKEN_TOPICS = """
topics:
  - id: loyalty.broken-rule
    title: A rule that breaks on real data
    keys: [loyalty.broken]
    category: loyalty
    purpose: service
    decision: ask
    label: membership
    vars: {gold: 1}
    example: {value: gold}
    rules:
      - id: look-up
        when: "vars[value] == 1"
        decision: defer
        message: Never reached with a string value.
    phrasings:
      low: ["Anything else I can help with?"]
      medium: ["Anything else today?"]
      high: ["Is there anything else I can help with today?"]
    honest_answer: "It is on your account."
  - id: loyalty.broken-match
    title: A match condition that breaks on real data
    keys: [loyalty.matchless]
    category: loyalty
    purpose: service
    decision: ask
    label: membership
    match: "vars[value] == 1"
    vars: {gold: 1}
    example: {value: gold}
    phrasings:
      low: ["Anything else I can help with?"]
      medium: ["{{ vars[value] }} anything else?"]
      high: ["Is there anything else I can help with today?"]
    honest_answer: "It is on your account."
"""


@pytest.fixture
def books(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN_TOPICS)
    return [str(DEFAULT_DIR), str(path)]


@pytest.fixture
def client(books):
    return create_app({"TESTING": True, "PHRASEBOOKS": books}).test_client()


def datapoint(key="loyalty.broken", **extra):
    return {"key": key, "value": SECRET, "provenance": "account_record", **extra}


def request(key="loyalty.broken"):
    return {"datapoint": datapoint(key), "context": {"channel": "phone", "customer_utterances": [SAID]}}


def assert_clean(text: str) -> None:
    assert "XYZZY" not in text and "PLUGH" not in text, text


def test_a_rule_that_fails_names_the_rule_and_topic_not_the_error(client, caplog):
    with caplog.at_level(logging.DEBUG):
        body = client.post("/api/v1/suggest", json=request()).get_json()
    assert body["decision"] == "withhold"
    assert body["reasons"] == [{"rule": "look-up", "message": "Rule 'look-up' of topic 'loyalty.broken-rule' "
                                                              "could not be evaluated; data withheld."}]
    assert_clean(json.dumps(body))
    assert "look-up" in caplog.text and "loyalty.broken-rule" in caplog.text
    assert_clean(caplog.text)


def test_a_match_condition_or_phrasing_that_fails_leaves_no_trace_of_the_value(books, caplog):
    engine = Engine(books)
    with caplog.at_level(logging.DEBUG):
        body = engine.suggest({"datapoints": [datapoint("loyalty.matchless"), datapoint("loyalty.broken")],
                               "context": {"channel": "phone", "customer_utterances": [SAID]}})
    assert "loyalty.broken-match" in caplog.text
    assert_clean(json.dumps(body) + caplog.text)


def test_the_cabin_pack_carries_no_value_in_its_reasons(client, caplog):
    manifest = {"flight": "TC 1", "context": {"bystanders": False},
                "passengers": [{"seat": "1A", "datapoints": [datapoint(label="Gold member")]}]}
    with caplog.at_level(logging.DEBUG):
        r = client.post("/api/v1/packs", json=manifest)
    assert r.status_code == 200
    pack = r.get_json()
    tones = pack["passengers"][0]["lines"][0]["tones"]
    assert all(t["reasons"][0]["rule"] == "look-up" for t in tones.values())
    assert_clean(json.dumps(pack) + caplog.text)


@pytest.mark.parametrize("path, body", [
    ("/api/v1/suggest", {"datapoint": {"key": "loyalty.tier", "value": 1, "label": 12345, "provenance": "account_record"},
                         "context": {"channel": "phone"}}),
    ("/api/v1/suggest", {"datapoint": {"key": "loyalty.tier", "value": 1, "label": ["x"],
                                       "provenance": "account_record"}, "context": {"channel": "phone"}}),
    ("/api/v1/suggest", {"datapoint": datapoint(), "context": {"channel": "phone", "customer_utterances": [12345]}}),
    ("/api/v1/suggest", {"datapoint": datapoint(), "context": {"channel": "phone", "customer_utterances": SAID}}),
    ("/api/v1/suggest", {"datapoint": datapoint(), "context": SAID}),
    ("/api/v1/suggest", {"datapoint": SECRET, "context": {"channel": "phone"}}),
    ("/api/v1/suggest", {"datapoint": {**datapoint(), "value": {SECRET: [1] * 5000}}, "context": {"channel": "phone"}}),
    ("/api/v1/suggest", {"datapoint": {**datapoint(), "label": SECRET * 20}, "context": {"channel": "phone"}}),
    ("/api/v1/suggest", {"datapoint": {**datapoint(), "collected_via": 77}, "context": {"channel": "phone"}}),
    ("/api/v1/check", {"text": 12345}),
    ("/api/v1/check", {"text": SECRET, "context": {"channel": "phone", "customer_utterances": [SAID, 3]}}),
    ("/api/v1/packs", {"flight": "TC 1", "passengers": [{"seat": "1A", "name": 12345,
                                                          "datapoints": [datapoint()]}]}),
    ("/api/v1/packs", {"flight": "TC 1", "passengers": [{"seat": "1A", "datapoints": [
        {**datapoint(), "label": 12345}]}]}),
])
def test_errors_for_free_text_fields_never_echo_the_text(client, caplog, path, body):
    with caplog.at_level(logging.DEBUG):
        r = client.post(path, json=body)
    assert r.status_code in (400, 422), r.get_json()
    error = r.get_json()["error"]
    assert error["field"] and error["message"]
    assert_clean(json.dumps(error) + caplog.text)
    assert "12345" not in error["message"] and "77" not in error["message"]


def test_enum_mistakes_still_name_the_offending_word_bounded(client):
    r = client.post("/api/v1/suggest", json={"datapoint": datapoint(), "context": {"channel": "telepathy"}})
    assert r.get_json()["error"]["message"].endswith("got 'telepathy'")
    r = client.post("/api/v1/suggest", json={"datapoint": {**datapoint(), "provenance": "x" * 500},
                                             "context": {"channel": "phone"}})
    assert len(r.get_json()["error"]["message"]) < 300


def test_cli_output_and_errors_carry_no_value(books):
    runner = CliRunner()
    good = runner.invoke(main, ["suggest", "-p", books[0], "-p", books[1], "-"], input=json.dumps(request()))
    assert good.exit_code == 0
    assert json.loads(good.stdout)["reasons"][0]["rule"] == "look-up"
    bad = dict(request())
    bad["context"] = {**bad["context"], "customer_utterances": [SAID, 5]}
    failed = runner.invoke(main, ["suggest", "-"], input=json.dumps(bad))
    assert failed.exit_code == 2 and "customer_utterances[1]" in failed.stderr
    jsonl = runner.invoke(main, ["suggest", "--jsonl", "-"], input=json.dumps(bad) + "\n")
    assert jsonl.exit_code == 2
    assert_clean(good.output + failed.output + jsonl.output)


def test_an_unexpected_error_is_logged_without_its_message(client, caplog, monkeypatch):
    from tact.engine import Engine as EngineClass

    def explode(self, request):
        raise RuntimeError(f"boom near {SECRET}")
    monkeypatch.setattr(EngineClass, "suggest", explode)
    with caplog.at_level(logging.DEBUG):
        r = client.post("/api/v1/suggest", json=request())
    assert r.status_code == 500 and r.get_json()["error"]["code"] == "internal_error"
    assert "RuntimeError" in caplog.text
    assert_clean(caplog.text + r.get_data(as_text=True))
