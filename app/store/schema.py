"""The tables, as SQLAlchemy Core metadata (the migrations create them; a test holds the two equal)."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
})

# What happened to a suggestion. Ids are stored only as hashes; no data value, label, utterance or free text.
feedback_events = Table(
    "feedback_events", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("event_key", String(64), nullable=False, unique=True),        # sha256 of the client's event id
    Column("conversation_key", String(64), nullable=False),              # sha256 of the conversation id
    Column("topic", String(200), nullable=False),
    Column("suggestion_id", String(300), nullable=False),
    Column("event", String(16), nullable=False),
    Column("reason", String(32)),
    Column("decision", String(20)),
    Column("tone", String(40)),
    Column("receptiveness", String(10)),
    Column("channel", String(20)),
    Column("industry", String(20)),
    Column("stage", String(20)),
    Column("at", BigInteger, nullable=False),                            # when it happened, Unix seconds
    Column("received_at", BigInteger, nullable=False),
    Index(None, "conversation_key", "at"),
    Index(None, "at"),
)
