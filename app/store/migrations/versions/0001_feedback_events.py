"""Feedback events: what happened to each suggestion (ids hashed; never a value, label or utterance).

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("event_key", sa.String(64), nullable=False),
        sa.Column("conversation_key", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("suggestion_id", sa.String(300), nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32)),
        sa.Column("decision", sa.String(20)),
        sa.Column("tone", sa.String(40)),
        sa.Column("receptiveness", sa.String(10)),
        sa.Column("channel", sa.String(20)),
        sa.Column("industry", sa.String(20)),
        sa.Column("stage", sa.String(20)),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("received_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feedback_events"),
        sa.UniqueConstraint("event_key", name="uq_feedback_events_event_key"),
    )
    op.create_index("ix_feedback_events_conversation_key_at", "feedback_events", ["conversation_key", "at"])
    op.create_index("ix_feedback_events_at", "feedback_events", ["at"])


def downgrade() -> None:
    op.drop_table("feedback_events")
