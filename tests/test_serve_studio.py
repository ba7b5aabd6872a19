"""A publish from the studio under real `tact serve` (gunicorn, two workers): it goes live through the one
validated reload path, so every worker serves the new set and reports the version the history recorded."""
import http.cookiejar
import json
import time
import urllib.error
import urllib.request

import pytest

from tact.store import Store
from tact.studio import accounts
from test_serve import OLD_LINE, Server, books  # noqa: F401  (the fixture)

PASSWORD = "correct horse battery"


class Client:
    """A studio session over HTTP: cookies kept, the CSRF token sent."""

    def __init__(self, base: str, name: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = ""
        self.token = self.call("POST", "/login", {"name": name, "password": PASSWORD})["csrf_token"]

    def call(self, method: str, path: str, body=None):
        request = urllib.request.Request(self.base + "/api/v1/studio" + path, method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Content-Type": "application/json", "X-CSRF-Token": self.token})
        with self.opener.open(request, timeout=30) as response:
            return json.loads(response.read() or b"null")


@pytest.fixture
def served(books, tmp_path, monkeypatch):  # noqa: F811
    url = f"sqlite:///{tmp_path}/studio.sqlite3"
    store = Store(url)
    store.upgrade()
    accounts.add_user(store, "wendy", "writer", PASSWORD)
    accounts.add_user(store, "rita", "reviewer", PASSWORD)
    store.dispose()
    monkeypatch.setenv("TACT_DATABASE_URL", url)
    server = Server(books, tmp_path)
    yield server
    server.stop()


def test_a_publish_goes_live_in_every_worker_through_the_validated_reload(served, books):  # noqa: F811
    before = served.health()["phrasebooks"]["version"]
    writer, reviewer = Client(served.base, "wendy"), Client(served.base, "rita")
    draft = writer.call("POST", "/drafts", {"title": "Every worker"})
    assert draft["base_version"] == before          # the draft starts from the version being served
    state = writer.call("GET", f"/drafts/{draft['id']}/topics/insurance.auto-gap")
    state["topic"]["phrasings"]["medium"][0]["text"] = "Do you have {{ label }} with anyone at the moment?"
    writer.call("PUT", f"/drafts/{draft['id']}/topics/insurance.auto-gap", {"version": 0, "topic": state["topic"]})
    writer.call("POST", f"/drafts/{draft['id']}/submit", {})
    reviewer.call("POST", f"/drafts/{draft['id']}/approve", {})
    published = reviewer.call("POST", f"/drafts/{draft['id']}/publish", {"why": "Warmer line"})
    assert published["reload"]["all_workers"] is True
    deadline = time.time() + 60
    while (versions := served.versions()) != {published["version_after"]}:
        assert time.time() < deadline, (versions, served.logfile.read_text())
        time.sleep(0.2)
    assert {served.suggestion() for _ in range(20)} == {"Do you have auto insurance with anyone at the moment?"}
    assert "phrasebooks reloaded: serving version " + published["version_after"] in served.logfile.read_text()
    assert OLD_LINE not in (books / "insurance.yaml").read_text()
    # The history and the session survive the workers being replaced (both live in the database).
    history = reviewer.call("GET", "/history")["history"]
    assert [(h["action"], h["version_after"]) for h in history] == [("publish", published["version_after"])]
    with pytest.raises(urllib.error.HTTPError) as refused:
        Client(served.base, "wendy").call("POST", f"/drafts/{draft['id']}/approve", {})
    assert refused.value.code == 403
