"""Feedback events in the store: record (idempotent by event id), recall a conversation, count, prune."""
from __future__ import annotations

import time

from sqlalchemy import Connection, bindparam, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ..feedback import Event, iso, opaque
from ..model import MAX_HISTORY, HistoryItem
from .database import Store
from .schema import feedback_events as events

DEFAULT_RETENTION_DAYS = 180
_BREAKDOWN = ("topic", "suggestion_id", "tone", "receptiveness", "channel", "industry", "event", "reason")


def record(store: Store, batch: list[Event], now: float | None = None) -> tuple[int, int]:
    """Store the events not seen before; return (accepted, duplicates). A retried id is counted once."""
    received = int(time.time() if now is None else now)
    rows = list({e.event_key: e.row(received) for e in reversed(batch)}.values())[::-1]   # first of each id
    with store.begin() as connection:
        accepted = _insert_new(connection, rows)
    return accepted, len(batch) - accepted


def _insert_new(connection: Connection, rows: list[dict]) -> int:
    dialect = connection.dialect.name
    statement = _UPSERTS.get(dialect)
    if statement is not None:
        # One statement, compiled once; SQLAlchemy sends the rows in batches and returns the ids inserted.
        return len(connection.execute(statement, rows).all())
    accepted = 0        # any other database: a row at a time, a duplicate rolls back its savepoint
    for row in rows:
        try:
            with connection.begin_nested():
                connection.execute(insert(events), row)
            accepted += 1
        except IntegrityError:
            pass
    return accepted


_UPSERTS = {name: module.insert(events).on_conflict_do_nothing(index_elements=["event_key"])
            .returning(events.c.event_key)
            for name, module in (("sqlite", sqlite), ("postgresql", postgresql))}


def history(store: Store, conversation_id: str, limit: int = MAX_HISTORY) -> tuple[HistoryItem, ...]:
    """What already happened in a conversation, oldest first (the newest `limit` events)."""
    with store.begin() as connection:
        rows = connection.execute(_HISTORY, {"key": opaque(conversation_id), "limit": limit}).all()
    return tuple(HistoryItem(topic=r.topic, event=r.event, suggestion_id=r.suggestion_id, at=iso(r.at))
                 for r in reversed(rows))


_HISTORY = (select(events.c.topic, events.c.event, events.c.suggestion_id, events.c.at)
            .where(events.c.conversation_key == bindparam("key"))
            .order_by(events.c.at.desc(), events.c.id.desc()).limit(bindparam("limit")))


def prune(store: Store, days: float = DEFAULT_RETENTION_DAYS, now: float | None = None) -> int:
    """Delete events older than `days`; return how many went."""
    cutoff = int((time.time() if now is None else now) - days * 86400)
    with store.begin() as connection:
        return connection.execute(delete(events).where(events.c.at < cutoff)).rowcount


def count_rows(store: Store, *, topic: str | None = None, since: int | None = None, until: int | None = None,
               channels: tuple[str, ...] = (), industry: str | None = None) -> list[dict]:
    """Event counts grouped by topic, phrasing, tone, level, channel, industry, event and reason."""
    columns = [events.c[name] for name in _BREAKDOWN]
    query = select(*columns, func.count().label("n")).group_by(*columns)
    if topic:
        query = query.where(events.c.topic == topic)
    if since is not None:
        query = query.where(events.c.at >= since)
    if until is not None:
        query = query.where(events.c.at < until)
    if channels:
        query = query.where(events.c.channel.in_(channels))
    if industry:
        query = query.where(events.c.industry == industry)
    with store.begin() as connection:
        return [dict(r._mapping) for r in connection.execute(query)]


def total(store: Store) -> int:
    with store.begin() as connection:
        return connection.execute(select(func.count()).select_from(events)).scalar_one()
