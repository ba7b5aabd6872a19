"""Lint: every phrasebook problem, including what only shows once a template is rendered.

Each phrasing is rendered with its topic's example values and held to what
the engine promises: no revealing frame, a question where it asks, short when
spoken, tones that differ, no sensitive value or label.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from . import render
from .errors import Problem, TemplateError
from .model import LEVELS, SENSITIVE_CATEGORIES
from .phrasebook import Phrasebook, Phrasing, Topic, collect, default_dir

MAX_SPOKEN_WORDS = 25
EXAMPLE_CONTEXT = {"channel": "phone", "industry": None, "reason": "general_enquiry", "stage": "wrap_up",
                   "issue_resolved": True, "receptiveness": "medium", "do_not_market": False,
                   "relationship": "returning", "locale": "en", "spoken": True, "bystanders": False}


def example_vars(topic: Topic, level: str = "medium", channel_spoken: bool = True) -> dict:
    """The values a topic's templates are previewed and linted with."""
    example = dict(topic.example)
    key = example.pop("key", topic.keys[0] if topic.keys else f"example.{(topic.categories or ('item',))[0]}")
    label = example.pop("label", topic.label or key.split(".")[-1].replace("_", " "))
    context = {**EXAMPLE_CONTEXT, **example.pop("context", {}), "spoken": channel_spoken,
               "receptiveness": level}
    return {"key": key, "value": example.pop("value", "example"), "label": label,
            "category": topic.category or (topic.categories[0] if topic.categories else None),
            "provenance": example.pop("provenance", "account_record"), "context": context,
            "vars": dict(topic.vars), "receptiveness": level, "consent": None, **topic.vars, **example}


def _problem(topic: Topic, phrasing: Phrasing, message: str, rule: str, severity: str = "error",
             lines: dict | None = None) -> Problem:
    source = (lines or {}).get(topic.file, [])
    src = source[phrasing.line - 1] if 0 < phrasing.line <= len(source) else None
    return Problem(topic.file, phrasing.line, phrasing.col or 1, severity, f"{phrasing.id}: {message}", rule, src)


def lint_topic(topic: Topic, checker, lines: dict | None = None) -> list[Problem]:
    problems: list[Problem] = []
    sensitive = (topic.category in SENSITIVE_CATEGORIES) or any(c in SENSITIVE_CATEGORIES for c in topic.categories)
    rendered: dict[str, list[str]] = {}
    for group in (topic.phrasings, topic.bystander):
        for level in LEVELS:
            for phrasing in group.get(level, ()):
                variants = [("spoken", phrasing.spoken or phrasing.text, True),
                            ("written", phrasing.written or phrasing.text, False)]
                seen = set()
                for mode, source, spoken in variants:
                    if source in seen and mode == "written" and phrasing.written is None:
                        continue
                    seen.add(source)
                    variables = example_vars(topic, level, spoken)
                    try:
                        text = render.render(source, variables)
                    except TemplateError as exc:
                        problems.append(_problem(topic, phrasing, exc.message, "template-render", lines=lines))
                        continue
                    if group is topic.phrasings and mode == "spoken":
                        rendered.setdefault(level, []).append(text)
                    problems.extend(_judge(topic, phrasing, text, spoken, sensitive, variables, checker, lines))
    for low, high in (("low", "medium"), ("medium", "high"), ("low", "high")):
        same = set(rendered.get(low, ())) & set(rendered.get(high, ()))
        if same:
            phrasing = topic.phrasings[high][0]
            problems.append(_problem(topic, phrasing, f"'{high}' repeats a '{low}' phrasing word for word; "
                                     "tones should read differently", "tones-differ", lines=lines))
    for extra, name in ((topic.action, "action"), (topic.confirm, "confirm"), (topic.honest_answer, "honest_answer")):
        if extra:
            try:
                text = render.render(extra, example_vars(topic))
            except TemplateError as exc:
                problems.append(Problem(topic.file, topic.line, 1, "error", f"{topic.id}: {name}: {exc.message}",
                                        "template-render"))
                continue
            if name == "confirm" and checker.is_revealing(text, None, topic.disable_checks):
                problems.append(Problem(topic.file, topic.line, 1, "error",
                                        f"{topic.id}: confirm line reveals data: {text!r}", "revealing"))
    conditions = [("match", topic.match, topic.line)] + [(f"rule {r.id}", r.when, r.line) for r in topic.rules]
    for name, source, line in conditions:
        if source:
            try:
                render.evaluate(source, example_vars(topic))
            except TemplateError as exc:
                problems.append(Problem(topic.file, line, 1, "error", f"{topic.id}: {name}: {exc.message}",
                                        "condition-render"))
    for i, line in enumerate(topic.avoid):
        if not checker.is_revealing(line, None, ()):
            problems.append(Problem(topic.file, topic.line, 1, "warning",
                                    f"{topic.id}: avoid example {line!r} is not flagged by the check; "
                                    "the check may be missing this kind of wording", "avoid-unflagged"))
    return problems


def _judge(topic: Topic, phrasing: Phrasing, text: str, spoken: bool, sensitive: bool, variables: dict,
           checker, lines) -> list[Problem]:
    found = []
    if not text:
        return [_problem(topic, phrasing, "renders to nothing with the example values", "empty", lines=lines)]
    result = checker.check(text, None, topic.disable_checks)
    if result.revealing:
        what = "; ".join(f"{f['match']!r} ({f['rule']})" for f in result.findings if f["severity"] == "error")
        found.append(_problem(topic, phrasing, f"reveals data: {what}", "revealing", lines=lines))
    words = len(re.findall(r"[\w'’-]+", text))
    if spoken and words > MAX_SPOKEN_WORDS:
        found.append(_problem(topic, phrasing, f"{words} words when spoken; keep it to {MAX_SPOKEN_WORDS} or fewer",
                              "sound-like-a-person", lines=lines))
    if topic.decision == "ask" and phrasing.level != "low" and "?" not in text:
        found.append(_problem(topic, phrasing, "the topic asks, but this phrasing is not a question",
                              "ask-dont-tell", lines=lines))
    if text.count("?") > 1:
        found.append(_problem(topic, phrasing, "more than one question; ask one at a time",
                              "one-question", severity="warning", lines=lines))
    if sensitive:
        for item in (variables.get("label"), variables.get("value")):
            if isinstance(item, str) and len(item) > 2 and item.lower() in text.lower():
                found.append(_problem(topic, phrasing, f"names the sensitive data ({item!r})", "sensitive-data",
                                      lines=lines))
    return found


def lint_book(book: Phrasebook, checker) -> list[Problem]:
    lines: dict[str, list[str]] = {}
    for file in book.files:
        try:
            with open(file, encoding="utf-8") as handle:
                lines[file] = handle.read().splitlines()
        except (OSError, UnicodeDecodeError):
            lines[file] = []
    problems = []
    for topic in book.topics.values():
        problems.extend(lint_topic(topic, checker, lines))
    return problems


def lint_checks(paths: Iterable[str] | None = None) -> tuple[list[Problem], object]:
    """Problems in the check-rule files, including examples that do not behave, and the checker they make."""
    from .check import Checker
    from .checkrules import collect_rules
    rules, problems = collect_rules(paths)
    checker = Checker(rules)
    for rule in rules:
        for want, texts in ((True, rule.examples.get("flag", ())), (False, rule.examples.get("pass", ()))):
            for text in texts:
                if any(h.rule == rule.id for h in checker.hits(text)) != want:
                    what = "should flag but passes" if want else "should pass but is flagged"
                    problems.append(Problem(rule.file, rule.line, 1, "error",
                                            f"rule {rule.id}: example {what}: {text!r}", "check-example"))
    return problems, checker


def lint_set(paths: Iterable[str] | None = None) -> tuple[Phrasebook, list[Problem]]:
    """The phrasebooks at paths (the bundled set by default) as read, and every problem in them and their check rules.

    A folder's `checks/` sub-folder holds its check rules; without one, the bundled rules judge the phrasings.
    """
    folders = [Path(p) for p in paths] if paths else [default_dir()]
    check_dirs = [str(f / "checks") for f in folders if (f / "checks").is_dir()]
    book, problems = collect(paths)
    problems = list(problems)
    if check_dirs:
        found, checker = lint_checks(check_dirs)
        problems += found
    else:
        from .check import default_checker
        checker = default_checker()
    problems += lint_book(book, checker)
    return book, sorted(problems, key=lambda p: (p.file, p.line, p.col, p.message))


def lint_paths(paths: Iterable[str] | None = None) -> list[Problem]:
    """Every problem in the phrasebooks at paths and their check rules, by place."""
    return lint_set(paths)[1]
