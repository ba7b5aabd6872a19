"""Contract parsing: typed objects out, and every violation named by its field path."""
import json

import pytest

from tact.errors import RequestError
from tact.model import load_json, parse_check_request, parse_suggest_request

EXAMPLE = json.load(open("examples/auto-insurance.json"))


def request(**changes):
    req = json.loads(json.dumps(EXAMPLE))
    for path, value in changes.items():
        part, name = path.split("__")
        req[part][name] = value
    return req


def error_of(req) -> str:
    with pytest.raises(RequestError) as info:
        parse_suggest_request(req)
    return str(info.value)


def test_design_example_parses_into_typed_objects():
    parsed = parse_suggest_request(EXAMPLE)
    dp = parsed.datapoints[0]
    assert dp.key == "policy.auto" and dp.provenance == "account_record"
    assert dp.consent == ("service", "marketing")
    assert parsed.context.stage == "wrap_up" and parsed.context.issue_resolved is True
    assert parsed.context.customer_utterances == ("Great, thanks, that sorted it.",)
    assert not parsed.batch


def test_bad_enum_names_field_expected_and_got():
    assert error_of(request(datapoint__provenance="crm")) == (
        "datapoint.provenance: expected one of customer_said, customer_stated, account_record, transaction, "
        "observed, inferred, third_party; got 'crm'")


def test_unknown_field_suggests_the_likely_one():
    req = request()
    req["context"]["recepetiveness"] = "low"
    assert error_of(req) == "context.recepetiveness: unknown field; did you mean 'receptiveness'?"


@pytest.mark.parametrize("change, field", [
    ({"datapoint__value": "x" * 5000}, "datapoint.value"),
    ({"context__issue_resolved": "yes"}, "context.issue_resolved"),
    ({"context__customer_utterances": ["ok", 3]}, "context.customer_utterances[1]"),
    ({"context__customer_utterances": "hello"}, "context.customer_utterances"),
    ({"context__stage": "closing"}, "context.stage"),
    ({"datapoint__consent": ["marketing", "spam"]}, "datapoint.consent[1]"),
    ({"datapoint__key": "Policy Auto"}, "datapoint.key"),
    ({"datapoint__label": 7}, "datapoint.label"),
    ({"context__locale": "fr"}, "context.locale"),
])
def test_each_violation_names_its_field(change, field):
    assert error_of(request(**change)).startswith(field + ": ")


def test_missing_required_fields_are_named():
    req = request()
    del req["datapoint"]["provenance"]
    assert error_of(req) == "datapoint.provenance: required field is missing"
    req = request()
    del req["context"]["channel"]
    assert error_of(req) == "context.channel: required field is missing"


def test_batch_paths_carry_the_index():
    req = {"datapoints": [EXAMPLE["datapoint"], {**EXAMPLE["datapoint"], "provenance": "gossip"}],
           "context": EXAMPLE["context"]}
    assert error_of(req).startswith("datapoints[1].provenance: expected one of")
    assert error_of({"datapoints": [], "context": EXAMPLE["context"]}) == "datapoints: expected at least one data point"


def test_datapoint_and_datapoints_are_exclusive():
    both = {**EXAMPLE, "datapoints": [EXAMPLE["datapoint"]]}
    assert "exactly one of" in error_of(both)


def test_not_an_object_at_top_or_within():
    assert error_of([1, 2]) == "expected an object; got an array"
    assert error_of({"datapoint": "x", "context": {"channel": "phone"}}) == "datapoint: expected an object; got a string"


@pytest.mark.parametrize("text, fragment", [
    ("{bad", "line 1, column 2"),
    ('{"a": NaN}', "NaN"),
    (b"\xff\xfe", "UTF-8"),
    ("[" * 100000, "malformed JSON"),
])
def test_malformed_json_is_a_request_error(text, fragment):
    with pytest.raises(RequestError) as info:
        load_json(text)
    assert fragment in str(info.value)


def test_check_request_context_channel_optional_and_disable_list():
    parsed = parse_check_request({"text": "hi", "context": {"customer_utterances": ["I have kids"]},
                                  "disable": ["records-frame"]})
    assert parsed.context.customer_utterances == ("I have kids",)
    assert parsed.disable == ("records-frame",)
    with pytest.raises(RequestError) as info:
        parse_check_request({"text": 5})
    assert str(info.value) == "text: expected a string; got a number"


def test_bystander_mode_defaults_on_in_a_cabin_only():
    from tact.model import parse_context
    assert parse_context({"channel": "cabin"}).bystanders is True
    assert parse_context({"channel": "cabin", "bystanders": False}).bystanders is False
    assert parse_context({"channel": "phone"}).bystanders is False


def test_conversation_id_and_history_parse():
    from tact.model import parse_context
    ctx = parse_context({"channel": "chat", "conversation_id": "c-1",
                         "history": [{"topic": "insurance.auto-gap", "event": "declined",
                                      "suggestion_id": "insurance.auto-gap/medium/1", "at": "2026-11-29T10:00:00Z"}]})
    assert ctx.conversation_id == "c-1"
    assert ctx.history[0].event == "declined" and ctx.history[0].topic == "insurance.auto-gap"


@pytest.mark.parametrize("history, field", [
    ("declined", "context.history"),
    ([{"topic": "x.y"}], "context.history[0].event"),
    ([{"topic": "x.y", "event": "liked"}], "context.history[0].event"),
    ([{"topic": "x.y", "event": "shown", "value": "secret"}], "context.history[0].value"),
    ([{"topic": "x.y", "event": "shown"}] * 201, "context.history"),
])
def test_bad_history_names_the_field(history, field):
    from tact.model import parse_context
    with pytest.raises(RequestError) as err:
        parse_context({"channel": "chat", "history": history})
    assert err.value.field == field
