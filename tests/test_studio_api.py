"""The studio's JSON API: sessions, roles and CSRF; the edit-review-publish loop as a script would drive it."""
import shutil
from pathlib import Path

import pytest

from tact.store import Store
from tact.studio import accounts
from tact.web import create_app

BUNDLED = Path(__file__).resolve().parents[1] / "phrasebooks"
PASSWORD = "correct horse battery"
API = "/api/v1/studio"
AUTO = {"datapoint": {"key": "policy.auto", "value": "none", "provenance": "account_record"},
        "context": {"channel": "phone", "stage": "wrap_up", "issue_resolved": True, "receptiveness": "medium"}}


@pytest.fixture(scope="module")
def accounts_db(tmp_path_factory):
    """A database holding the test accounts, made once (Argon2 is slow on purpose) and copied per test."""
    path = tmp_path_factory.mktemp("accounts") / "studio.sqlite3"
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    for name, role in {"wendy": "writer", "walt": "writer", "rita": "reviewer", "ada": "admin"}.items():
        accounts.add_user(store, name, role, PASSWORD)
    store.dispose()
    return path


@pytest.fixture
def studio(tmp_path, accounts_db):
    shutil.copytree(BUNDLED, tmp_path / "phrasebooks")
    shutil.copy(accounts_db, tmp_path / "studio.sqlite3")
    app = create_app({"TESTING": True, "PHRASEBOOKS": str(tmp_path / "phrasebooks"),
                      "DATABASE_URL": f"sqlite:///{tmp_path}/studio.sqlite3"})
    app.folder = tmp_path / "phrasebooks"
    return app


class Session:
    """A signed-in client that sends its CSRF token."""

    def __init__(self, app, name):
        self.client = app.test_client()
        r = self.client.post(f"{API}/login", json={"name": name, "password": PASSWORD})
        assert r.status_code == 200, r.get_json()
        self.token = r.get_json()["csrf_token"]

    def call(self, method, path, json=None, csrf=True):
        headers = {"X-CSRF-Token": self.token} if csrf else {}
        return self.client.open(API + path, method=method, json=json, headers=headers)


def _edit_auto(session, draft_id, text, version=0):
    state = session.call("GET", f"/drafts/{draft_id}/topics/insurance.auto-gap").get_json()
    state["topic"]["phrasings"]["medium"][0]["text"] = text
    return session.call("PUT", f"/drafts/{draft_id}/topics/insurance.auto-gap",
                        {"version": version, "topic": state["topic"]})


# ------------------------------------------------------------------ sessions, roles, CSRF

SECURED = [("GET", "/me"), ("POST", "/logout"), ("GET", "/drafts"), ("POST", "/drafts"), ("GET", "/drafts/1"),
           ("GET", "/drafts/1/topics"), ("GET", "/drafts/1/topics/insurance.auto-gap"),
           ("PUT", "/drafts/1/topics/insurance.auto-gap"), ("DELETE", "/drafts/1/topics/insurance.auto-gap"),
           ("POST", "/drafts/1/topics"), ("POST", "/preview"),
           ("POST", "/lint"), ("GET", "/drafts/1/validation"), ("GET", "/drafts/1/diff"),
           ("POST", "/drafts/1/comments"), ("POST", "/drafts/1/submit"), ("POST", "/drafts/1/approve"),
           ("POST", "/drafts/1/send-back"), ("POST", "/drafts/1/publish"), ("GET", "/history"),
           ("GET", "/history/1"), ("POST", "/history/1/revert")]


@pytest.mark.parametrize("method, path", SECURED)
def test_every_studio_call_needs_a_session(studio, method, path):
    r = studio.test_client().open(API + path, method=method, json={})
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("method, path", [(m, p) for m, p in SECURED if m != "GET"])
def test_state_changing_calls_need_the_csrf_token(studio, method, path):
    session = Session(studio, "ada")
    r = session.call(method, path, {}, csrf=False)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "csrf_failed"
    session.token = "forged" + session.token
    assert session.call(method, path, {}).status_code == 403


@pytest.mark.parametrize("path", ["/drafts/1/approve", "/drafts/1/send-back", "/drafts/1/publish",
                                  "/history/1/revert"])
def test_writers_cannot_approve_publish_or_revert(studio, path):
    r = Session(studio, "wendy").call("POST", path, {"why": "x", "comment": "x"})
    assert r.status_code == 403 and "reviewer" in r.get_json()["error"]["message"]


def test_the_session_cookie_is_httponly_lax_and_secure_over_tls(studio):
    r = studio.test_client().post(f"{API}/login", json={"name": "wendy", "password": PASSWORD})
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert PASSWORD not in cookie
    tls = studio.test_client().post(f"{API}/login", json={"name": "wendy", "password": PASSWORD},
                                    base_url="https://studio.example")
    assert "Secure" in tls.headers["Set-Cookie"]


def test_login_refuses_wrong_passwords_alike_and_limits_repeated_failures(studio):
    client = studio.test_client()
    unknown = client.post(f"{API}/login", json={"name": "nobody", "password": "whatever it is"})
    wrong = client.post(f"{API}/login", json={"name": "wendy", "password": "whatever it is"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json()["error"]["message"] == wrong.get_json()["error"]["message"]
    for _ in range(accounts.MAX_ACCOUNT_FAILURES - 1):
        client.post(f"{API}/login", json={"name": "wendy", "password": "whatever it is"})
    limited = client.post(f"{API}/login", json={"name": "wendy", "password": PASSWORD})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert Session(studio, "rita").call("GET", "/me").status_code == 200     # other accounts are not locked out


def test_logout_and_a_new_password_end_the_session(studio):
    session = Session(studio, "wendy")
    assert session.call("GET", "/me").get_json()["user"] == {"name": "wendy", "role": "writer"}
    accounts.set_password(studio.extensions["tact.store"], "wendy", "a brand new password")
    assert session.call("GET", "/me").status_code == 401
    other = Session(studio, "rita")
    assert other.call("POST", "/logout").status_code == 204
    assert other.call("GET", "/me").status_code == 401


@pytest.mark.parametrize("body, field", [
    ({"name": 3, "password": PASSWORD}, "name"), ({"name": "wendy"}, "password"), ([1, 2], None),
])
def test_bad_login_bodies_get_a_field_error_not_a_500(studio, body, field):
    r = studio.test_client().post(f"{API}/login", json=body)
    assert r.status_code == 422 and r.get_json()["error"]["field"] == field


def test_bad_edit_bodies_get_clear_errors(studio):
    session = Session(studio, "wendy")
    draft = session.call("POST", "/drafts", {"title": "Bad input"}).get_json()
    path = f"/drafts/{draft['id']}/topics/insurance.auto-gap"
    assert session.call("PUT", path, {"version": "0", "topic": {}}).get_json()["error"]["field"] == "version"
    assert session.call("PUT", path, {"version": 0}).get_json()["error"]["field"] == "topic"
    broken = session.call("PUT", path, {"version": 0, "yaml": "id: insurance.auto-gap\nphrasings: [\n"})
    assert broken.status_code == 422 and "line 3" in broken.get_json()["error"]["message"]
    assert session.call("GET", "/drafts/999").status_code == 404
    assert session.call("GET", f"/drafts/{draft['id']}/topics/no.such-topic").status_code == 404
    r = session.client.post(f"{API}/drafts", data="title=x", headers={"X-CSRF-Token": session.token},
                            content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415


# ------------------------------------------------------------------ the loop

def test_write_preview_review_publish_and_the_next_suggest_uses_the_new_line(studio):
    path = studio.folder / "insurance.yaml"
    path.write_text("# Owned by the insurance scripts team.\n" + path.read_text())
    untouched = path.read_text().splitlines()
    writer, reviewer = Session(studio, "wendy"), Session(studio, "rita")
    draft = writer.call("POST", "/drafts", {"title": "Friendlier auto question"}).get_json()
    did = draft["id"]
    new = "Do you have {{ label }} with anyone at the moment?"
    preview = writer.call("POST", "/preview", {"topic": {
        **writer.call("GET", f"/drafts/{did}/topics/insurance.auto-gap").get_json()["topic"],
        "honest_answer": "We can see the policies you hold."}}).get_json()
    spoken = [v["spoken"]["text"] for v in preview["variants"] if v["level"] == "medium"]
    assert spoken[0] == "Do you also have auto insurance?"     # then the line for a customer who asks for a quote
    assert _edit_auto(writer, did, new).get_json()["version"] == 1
    assert writer.call("POST", f"/drafts/{did}/submit", {"comment": "Warmer"}).get_json()["status"] == "submitted"
    assert writer.call("POST", f"/drafts/{did}/comments", {"body": "Ready when you are"}).status_code == 201
    diff = reviewer.call("GET", f"/drafts/{did}/diff").get_json()
    [item] = diff["topics"]
    assert item["topic"] == "insurance.auto-gap" and item["changes"] == [{
        "field": "phrasings.medium.0.text", "label": "Phrasings · medium · 1 · text",
        "before": "Do you also have {{ label }}?", "after": new}]
    assert diff["validation"]["ok"] and diff["validation"]["tests"]["passed"] > 0
    assert studio.test_client().post("/api/v1/suggest", json=AUTO).get_json()["suggestions"][0]["text"] == \
        "Do you also have auto insurance?"            # nothing live changed yet
    assert reviewer.call("POST", f"/drafts/{did}/approve", {}).get_json()["status"] == "approved"
    published = reviewer.call("POST", f"/drafts/{did}/publish", {"why": "Warmer medium line"})
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["reload"]["reloaded"] is True
    suggestion = studio.test_client().post("/api/v1/suggest", json=AUTO).get_json()["suggestions"][0]
    assert suggestion["text"] == "Do you have auto insurance with anyone at the moment?"
    lines = path.read_text().splitlines()
    assert lines[0] == "# Owned by the insurance scripts team."
    assert [a for a, b in zip(untouched, lines) if a != b] == ['          text: "Do you also have {{ label }}?"']
    history = reviewer.call("GET", "/history").get_json()["history"]
    assert [(h["action"], h["who"], h["why"]) for h in history] == [("publish", "rita", "Warmer medium line")]
    entry = reviewer.call("GET", f"/history/{history[0]['id']}").get_json()
    assert entry["topics"][0]["changes"][0]["after"] == new
    reverted = reviewer.call("POST", f"/history/{history[0]['id']}/revert", {"why": "Back to the old line"})
    assert reverted.status_code == 200
    assert path.read_text().splitlines() == untouched
    assert studio.test_client().post("/api/v1/suggest", json=AUTO).get_json()["suggestions"][0]["text"] == \
        "Do you also have auto insurance?"


def test_a_revealing_draft_cannot_be_published_and_says_where(studio):
    before = (studio.folder / "insurance.yaml").read_bytes()
    writer, reviewer = Session(studio, "wendy"), Session(studio, "rita")
    did = writer.call("POST", "/drafts", {"title": "Bad"}).get_json()["id"]
    _edit_auto(writer, did, "I can see you don't have {{ label }} with us.")
    writer.call("POST", f"/drafts/{did}/submit", {})
    reviewer.call("POST", f"/drafts/{did}/approve", {})
    r = reviewer.call("POST", f"/drafts/{did}/publish", {"why": "Try"})
    assert r.status_code == 422
    body = r.get_json()
    assert body["error"]["message"].startswith("the set does not validate")
    wheres = [p["where"] for p in body["validation"]["problems"] if p["rule"] == "revealing"]
    assert wheres and wheres[0].startswith("insurance.yaml:") and wheres[0].count(":") == 2
    assert (studio.folder / "insurance.yaml").read_bytes() == before
    assert reviewer.call("GET", "/history").get_json()["history"] == []


def test_lint_marks_problems_on_the_field_they_belong_to(studio):
    writer = Session(studio, "wendy")
    did = writer.call("POST", "/drafts", {"title": "Lint"}).get_json()["id"]
    topic = writer.call("GET", f"/drafts/{did}/topics/insurance.auto-gap").get_json()["topic"]
    topic["phrasings"]["high"][0]["text"] = "Our records show you only have home cover with us."
    topic["phrasings"]["low"][0]["text"] = "Is your {{ lable }} sorted?"
    problems = writer.call("POST", "/lint", {"topic": topic}).get_json()["problems"]
    fields = {p["field"]: p["rule"] for p in problems if p["severity"] == "error"}
    assert fields.get("phrasings.high.0.text") in ("revealing", "ask-dont-tell")
    assert fields.get("phrasings.low.0.text") == "template-variable"


def test_a_second_writers_stale_save_is_refused_with_their_text_kept(studio):
    first, second = Session(studio, "wendy"), Session(studio, "walt")
    did = first.call("POST", "/drafts", {"title": "Shared"}).get_json()["id"]
    assert _edit_auto(first, did, "Do you have {{ label }} with another insurer?").status_code == 200
    mine = "Is {{ label }} something you have already?"
    r = _edit_auto(second, did, mine, version=0)
    assert r.status_code == 409
    body = r.get_json()
    assert body["error"]["code"] == "conflict" and "version 1" in body["error"]["message"]
    assert body["current"]["version"] == 1
    assert "another insurer" in body["current"]["yaml"]
    assert body["yours"]["topic"]["phrasings"]["medium"][0]["text"] == mine
    # Seen their version, the second writer saves over it knowingly.
    assert _edit_auto(second, did, mine, version=1).get_json()["version"] == 2


def test_raw_yaml_edits_keep_the_comments_inside_a_topic(studio):
    path = studio.folder / "insurance.yaml"
    path.write_text(path.read_text().replace("    label: auto insurance\n",
                                             "    label: auto insurance  # the word customers use\n", 1))
    writer = Session(studio, "wendy")
    did = writer.call("POST", "/drafts", {"title": "Raw"}).get_json()["id"]
    state = writer.call("GET", f"/drafts/{did}/topics/insurance.auto-gap").get_json()
    assert "# the word customers use" in state["yaml"]
    edited = state["yaml"].replace("Product gaps are asked about, never stated.", "Gaps are asked about.")
    saved = writer.call("PUT", f"/drafts/{did}/topics/insurance.auto-gap", {"version": 0, "yaml": edited})
    assert saved.status_code == 200 and saved.get_json()["topic"]["message"] == "Gaps are asked about."
    assert "# the word customers use" in saved.get_json()["yaml"]


def test_new_topics_start_from_a_copy_of_another(studio):
    writer = Session(studio, "wendy")
    did = writer.call("POST", "/drafts", {"title": "New"}).get_json()["id"]
    r = writer.call("POST", f"/drafts/{did}/topics", {"copy_of": "insurance.auto-gap",
                                                      "new_id": "insurance.auto-gap-copy"})
    assert r.status_code == 201 and r.get_json()["file"] == "insurance.yaml"
    again = writer.call("POST", f"/drafts/{did}/topics", {"copy_of": "insurance.auto-gap",
                                                          "new_id": "insurance.auto-gap-copy"})
    assert again.status_code == 409
    topics = writer.call("GET", f"/drafts/{did}/topics").get_json()["topics"]
    assert {"insurance.auto-gap-copy"} <= {t["id"] for t in topics if t["changed"]}


def test_the_openapi_document_describes_the_studio_api(client):
    doc = client.get("/openapi.json").get_json()
    paths = [p for p in doc["paths"] if p.startswith("/api/v1/studio/")]
    for expected in ("login", "logout", "me", "drafts", "drafts/{draft_id}/topics/{topic_id}", "preview", "lint",
                     "drafts/{draft_id}/submit", "drafts/{draft_id}/comments", "drafts/{draft_id}/approve",
                     "drafts/{draft_id}/send-back", "drafts/{draft_id}/publish", "history",
                     "history/{entry_id}/revert"):
        assert f"/api/v1/studio/{expected}" in paths
    put = doc["paths"]["/api/v1/studio/drafts/{draft_id}/topics/{topic_id}"]["put"]
    assert {"401", "403", "409"} <= set(put["responses"])
    assert doc["components"]["securitySchemes"]["studioSession"]["in"] == "cookie"


def test_a_server_restart_mid_draft_loses_nothing(studio, tmp_path):
    writer = Session(studio, "wendy")
    did = writer.call("POST", "/drafts", {"title": "Before the restart"}).get_json()["id"]
    _edit_auto(writer, did, "Do you have {{ label }} with another insurer?")
    restarted = create_app({"TESTING": True, "PHRASEBOOKS": str(studio.folder),
                            "DATABASE_URL": studio.config["DATABASE_URL"]})
    again = Session(restarted, "wendy")
    state = again.call("GET", f"/drafts/{did}/topics/insurance.auto-gap").get_json()
    assert state["version"] == 1
    assert state["topic"]["phrasings"]["medium"][0]["text"] == "Do you have {{ label }} with another insurer?"
    assert writer.call("GET", "/me").status_code == 200 and again.call("GET", "/me").status_code == 200
    # The old session cookie still works on the new server: the signing key lives in the database.
    restarted_client = restarted.test_client()
    cookie = writer.client.get_cookie("tact_studio")
    restarted_client.set_cookie(cookie.key, cookie.value)
    assert restarted_client.get(f"{API}/me").status_code == 200


def test_the_review_shows_how_the_changed_lines_did_where_feedback_has_figures(studio):
    events = [{"id": f"e{i}", "conversation_id": f"call-{i}", "topic": "insurance.auto-gap",
               "suggestion_id": "insurance.auto-gap/medium/1", "event": event}
              for i, event in enumerate(["shown", "shown", "shown", "used", "declined"])]
    assert studio.test_client().post("/api/v1/feedback", json={"events": events}).status_code == 202
    writer, reviewer = Session(studio, "wendy"), Session(studio, "rita")
    did = writer.call("POST", "/drafts", {"title": "Figures"}).get_json()["id"]
    _edit_auto(writer, did, "Do you have {{ label }} with another insurer?")
    [item] = reviewer.call("GET", f"/drafts/{did}/diff").get_json()["topics"]
    assert item["figures"]["insurance.auto-gap/medium/1"] == {"shown": 3, "used": 1, "edited": 0, "declined": 1}
    page = reviewer.client.get(f"/studio/drafts/{did}/review").get_data(as_text=True)
    assert "shown 3, used 1, edited 0, declined 1" in page


def test_behind_a_trusted_proxy_cookies_are_secure_and_limits_count_the_real_address(tmp_path, accounts_db):
    shutil.copy(accounts_db, tmp_path / "studio.sqlite3")
    app = create_app({"TESTING": True, "PROXY_HOPS": 1, "DATABASE_URL": f"sqlite:///{tmp_path}/studio.sqlite3"})
    client = app.test_client()
    ok = client.post(f"{API}/login", json={"name": "wendy", "password": PASSWORD},
                     headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.1"})
    assert ok.status_code == 200 and "Secure" in ok.headers["Set-Cookie"]
    for i in range(accounts.MAX_ADDRESS_FAILURES):      # one address trying many accounts
        client.post(f"{API}/login", json={"name": f"guess{i}", "password": "wrong guess"},
                    headers={"X-Forwarded-For": "203.0.113.9"})
    blocked = client.post(f"{API}/login", json={"name": "rita", "password": PASSWORD},
                          headers={"X-Forwarded-For": "203.0.113.9"})
    other = client.post(f"{API}/login", json={"name": "rita", "password": PASSWORD},
                        headers={"X-Forwarded-For": "198.51.100.2"})
    assert (blocked.status_code, other.status_code) == (429, 200)


def test_the_loop_on_sqlite_and_postgresql(database_url, tmp_path):
    shutil.copytree(BUNDLED, tmp_path / "phrasebooks")
    app = create_app({"TESTING": True, "PHRASEBOOKS": str(tmp_path / "phrasebooks"), "DATABASE_URL": database_url})
    store = app.extensions["tact.store"]
    accounts.add_user(store, "wendy", "writer", PASSWORD)
    accounts.add_user(store, "rita", "reviewer", PASSWORD)
    writer, reviewer = Session(app, "wendy"), Session(app, "rita")
    did = writer.call("POST", "/drafts", {"title": "Both databases"}).get_json()["id"]
    assert _edit_auto(writer, did, "Do you have {{ label }} with anyone at the moment?").status_code == 200
    assert _edit_auto(writer, did, "Is {{ label }} something you have?", version=0).status_code == 409
    writer.call("POST", f"/drafts/{did}/submit", {})
    reviewer.call("POST", f"/drafts/{did}/approve", {})
    published = reviewer.call("POST", f"/drafts/{did}/publish", {"why": "Both"})
    assert published.status_code == 200, published.get_json()
    assert app.test_client().post("/api/v1/suggest", json=AUTO).get_json()["suggestions"][0]["text"] == \
        "Do you have auto insurance with anyone at the moment?"
    assert [h["why"] for h in reviewer.call("GET", "/history").get_json()["history"]] == ["Both"]
    store.dispose()


def test_with_the_database_down_the_studio_answers_503_and_the_preview_stays(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": "postgresql://tact@127.0.0.1:1/tact"})
    client = app.test_client()
    r = client.post(f"{API}/login", json={"name": "wendy", "password": PASSWORD})
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "store_unavailable"
    assert client.get("/studio/login").status_code == 503
    assert client.get("/studio").status_code == 200
    assert client.post("/api/v1/suggest", json=AUTO).status_code == 200


def test_a_topic_is_removed_from_a_draft_with_the_same_version_check(studio):
    writer = Session(studio, "wendy")
    did = writer.call("POST", "/drafts", {"title": "Remove"}).get_json()["id"]
    path = f"/drafts/{did}/topics/insurance.auto-review"
    assert writer.call("DELETE", path, {"version": 1}).status_code == 409
    removed = writer.call("DELETE", path, {"version": 0})
    assert removed.status_code == 200
    assert writer.call("GET", path).status_code == 404
    assert "insurance.auto-review" not in {t["id"] for t in writer.call("GET", f"/drafts/{did}/topics").get_json()["topics"]}
    [item] = writer.call("GET", f"/drafts/{did}/diff").get_json()["topics"]
    assert (item["topic"], item["status"]) == ("insurance.auto-review", "removed")
    assert "insurance.auto-review" in (studio.folder / "insurance.yaml").read_text()     # live untouched


def test_a_bad_proxy_setting_is_a_clear_error():
    from tact.errors import TactError
    with pytest.raises(TactError, match="TACT_PROXY_HOPS must be the number"):
        create_app({"TESTING": True, "PROXY_HOPS": "two"})
