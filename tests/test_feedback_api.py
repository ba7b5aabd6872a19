"""POST /api/v1/feedback and GET /api/v1/stats: strict, idempotent, never keeping what the customer is or said."""
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from tact.web import create_app

EXAMPLE = json.loads(Path("examples/auto-insurance.json").read_text())
SECRET = "zqxjv"      # in every value the customer or agent could give; must never reach the database


def make_app(url, **config):
    return create_app({"TESTING": True, "DATABASE_URL": url, **config})


def event(id, **fields):
    return {"id": id, "conversation_id": "call-1", "topic": "insurance.auto-gap",
            "suggestion_id": "insurance.auto-gap/medium/1", "event": "shown", **fields}


def post(client, *events):
    return client.post("/api/v1/feedback", json={"events": list(events)})


def test_feedback_is_accepted_once_per_event_id(tmp_path):
    client = make_app(f"sqlite:///{tmp_path}/f.sqlite3").test_client()
    first = post(client, event("e1"), event("e2", event="used", channel="phone", decision="ask"))
    assert first.status_code == 202 and first.get_json() == {"accepted": 2, "duplicates": 0}
    again = post(client, event("e2", event="used"), event("e3", event="declined", reason="wrong_moment"))
    assert again.status_code == 202 and again.get_json() == {"accepted": 1, "duplicates": 1}
    stats = client.get("/api/v1/stats?topic=insurance.auto-gap").get_json()
    assert stats["totals"]["shown"] == 1 and stats["totals"]["used"] == 1 and stats["totals"]["declined"] == 1


def test_by_default_the_database_is_a_sqlite_file_in_the_instance_folder_made_on_first_use(tmp_path):
    instance = tmp_path / "instance"
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance), "DATABASE_URL": None})
    assert (instance / "tact.sqlite3").exists()
    assert post(app.test_client(), event("e1")).status_code == 202
    assert sqlite3.connect(instance / "tact.sqlite3").execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.mark.parametrize("body, field, code", [
    ({"events": [event("e", event="clicked")]}, "events[0].event", 422),
    ({"events": [event("e", reason="too_pushy", event="declined")]}, "events[0].reason", 422),
    ({"events": [event("e", reason="other")]}, "events[0].reason", 422),
    ({"events": [event("e", topic="insurance.nope")]}, "events[0].topic", 422),
    ({"events": [event("e", suggestion_id="retail.cart-abandoned/medium/1")]}, "events[0].suggestion_id", 422),
    ({"events": [event("e", suggestion_id="made up")]}, "events[0].suggestion_id", 422),
    ({"events": [event("e", at="yesterday")]}, "events[0].at", 422),
    ({"events": [event("e", at="2999-01-01T00:00:00Z")]}, "events[0].at", 422),
    ({"events": [event("ok"), {**event("e"), "label": "auto insurance"}]}, "events[1].label", 422),
    ({"events": [{k: v for k, v in event("e").items() if k != "conversation_id"}]}, "events[0].conversation_id",
     422),
    ({"events": [event("   ")]}, "events[0].id", 422),
    ({"events": [event(7)]}, "events[0].id", 422),
    ({"events": []}, "events", 422),
    ({"events": [event(str(i)) for i in range(501)]}, "events", 422),
    ({"event": []}, "event", 422),
    ([], None, 422),
])
def test_bad_feedback_is_refused_with_the_field_and_nothing_is_stored(client, body, field, code):
    before = client.get("/api/v1/stats?since=1970-01-01").get_json()["totals"]
    r = client.post("/api/v1/feedback", json=body)
    assert r.status_code == code
    assert r.get_json()["error"]["field"] == field
    assert client.get("/api/v1/stats?since=1970-01-01").get_json()["totals"] == before


def test_malformed_feedback_json_is_a_400_with_line_and_column(client):
    r = client.post("/api/v1/feedback", data='{"events": [', content_type="application/json")
    assert r.status_code == 400 and "line 1" in r.get_json()["error"]["message"]


@pytest.mark.parametrize("query, field", [("since=last+week", "since"), ("channel=fax", "channel"),
                                          ("industry=mining", "industry"), ("colour=red", "colour"),
                                          ("since=2026-02-01&until=2026-01-01", "until"),
                                          ("topic=Not+A+Topic", "topic")])
def test_bad_stats_filters_are_refused_with_the_field(client, query, field):
    r = client.get("/api/v1/stats?" + query)
    assert r.status_code == 422 and r.get_json()["error"]["field"] == field


def _dump(url: str, app) -> str:
    """Everything the database holds, as text: every row of every table, and for SQLite the raw files too."""
    store = app.extensions["tact.store"]
    store.dispose()
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        with sqlite3.connect(path) as connection:
            dump = "\n".join(connection.iterdump())
        return raw.decode("latin-1") + dump
    with store.engine.connect() as connection:
        tables = connection.execute(text("SELECT table_name FROM information_schema.tables "
                                         "WHERE table_schema = 'public'")).scalars().all()
        return "\n".join(str(row) for t in tables for row in connection.execute(text(f'SELECT * FROM "{t}"')))


def test_no_value_label_utterance_or_free_text_reaches_the_database(database_url):
    app = make_app(database_url)
    client = app.test_client()
    conversation = f"{SECRET}-conversation +44 7700 900123"
    request = {"datapoint": {**EXAMPLE["datapoint"], "value": f"{SECRET}-value", "label": f"{SECRET} label"},
               "context": {**EXAMPLE["context"], "conversation_id": conversation,
                           "customer_utterances": [f"My name is {SECRET} and my card ends 4242"]}}
    result = client.post("/api/v1/suggest", json=request).get_json()
    line = result["suggestions"][0]
    good = {"conversation_id": conversation, "topic": result["topic"], "suggestion_id": line["id"],
            "decision": result["decision"], "channel": "phone", "industry": "insurance"}
    assert post(client, {**good, "id": f"{SECRET}-event-1", "event": "shown"},
                {**good, "id": f"{SECRET}-event-2", "event": "declined", "reason": "other"}).status_code == 202
    # Every way of smuggling text in is refused, and refused whole.
    for smuggled in ({"note": f"{SECRET} said no"}, {"text": f"{SECRET}"}, {"value": f"{SECRET}"},
                     {"reason": f"{SECRET}", "event": "declined"}, {"suggestion_id": f"{SECRET}"},
                     {"topic": f"{SECRET}.topic"}, {"stage": SECRET}, {"at": SECRET}):
        r = post(client, {**good, "id": "fine", "event": "used"}, {**good, "id": "x", "event": "used", **smuggled})
        assert r.status_code == 422, smuggled
    # The conversation is remembered all the same (by its hash).
    again = client.post("/api/v1/suggest", json=request).get_json()
    assert [r["rule"] for r in again["reasons"]] == ["declined-earlier"]
    dump = _dump(database_url, app)
    assert line["id"] in dump          # the dump is real: it holds what was stored
    for needle in (SECRET, "7700", "4242", "auto insurance"):
        assert needle not in dump.lower()


def test_suggest_keeps_answering_and_feedback_answers_503_when_sqlite_cannot_be_opened(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the database folder should be")
    app = make_app(f"sqlite:///{blocked}/tact.sqlite3")
    client = app.test_client()
    request = {**EXAMPLE, "context": {**EXAMPLE["context"], "conversation_id": "call-9"}}
    assert client.post("/api/v1/suggest", json=request).status_code == 200
    r = post(client, event("e1"))
    assert r.status_code == 503 and r.headers["Retry-After"] and r.get_json()["error"]["code"] == "store_unavailable"
    assert client.get("/api/v1/stats").status_code == 503
    for path in ("/", "/cabin", "/studio", "/healthz", "/openapi.json"):
        assert client.get(path).status_code == 200, path


def test_postgresql_going_down_and_coming_back(tmp_path):
    from pgcluster import Cluster
    try:
        cluster = Cluster().start()
    except RuntimeError as exc:
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    try:
        app = make_app(cluster.database(), DATABASE_RETRY_AFTER=0.2)
        client = app.test_client()
        request = {**EXAMPLE, "context": {**EXAMPLE["context"], "conversation_id": "call-pg"}}
        assert post(client, event("e1", conversation_id="call-pg")).status_code == 202
        cluster.stop()
        assert client.post("/api/v1/suggest", json=request).status_code == 200
        assert post(client, event("e2", conversation_id="call-pg")).status_code == 503
        assert client.post("/api/v1/suggest", json=request).status_code == 200
        assert client.get("/api/v1/stats").status_code == 503
        assert client.get("/studio").status_code == 200
        cluster.start()
        import time
        time.sleep(0.3)
        again = post(client, event("e2", conversation_id="call-pg"), event("e1", conversation_id="call-pg"))
        assert again.status_code == 202 and again.get_json() == {"accepted": 1, "duplicates": 1}
    finally:
        cluster.destroy()


def test_a_busy_worker_sheds_feedback_with_429_and_the_resend_counts_once(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/busy.sqlite3", FEEDBACK_CONCURRENCY=1)
    client = app.test_client()
    from tact.web.feedback import _slot
    slot = _slot(app)
    slot.acquire()               # another feedback request is being handled
    try:
        busy = post(client, event("e1"))
        assert busy.status_code == 429 and busy.headers["Retry-After"] == "1"
        assert client.post("/api/v1/suggest", json=EXAMPLE).status_code == 200    # suggest is never shed
    finally:
        slot.release()
    assert post(client, event("e1")).get_json() == {"accepted": 1, "duplicates": 0}


def test_openapi_describes_feedback_and_stats(client):
    doc = client.get("/openapi.json").get_json()
    feedback = doc["paths"]["/api/v1/feedback"]["post"]
    assert set(feedback["responses"]) >= {"202", "422", "429", "503"}
    stats = doc["paths"]["/api/v1/stats"]["get"]
    assert {p["name"] for p in stats["parameters"]} == {"topic", "since", "until", "channel", "industry"}
    event_schema = doc["components"]["schemas"]["FeedbackEvent"]
    assert event_schema["additionalProperties"] is False
    assert event_schema["properties"]["reason"]["anyOf"][0]["enum"] == [
        "not_relevant", "wrong_moment", "customer_upset", "sounds_wrong", "other"]
