"""A valid phrasebook set (or check-rule set) kept on disk, so a fresh process skips reading and validating
its YAML again.

Reading the sets (YAML, strict validation, Jinja's name analysis, the words
each check pattern needs) is most of `tact suggest`'s start-up, and the result
depends only on the files read, their names as shown, and the code and
libraries that read them. The cache
key is a hash of all of those; a set with errors is never kept (it raises, as
before). Entries live in $TACT_CACHE_DIR, else $XDG_CACHE_HOME/tact, else
~/.cache/tact; TACT_CACHE=off turns the cache off. An entry is read only from
a folder and file this user owns that no one else can write, since unpickling
runs code.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
from functools import lru_cache
from pathlib import Path
from typing import Callable

LIBRARIES = ("jinja2", "yaml")
KEEP = 16                   # entries kept: one per phrasebook set in use, and a few for tests' throwaway sets
_PACKAGE = Path(__file__).resolve().parent


def folder() -> Path | None:
    """Where entries live, or None when the cache is off."""
    if os.environ.get("TACT_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    base = os.environ.get("TACT_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "tact" / "sets"


def _code() -> bytes:
    """What the reading depends on besides the files: this package's modules, Python and the libraries' versions
    (of those loaded: a reader imports its libraries before it reads, so a library not loaded is not used)."""
    versions = "|".join(f"{name}={getattr(sys.modules.get(name), '__version__', '-')}" for name in LIBRARIES)
    return _modules() + f"{sys.version}|{pickle.HIGHEST_PROTOCOL}|{versions}".encode()


@lru_cache(maxsize=1)
def _modules() -> bytes:
    digest = hashlib.sha256()
    for path in sorted([*_PACKAGE.glob("*.py"), *_PACKAGE.glob("check/*.py")]):
        digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def key(kind: str, sources: list[tuple[str, bytes]]) -> str:
    """The hash of (name as shown, contents) for every file of a set of a kind, with the code that reads them."""
    digest = hashlib.sha256(_code() + kind.encode())
    for name, data in sources:
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def _private(path: Path) -> bool:
    """Whether this user owns `path` and no one else can write it."""
    try:
        info = path.stat()
    except OSError:
        return False
    return (not hasattr(os, "getuid") or info.st_uid == os.getuid()) and not info.st_mode & 0o022


def read(entry: str):
    """The object kept under `entry`, or None (no entry, unreadable, or not safely ours)."""
    where = folder()
    if where is None:
        return None
    path = where / f"{entry}.pickle"
    if not (_private(where) and _private(path)):
        return None
    try:
        with open(path, "rb") as file:
            return pickle.load(file)
    except Exception:   # a torn or stale entry is a miss, never an error: the set is read from its files
        return None


def write(entry: str, obj) -> None:
    """Keep `obj` under `entry` (atomically), dropping the oldest entries past KEEP; failures are ignored."""
    where = folder()
    if where is None:
        return
    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _private(where):
            return
        import tempfile     # only when writing: a fresh process that reads an entry never needs it
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        handle, temp = tempfile.mkstemp(dir=where, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temp, where / f"{entry}.pickle")
        except BaseException:
            os.unlink(temp)
            raise
        entries = sorted(where.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except Exception:   # a read-only home, a full disk: the cache is only ever a shortcut
        pass


def remembered(kind: str, sources: list[tuple[str, bytes]], build: Callable):
    """What `build()` makes of these sources: kept from an earlier process when the sources and code are the same.

    `build` raises for a set that must not be kept (one with errors); nothing is written then.
    """
    if folder() is None:
        return build()
    entry = key(kind, sources)
    found = read(entry)
    if found is not None:
        return found
    made = build()
    write(entry, made)
    return made
