"""Drafts of the whole phrasebook set, kept in the store: full text of each changed file, never the live files.

Each topic a draft touches has a version; a save names the version it was based on, and a save based on
an older one is refused (Conflict) with the current state, so the second writer's text is not lost.
"""
from __future__ import annotations

import io
import time

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from sqlalchemy import and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from .. import yamledit
from ..errors import TactError
from ..store import Store
from ..store.schema import studio_comments as comments
from ..store.schema import studio_draft_files as draft_files
from ..store.schema import studio_draft_topics as draft_topics
from ..store.schema import studio_drafts as drafts
from .liveset import LiveSet, text_hash

EDITABLE = ("open", "sent_back")
STATUSES = ("open", "submitted", "sent_back", "approved", "published", "withdrawn")
MAX_TITLE = 200
MAX_COMMENT = 5000


class DraftError(TactError):
    """A draft operation that cannot be done: `status` says how the web layer answers (404, 409, 422)."""

    def __init__(self, message: str, status: int = 422, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.field = field


class Conflict(DraftError):
    """Someone saved this topic since the sender loaded it: `current` holds what is there now."""

    def __init__(self, message: str, current: dict | None = None):
        super().__init__(message, 409)
        self.current = current


def _now() -> int:
    return int(time.time())


# ------------------------------------------------------------------ drafts

def create(store: Store, live: LiveSet, title: str, author: str) -> dict:
    title = (title or "").strip() or "Untitled draft"
    if len(title) > MAX_TITLE:
        raise DraftError(f"a title has at most {MAX_TITLE} characters", field="title")
    now = _now()
    with store.begin() as connection:
        draft_id = connection.execute(insert(drafts).values(
            title=title, status="open", author=author, base_version=live.version(), created_at=now,
            updated_at=now).returning(drafts.c.id)).scalar_one()
    return get(store, draft_id)


def _row(connection, draft_id: int):
    row = connection.execute(select(drafts).where(drafts.c.id == draft_id)).first()
    if row is None:
        raise DraftError(f"no draft {draft_id}", 404)
    return row


def _summary(row, topics: list | None = None) -> dict:
    out = {"id": row.id, "title": row.title, "status": row.status, "author": row.author,
           "base_version": row.base_version, "created_at": row.created_at, "updated_at": row.updated_at}
    if topics is not None:
        out["topics"] = topics
    return out


def get(store: Store, draft_id: int) -> dict:
    with store.begin() as connection:
        row = _row(connection, draft_id)
        touched = connection.execute(select(draft_topics).where(draft_topics.c.draft_id == draft_id)
                                     .order_by(draft_topics.c.updated_at, draft_topics.c.id)).all()
    return _summary(row, [{"id": t.topic_id, "file": t.file, "version": t.version, "updated_by": t.updated_by,
                           "updated_at": t.updated_at} for t in touched])


def listing(store: Store, status: str | None = None) -> list[dict]:
    query = select(drafts).order_by(drafts.c.updated_at.desc(), drafts.c.id.desc())
    if status:
        query = query.where(drafts.c.status == status)
    with store.begin() as connection:
        return [_summary(r) for r in connection.execute(query)]


def files(store: Store, draft_id: int) -> dict[str, dict]:
    """The draft's changed files: name -> {text, base_hash}."""
    with store.begin() as connection:
        _row(connection, draft_id)
        rows = connection.execute(select(draft_files).where(draft_files.c.draft_id == draft_id)
                                  .order_by(draft_files.c.name)).all()
    return {r.name: {"text": r.text, "base_hash": r.base_hash} for r in rows}


def texts(store: Store, live: LiveSet, draft_id: int) -> dict[str, str]:
    """Every file of the set as the draft has it (its own text where changed, the live text elsewhere)."""
    current = live.read()
    current.update({name: f["text"] for name, f in files(store, draft_id).items()})
    return current


def _lock(connection, draft_id: int, editable: bool = False):
    """Take the draft's row lock first (SQLite's write lock, PostgreSQL's row lock): edits of a draft queue."""
    connection.execute(update(drafts).where(drafts.c.id == draft_id).values(updated_at=_now()))
    row = _row(connection, draft_id)
    if editable and row.status not in EDITABLE:
        raise DraftError(f"draft {draft_id} is {row.status.replace('_', ' ')}; only an open or sent-back "
                         "draft can be edited", 409)
    return row


# ------------------------------------------------------------------ topics

def topic_rows(all_texts: dict[str, str]) -> list[dict]:
    """Every topic's id, title, decision and file, for each file that parses (broken files are skipped)."""
    rows, seen = [], set()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for name, text in all_texts.items():
        try:
            data = yaml.load(text, Loader=loader)
        except yaml.YAMLError:
            continue
        for topic in (data.get("topics") or []) if isinstance(data, dict) else []:
            if isinstance(topic, dict) and isinstance(topic.get("id"), str) and topic["id"] not in seen:
                seen.add(topic["id"])
                rows.append({"id": topic["id"], "title": topic.get("title"), "decision": topic.get("decision"),
                             "file": name})
    return rows


def topic_index(all_texts: dict[str, str]) -> dict[str, str]:
    """topic id -> file name."""
    return {row["id"]: row["file"] for row in topic_rows(all_texts)}


def _ruamel() -> YAML:
    return yamledit._yaml()


def topic_yaml(text: str, file: str, topic_id: str) -> str:
    """One topic as YAML, with the comments inside it."""
    doc = yamledit._load(text, file)
    at = yamledit._index(doc, topic_id)
    if at is None:
        raise DraftError(f"{file}: no topic with id {topic_id!r}", 404)
    return dump_yaml(doc["topics"][at])


def dump_yaml(topic: object) -> str:
    out = io.StringIO()
    _ruamel().dump(topic, out)
    return out.getvalue()


def parse_topic_yaml(text: str) -> object:
    """A topic written as raw YAML (a mapping), or DraftError naming line:col."""
    try:
        node = _ruamel().load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise DraftError(f"{where}the YAML does not parse ({getattr(exc, 'problem', None) or 'syntax error'})",
                         field="yaml") from None
    if not isinstance(node, dict):
        raise DraftError("a topic is a mapping with 'id', 'purpose', 'phrasings', ...", field="yaml")
    return node


def read_topic(store: Store, live: LiveSet, draft_id: int, topic_id: str) -> dict:
    all_texts = texts(store, live, draft_id)
    name = topic_index(all_texts).get(topic_id)
    if name is None:
        raise DraftError(f"no topic with id {topic_id!r} in this draft", 404)
    text = all_texts[name]
    topic = next(t for t in yamledit.topics(text, name) if t.get("id") == topic_id)
    return {"id": topic_id, "file": name, "version": _version(store, draft_id, topic_id), "topic": topic,
            "yaml": topic_yaml(text, name, topic_id)}


def _version(store: Store, draft_id: int, topic_id: str) -> int:
    with store.begin() as connection:
        return connection.execute(select(draft_topics.c.version).where(
            draft_topics.c.draft_id == draft_id, draft_topics.c.topic_id == topic_id)).scalar() or 0


def _checked_topic(topic: object, topic_id: str | None) -> object:
    if not isinstance(topic, dict):
        raise DraftError("'topic' must be a mapping", field="topic")
    new_id = topic.get("id")
    if not isinstance(new_id, str) or not new_id.strip():
        raise DraftError("a topic needs an 'id' (text)", field="topic.id")
    if topic_id is not None and new_id != topic_id:
        raise DraftError("to rename a topic, add a copy under the new id and remove the old one",
                         field="topic.id")
    return topic


def save_topic(store: Store, live: LiveSet, draft_id: int, topic_id: str, version: int, topic: object,
               user: str) -> dict:
    """Replace a topic in the draft if nobody saved it since `version`; returns the new state."""
    _checked_topic(topic, topic_id)
    _change_topic(store, live, draft_id, topic_id, version, user,
                  lambda text, name: yamledit.replace_topic(text, name, topic_id, topic))
    return read_topic(store, live, draft_id, topic_id)


def remove_topic(store: Store, live: LiveSet, draft_id: int, topic_id: str, version: int, user: str) -> dict:
    """Take a topic out of the draft (optimistically locked like a save); returns the draft."""
    _change_topic(store, live, draft_id, topic_id, version, user,
                  lambda text, name: yamledit.remove_topic(text, name, topic_id))
    return get(store, draft_id)


def _change_topic(store: Store, live: LiveSet, draft_id: int, topic_id: str, version: int, user: str,
                  edit) -> None:
    """Apply `edit(text, file) -> text` to the file holding a topic, if its version is still `version`."""
    try:
        with store.begin() as connection:
            _lock(connection, draft_id, editable=True)
            current = connection.execute(select(draft_topics.c.version).where(
                draft_topics.c.draft_id == draft_id, draft_topics.c.topic_id == topic_id)).scalar() or 0
            if current != version:
                raise Conflict(f"someone saved topic {topic_id!r} since you opened it (you edited version "
                               f"{version}; it is now version {current}); your text is kept below to merge")
            name, text, base = _file_for(connection, live, draft_id, topic_id)
            try:
                new_text = edit(text, name)
            except yamledit.EditError as exc:
                raise DraftError(exc.message) from None
            _store_file(connection, draft_id, name, new_text, base)
            _bump(connection, draft_id, topic_id, name, version, user)
    except IntegrityError:
        raise Conflict(f"someone saved topic {topic_id!r} at the same moment; your text is kept below") from None
    except Conflict as exc:
        try:
            exc.current = read_topic(store, live, draft_id, topic_id)
        except DraftError:
            exc.current = None        # removed by the other writer
        raise


def add_topic(store: Store, live: LiveSet, draft_id: int, file: str, topic: object, user: str) -> dict:
    """A new topic in `file` (from a template or a copy of another)."""
    topic = _checked_topic(topic, None)
    topic_id = topic["id"]
    with store.begin() as connection:
        _lock(connection, draft_id, editable=True)
        all_texts = {**live.read(), **{r.name: r.text for r in connection.execute(
            select(draft_files).where(draft_files.c.draft_id == draft_id))}}
        if file not in all_texts:
            raise DraftError(f"no phrasebook file {file!r}", field="file")
        if topic_id in topic_index(all_texts):
            raise DraftError(f"a topic with id {topic_id!r} already exists", 409, field="topic.id")
        text, base = _file_text(connection, live, draft_id, file)
        try:
            new_text = yamledit.add_topic(text, file, topic)
        except yamledit.EditError as exc:
            raise DraftError(exc.message) from None
        _store_file(connection, draft_id, file, new_text, base)
        _bump(connection, draft_id, topic_id, file, 0, user)
    return read_topic(store, live, draft_id, topic_id)


def _file_text(connection, live: LiveSet, draft_id: int, name: str) -> tuple[str, str | None]:
    """The draft's text of a file and, if the draft has not changed it yet, the live text's hash."""
    row = connection.execute(select(draft_files.c.text).where(
        draft_files.c.draft_id == draft_id, draft_files.c.name == name)).first()
    if row is not None:
        return row.text, None
    text = live.read()[name]
    return text, text_hash(text)


def _file_for(connection, live: LiveSet, draft_id: int, topic_id: str) -> tuple[str, str, str | None]:
    own = {r.name: r.text for r in connection.execute(select(draft_files).where(draft_files.c.draft_id == draft_id))}
    name = topic_index({**live.read(), **own}).get(topic_id)
    if name is None:
        raise DraftError(f"no topic with id {topic_id!r} in this draft", 404)
    text, base = _file_text(connection, live, draft_id, name)
    return name, text, base


def _store_file(connection, draft_id: int, name: str, text: str, base_hash: str | None) -> None:
    if base_hash is None:
        connection.execute(update(draft_files).where(draft_files.c.draft_id == draft_id, draft_files.c.name == name)
                           .values(text=text))
    else:
        connection.execute(insert(draft_files).values(draft_id=draft_id, name=name, text=text, base_hash=base_hash))


def _bump(connection, draft_id: int, topic_id: str, file: str, version: int, user: str) -> None:
    values = {"version": version + 1, "updated_by": user, "updated_at": _now(), "file": file}
    if version == 0:
        connection.execute(insert(draft_topics).values(draft_id=draft_id, topic_id=topic_id, **values))
        return
    done = connection.execute(update(draft_topics).where(and_(
        draft_topics.c.draft_id == draft_id, draft_topics.c.topic_id == topic_id,
        draft_topics.c.version == version)).values(**values)).rowcount
    if not done:
        raise Conflict(f"someone saved topic {topic_id!r} at the same moment")


# ------------------------------------------------------------------ review

def comment(store: Store, draft_id: int, author: str, body: str, kind: str = "comment",
            topic_id: str | None = None) -> dict:
    body = _comment_body(body, "a comment needs some text" if kind == "comment" else None)
    with store.begin() as connection:
        _row(connection, draft_id)
        return _add_comment(connection, draft_id, author, kind, body, topic_id)


def _comment_body(body: str | None, needed: str | None) -> str:
    """A comment's text trimmed; `needed` is the error when it may not be empty."""
    body = (body or "").strip()
    if needed and not body:
        raise DraftError(needed, field="body")
    if len(body) > MAX_COMMENT:
        raise DraftError(f"a comment has at most {MAX_COMMENT} characters", field="body")
    return body


def _add_comment(connection, draft_id, author, kind, body, topic_id=None) -> dict:
    at = _now()
    cid = connection.execute(insert(comments).values(draft_id=draft_id, author=author, kind=kind, topic_id=topic_id,
                                                     body=body, at=at).returning(comments.c.id)).scalar_one()
    return {"id": cid, "author": author, "kind": kind, "topic": topic_id, "body": body, "at": at}


def comments_of(store: Store, draft_id: int) -> list[dict]:
    with store.begin() as connection:
        rows = connection.execute(select(comments).where(comments.c.draft_id == draft_id)
                                  .order_by(comments.c.at, comments.c.id)).all()
    return [{"id": r.id, "author": r.author, "kind": r.kind, "topic": r.topic_id, "body": r.body, "at": r.at}
            for r in rows]


# Which status each step needs, and what it leads to.
STEPS = {
    "submit": (("open", "sent_back"), "submitted"),
    "approve": (("submitted",), "approved"),
    "send_back": (("submitted", "approved"), "sent_back"),
    "withdraw": (("open", "sent_back", "submitted"), "withdrawn"),
}


def step(store: Store, draft_id: int, action: str, user, body: str = "") -> dict:
    """Move a draft on (submit, approve, send back, withdraw), with the comment that goes with it."""
    allowed, to = STEPS[action]
    needed = "say what needs changing when sending a draft back" if action == "send_back" else None
    body = _comment_body(body, needed)
    with store.begin() as connection:
        row = _lock(connection, draft_id)
        if row.status not in allowed:
            raise DraftError(f"draft {draft_id} is {row.status.replace('_', ' ')}; it cannot be "
                             f"{_done(action)} now", 409)
        if action == "approve" and row.author == user.name:
            raise DraftError("a draft is approved by someone other than its author", 403)
        if action == "withdraw" and row.author != user.name and not user.can("reviewer"):
            raise DraftError("only its author or a reviewer withdraws a draft", 403)
        if action == "submit" and not connection.execute(select(draft_files.c.id).where(
                draft_files.c.draft_id == draft_id)).first():
            raise DraftError("this draft changes nothing yet", 409)
        connection.execute(update(drafts).where(drafts.c.id == draft_id).values(status=to))
        _add_comment(connection, draft_id, user.name, action, body)
    return get(store, draft_id)


def _done(action: str) -> str:
    return {"submit": "submitted", "approve": "approved", "send_back": "sent back", "withdraw": "withdrawn"}[action]


def mark_published(connection, draft_id: int, user: str, why: str) -> None:
    connection.execute(update(drafts).where(drafts.c.id == draft_id).values(status="published", updated_at=_now()))
    _add_comment(connection, draft_id, user, "publish", why)
