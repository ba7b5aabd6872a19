"""One database per app: the engine, its connection settings, and what happens when it is down."""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError

from ..errors import TactError

log = logging.getLogger("tact.store")
DEFAULT_FILE = "tact.sqlite3"
RETRY_AFTER = 5.0          # seconds a failed database is left alone before it is tried again


class StoreUnavailable(TactError):
    """The database cannot be reached or is not migrated; callers answer 503 or carry on without it."""

    exit_code = 3


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def normalise_url(url: str) -> URL:
    """Parse a SQLAlchemy URL; plain postgresql:// means the psycopg (3) driver we ship."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreUnavailable("the database URL is not a valid SQLAlchemy URL") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")      # readers never wait for the writer
    cursor.execute("PRAGMA synchronous=NORMAL")    # durable at each checkpoint; safe with WAL
    cursor.execute("PRAGMA busy_timeout=30000")    # two workers write: wait for the lock, don't fail
    cursor.close()


class Store:
    """The database behind the app: migrated on first use, and told apart when it is down."""

    def __init__(self, url: str, connect_timeout: int = 3, retry_after: float = RETRY_AFTER):
        self.url = normalise_url(url)
        self.retry_after = retry_after
        self.ready = False
        self._down_until = 0.0
        self._lock = threading.Lock()
        kwargs: dict = {}
        if self.url.get_backend_name() == "sqlite":
            database = self.url.database
            if database and database != ":memory:" and not database.startswith("file:"):
                kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
                self._sqlite_file: Path | None = Path(database)
            else:
                self._sqlite_file = None
        else:
            self._sqlite_file = None
            kwargs["pool_pre_ping"] = True
            if self.url.get_backend_name() == "postgresql":
                kwargs["connect_args"] = {"connect_timeout": connect_timeout}
        try:
            self.engine = create_engine(self.url, **kwargs)
        except (ArgumentError, ImportError, SQLAlchemyError) as exc:
            raise StoreUnavailable(f"cannot use the database URL ({type(exc).__name__})") from None
        if self.url.get_backend_name() == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)

    @property
    def display_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (creating the SQLite file and its folder if need be)."""
        from .migrate import upgrade
        if self._sqlite_file is not None:
            try:
                self._sqlite_file.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreUnavailable(f"cannot create the database folder: {exc.strerror}") from None
        with self._guard():
            upgrade(self.engine)
        self.ready = True

    def ensure_ready(self) -> None:
        """Migrate once; while the database is down, fail at once instead of waiting on it again."""
        if self.ready:
            return
        if time.monotonic() < self._down_until:
            raise StoreUnavailable("the database is unavailable")
        with self._lock:
            if not self.ready:
                self.upgrade()

    @property
    def down(self) -> bool:
        return time.monotonic() < self._down_until

    @contextlib.contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a transaction; any database failure becomes StoreUnavailable."""
        if self.down:
            raise StoreUnavailable("the database is unavailable")
        self.ensure_ready()
        with self._guard():
            with self.engine.begin() as connection:
                yield connection

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except DBAPIError as exc:
            if not (isinstance(exc, OperationalError) or exc.connection_invalidated):
                raise       # a bug of ours (a constraint, bad SQL), not an outage
            self._down_until = time.monotonic() + self.retry_after
            # The driver's message may quote SQL parameters; log only what kind of failure it was.
            log.warning("database unavailable (%s); retrying in %g s", type(exc.orig or exc).__name__,
                        self.retry_after)
            raise StoreUnavailable("the database is unavailable") from None

    def dispose(self) -> None:
        self.engine.dispose()
