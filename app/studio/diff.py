"""A draft as a reviewer reads it: per topic, what each changed field said before and what it says now."""
from __future__ import annotations

import difflib
import io

from ruamel.yaml import YAML

from .. import yamledit

_LABELS = {"phrasings": "Phrasings", "bystander": "Bystander phrasings", "avoid": "Avoid", "rules": "Rules",
           "tests": "Tests", "honest_answer": "Honest answer", "match": "Condition", "action": "Action",
           "confirm": "Confirmation", "title": "Title", "message": "Message"}


def flatten(node, path: tuple = ()) -> dict[tuple, object]:
    """Leaves of a topic by path; a phrasing written as plain text reads as its 'text'."""
    if isinstance(node, dict):
        out: dict = {}
        for key, value in node.items():
            out.update(flatten(value, path + (key,)))
        return out
    if isinstance(node, list):
        out = {}
        for i, value in enumerate(node):
            if isinstance(value, str) and len(path) == 2 and path[0] in ("phrasings", "bystander"):
                value = {"text": value}
            out.update(flatten(value, path + (i,)))
        return out
    return {path: node}


def field_label(path: tuple) -> str:
    """('phrasings', 'medium', 0, 'text') -> 'Phrasings · medium · 1 · text'."""
    parts = [_LABELS.get(path[0], str(path[0]))] if path else []
    parts += [str(p + 1) if isinstance(p, int) else str(p) for p in path[1:]]
    return " · ".join(parts)


def _yaml_lines(topic: dict | None) -> list[str]:
    if topic is None:
        return []
    out = io.StringIO()
    YAML().dump(topic, out)
    return out.getvalue().splitlines()


def topic_changes(before: dict | None, after: dict | None) -> list[dict]:
    old, new = flatten(before or {}), flatten(after or {})
    changes = []
    for path in list(dict.fromkeys(list(old) + list(new))):
        a, b = old.get(path), new.get(path)
        if a != b:
            changes.append({"field": ".".join(map(str, path)), "label": field_label(path),
                            "before": a, "after": b})
    return changes


def draft_diff(live_texts: dict[str, str], draft_files: dict[str, dict]) -> list[dict]:
    """Every topic the draft adds, removes or changes, with field-level before/after and a YAML line diff."""
    out = []
    for name, f in sorted(draft_files.items()):
        before = {t.get("id"): t for t in _safe_topics(live_texts.get(name, ""), name)}
        after = {t.get("id"): t for t in _safe_topics(f["text"], name)}
        for topic_id in list(dict.fromkeys(list(before) + list(after))):
            a, b = before.get(topic_id), after.get(topic_id)
            if a == b:
                continue
            status = "added" if a is None else "removed" if b is None else "changed"
            out.append({"topic": topic_id, "file": name, "status": status,
                        "title": (b or a).get("title") if isinstance(b or a, dict) else None,
                        "changes": topic_changes(a, b),
                        "lines": list(difflib.unified_diff(_yaml_lines(a), _yaml_lines(b), "before", "after",
                                                           lineterm="", n=2))[2:]})
    return out


def _safe_topics(text: str, name: str) -> list[dict]:
    try:
        return [t for t in yamledit.topics(text, name) if isinstance(t, dict)]
    except yamledit.EditError:
        return []
