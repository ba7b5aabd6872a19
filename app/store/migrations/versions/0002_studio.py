"""The studio: accounts, login attempts, drafts of the phrasebook set, review comments, publish history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "studio_users",
        sa.Column("id", ID, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("session_epoch", sa.Integer, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_studio_users"),
        sa.UniqueConstraint("name", name="uq_studio_users_name"),
    )
    op.create_table(
        "studio_login_attempts",
        sa.Column("id", ID, autoincrement=True),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("address_key", sa.String(64), nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_studio_login_attempts"),
    )
    op.create_index("ix_studio_login_attempts_account_at", "studio_login_attempts", ["account", "at"])
    op.create_index("ix_studio_login_attempts_address_key_at", "studio_login_attempts", ["address_key", "at"])
    op.create_table(
        "studio_settings",
        sa.Column("name", sa.String(64)),
        sa.Column("value", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_studio_settings"),
    )
    op.create_table(
        "studio_drafts",
        sa.Column("id", ID, autoincrement=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("base_version", sa.String(64), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_studio_drafts"),
    )
    op.create_index("ix_studio_drafts_status", "studio_drafts", ["status"])
    op.create_table(
        "studio_draft_files",
        sa.Column("id", ID, autoincrement=True),
        sa.Column("draft_id", ID, sa.ForeignKey("studio_drafts.id"), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("base_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_studio_draft_files"),
        sa.UniqueConstraint("draft_id", "name", name="uq_studio_draft_files_draft_id_name"),
    )
    op.create_table(
        "studio_draft_topics",
        sa.Column("id", ID, autoincrement=True),
        sa.Column("draft_id", ID, sa.ForeignKey("studio_drafts.id"), nullable=False),
        sa.Column("topic_id", sa.String(200), nullable=False),
        sa.Column("file", sa.String(300), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_studio_draft_topics"),
        sa.UniqueConstraint("draft_id", "topic_id", name="uq_studio_draft_topics_draft_id_topic_id"),
    )
    op.create_table(
        "studio_comments",
        sa.Column("id", ID, autoincrement=True),
        sa.Column("draft_id", ID, sa.ForeignKey("studio_drafts.id"), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("topic_id", sa.String(200)),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_studio_comments"),
    )
    op.create_index("ix_studio_comments_draft_id", "studio_comments", ["draft_id"])
    op.create_table(
        "studio_history",
        sa.Column("id", ID, autoincrement=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("draft_id", ID),
        sa.Column("reverts_id", ID),
        sa.Column("who", sa.String(64), nullable=False),
        sa.Column("why", sa.Text, nullable=False),
        sa.Column("version_before", sa.String(64), nullable=False),
        sa.Column("version_after", sa.String(64), nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_studio_history"),
    )
    op.create_table(
        "studio_history_files",
        sa.Column("id", ID, autoincrement=True),
        sa.Column("history_id", ID, sa.ForeignKey("studio_history.id"), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_studio_history_files"),
    )
    op.create_index("ix_studio_history_files_history_id", "studio_history_files", ["history_id"])


def downgrade() -> None:
    for table in ("studio_history_files", "studio_history", "studio_comments", "studio_draft_topics",
                  "studio_draft_files", "studio_drafts", "studio_settings", "studio_login_attempts",
                  "studio_users"):
        op.drop_table(table)
