"""The web app: a Flask factory with one blueprint per surface.

- api: the JSON contract over HTTP (`/api/v1/...`, `/healthz`, `/openapi.json`)
- agent: the agent panel at `/`
- cabin: the offline tablet view at `/cabin`
- studio: the phrasebook studio at `/studio` (previews the files on disk; never changes what is served)

The engine is built once per app from the configured phrasebooks (or from a
set `tact serve` already validated) and shared, read-only, by every request.
"""
from __future__ import annotations

import os
import traceback

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
                static_url_path="/static")
    app.config.from_mapping(
        PHRASEBOOKS=os.environ.get("TACT_PHRASEBOOKS") or None,
        MAX_CONTENT_LENGTH=MAX_BODY,
        # Origins allowed to embed the agent panel and talk to it by postMessage (besides our own).
        EMBED_ORIGINS=tuple(o for o in os.environ.get("TACT_EMBED_ORIGINS", "").split() if o),
        JSON_SORT_KEYS=False,
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

    from . import agent, api, cabin, studio
    app.register_blueprint(api.bp)
    app.register_blueprint(agent.bp)
    app.register_blueprint(cabin.bp)
    app.register_blueprint(studio.bp)

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


def get_engine():
    """The engine of the app handling the current request."""
    return current_app.extensions["tact.engine"]
