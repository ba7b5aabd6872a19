"""Preview and lint one topic as a writer edits it: every phrasing rendered across receptiveness x channel
with the topic's example values, and every problem placed on the field it belongs to."""
from __future__ import annotations

import re

import yaml

from .. import render
from ..errors import TemplateError
from ..lint import example_vars, lint_topic
from ..model import LEVELS
from ..phrasebook import parse_file
from ..yamlsource import YamlProblem, read_yaml

MODES = (("spoken", True), ("written", False))


def _field_of(marks: dict, line: int, col: int) -> str | None:
    """The deepest field of the topic that starts on `line` (the column breaks ties)."""
    best = None
    for path, (l, c) in marks.items():
        if l != line or len(path) < 2 or path[:2] != ("topics", 0):
            continue
        score = (len(path), -abs(c - col))
        if best is None or score > best[0]:
            best = (score, path)
    return ".".join(map(str, best[1][2:])) if best else None


def examine(topic: dict, file: str = "draft.yaml", checker=None) -> dict:
    """Problems (with the field each belongs to) and rendered variants of a topic given as plain data."""
    if checker is None:
        from ..check import default_checker
        checker = default_checker()
    text = yaml.safe_dump({"topics": [topic]}, sort_keys=False, allow_unicode=True, width=4096)
    parsed, problems = parse_file(text, file)
    lines = {file: text.splitlines()}
    topics = parsed.get("topics", [])
    found = topics[0] if topics else None
    if found is not None:
        problems = list(problems) + lint_topic(found, checker, lines)
    try:
        marks = read_yaml(text, file).marks
    except YamlProblem:
        marks = {}
    out = [{"severity": p.severity, "message": p.message, "rule": p.rule,
            "field": _field_of(marks, p.line, p.col)} for p in problems
           if p.rule != "generic-coverage"]
    return {"problems": sorted(out, key=lambda p: (p["severity"] != "error", p["field"] or "")),
            "variants": variants(found, checker) if found else [],
            "extras": extras(found) if found else []}


def variants(topic, checker) -> list[dict]:
    rows = []
    for group_name, group in (("phrasings", topic.phrasings), ("bystander", topic.bystander)):
        for level in LEVELS:
            for i, phrasing in enumerate(group.get(level, ())):
                cells = {}
                for mode, spoken in MODES:
                    try:
                        text = render.render(phrasing.source_for(spoken), example_vars(topic, level, spoken))
                    except TemplateError as exc:
                        cells[mode] = {"text": None, "error": exc.message, "findings": []}
                        continue
                    found = checker.check(text, None, topic.disable_checks).findings if text else []
                    cells[mode] = {"text": text, "error": None if text else "renders to nothing",
                                   "findings": [f for f in found if f["severity"] == "error"],
                                   "words": len(re.findall(r"[\w'’-]+", text))}
                rows.append({"group": group_name, "level": level, "index": i, "tone": phrasing.tone,
                             "field": f"{group_name}.{level}.{i}", **cells})
    return rows


def extras(topic) -> list[dict]:
    out = []
    for name, source in (("action", topic.action), ("confirm", topic.confirm),
                         ("honest_answer", topic.honest_answer)):
        if source:
            try:
                out.append({"field": name, "text": render.render(source, example_vars(topic)), "error": None})
            except TemplateError as exc:
                out.append({"field": name, "text": None, "error": exc.message})
    return out
