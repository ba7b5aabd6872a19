"""The tables, as SQLAlchemy Core metadata (the migrations create them; a test holds the two equal)."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint)

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

# ------------------------------------------------------------ the studio (issue 11): accounts, drafts, history
_id = BigInteger().with_variant(Integer, "sqlite")

studio_users = Table(
    "studio_users", metadata,
    Column("id", _id, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("session_epoch", Integer, nullable=False, default=0),   # bumped by a new password: old cookies die
    Column("created_at", BigInteger, nullable=False),
)

# Failed and good logins, for the per-account and per-address limits (addresses only as hashes).
studio_login_attempts = Table(
    "studio_login_attempts", metadata,
    Column("id", _id, primary_key=True, autoincrement=True),
    Column("account", String(64), nullable=False),
    Column("address_key", String(64), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("at", BigInteger, nullable=False),
    Index(None, "account", "at"),
    Index(None, "address_key", "at"),
)

studio_settings = Table(
    "studio_settings", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

studio_drafts = Table(
    "studio_drafts", metadata,
    Column("id", _id, primary_key=True, autoincrement=True),
    Column("title", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("author", String(64), nullable=False),
    Column("base_version", String(64), nullable=False),   # the live set's content hash when the draft began
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Index(None, "status"),
)

# The full text of every file the draft changes, and the hash of the live file it started from.
studio_draft_files = Table(
    "studio_draft_files", metadata,
    Column("id", _id, primary_key=True, autoincrement=True),
    Column("draft_id", _id, ForeignKey("studio_drafts.id"), nullable=False),
    Column("name", String(300), nullable=False),
    Column("text", Text, nullable=False),
    Column("base_hash", String(64), nullable=False),
    UniqueConstraint("draft_id", "name", name="uq_studio_draft_files_draft_id_name"),
)

# One row per topic a draft touched: its version is what optimistic locking compares.
studio_draft_topics = Table(
    "studio_draft_topics", metadata,
    Column("id", _id, primary_key=True, autoincrement=True),
    Column("draft_id", _id, ForeignKey("studio_drafts.id"), nullable=False),
    Column("topic_id", String(200), nullable=False),
    Column("file", String(300), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    UniqueConstraint("draft_id", "topic_id", name="uq_studio_draft_topics_draft_id_topic_id"),
)

studio_comments = Table(
    "studio_comments", metadata,
    Column("id", _id, primary_key=True, autoincrement=True),
    Column("draft_id", _id, ForeignKey("studio_drafts.id"), nullable=False),
    Column("author", String(64), nullable=False),
    Column("kind", String(16), nullable=False),          # comment, submit, approve, send_back, publish
    Column("topic_id", String(200)),
    Column("body", Text, nullable=False),
    Column("at", BigInteger, nullable=False),
    Index(None, "draft_id"),
)

# Who published what, when and why; each row keeps the files before and after, so it can be undone.
studio_history = Table(
    "studio_history", metadata,
    Column("id", _id, primary_key=True, autoincrement=True),
    Column("action", String(16), nullable=False),        # publish, revert
    Column("draft_id", _id),
    Column("reverts_id", _id),
    Column("who", String(64), nullable=False),
    Column("why", Text, nullable=False),
    Column("version_before", String(64), nullable=False),
    Column("version_after", String(64), nullable=False),
    Column("at", BigInteger, nullable=False),
)

studio_history_files = Table(
    "studio_history_files", metadata,
    Column("id", _id, primary_key=True, autoincrement=True),
    Column("history_id", _id, ForeignKey("studio_history.id"), nullable=False),
    Column("name", String(300), nullable=False),
    Column("before", Text),                              # null: the file did not exist
    Column("after", Text, nullable=False),
    Index(None, "history_id"),
)
