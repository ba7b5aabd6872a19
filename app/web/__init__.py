"""The web app: a Flask factory with one blueprint per surface.

- api: the JSON contract over HTTP (`/api/v1/...`, `/healthz`, `/openapi.json`)
- agent: the agent panel at `/`
- cabin: the offline tablet view at `/cabin`
- studio: the phrasebook studio at `/studio` (previews the files on disk; never changes what is served)
- feedback: what staff did with suggestions (`/api/v1/feedback`, `/api/v1/stats`)
- results: the studio's results view at `/studio/results`
- studio_api, workbench, auth: the studio's editing loop (`/api/v1/studio/...`, `/studio/login`, drafts,
  review, history) with accounts, sessions and CSRF tokens; a publish goes live through the validated
  reload path (tact.web.reload)

The engine is built once per app from the configured phrasebooks (or from a
set `tact serve` already validated) and shared, read-only, by every request.
The database (tact.store) is opened and migrated at start-up; if it is down the
app still starts, and only the database's features answer 503 until it is back.
"""
from __future__ import annotations

import os
import traceback
from pathlib import Path

from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from ..bundled import bundled

TEMPLATES = bundled("templates")
MAX_BODY = 256 * 1024


def create_app(test_config: dict | None = None, phrasebook=None) -> Flask:
    """Build the app. `test_config` overrides config; PHRASEBOOKS (a folder or file) picks the set.

    `phrasebook`, a Phrasebook already loaded and validated, is served as it is: the files are
    not read again (the studio still previews PHRASEBOOKS from disk).
    """
    app = Flask(__name__, template_folder=str(TEMPLATES), static_folder="static",
                static_url_path="/static", instance_path=(test_config or {}).get("INSTANCE_PATH"))
    app.config.from_mapping(
        PHRASEBOOKS=os.environ.get("TACT_PHRASEBOOKS") or None,
        MAX_CONTENT_LENGTH=MAX_BODY,
        # Origins allowed to embed the agent panel and talk to it by postMessage (besides our own).
        EMBED_ORIGINS=tuple(o for o in os.environ.get("TACT_EMBED_ORIGINS", "").split() if o),
        JSON_SORT_KEYS=False,
        # Any SQLAlchemy URL; default: a SQLite file in the instance folder, created on first use.
        DATABASE_URL=os.environ.get("TACT_DATABASE_URL") or None,
        # Studio sessions: the cookie signing key (default: made once, kept in the database) and Secure cookies
        # even when TLS ends at a proxy in front of the app.
        SECRET_KEY=os.environ.get("TACT_SECRET_KEY") or None,
        SESSION_COOKIE_SECURE=os.environ.get("TACT_SECURE_COOKIES", "").lower() in ("1", "true", "yes"),
        PROXY_HOPS=os.environ.get("TACT_PROXY_HOPS") or 0,   # trusted proxies in front (X-Forwarded-*)
        DATABASE_RETRY_AFTER=5.0,     # seconds a database that failed is left alone before it is tried again
        FEEDBACK_CONCURRENCY=1,       # feedback requests a worker process handles at once; more get 429
    )
    if test_config:
        app.config.from_mapping(test_config)
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    from ..engine import Engine, default_engine
    from ..phrasebook import PhrasebookStore
    paths = app.config["PHRASEBOOKS"]
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if phrasebook is not None:
        engine = Engine(store=PhrasebookStore(paths, book=phrasebook))
    elif paths and [str(p) for p in paths] != [os.environ.get("TACT_PHRASEBOOKS")]:
        engine = Engine([str(p) for p in paths])
    else:
        engine = default_engine()
    app.extensions["tact.engine"] = engine

    app.extensions["tact.store"] = open_store(database_url(app), app.config["DATABASE_RETRY_AFTER"])

    from . import agent, api, cabin, feedback, results, studio
    app.register_blueprint(api.bp)
    app.register_blueprint(agent.bp)
    app.register_blueprint(cabin.bp)
    app.register_blueprint(studio.bp)
    app.register_blueprint(feedback.bp)
    app.register_blueprint(results.bp)

    # The studio's editing loop (issue 11): accounts, drafts, review, publish.
    from . import auth, studio_api, workbench
    auth.install(app)
    app.register_blueprint(studio_api.bp)
    app.register_blueprint(workbench.bp)

    @app.get("/favicon.ico")
    def favicon():
        return "", 204

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        # Routing errors (404, 405) happen before any blueprint is chosen: answer by path.
        if api.is_api_path(request.path):
            return api.json_error(exc)
        return render_template("error.html", error=exc), exc.code or 500

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        # The stack, not the message: an exception's text can quote the customer's data.
        stack = "".join(traceback.TracebackException.from_exception(exc).stack.format())
        current_app.logger.error("unhandled %s on %s %s (message withheld)\n%s", type(exc).__name__,
                                 request.method, request.path, stack)
        if api.is_api_path(request.path):
            return api.error_response(500, "internal_error", "Something went wrong on our side.", None)
        return render_template("error.html", error=None), 500

    # No outside assets, no inline script; only our own origin and EMBED_ORIGINS may frame the panel.
    ancestors = " ".join(("'self'",) + tuple(app.config["EMBED_ORIGINS"]))
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                   "script-src 'self'; connect-src 'self'; worker-src 'self'; object-src 'none'; "
                                   f"base-uri 'self'; frame-ancestors {ancestors}",
    }

    @app.after_request
    def security_headers(response):
        # Pages get the full set; JSON needs only nosniff, and every header costs time on the hot path.
        if response.mimetype == "text/html":
            for name, value in headers.items():
                response.headers.setdefault(name, value)
        else:
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    return app


def database_url(app: Flask) -> str:
    """The configured database, or the default SQLite file in the app's instance folder."""
    from ..store import DEFAULT_FILE, sqlite_url
    return app.config.get("DATABASE_URL") or sqlite_url(Path(app.instance_path) / DEFAULT_FILE)


def default_database_url() -> str:
    """TACT_DATABASE_URL, or the SQLite file the web app would use (for the command line and `tact serve`)."""
    return os.environ.get("TACT_DATABASE_URL") or database_url(Flask(__name__))


def open_store(url: str, retry_after: float = 5.0):
    """The store, migrated now if the database answers; if not, the app starts anyway and retries on use.

    A URL that is not a SQLAlchemy URL (or names a driver that is not installed) is a configuration
    error and stops the start-up with a one-line message.
    """
    from ..store import Store, StoreUnavailable
    store = Store(url, retry_after=retry_after)
    try:
        store.upgrade()
    except StoreUnavailable:
        pass          # logged by the store; tried again on first use
    return store


def get_engine():
    """The engine of the app handling the current request."""
    return current_app.extensions["tact.engine"]
