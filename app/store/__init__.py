"""The project's database: SQLAlchemy Core tables, Alembic migrations, one `Store` per app.

SQLite by default (a file created on first use, WAL mode); any SQLAlchemy URL
through `TACT_DATABASE_URL`. Features add their tables to `schema.metadata` and
a migration to `migrations/versions/` (down_revision = the current head); the
upgrade runs on start-up and with `tact db upgrade`.
"""
from .database import DEFAULT_FILE, Store, StoreUnavailable, normalise_url, sqlite_url
from .migrate import current_revision, head_revision, upgrade
from .schema import feedback_events, metadata

__all__ = ["Store", "StoreUnavailable", "DEFAULT_FILE", "normalise_url", "sqlite_url", "upgrade",
           "current_revision", "head_revision", "metadata", "feedback_events"]
