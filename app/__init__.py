"""Tact: say what the records know without sounding like surveillance.

The public API: `suggest()` and `check()` on the bundled phrasebooks, `Engine`
for another set, the loaders, and the exception tree. The web app factory is
imported lazily so the core never loads Flask.
"""
from .engine import Engine, check, default_engine, suggest
from .errors import PhrasebookError, Problem, RequestError, TactError, TemplateError
from .phrasebook import PhrasebookStore, load as load_phrasebooks

__all__ = [
    "Engine", "suggest", "check", "default_engine", "load_phrasebooks", "PhrasebookStore",
    "TactError", "RequestError", "PhrasebookError", "TemplateError", "Problem", "create_app",
]


def create_app(test_config=None):
    """The Flask app (for `flask --app tact run` and gunicorn)."""
    from .web import create_app as _create_app
    return _create_app(test_config)
