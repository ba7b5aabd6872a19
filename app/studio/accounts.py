"""Local accounts and roles, kept in the store; passwords hashed with Argon2id (argon2-cffi).

Writers draft, reviewers also approve and publish, admins also manage accounts. Logins are limited per
account and per address in the database, so the limits hold across workers and servers.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import TactError
from ..store import Store
from ..store.schema import studio_login_attempts as attempts
from ..store.schema import studio_settings as settings
from ..store.schema import studio_users as users

ROLES = ("writer", "reviewer", "admin")
RANK = {role: i for i, role in enumerate(ROLES)}
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
WINDOW = 15 * 60                  # seconds over which failed logins are counted
MAX_ACCOUNT_FAILURES = 5          # per account in the window (since its last good login)
MAX_ADDRESS_FAILURES = 20         # per client address in the window
KEEP_ATTEMPTS = 24 * 3600         # seconds a recorded try is kept
_hasher = PasswordHasher()        # argon2id, RFC 9106 low-memory profile
_DUMMY = _hasher.hash("not a password anyone has")


class AccountError(TactError):
    """A bad account name, role or password, or an account that does not exist."""


class LoginRefused(TactError):
    """Wrong name or password (never says which)."""


class LoginLimited(TactError):
    """Too many failed logins; `retry_after` seconds until the next try is allowed."""

    def __init__(self, retry_after: int):
        super().__init__(f"too many failed logins; try again in {max(1, retry_after // 60 + 1)} minute(s)")
        self.retry_after = retry_after


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    session_epoch: int
    created_at: int

    def can(self, role: str) -> bool:
        """Whether this account holds `role` or a higher one (admin > reviewer > writer)."""
        return RANK[self.role] >= RANK[role]

    def to_dict(self) -> dict:
        return {"name": self.name, "role": self.role}


def check_name(name: str) -> str:
    name = (name or "").strip().lower()
    if not NAME.match(name):
        raise AccountError("account names are 1-64 lower-case letters, digits, '.', '_' or '-', "
                           "starting with a letter or digit")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}; got {role!r}")
    return role


def check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"a password has at most {MAX_PASSWORD} characters")
    return password


def _user(row) -> User:
    return User(row.id, row.name, row.role, row.session_epoch, row.created_at)


def add_user(store: Store, name: str, role: str, password: str) -> User:
    name, role = check_name(name), check_role(role)
    digest = _hasher.hash(check_password(password))
    try:
        with store.begin() as connection:
            connection.execute(insert(users).values(name=name, role=role, password_hash=digest, session_epoch=0,
                                                    created_at=int(time.time())))
    except IntegrityError:
        raise AccountError(f"an account named {name!r} already exists") from None
    return get_user(store, name)


def get_user(store: Store, name: str) -> User | None:
    with store.begin() as connection:
        row = connection.execute(select(users).where(users.c.name == (name or "").strip().lower())).first()
    return _user(row) if row else None


def list_users(store: Store) -> list[User]:
    with store.begin() as connection:
        return [_user(r) for r in connection.execute(select(users).order_by(users.c.name))]


def set_password(store: Store, name: str, password: str) -> None:
    """A new password; every session the account had ends (its epoch moves on)."""
    digest = _hasher.hash(check_password(password))
    with store.begin() as connection:
        done = connection.execute(update(users).where(users.c.name == check_name(name))
                                  .values(password_hash=digest, session_epoch=users.c.session_epoch + 1)).rowcount
    if not done:
        raise AccountError(f"no account named {name!r}")


def set_role(store: Store, name: str, role: str) -> None:
    with store.begin() as connection:
        done = connection.execute(update(users).where(users.c.name == check_name(name))
                                  .values(role=check_role(role), session_epoch=users.c.session_epoch + 1)).rowcount
    if not done:
        raise AccountError(f"no account named {name!r}")


def address_key(address: str | None) -> str:
    return hashlib.sha256((address or "unknown").encode("utf-8", "replace")).hexdigest()


def _wait(connection, account: str, address: str, now: int) -> int:
    """Seconds until this account and address may try again (0: now)."""
    since = now - WINDOW
    last_ok = connection.execute(select(func.max(attempts.c.at)).where(
        attempts.c.account == account, attempts.c.ok.is_(True))).scalar() or 0
    waits = [0]
    for where, limit in (((attempts.c.account == account, attempts.c.at >= max(since, last_ok + 1)),
                          MAX_ACCOUNT_FAILURES),
                         ((attempts.c.address_key == address, attempts.c.at >= since), MAX_ADDRESS_FAILURES)):
        times = connection.execute(select(attempts.c.at).where(attempts.c.ok.is_(False), *where)
                                   .order_by(attempts.c.at.desc()).limit(limit)).scalars().all()
        if len(times) >= limit:
            waits.append(times[-1] + WINDOW - now)
    return max(waits)


def authenticate(store: Store, name: str, password: str, address: str | None, now: float | None = None) -> User:
    """The account for a name and password, or LoginRefused / LoginLimited. Every try is recorded."""
    at = int(time.time() if now is None else now)
    account = (name or "").strip().lower()[:64]
    address = address_key(address)
    with store.begin() as connection:
        wait = _wait(connection, account, address, at)
    if wait > 0:
        raise LoginLimited(wait)
    row = None
    if NAME.match(account):
        with store.begin() as connection:
            row = connection.execute(select(users).where(users.c.name == account)).first()
    ok = False
    try:
        if isinstance(password, str) and len(password) <= MAX_PASSWORD:
            ok = _hasher.verify(row.password_hash if row else _DUMMY, password) and row is not None
    except (VerificationError, InvalidHashError):
        ok = False
    with store.begin() as connection:
        connection.execute(insert(attempts).values(account=account, address_key=address, ok=ok, at=at))
        # Tries older than a day count for nothing: let this account's and address's go.
        for column, value in ((attempts.c.account, account), (attempts.c.address_key, address)):
            connection.execute(delete(attempts).where(column == value, attempts.c.at < at - KEEP_ATTEMPTS))
        if ok and _hasher.check_needs_rehash(row.password_hash):
            connection.execute(update(users).where(users.c.id == row.id)
                               .values(password_hash=_hasher.hash(password)))
    if not ok:
        raise LoginRefused("wrong account name or password")
    return _user(row)


def secret_key(store: Store) -> str:
    """The key that signs session cookies: made once and kept in the store, so every worker and server agrees."""
    with store.begin() as connection:
        value = connection.execute(select(settings.c.value).where(settings.c.name == "secret_key")).scalar()
    if value:
        return value
    try:
        with store.begin() as connection:
            connection.execute(insert(settings).values(name="secret_key", value=secrets.token_urlsafe(48)))
    except IntegrityError:
        pass              # another worker made it first: use theirs
    with store.begin() as connection:
        return connection.execute(select(settings.c.value).where(settings.c.name == "secret_key")).scalar_one()
