"""Studio sign-in: signed-cookie sessions, roles and CSRF tokens.

The session cookie (Flask's, signed with a key kept in the store) is HttpOnly and SameSite=Lax, and
Secure when the request came over TLS or STUDIO_SECURE_COOKIES says so. It holds the account id, the
account's session epoch (a new password or role ends older sessions) and the CSRF token that every
state-changing request must echo in the X-CSRF-Token header (or a csrf_token form field).
"""
from __future__ import annotations

import functools
from datetime import timedelta
import hmac
import secrets

from flask import current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from ..errors import TactError
from ..store import StoreUnavailable
from ..store.schema import studio_users as users
from ..studio.accounts import User
from .memory import get_store

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
STUDIO_PATHS = ("/studio", "/api/v1/studio")


class StudioSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions; Secure whenever the request itself came over TLS."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or (request.is_secure if request else False)

    def open_session(self, app, request):
        if request.path.startswith(STUDIO_PATHS):
            _ensure_key(app)
        return super().open_session(app, request)


def _ensure_key(app) -> None:
    """The signing key: configured (TACT_SECRET_KEY), else made once and kept in the store for every worker."""
    if app.secret_key:
        return
    from ..studio.accounts import secret_key
    try:
        app.secret_key = secret_key(app.extensions["tact.store"])
    except StoreUnavailable:
        pass          # no key, no session: sign-in answers 503 until the database is back


class AuthError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def csrf_token() -> str:
    """This session's CSRF token (made on first use)."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get("X-CSRF-Token") or (request.form.get("csrf_token") if request.form else None) or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise AuthError(403, "csrf_failed", "missing or wrong CSRF token; reload the page and try again")


def current_user() -> User | None:
    """The signed-in account, or None (also when its password or role changed since sign-in)."""
    if "studio_user" in g:
        return g.studio_user
    user = None
    uid = session.get("uid")
    if uid is not None:
        with get_store().begin() as connection:
            row = connection.execute(select(users).where(users.c.id == uid)).first()
        if row is not None and row.session_epoch == session.get("epoch"):
            user = User(row.id, row.name, row.role, row.session_epoch, row.created_at)
    g.studio_user = user
    return user


def sign_in(user: User) -> str:
    if not current_app.secret_key:        # the database was down when this request began
        raise StoreUnavailable("the database is unavailable")
    session.clear()
    session["uid"] = user.id
    session["epoch"] = user.session_epoch
    session.permanent = True
    g.studio_user = user
    return csrf_token()


def sign_out() -> None:
    session.clear()
    g.studio_user = None


def require(role: str = "writer"):
    """A view that needs a signed-in account holding `role`, and a CSRF token when it changes state."""
    def wrap(view):
        @functools.wraps(view)
        def inner(*args, **kwargs):
            user = current_user()
            if user is None:
                raise AuthError(401, "unauthorized", "sign in to the studio first")
            check_csrf()
            if not user.can(role):
                raise AuthError(403, "forbidden", f"this needs the {role} role; you are a {user.role}")
            return view(*args, **kwargs)
        return inner
    return wrap


def client_address() -> str:
    """The client's address (from X-Forwarded-For only behind PROXY_HOPS trusted proxies)."""
    return request.remote_addr or "unknown"


def install(app) -> None:
    """Studio sessions on the app; behind PROXY_HOPS trusted proxies (TACT_PROXY_HOPS), the client's address
    and scheme come from X-Forwarded-For / -Proto, so limits count real addresses and cookies are Secure
    when TLS ends at the proxy."""
    hops = str(app.config.get("PROXY_HOPS") or 0)
    if not hops.isdigit():
        raise TactError(f"TACT_PROXY_HOPS must be the number of trusted proxies (0 or more); got {hops[:20]!r}")
    hops = int(hops)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.session_interface = StudioSessions()
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_NAME"] = "tact_studio"
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config.get("STUDIO_SESSION_HOURS", 12))
