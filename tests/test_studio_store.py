"""The studio's store on SQLite and PostgreSQL: accounts and login limits, drafts with optimistic locking,
publishing that keeps comments and refuses a failing set, and history that can be reverted."""
import shutil
import threading
from pathlib import Path

import pytest

from tact.store import Store
from tact.studio import accounts, drafts, publish
from tact.studio.liveset import LiveSet

BUNDLED = Path(__file__).resolve().parents[1] / "phrasebooks"
PASSWORD = "correct horse battery"
NOW = 1_790_000_000


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    store.upgrade()
    yield store
    store.dispose()


@pytest.fixture
def live(tmp_path):
    shutil.copytree(BUNDLED, tmp_path / "phrasebooks")
    return LiveSet([tmp_path / "phrasebooks"])


# ------------------------------------------------------------------ accounts

def test_accounts_keep_only_an_argon2id_hash_and_a_new_password_ends_old_sessions(store):
    user = accounts.add_user(store, "Wendy", "writer", PASSWORD)
    assert (user.name, user.role) == ("wendy", "writer")
    with store.engine.connect() as connection:
        digest = connection.exec_driver_sql("SELECT password_hash FROM studio_users").scalar()
    assert digest.startswith("$argon2id$") and PASSWORD not in digest
    assert accounts.authenticate(store, "wendy", PASSWORD, "10.0.0.1").name == "wendy"
    accounts.set_password(store, "wendy", "a different long password")
    assert accounts.get_user(store, "wendy").session_epoch == user.session_epoch + 1
    with pytest.raises(accounts.LoginRefused):
        accounts.authenticate(store, "wendy", PASSWORD, "10.0.0.1")
    assert [u.name for u in accounts.list_users(store)] == ["wendy"]


@pytest.mark.parametrize("name, role, password, message", [
    ("bad name!", "writer", PASSWORD, "account names"),
    ("ok", "boss", PASSWORD, "role must be one of"),
    ("ok", "writer", "short", "at least 10"),
])
def test_bad_accounts_are_refused_with_a_reason(store, name, role, password, message):
    with pytest.raises(accounts.AccountError, match=message):
        accounts.add_user(store, name, role, password)


def test_a_second_account_with_the_same_name_is_refused(store):
    accounts.add_user(store, "rita", "reviewer", PASSWORD)
    with pytest.raises(accounts.AccountError, match="already exists"):
        accounts.add_user(store, "RITA", "writer", PASSWORD)


def test_logins_are_limited_per_account_and_per_address_and_the_limit_lifts(store):
    accounts.add_user(store, "wendy", "writer", PASSWORD)
    for i in range(accounts.MAX_ACCOUNT_FAILURES):
        with pytest.raises(accounts.LoginRefused):
            accounts.authenticate(store, "wendy", f"wrong guess {i}", f"10.0.0.{i}", now=NOW + i)
    # The right password from a fresh address is now refused too: the account is limited, not the address.
    with pytest.raises(accounts.LoginLimited) as limited:
        accounts.authenticate(store, "wendy", PASSWORD, "10.9.9.9", now=NOW + 10)
    assert 0 < limited.value.retry_after <= accounts.WINDOW
    assert accounts.authenticate(store, "wendy", PASSWORD, "10.9.9.9", now=NOW + accounts.WINDOW + 5).name == "wendy"
    # One address trying many accounts is limited on its own.
    for i in range(accounts.MAX_ADDRESS_FAILURES):
        with pytest.raises(accounts.LoginRefused):
            accounts.authenticate(store, f"nobody{i}", "wrong guess", "192.0.2.7", now=NOW + 2000 + i)
    with pytest.raises(accounts.LoginLimited):
        accounts.authenticate(store, "wendy", PASSWORD, "192.0.2.7", now=NOW + 2100)
    with store.engine.connect() as connection:
        stored = [r[0] for r in connection.exec_driver_sql("SELECT address_key FROM studio_login_attempts")]
    assert "192.0.2.7" not in stored and all(len(a) == 64 for a in stored)
    # A day later the old tries are gone for the account and address that sign in again.
    accounts.authenticate(store, "wendy", PASSWORD, "192.0.2.7", now=NOW + accounts.KEEP_ATTEMPTS + 3000)
    with store.engine.connect() as connection:
        left = connection.exec_driver_sql("SELECT count(*) FROM studio_login_attempts WHERE account = 'wendy'").scalar()
    assert left == 1


def test_the_session_signing_key_is_made_once_and_shared(store):
    assert accounts.secret_key(store) == accounts.secret_key(store)
    assert len(accounts.secret_key(store)) >= 40


# ------------------------------------------------------------------ drafts

def _topic(store, live, draft_id, topic_id="insurance.auto-gap"):
    return drafts.read_topic(store, live, draft_id, topic_id)


def test_a_draft_never_touches_the_live_files_and_keeps_comments_in_its_text(store, live):
    before = {name: path.read_bytes() for name, path in live.files().items()}
    draft = drafts.create(store, live, "Softer auto line", "wendy")
    assert draft["base_version"] == live.version()
    state = _topic(store, live, draft["id"])
    state["topic"]["phrasings"]["medium"][0]["text"] = "Who looks after your {{ label }} at the moment?"
    saved = drafts.save_topic(store, live, draft["id"], "insurance.auto-gap", 0, state["topic"], "wendy")
    assert saved["version"] == 1
    assert {name: path.read_bytes() for name, path in live.files().items()} == before
    text = drafts.files(store, draft["id"])["insurance.yaml"]["text"]
    assert "Who looks after your {{ label }} at the moment?" in text
    live_text = before["insurance.yaml"].decode()
    assert text.replace("Who looks after your {{ label }} at the moment?", "Do you also have {{ label }}?") == live_text


def test_a_save_based_on_an_old_version_is_refused_with_the_current_state(store, live):
    draft = drafts.create(store, live, "Two writers", "wendy")
    first = _topic(store, live, draft["id"])
    second = _topic(store, live, draft["id"])
    first["topic"]["honest_answer"] = "We can see the policies you hold with us."
    drafts.save_topic(store, live, draft["id"], "insurance.auto-gap", first["version"], first["topic"], "wendy")
    second["topic"]["honest_answer"] = "Only the policies you hold with us."
    with pytest.raises(drafts.Conflict) as conflict:
        drafts.save_topic(store, live, draft["id"], "insurance.auto-gap", second["version"], second["topic"], "walt")
    assert conflict.value.status == 409
    assert conflict.value.current["version"] == 1
    assert conflict.value.current["topic"]["honest_answer"] == "We can see the policies you hold with us."


def test_concurrent_saves_of_one_topic_let_exactly_one_win(store, live):
    draft = drafts.create(store, live, "Race", "wendy")
    base = _topic(store, live, draft["id"])
    outcomes = []

    def writer(n):
        topic = dict(base["topic"], honest_answer=f"Answer from writer {n}.")
        try:
            drafts.save_topic(store, live, draft["id"], "insurance.auto-gap", 0, topic, f"w{n}")
            outcomes.append("saved")
        except drafts.Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 3 + ["saved"]
    assert _topic(store, live, draft["id"])["version"] == 1


def test_edits_to_two_topics_of_one_file_from_two_writers_both_land(store, live):
    draft = drafts.create(store, live, "Two topics", "wendy")
    a, b = _topic(store, live, draft["id"]), _topic(store, live, draft["id"], "insurance.home-gap")
    a["topic"]["title"] = "Auto gap (edited)"
    b["topic"]["title"] = "Home gap (edited)"
    drafts.save_topic(store, live, draft["id"], a["id"], 0, a["topic"], "wendy")
    drafts.save_topic(store, live, draft["id"], b["id"], 0, b["topic"], "walt")
    text = drafts.files(store, draft["id"])["insurance.yaml"]["text"]
    assert "Auto gap (edited)" in text and "Home gap (edited)" in text


def test_a_draft_moves_through_review_and_the_author_cannot_approve_it(store, live):
    writer = accounts.add_user(store, "wendy", "writer", PASSWORD)
    reviewer = accounts.add_user(store, "rita", "reviewer", PASSWORD)
    draft = drafts.create(store, live, "Review me", "wendy")
    with pytest.raises(drafts.DraftError, match="changes nothing"):
        drafts.step(store, draft["id"], "submit", writer)
    state = _topic(store, live, draft["id"])
    state["topic"]["title"] = "Edited"
    drafts.save_topic(store, live, draft["id"], state["id"], 0, state["topic"], "wendy")
    other = accounts.add_user(store, "walt", "writer", PASSWORD)
    with pytest.raises(drafts.DraftError, match="only its author or a reviewer"):
        drafts.step(store, draft["id"], "withdraw", other)
    drafts.step(store, draft["id"], "submit", writer, "Please look")
    with pytest.raises(drafts.DraftError, match="edited"):
        drafts.save_topic(store, live, draft["id"], state["id"], 1, state["topic"], "wendy")
    with pytest.raises(drafts.DraftError, match="someone other than its author"):
        drafts.step(store, draft["id"], "approve", writer)
    with pytest.raises(drafts.DraftError, match="say what needs changing"):
        drafts.step(store, draft["id"], "send_back", reviewer)
    assert drafts.step(store, draft["id"], "send_back", reviewer, "Shorter, please")["status"] == "sent_back"
    drafts.step(store, draft["id"], "submit", writer)
    assert drafts.step(store, draft["id"], "approve", reviewer)["status"] == "approved"
    kinds = [(c["author"], c["kind"]) for c in drafts.comments_of(store, draft["id"])]
    assert kinds == [("wendy", "submit"), ("rita", "send_back"), ("wendy", "submit"), ("rita", "approve")]


# ------------------------------------------------------------------ publishing

def _approved(store, live, change, title="Change"):
    writer = accounts.get_user(store, "wendy") or accounts.add_user(store, "wendy", "writer", PASSWORD)
    reviewer = accounts.get_user(store, "rita") or accounts.add_user(store, "rita", "reviewer", PASSWORD)
    draft = drafts.create(store, live, title, "wendy")
    state = _topic(store, live, draft["id"])
    change(state["topic"])
    drafts.save_topic(store, live, draft["id"], state["id"], 0, state["topic"], "wendy")
    drafts.step(store, draft["id"], "submit", writer)
    drafts.step(store, draft["id"], "approve", reviewer)
    return draft["id"]


def test_publishing_writes_round_trip_records_history_and_can_be_reverted(store, live):
    path = live.files()["insurance.yaml"]
    path.write_text("# Insurance lines: reviewed by compliance, keep this note.\n" + path.read_text())
    original = path.read_bytes()
    draft_id = _approved(store, live, lambda t: t["phrasings"]["medium"][0].update(
        text="Do you have {{ label }} with anyone at the moment?"))
    entry = publish.publish(store, live, draft_id, "rita", "Warmer medium line")
    text = path.read_text()
    assert "Do you have {{ label }} with anyone at the moment?" in text
    assert text.startswith("# Insurance lines: reviewed by compliance, keep this note.\n")
    assert len(text.splitlines()) == len(original.decode().splitlines())
    assert not list(path.parent.glob(".insurance.yaml.*.tmp"))
    assert drafts.get(store, draft_id)["status"] == "published"
    [listed] = publish.entries(store)
    assert (listed["who"], listed["why"], listed["files"]) == ("rita", "Warmer medium line", ["insurance.yaml"])
    assert listed["version_after"] == live.version() != listed["version_before"]
    changes = publish.entry_topics(publish.get_entry(store, entry["id"]))
    assert [(c["topic"], c["changes"][0]["label"]) for c in changes] == [
        ("insurance.auto-gap", "Phrasings · medium · 1 · text")]
    publish.revert(store, live, entry["id"], "rita", "Back to the tested line")
    assert path.read_bytes() == original
    assert [e["action"] for e in publish.entries(store)] == ["revert", "publish"]


def test_a_draft_that_fails_validation_cannot_be_published(store, live):
    before = live.read()
    draft_id = _approved(store, live, lambda t: t["phrasings"]["medium"][0].update(
        text="I can see you don't have {{ label }} with us."))
    with pytest.raises(publish.ValidationFailed) as failed:
        publish.publish(store, live, draft_id, "rita", "Try it")
    errors = [p for p in failed.value.result["problems"] if p["severity"] == "error"]
    assert errors and all(p["where"].startswith("insurance.yaml:") for p in errors)
    assert any(p["rule"] == "revealing" for p in errors)
    line = int(errors[0]["where"].split(":")[1])
    assert "I can see" in drafts.files(store, draft_id)["insurance.yaml"]["text"].splitlines()[line - 1]
    assert live.read() == before and publish.entries(store) == []
    assert drafts.get(store, draft_id)["status"] == "approved"


def test_a_failing_phrasebook_test_blocks_publishing_too(store, live):
    draft_id = _approved(store, live, lambda t: t["tests"][0]["expect"].update(says="home and car"))
    with pytest.raises(publish.ValidationFailed) as failed:
        publish.publish(store, live, draft_id, "rita", "Try it")
    [failure] = failed.value.result["tests"]["failures"]
    assert failure["topic"] == "insurance.auto-gap" and failure["where"].startswith("insurance.yaml:")


def test_a_draft_whose_files_changed_live_since_it_began_is_refused(store, live):
    first = _approved(store, live, lambda t: t.update(title="First"), "First")
    second = _approved(store, live, lambda t: t.update(title="Second"), "Second")
    publish.publish(store, live, first, "rita", "First in")
    with pytest.raises(drafts.Conflict, match="changed on the live set"):
        publish.publish(store, live, second, "rita", "Second in")
    assert "title: First" in live.read()["insurance.yaml"]


def test_publishing_needs_an_approved_draft_and_a_reason(store, live):
    draft = drafts.create(store, live, "Not yet", "wendy")
    with pytest.raises(drafts.DraftError, match="only an approved draft"):
        publish.publish(store, live, draft["id"], "rita", "why not")
    with pytest.raises(drafts.DraftError, match="say why"):
        publish.publish(store, live, draft["id"], "rita", "  ")


def test_a_drafts_base_version_is_the_version_the_server_reports(live):
    from tact.phrasebook import load
    assert live.version() == load([str(r) for r in live.roots]).version
