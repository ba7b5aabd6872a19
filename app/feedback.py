"""Feedback events: what staff did with a suggestion, parsed strictly and reduced to what may be kept.

An event names the phrasing and topic a suggest response gave, what happened
(`shown`, `used`, `edited`, `declined`) and, for a decline, a reason from a
fixed list. The client's event and conversation ids are kept only as hashes;
nothing a customer is or said has a field to travel in.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .errors import RequestError
from .model import (CHANNELS, DECISIONS, HISTORY_EVENTS, STAGES, FieldSpec, _parse_fields,
                    expect_items, expect_object)

DECLINE_REASONS = ("not_relevant", "wrong_moment", "customer_upset", "sounds_wrong", "other")
MAX_EVENTS = 500
MAX_CLOCK_SKEW = 24 * 3600     # an event may be stamped up to a day ahead of the server's clock

FEEDBACK_EVENT_SPEC = (
    FieldSpec("id", "text", True, max_len=200,
              description="Made by the client (a UUID), unique per event: a retry with the same id counts once."),
    FieldSpec("conversation_id", "text", True, max_len=200,
              description="The suggest request's context.conversation_id; kept only as a hash."),
    FieldSpec("suggestion_id", "text", True, max_len=300, description="The phrasing id a suggest response gave."),
    FieldSpec("topic", "key", True, max_len=200, description="The topic id a suggest response gave."),
    FieldSpec("event", "enum", True, choices=HISTORY_EVENTS,
              description="shown: displayed; used: copied or said as is; edited: said after rewording; "
                          "declined: did not fit."),
    FieldSpec("reason", "enum", choices=DECLINE_REASONS, description="Why a declined suggestion did not fit."),
    FieldSpec("at", "text", max_len=40, description="When, as an ISO 8601 time; default: when received."),
    FieldSpec("decision", "enum", choices=DECISIONS, description="The decision the suggest response gave."),
    FieldSpec("channel", "enum", choices=CHANNELS, description="The conversation's channel."),
    FieldSpec("industry", "ident", max_len=50),
    FieldSpec("stage", "enum", choices=STAGES),
)


@dataclass(frozen=True)
class Event:
    """One event as it is stored: hashes, ids from the phrasebooks, enums and times; nothing else."""

    event_key: str
    conversation_key: str
    topic: str
    suggestion_id: str
    event: str
    reason: str | None
    decision: str | None
    tone: str | None
    receptiveness: str | None
    channel: str | None
    industry: str | None
    stage: str | None
    at: int

    def row(self, received_at: int) -> dict:
        return {**self.__dict__, "received_at": received_at}


def opaque(identifier: str) -> str:
    """A client's id as stored and looked up: its SHA-256, so an id that carries a name or number is not kept."""
    return hashlib.sha256(identifier.encode("utf-8")).hexdigest()


def phrasing_catalogue(book) -> dict[str, tuple[str | None, str, str]]:
    """Every phrasing id a suggest response can give -> (its topic, or None for moment lines; tone; level)."""
    found = _CATALOGUES.get(id(book))
    if found is not None and found[0] is book:
        return found[1]
    catalogue: dict[str, tuple[str | None, str, str]] = {}
    for moment in book.moments:
        for lines in moment.phrasings.values():
            for phrasing in lines:
                catalogue[phrasing.id] = (None, phrasing.tone, phrasing.level)
    for topic in book.topics.values():
        for group in (topic.phrasings, topic.bystander, {"medium": topic.confirm}):
            for lines in group.values():
                for phrasing in lines:
                    catalogue[phrasing.id] = (topic.id, phrasing.tone, phrasing.level)
    _CATALOGUES.clear()
    _CATALOGUES[id(book)] = (book, catalogue)
    return catalogue


_CATALOGUES: dict[int, tuple[Any, dict]] = {}


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str, where: str) -> int:
    """An ISO 8601 time (a date alone means its midnight, UTC when no offset is given) as Unix seconds."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RequestError(where, "expected an ISO 8601 time such as 2026-11-29T09:30:00Z or 2026-11-29",
                           "invalid_value") from None
    if not 1970 <= moment.year <= 9000:
        raise RequestError(where, "expected a time between the years 1970 and 9000", "invalid_value")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0, int(moment.timestamp()))


def parse_feedback(obj: Any, book, now: float | None = None) -> list[Event]:
    """Validate a feedback request against the contract and the phrasebooks; raise RequestError naming the field."""
    expect_object(obj, "", ("events",), required=("events",))
    raw = expect_items(obj["events"], "events", "event", MAX_EVENTS)
    now = time.time() if now is None else now
    catalogue = phrasing_catalogue(book)
    return [_event(item, f"events[{i}]", book, catalogue, now) for i, item in enumerate(raw)]


def _event(item: Any, where: str, book, catalogue: dict, now: float) -> Event:
    fields = _parse_fields(item, where, FEEDBACK_EVENT_SPEC)
    for name in ("id", "conversation_id"):
        if not fields[name].strip():
            raise RequestError(f"{where}.{name}", "expected a non-empty string", "invalid_value")
    topic = fields["topic"]
    if topic not in book.topics:
        raise RequestError(f"{where}.topic", "unknown topic; expected a topic id a suggest response gave",
                           "invalid_value")
    known = catalogue.get(fields["suggestion_id"])
    if known is None:
        raise RequestError(f"{where}.suggestion_id",
                           "unknown phrasing id; expected a suggestion id a suggest response gave", "invalid_value")
    owner, tone, level = known
    if owner is not None and owner != topic:
        raise RequestError(f"{where}.suggestion_id", f"this phrasing belongs to topic {owner}, not {topic}",
                           "invalid_value")
    if fields.get("reason") and fields["event"] != "declined":
        raise RequestError(f"{where}.reason", "only a declined event takes a reason", "invalid_value")
    at = int(now)
    if fields.get("at"):
        at = parse_time(fields["at"], f"{where}.at")
        if at > now + MAX_CLOCK_SKEW:
            raise RequestError(f"{where}.at", "expected a time that is not in the future", "invalid_value")
    return Event(event_key=opaque(fields["id"]), conversation_key=opaque(fields["conversation_id"]),
                 topic=topic, suggestion_id=fields["suggestion_id"], event=fields["event"],
                 reason=fields.get("reason"), decision=fields.get("decision"), tone=tone, receptiveness=level,
                 channel=fields.get("channel"), industry=fields.get("industry"), stage=fields.get("stage"), at=at)
