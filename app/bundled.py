"""Where the bundled data lives: inside the installed package, or beside `app/` in a checkout."""
from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def bundled(name: str) -> Path:
    """The bundled folder `name` (phrasebooks, templates) as installed or as checked out."""
    inside = _HERE / name
    return inside if inside.is_dir() else _HERE.parent / name
