"""`tact serve`: the web app under gunicorn with threaded (gthread) workers.

Uses gunicorn's BaseApplication API, so no command line or config file is
needed and the same code runs the benchmark's servers.
"""
from __future__ import annotations

import sys
from typing import Any, Callable

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 4


def gunicorn_app(app_factory: Callable[[], Any] | Any, options: dict):
    """A gunicorn application around a WSGI app (or a factory called once in each worker)."""
    from gunicorn.app.base import BaseApplication

    class TactApplication(BaseApplication):
        def __init__(self):
            self.options = options
            super().__init__()

        def load_config(self):
            for key, value in self.options.items():
                if key in self.cfg.settings and value is not None:
                    self.cfg.set(key.lower(), value)

        def load(self):
            return app_factory() if callable(app_factory) and not hasattr(app_factory, "wsgi_app") \
                else app_factory

    return TactApplication()


def options_for(host: str, port: int, workers: int, threads: int, **extra: Any) -> dict:
    return {"bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": "gthread",
            "accesslog": None, "errorlog": "-", "loglevel": "warning", "timeout": 30,
            "keepalive": 5, **extra}


def _make_app():
    from .web import create_app
    return create_app()


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
        threads: int = DEFAULT_THREADS, **extra: Any) -> None:
    """Serve the web app until interrupted; prints the URL to open."""
    migrate_before_fork()
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, f"[{host}]" if ":" in host else host)
    print(f"Tact is running: open http://{shown}:{port}/  (agent panel; /cabin, /studio, /openapi.json)",
          file=sys.stderr, flush=True)
    print(f"  {workers} worker(s) x {threads} thread(s), gthread; Ctrl-C to stop", file=sys.stderr, flush=True)
    gunicorn_app(_make_app, options_for(host, port, workers, threads, **extra)).run()


if __name__ == "__main__":   # python -m tact.serve [port]
    run(port=int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PORT)
