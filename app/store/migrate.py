"""Versioned migrations with Alembic, run from code (start-up, `tact db upgrade`) on a shared connection."""
from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_LOCK_ID = 742_180_001   # PostgreSQL advisory lock: one server migrates at a time
_PROCESS_LOCK = threading.Lock()   # Alembic's op/context proxies are module globals: one migration at a time


def config(connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def head_revision() -> str:
    return ScriptDirectory.from_config(config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Upgrade to `revision`; servers starting together wait for each other instead of racing."""
    if revision == "heads" and current_revision(engine) == head_revision():
        return      # the common start-up: nothing to do, and no need to load Alembic's machinery
    with _PROCESS_LOCK:
        _upgrade(engine, revision)


def _upgrade(engine: Engine, revision: str) -> None:
    for attempt in (1, 2):
        try:
            with engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
                command.upgrade(config(connection), revision)
            return
        except (OperationalError, ProgrammingError) as exc:
            # Another process created the same table a moment earlier (SQLite has no advisory lock): look again.
            if attempt == 2 or "already exists" not in str(exc.orig):
                raise
