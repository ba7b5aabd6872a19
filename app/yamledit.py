"""Round-trip edits of phrasebook files: change one topic, keep every comment and line nobody touched.

Script writers edit topics in the studio, but the files stay theirs: a publish must leave comments, key
order, quoting and layout as they were wherever the edit did not reach. ruamel.yaml keeps them; this
module merges an edited topic into the loaded document node by node, so unchanged parts keep their
original nodes (and with them their comments).
"""
from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import ScalarString

from .errors import TactError


class EditError(TactError):
    """An edit could not be applied (no such topic, a duplicate id, a file that is not a phrasebook)."""


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _load(text: str, file: str) -> CommentedMap:
    try:
        doc = _yaml().load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else file
        raise EditError(f"{where}: the file is not valid YAML; fix it in the raw editor first") from None
    if doc is None:
        doc = CommentedMap()
    if not isinstance(doc, CommentedMap):
        raise EditError(f"{file}: a phrasebook file is a mapping with 'topics'")
    if doc.get("topics") is None:
        doc["topics"] = CommentedSeq()
    if not isinstance(doc["topics"], CommentedSeq):
        raise EditError(f"{file}: 'topics' must be a list")
    return doc


def _dump(doc: CommentedMap) -> str:
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()


def _spans(text: str, doc: CommentedMap) -> list[tuple[int, int, int]]:
    """Each topic's lines in text, as (first line, line after its last, column of its content)."""
    seq, lines = doc["topics"], text.count("\n") + 1
    after = [line for key in doc if key != "topics" and (line := doc.lc.key(key)[0]) > doc.lc.key("topics")[0]]
    starts = [seq.lc.item(i) for i in range(len(seq))]
    ends = [line for line, _ in starts[1:]] + [min(after, default=lines)]
    return [(line, end, col) for (line, col), end in zip(starts, ends)]


def _field_chunks(lines: list[str], topic: Any, first: int) -> dict[str, list[str]] | None:
    """A topic's lines field by field (each from its key to the next), or None when they can't be told apart."""
    if not isinstance(topic, CommentedMap) or not topic:
        return None
    starts = [topic.lc.key(key)[0] - first for key in topic]
    if starts[0] != 0 or starts != sorted(starts):
        return None
    ends = starts[1:] + [len(lines)]
    return {str(key): lines[a:b] for key, a, b in zip(topic, starts, ends)}


def _keep_fields(old_lines: list[str], old: Any, old_first: int, new_lines: list[str], new: Any,
                 new_first: int) -> list[str]:
    old_chunks = _field_chunks(old_lines, old, old_first)
    new_chunks = _field_chunks(new_lines, new, new_first)
    if not old_chunks or not new_chunks or next(iter(old_chunks)) != next(iter(new_chunks)):
        return new_lines
    return [line for key, chunk in new_chunks.items()
            for line in (old_chunks[key] if key in old_chunks and plain(old[key]) == plain(new[key]) else chunk)]


def _splice(text: str, doc: CommentedMap, at: int, changed: str, new_at: int | None, removed: bool = False) -> str:
    """text with only topic `at`'s lines replaced by topic `new_at`'s lines in `changed`, the same file dumped
    afresh after an edit: ruamel re-flows what it dumps (a flow list wrapped over lines becomes one line), so
    every topic the edit did not touch keeps its bytes. `at` == len(topics) inserts after the last topic."""
    old_lines = text.splitlines(keepends=True)
    if old_lines and not old_lines[-1].endswith("\n"):
        old_lines[-1] += "\n"
    spans = _spans(text, doc)
    first, end, col = spans[at] if at < len(spans) else (spans[-1][1], spans[-1][1], spans[-1][2])
    new_part: list[str] = []
    if new_at is not None:
        new_doc = _load(changed, "")
        n_first, n_end, n_col = _spans(changed, new_doc)[new_at]
        shift = col - n_col
        for line in changed.splitlines(keepends=True)[n_first:n_end]:
            if shift > 0 and line.strip():
                line = " " * shift + line
            elif shift < 0 and line.strip():
                line = line[-shift:] if line[:-shift].isspace() else None
                if line is None:
                    return changed
            new_part.append(line)
        if at < len(spans):     # within the edited topic too, a field the edit left alone keeps its lines
            new_part = _keep_fields(old_lines[first:end], doc["topics"][at], first,
                                    new_part, new_doc["topics"][new_at], n_first)
    out = "".join(old_lines[:first] + new_part + old_lines[end:])
    try:
        same = plain(_yaml().load(out)) == plain(_yaml().load(changed))
    except YAMLError:
        same = False
    return out if same else changed


def _index(doc: CommentedMap, topic_id: str) -> int | None:
    for i, topic in enumerate(doc["topics"]):
        if isinstance(topic, dict) and topic.get("id") == topic_id:
            return i
    return None


def plain(node: Any) -> Any:
    """A loaded node as plain dicts, lists and scalars (for comparing and for JSON)."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def _merge(old: Any, new: Any) -> Any:
    """`new`, reusing `old`'s nodes wherever they hold the same thing (so their comments and style stay)."""
    if plain(old) == new:
        return old
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        for key in [k for k in old if k not in new]:
            del old[key]
        for key, value in new.items():
            old[key] = _merge(old[key], value) if key in old else value
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list) and len(old) == len(new):
        for i, value in enumerate(new):
            old[i] = _merge(old[i], value)
        return old
    if isinstance(old, ScalarString) and isinstance(new, str):
        return type(old)(new)   # the writer's quoting style stays
    return new


def topics(text: str, file: str) -> list[dict]:
    """Every topic in a file, as plain data."""
    return [plain(t) for t in _load(text, file)["topics"]]


def replace_topic(text: str, file: str, topic_id: str, topic: dict) -> str:
    """The file with topic `topic_id` replaced by `topic` (which may rename it), all else as it was."""
    doc = _load(text, file)
    at = _index(doc, topic_id)
    if at is None:
        raise EditError(f"{file}: no topic with id {topic_id!r}")
    new_id = topic.get("id")
    if new_id != topic_id and _index(doc, new_id) is not None:
        raise EditError(f"{file}: a topic with id {new_id!r} already exists")
    doc["topics"][at] = _merge(doc["topics"][at], topic)
    return _splice(text, _load(text, file), at, _dump(doc), at)


def add_topic(text: str, file: str, topic: dict) -> str:
    """The file with `topic` appended to its topics."""
    doc = _load(text, file)
    if _index(doc, topic.get("id")) is not None:
        raise EditError(f"{file}: a topic with id {topic.get('id')!r} already exists")
    doc["topics"].append(topic)
    changed = _dump(doc)
    at = len(doc["topics"]) - 1
    return _splice(text, _load(text, file), at, changed, at) if at else changed


def remove_topic(text: str, file: str, topic_id: str) -> str:
    doc = _load(text, file)
    at = _index(doc, topic_id)
    if at is None:
        raise EditError(f"{file}: no topic with id {topic_id!r}")
    del doc["topics"][at]
    return _splice(text, _load(text, file), at, _dump(doc), None)
