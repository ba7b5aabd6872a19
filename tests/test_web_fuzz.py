"""No input makes a 500: schemathesis drives the API from its own /openapi.json, in-process,
and hypothesis throws arbitrary bodies, content types and methods at every endpoint."""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks as st_checks
from schemathesis.openapi import from_wsgi

from tact.web import create_app

APP = create_app({"TESTING": True})
SCHEMA = from_wsgi("/openapi.json", APP)
FAST = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))
POST_PATHS = ("/api/v1/suggest", "/api/v1/check", "/api/v1/packs", "/api/v1/feedback")
ENUMS = st.sampled_from(["phone", "cabin", "chat", "low", "medium", "high", "account_record", "customer_said",
                         "health", "policy.auto", "loyalty.tier", "wrap_up", "none", "", "\u0000", "é" * 3])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30) | ENUMS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12) | ENUMS.filter(bool)
                                                                  | st.sampled_from(
        ["datapoint", "datapoints", "context", "key", "value", "provenance", "channel", "text", "flight",
         "passengers", "seat", "category", "consent", "customer_utterances", "receptiveness", "events", "id",
         "conversation_id", "suggestion_id", "topic", "event", "reason", "at"]), inner, max_size=5),
    max_leaves=20)


@SCHEMA.parametrize()
@FAST
def test_schemathesis_no_server_errors_and_responses_match_the_schema(case):
    # Checks: no 5xx; responses (including errors) conform to the published schema and status codes.
    case.call_and_validate(checks=[st_checks.not_a_server_error, st_checks.response_schema_conformance,
                                   st_checks.status_code_conformance, st_checks.content_type_conformance],
                           excluded_checks=[st_checks.positive_data_acceptance, st_checks.negative_data_rejection,
                                            st_checks.unsupported_method, st_checks.missing_required_header,
                                            st_checks.ignored_auth, st_checks.use_after_free,
                                            st_checks.ensure_resource_availability])


@pytest.fixture(scope="module")
def fuzz_client():
    return APP.test_client()


@given(body=JSON)
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_any_json_body_is_answered_without_500(body):
    client = APP.test_client()
    payload = json.dumps(body)
    for path in POST_PATHS:
        r = client.post(path, data=payload, content_type="application/json")
        assert r.status_code < 500, (path, payload, r.get_data(as_text=True))
        assert r.is_json
        if r.status_code >= 400:
            assert set(r.get_json()["error"]) >= {"code", "message", "field"}


@given(datapoint=st.fixed_dictionaries(
    {"key": st.sampled_from(["policy.auto", "loyalty.tier", "seat.preference", "trip.occasion",
                             "accessibility.assistance", "x.y"]),
     "value": JSON, "provenance": st.sampled_from(["account_record", "customer_said", "inferred", "observed"])},
    optional={"label": st.text(max_size=20), "category": st.sampled_from(["health", "loyalty", "occasion", "bogus"]),
              "consent": st.lists(st.sampled_from(["service", "marketing", "nope"]), max_size=3)}),
       context=st.fixed_dictionaries({"channel": st.sampled_from(["phone", "cabin", "chat", "fax"])},
                                     optional={"stage": st.sampled_from(["opening", "wrap_up", "x"]),
                                               "issue_resolved": st.booleans(),
                                               "receptiveness": st.sampled_from(["low", "medium", "high"]),
                                               "customer_utterances": st.lists(st.text(max_size=40), max_size=3),
                                               "bystanders": st.booleans() | st.none()}))
@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
def test_near_valid_requests_never_500(datapoint, context):
    client = APP.test_client()
    r = client.post("/api/v1/suggest", json={"datapoint": datapoint, "context": context})
    assert r.status_code in (200, 422), r.get_data(as_text=True)
    pack = {"flight": "TC 1", "passengers": [{"seat": "1A", "datapoints": [datapoint]}], "context": context}
    r = client.post("/api/v1/packs", json=pack)
    assert r.status_code in (200, 422), r.get_data(as_text=True)


@given(data=st.binary(max_size=200), ctype=st.sampled_from(["application/json", "text/plain", "",
                                                              "application/x-www-form-urlencoded",
                                                              "application/json; charset=latin-1",
                                                              "application/problem+json", "multipart/form-data"]),
       method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
       path=st.sampled_from(POST_PATHS + ("/api/v1/topics", "/api/v1/topics/insurance.auto-gap", "/healthz",
                                           "/openapi.json", "/api/v1/topics/%00", "/api/v2/x")))
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_any_bytes_any_method_never_500(data, ctype, method, path):
    client = APP.test_client()
    r = client.open(path, method=method, data=data, headers={"Content-Type": ctype} if ctype else {})
    assert r.status_code < 500, (method, path, ctype, data, r.get_data(as_text=True))
    assert r.is_json
    if r.status_code == 405:
        assert r.headers.get("Allow")
