"""Tact: say what the records know without sounding like surveillance.

The public API: `suggest()` and `check()` on the bundled phrasebooks, `Engine`
for another set, the loaders, and the exception tree. The engine, the
phrasebook loaders and the web app factory are imported when first asked for
(PEP 562), so `tact check` never pays for the engine and the core never loads Flask.
"""
from .check import check     # binds after the subpackage of the same name, as the public function
from .errors import PhrasebookError, Problem, RequestError, TactError, TemplateError

__all__ = [
    "Engine", "suggest", "check", "default_engine", "load_phrasebooks", "PhrasebookStore",
    "TactError", "RequestError", "PhrasebookError", "TemplateError", "Problem", "create_app",
]
_LAZY = {"Engine": ("engine", "Engine"), "suggest": ("engine", "suggest"),
         "default_engine": ("engine", "default_engine"), "PhrasebookStore": ("phrasebook", "PhrasebookStore"),
         "load_phrasebooks": ("phrasebook", "load")}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module
    module, attr = _LAZY[name]
    value = globals()[name] = getattr(import_module(f".{module}", __name__), attr)
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def create_app(test_config=None):
    """The Flask app (for `flask --app tact run` and gunicorn)."""
    from .web import create_app as _create_app
    return _create_app(test_config)
