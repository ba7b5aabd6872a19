"""Publishing: an approved draft, validated as a whole set, written round-trip and atomically, with history.

Every publish and revert records who, what (each file before and after), why and when, and can be undone.
The caller swaps the live set afterwards through the one validated reload path.
"""
from __future__ import annotations

import contextlib
import fcntl
import time
from pathlib import Path
from typing import Iterator

from sqlalchemy import insert, select

from ..store import Store
from ..store.schema import studio_drafts as drafts
from ..store.schema import studio_history as history
from ..store.schema import studio_history_files as history_files
from . import drafts as draft_store
from .drafts import Conflict, DraftError
from .liveset import LiveSet, text_hash
from .validate import validate

MAX_REASON = 2000


class ValidationFailed(DraftError):
    """The set would not pass lint and its tests: `result` carries the problems as file:line:col."""

    def __init__(self, result: dict):
        first = next((p["where"] + ": " + p["message"] for p in result["problems"] if p["severity"] == "error"),
                     None) or next((f["where"] + ": " + f["topic"] + ": " + f["name"]
                                    for f in result["tests"]["failures"]), "validation failed")
        super().__init__(f"the set does not validate, so nothing was published: {first}", 422)
        self.result = result


@contextlib.contextmanager
def _publishing(live: LiveSet) -> Iterator[None]:
    """One publish at a time on this machine (a lock file beside the first phrasebook folder)."""
    root = live.roots[0] if live.roots[0].is_dir() else live.roots[0].parent
    with open(Path(root) / ".tact-publish.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _reason(why: str) -> str:
    why = (why or "").strip()
    if not why:
        raise DraftError("say why (it goes in the history)", field="why")
    if len(why) > MAX_REASON:
        raise DraftError(f"a reason has at most {MAX_REASON} characters", field="why")
    return why


def _apply(store: Store, live: LiveSet, changes: dict[str, str], before: dict[str, str], who: str, why: str,
           action: str, draft_id: int | None = None, reverts_id: int | None = None) -> dict:
    result = validate(live, changes)
    if not result["ok"]:
        raise ValidationFailed(result)
    version_before = live.version()
    live.write(changes)
    version_after = live.version()
    at = int(time.time())
    with store.begin() as connection:
        hid = connection.execute(insert(history).values(
            action=action, draft_id=draft_id, reverts_id=reverts_id, who=who, why=why,
            version_before=version_before, version_after=version_after, at=at).returning(history.c.id)).scalar_one()
        connection.execute(insert(history_files), [{"history_id": hid, "name": name, "before": before.get(name),
                                                    "after": text} for name, text in changes.items()])
        if draft_id is not None:
            draft_store.mark_published(connection, draft_id, who, why)
    return {"id": hid, "action": action, "version_before": version_before, "version_after": version_after,
            "files": sorted(changes), "validation": result}


def publish(store: Store, live: LiveSet, draft_id: int, who: str, why: str) -> dict:
    """Publish an approved draft; Conflict if a file it changes was changed live since the draft began."""
    why = _reason(why)
    with _publishing(live):
        with store.begin() as connection:
            row = connection.execute(select(drafts).where(drafts.c.id == draft_id)).first()
        if row is None:
            raise DraftError(f"no draft {draft_id}", 404)
        if row.status != "approved":
            raise DraftError(f"draft {draft_id} is {row.status.replace('_', ' ')}; only an approved draft "
                             "is published", 409)
        own = draft_store.files(store, draft_id)
        current = live.read()
        stale = [name for name, f in own.items() if text_hash(current.get(name)) != f["base_hash"]]
        if stale:
            raise Conflict(f"{', '.join(stale)} changed on the live set since this draft began; "
                           "start a new draft from the live set and carry the changes over")
        changes = {name: f["text"] for name, f in own.items() if f["text"] != current.get(name)}
        return _apply(store, live, changes, current, who, why, "publish", draft_id=draft_id)


def revert(store: Store, live: LiveSet, history_id: int, who: str, why: str) -> dict:
    """Undo one publish: put back the files as they were before it, if nobody changed them since."""
    why = _reason(why)
    entry = get_entry(store, history_id)
    with _publishing(live):
        current = live.read()
        moved = [f["name"] for f in entry["files"] if current.get(f["name"]) != f["after"]]
        if moved:
            raise Conflict(f"{', '.join(moved)} changed again after #{history_id}; revert the later changes first")
        if any(f["before"] is None for f in entry["files"]):
            raise DraftError("this change added a file; remove it in git instead", 409)
        changes = {f["name"]: f["before"] for f in entry["files"]}
        return _apply(store, live, changes, current, who, why, "revert", reverts_id=history_id)


def _entry(row) -> dict:
    return {"id": row.id, "action": row.action, "draft_id": row.draft_id, "reverts_id": row.reverts_id,
            "who": row.who, "why": row.why, "version_before": row.version_before,
            "version_after": row.version_after, "at": row.at}


def entries(store: Store, limit: int = 200) -> list[dict]:
    with store.begin() as connection:
        rows = connection.execute(select(history).order_by(history.c.id.desc()).limit(limit)).all()
        names: dict[int, list[str]] = {}
        if rows:
            for f in connection.execute(select(history_files.c.history_id, history_files.c.name).where(
                    history_files.c.history_id.in_([r.id for r in rows]))):
                names.setdefault(f.history_id, []).append(f.name)
    return [{**_entry(r), "files": sorted(names.get(r.id, []))} for r in rows]


def get_entry(store: Store, history_id: int) -> dict:
    with store.begin() as connection:
        row = connection.execute(select(history).where(history.c.id == history_id)).first()
        if row is None:
            raise DraftError(f"no history entry {history_id}", 404)
        files = connection.execute(select(history_files).where(history_files.c.history_id == history_id)
                                   .order_by(history_files.c.name)).all()
    return {**_entry(row), "files": [{"name": f.name, "before": f.before, "after": f.after} for f in files]}


def entry_topics(entry: dict) -> list[dict]:
    """What one publish or revert changed, topic by topic."""
    from .diff import draft_diff
    return draft_diff({f["name"]: f["before"] or "" for f in entry["files"]},
                      {f["name"]: {"text": f["after"]} for f in entry["files"]})
