"""The studio at `/studio`: browse phrasebooks, preview every phrasing, lint, run the phrasebooks' tests.

Preview only: it reads, lints and tests the files on disk on every visit and
says whether they differ from the set in service and would validate; it never
changes what is served (only a validated reload does, see tact.serve).
"""
from __future__ import annotations

import re
from collections import OrderedDict

from flask import Blueprint, abort, current_app, render_template

from .. import render
from ..errors import TemplateError
from ..lint import example_vars
from ..model import LEVELS
from ..validate import validate
from . import get_engine

bp = Blueprint("studio", __name__, url_prefix="/studio")
MODES = (("spoken", True), ("written", False))


def _paths():
    paths = current_app.config.get("PHRASEBOOKS")
    if paths is None:
        return None
    return [str(paths)] if isinstance(paths, (str,)) else [str(p) for p in paths]


def marked(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """Text cut into (piece, highlighted) parts; the template escapes each piece."""
    parts: list[tuple[str, bool]] = []
    at = 0
    for start, end in sorted(spans):
        start, end = max(start, at), min(end, len(text))
        if start >= end:
            continue
        if start > at:
            parts.append((text[at:start], False))
        parts.append((text[start:end], True))
        at = end
    if at < len(text):
        parts.append((text[at:], False))
    return parts


def problem_view(problem) -> dict:
    """A lint problem with its source line cut so the offending text can be highlighted."""
    line = problem.source_line or ""
    spans = []
    for quoted in re.findall(r"'([^']{2,})'", problem.message):
        at = line.lower().find(quoted.lower())
        if at >= 0:
            spans.append((at, at + len(quoted)))
    if not spans and line.strip():
        start = max(0, min(problem.col - 1, len(line) - 1))
        spans.append((start, len(line.rstrip())))
    return {**problem.to_dict(), "where": f"{problem.file}:{problem.line}:{problem.col}",
            "parts": marked(line, spans) if line else []}


def _lint_by_file(problems) -> "OrderedDict[str, list[dict]]":
    grouped: OrderedDict[str, list[dict]] = OrderedDict()
    for problem in problems:
        grouped.setdefault(problem.file, []).append(problem_view(problem))
    return grouped


def _outcomes_by_topic(outcomes) -> "OrderedDict[str, list]":
    grouped: OrderedDict[str, list] = OrderedDict()
    for outcome in outcomes:
        grouped.setdefault(outcome.topic, []).append(outcome)
    return grouped


def _preview(engine, topic, source: str, level: str, spoken: bool) -> dict:
    try:
        text = render.render(source, example_vars(topic, level, spoken))
    except TemplateError as exc:
        return {"error": exc.message, "parts": [], "findings": []}
    result = engine.check({"text": text, "disable": list(topic.disable_checks)}) if text else {"findings": []}
    spans = [(f["start"], f["end"]) for f in result["findings"]]
    return {"error": None if text else "renders to nothing", "parts": marked(text, spans),
            "findings": result["findings"], "words": len(re.findall(r"[\w'’-]+", text))}


def topic_preview(engine, topic) -> list[dict]:
    """Every phrasing of a topic rendered with its example values, spoken and written, by level."""
    groups = []
    for name, group in (("Phrasings", topic.phrasings), ("Bystander phrasings (others can hear)", topic.bystander)):
        if not group:
            continue
        levels = []
        for level in LEVELS:
            rows = []
            for phrasing in group.get(level, ()):
                cells = {mode: _preview(engine, topic, phrasing.source_for(spoken), level, spoken)
                         for mode, spoken in MODES}
                rows.append({"phrasing": phrasing, "cells": cells})
            levels.append({"level": level, "rows": rows})
        groups.append({"name": name, "levels": levels})
    return groups


def _extras(topic) -> list[dict]:
    out = []
    for name, source in (("Action", topic.action), ("Confirmation", topic.confirm),
                         ("Honest answer", topic.honest_answer)):
        if source:
            try:
                out.append({"name": name, "text": render.render(source, example_vars(topic)), "error": None})
            except TemplateError as exc:
                out.append({"name": name, "text": "", "error": exc.message})
    return out


def disk_status(on_disk) -> dict:
    """The files on disk against the set in service: same version or not, and would they validate."""
    live, disk = get_engine().book.version, on_disk.book.version
    return {"live": live, "disk": disk, "same": live == disk, "valid": on_disk.ok,
            "errors": sum(p.severity == "error" for p in on_disk.lint), "failed": len(on_disk.failures)}


@bp.get("")
@bp.get("/")
def index():
    on_disk = validate(_paths())
    book, problems, outcomes = on_disk.book, on_disk.lint, on_disk.outcomes
    files = OrderedDict((f, []) for f in book.files)
    for topic in book.topics.values():
        files.setdefault(topic.file, []).append(topic)
    return render_template("studio.html", files=files, lint=_lint_by_file(problems),
                           outcomes=_outcomes_by_topic(outcomes), status=disk_status(on_disk),
                           counts={"errors": sum(p.severity == "error" for p in problems),
                                   "warnings": sum(p.severity != "error" for p in problems),
                                   "passed": sum(o.passed for o in outcomes),
                                   "failed": sum(not o.passed for o in outcomes)})


@bp.get("/topics/<path:topic_id>")
def topic(topic_id: str):
    on_disk = validate(_paths())
    found = on_disk.book.topics.get(topic_id)
    if found is None:
        abort(404, description=f"No topic with id '{topic_id}'.")
    prefix = (found.id + "/", found.id + ":")
    problems = [problem_view(p) for p in on_disk.lint if p.file == found.file and p.message.startswith(prefix)]
    outcomes = [o for o in on_disk.outcomes if o.topic == found.id]
    return render_template("studio_topic.html", topic=found, groups=topic_preview(get_engine(), found),
                           extras=_extras(found), problems=problems, outcomes=outcomes,
                           example=example_vars(found), status=disk_status(on_disk))
