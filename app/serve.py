"""`tact serve`: the web app under gunicorn with threaded (gthread) workers.

The master process validates the phrasebooks (lint and their own test cases)
before it starts, keeps the validated set in memory, and every worker it forks
serves that set without reading the files: a worker restarted after a crash,
an OOM or a timeout comes up on the last validated set even if the files on
disk are broken by then. SIGHUP validates the files again; only a set that
passes replaces the one in memory, and gunicorn then replaces every worker, so
all of them serve the same set. Uses gunicorn's BaseApplication API, so no
command line or config file is needed and the same code runs the benchmark's
servers.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from http import HTTPStatus
from typing import Any, Callable

from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.http import errors as http_errors
from gunicorn.workers.gthread import ThreadWorker

from .errors import PhrasebookError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 4
# Requests gunicorn refuses before the app sees them (answered by JsonErrorWorker).
LIMIT_REQUEST_LINE = 8190          # bytes of method, path and query: gunicorn's maximum
LIMIT_REQUEST_FIELDS = 100         # header lines
LIMIT_REQUEST_FIELD_SIZE = 8190    # bytes of one header line

log = logging.getLogger("gunicorn.error")


class JsonErrorWorker(ThreadWorker):
    """gunicorn's threaded worker, answering requests it cannot parse with the API's JSON error.

    These errors (an over-long request line, too many headers, a malformed
    request) happen before the path is known, so every path gets JSON; the
    message names the limit and never echoes the request.
    """

    PARSE_ERRORS = (
        (http_errors.LimitRequestLine, 414, "uri_too_long",
         f"the request line (method, path and query) is longer than {LIMIT_REQUEST_LINE} bytes"),
        (http_errors.LimitRequestHeaders, 431, "headers_too_large",
         f"more than {LIMIT_REQUEST_FIELDS} request headers, or one longer than {LIMIT_REQUEST_FIELD_SIZE} bytes"),
        (http_errors.UnsupportedTransferCoding, 501, "not_implemented", "unsupported Transfer-Encoding"),
        (http_errors.ExpectationFailed, 417, "expectation_failed", "unsupported Expect header"),
        (http_errors.ForbiddenProxyRequest, 403, "forbidden", "proxy requests are not accepted"),
        (http_errors.ConfigurationProblem, 500, "internal_error", "the server is misconfigured"),
        (http_errors.ParseException, 400, "bad_request", "malformed HTTP request"),
    )

    def handle_error(self, req, client, addr, exc):
        app_fault = isinstance(exc, (http_errors.InvalidResponseHeader, http_errors.InvalidResponseHeaderName))
        if app_fault or not isinstance(exc, http_errors.ParseException):
            return super().handle_error(req, client, addr, exc)
        status, code, message = next((s, c, m) for kind, s, c, m in self.PARSE_ERRORS if isinstance(exc, kind))
        self.log.warning("Refused a request gunicorn could not parse (%s): %s", status, type(exc).__name__)
        body = json.dumps({"error": {"code": code, "message": message, "field": None}}).encode()
        head = (f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\nConnection: close\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                "X-Content-Type-Options: nosniff\r\n\r\n")
        try:
            util.write_nonblock(client, head.encode("latin-1") + body)
        except Exception:
            self.log.debug("Failed to send error message.")


class _Application(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key.lower(), value)


def gunicorn_app(app_factory: Callable[[], Any] | Any, options: dict) -> BaseApplication:
    """A gunicorn application around a WSGI app (or a factory called once in each worker)."""

    class FactoryApplication(_Application):
        def load(self):
            return app_factory() if callable(app_factory) and not hasattr(app_factory, "wsgi_app") \
                else app_factory

    return FactoryApplication(options)


class TactServer(_Application):
    """gunicorn serving Tact on a validated phrasebook set held by the master and handed to each worker."""

    def __init__(self, options: dict, phrasebooks: list[str] | None = None):
        from .validate import validate
        self.phrasebooks = phrasebooks
        self.validated = validate(phrasebooks)
        if not self.validated.ok:
            raise PhrasebookError(self.validated.errors)
        super().__init__(options)

    def load(self):
        """In a worker just forked: the app on the master's validated set (the files are not read)."""
        from .web import create_app
        # SERVER_PID: the master, which the studio signals after a publish (tact.web.reload).
        return create_app({"PHRASEBOOKS": self.phrasebooks, "SERVER_PID": os.getppid()},
                          phrasebook=self.validated.book)

    def reload(self):
        """On SIGHUP, in the master: validate the files; only a set that passes replaces the one in memory.

        gunicorn then starts new workers (from this process, so on the set now held) and retires the old.
        """
        super().reload()
        from .validate import validate
        try:
            candidate = validate(self.phrasebooks)
        except Exception as exc:   # never let a reload take the master down
            log.error("phrasebooks not reloaded: validation failed (%s); still serving version %s",
                      type(exc).__name__, self.validated.book.version)
            return
        if not candidate.ok:
            log.error("phrasebooks not reloaded: %d problem(s); still serving version %s",
                      len(candidate.errors), self.validated.book.version)
            for problem in candidate.errors:
                log.error("%s", problem.format())
            return
        self.validated = candidate
        log.warning("phrasebooks reloaded: serving version %s (%d topics)", candidate.book.version,
                    len(candidate.book.topics))


def options_for(host: str, port: int, workers: int, threads: int, **extra: Any) -> dict:
    return {"bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": JsonErrorWorker,
            "accesslog": None, "errorlog": "-", "loglevel": "warning", "timeout": 30, "keepalive": 5,
            "limit_request_line": LIMIT_REQUEST_LINE, "limit_request_fields": LIMIT_REQUEST_FIELDS,
            "limit_request_field_size": LIMIT_REQUEST_FIELD_SIZE, **extra}


def migrate_before_fork() -> None:
    """Migrate once in the master, so workers starting together find the schema ready (and never race)."""
    from .store import Store, StoreUnavailable
    from .web import default_database_url
    store = Store(default_database_url())
    try:
        store.upgrade()
    except StoreUnavailable as exc:
        print(f"tact: {exc.message} ({store.display_url}); serving without feedback until it is back",
              file=sys.stderr, flush=True)
    finally:
        store.dispose()     # no connection may cross the fork


def run(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, workers: int = DEFAULT_WORKERS,
        threads: int = DEFAULT_THREADS, phrasebooks: list[str] | None = None, pidfile: str | None = None,
        **extra: Any) -> None:
    """Validate the phrasebooks, migrate the database, then serve until interrupted; raises PhrasebookError
    when the phrasebooks do not validate."""
    server = TactServer(options_for(host, port, workers, threads, pidfile=pidfile, **extra), phrasebooks)
    from . import web  # noqa: F401  (imported once here, not in every worker)
    migrate_before_fork()
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, f"[{host}]" if ":" in host else host)
    print(f"Tact is running: open http://{shown}:{port}/  (agent panel; /cabin, /studio, /openapi.json)",
          file=sys.stderr, flush=True)
    print(f"  {workers} worker(s) x {threads} thread(s), gthread; phrasebooks version "
          f"{server.validated.book.version}; Ctrl-C to stop", file=sys.stderr, flush=True)
    if pidfile:
        print(f"  reload the phrasebooks: tact reload --pid {pidfile}  (or kill -HUP $(cat {pidfile}))",
              file=sys.stderr, flush=True)
    server.run()


if __name__ == "__main__":   # python -m tact.serve [port]
    run(port=int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PORT)
