"""The store on SQLite and on PostgreSQL: migrations, idempotent recording under concurrency, memory, pruning."""
import threading
import time

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from tact.engine import default_engine
from tact.feedback import parse_feedback
from tact.store import Store, current_revision, feedback, head_revision, metadata

BOOK = default_engine().book
NOW = 1_790_000_000     # 2026-09-21


def events(*items, conversation="call-1"):
    base = {"conversation_id": conversation, "topic": "insurance.auto-gap",
            "suggestion_id": "insurance.auto-gap/medium/1", "event": "shown"}
    return parse_feedback({"events": [{**base, **item} for item in items]}, BOOK, now=NOW)


def test_migrations_build_exactly_the_declared_schema_and_run_again_harmlessly(database_url):
    store = Store(database_url)
    store.upgrade()
    store.upgrade()
    assert current_revision(store.engine) == head_revision()
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
    assert "feedback_events" in inspect(store.engine).get_table_names()
    store.dispose()


def test_sqlite_file_and_folder_are_created_on_first_use_in_wal_mode(tmp_path):
    path = tmp_path / "new" / "folder" / "tact.sqlite3"
    store = Store(f"sqlite:///{path}")
    assert not path.exists()
    store.upgrade()
    assert path.exists()
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    store.dispose()


def test_a_retried_event_counts_once_even_within_one_batch(database_url):
    store = Store(database_url)
    assert feedback.record(store, events({"id": "a"}, {"id": "b"}, {"id": "a"})) == (2, 1)
    assert feedback.record(store, events({"id": "b"}, {"id": "c"})) == (1, 1)
    assert feedback.total(store) == 3
    store.dispose()


def test_concurrent_writers_lose_nothing_and_double_nothing(database_url):
    store = Store(database_url)
    store.upgrade()
    results = []

    def writer(n):
        own = Store(database_url)      # its own pool, as another worker process would have
        for start in range(0, 60, 10):
            # Every writer overlaps its neighbour: ids 0..59 of its own and 30..89 of the next.
            batch = events(*({"id": f"e{(n * 30 + i) % 240}"} for i in range(start, start + 10)))
            results.append(feedback.record(own, batch))
        own.dispose()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    accepted = sum(a for a, _ in results)
    duplicates = sum(d for _, d in results)
    assert feedback.total(store) == accepted == 240
    assert accepted + duplicates == 8 * 60
    store.dispose()


def test_history_is_the_conversation_s_own_oldest_first(database_url):
    store = Store(database_url)
    feedback.record(store, events({"id": "1", "at": "2026-09-01T10:00:00Z"},
                                  {"id": "2", "at": "2026-09-01T10:02:00Z", "event": "declined",
                                   "reason": "wrong_moment"}))
    feedback.record(store, events({"id": "3", "event": "used"}, conversation="another-call"))
    items = feedback.history(store, "call-1")
    assert [(i.event, i.at) for i in items] == [("shown", "2026-09-01T10:00:00Z"),
                                               ("declined", "2026-09-01T10:02:00Z")]
    assert items[0].topic == "insurance.auto-gap" and items[0].suggestion_id == "insurance.auto-gap/medium/1"
    assert feedback.history(store, "never-seen") == ()
    assert len(feedback.history(store, "call-1", limit=1)) == 1
    store.dispose()


def test_prune_deletes_only_events_older_than_the_retention(database_url):
    store = Store(database_url)
    feedback.record(store, events({"id": "old", "at": "2026-01-01T00:00:00Z"},
                                  {"id": "new", "at": "2026-09-20T00:00:00Z"}))
    assert feedback.prune(store, days=180, now=NOW) == 1
    assert [i.at for i in feedback.history(store, "call-1")] == ["2026-09-20T00:00:00Z"]
    assert feedback.prune(store, days=180, now=NOW) == 0
    store.dispose()


def test_counts_filter_by_period_channel_and_industry(database_url):
    store = Store(database_url)
    feedback.record(store, events(
        {"id": "1", "channel": "phone", "industry": "insurance", "at": "2026-09-01T00:00:00Z"},
        {"id": "2", "channel": "chat", "industry": "insurance", "at": "2026-09-02T00:00:00Z"},
        {"id": "3", "channel": "phone", "industry": "retail", "at": "2026-09-03T00:00:00Z", "event": "used"}))
    total = lambda **f: sum(r["n"] for r in feedback.count_rows(store, **f))  # noqa: E731
    assert total() == 3
    assert total(channels=("phone",)) == 2
    assert total(industry="insurance") == 2
    assert total(since=int(time.mktime((2026, 9, 2, 0, 0, 0, 0, 0, 0))) - time.timezone) == 2
    assert total(topic="retail.cart-abandoned") == 0
    store.dispose()
