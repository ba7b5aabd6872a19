"""Lint rules as data: phrasebooks/lint/*.yaml, wording a phrasebook line must not use.

Unlike the check's rules, these never guard what the engine says at run time:
they hold script writers to promises about a kind of line (a confirm line must
not claim work that is not done yet). Each rule carries examples that must flag
and must pass, run by `tact lint`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .bundled import bundled
from .errors import Problem
from .yamlsource import Collector, YamlProblem, kind_of, read_yaml

LINT_DIR = bundled("phrasebooks") / "lint"
APPLIES_TO = ("confirm", "phrasings", "bystander", "moments")
SEVERITIES = ("error", "warning")
RULE_KEYS = ("id", "severity", "message", "applies_to", "patterns", "skip_questions", "examples")
SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class LintRule:
    id: str
    severity: str
    message: str
    applies_to: tuple[str, ...]
    regex: re.Pattern
    file: str = ""
    line: int = 0
    examples: dict = field(default_factory=dict)
    skip_questions: bool = False

    def flags(self, text: str) -> bool:
        """Whether any sentence of text uses the wording (questions aside, when the rule says so)."""
        return any(self.regex.search(s) for s in SENTENCE.split(text.strip())
                   if not (self.skip_questions and s.rstrip().endswith("?")))


def _parse(text: str, file: str) -> tuple[list[LintRule], list[Problem]]:
    try:
        doc = read_yaml(text, file)
    except YamlProblem as exc:
        return [], [Problem(file, exc.line, exc.col, "error", exc.message, "yaml")]
    c = Collector(doc)
    c.rule = "lint-rule"
    if c.fields(doc.data, (), ("rules", "description"), what="mapping at the top of the file") is None:
        return [], c.problems
    raw = doc.data.get("rules", [])
    if not isinstance(raw, list):
        c.add(("rules",), f"'rules' must be a list; got {kind_of(raw)}")
        return [], c.problems
    rules = []
    for i, item in enumerate(raw):
        path = ("rules", i)
        missing = c.fields(item, path, RULE_KEYS, required=("id", "message", "applies_to", "patterns"), what="rule")
        if missing is None or missing:
            continue
        bad = False
        for name in ("id", "message"):
            if not isinstance(item[name], str) or not item[name].strip():
                c.add(path + (name,), f"'{name}' must be text; got {kind_of(item[name])}")
                bad = True
        severity = item.get("severity", "error")
        if severity not in SEVERITIES:
            c.add(path + ("severity",), f"'severity' must be one of {', '.join(SEVERITIES)}; got {severity!r}")
            bad = True
        applies = _texts(c, item["applies_to"], path + ("applies_to",))
        for j, name in enumerate(applies):
            if name not in APPLIES_TO:
                c.add(path + ("applies_to", j),
                      f"unknown kind of line '{name}'; expected one of {', '.join(APPLIES_TO)}")
                bad = True
        patterns = _texts(c, item["patterns"], path + ("patterns",))
        compiled = []
        for j, source in enumerate(patterns):
            try:
                compiled.append(re.compile(source, re.IGNORECASE))
            except re.error as exc:
                c.add(path + ("patterns", j), f"pattern does not compile: {exc}")
                bad = True
        skip = item.get("skip_questions", False)
        if not isinstance(skip, bool):
            c.add(path + ("skip_questions",), f"'skip_questions' must be true or false; got {kind_of(skip)}")
            bad = True
        examples = item.get("examples", {})
        if not isinstance(examples, dict) or set(examples) - {"flag", "pass"}:
            c.add(path + ("examples",), "'examples' must be a mapping with 'flag' and 'pass' lists")
            bad = True
        if bad or not patterns:
            continue
        regex = re.compile("|".join(f"(?:{p.pattern})" for p in compiled), re.IGNORECASE)
        rules.append(LintRule(item["id"], severity, item["message"], tuple(applies), regex, file,
                              doc.where(path)[0], {k: tuple(v) for k, v in examples.items() if isinstance(v, list)},
                              skip))
    return rules, c.problems


def _texts(c: Collector, value, path: tuple) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
        c.add(path, f"expected text or a list of text; got {kind_of(value)}")
        return []
    return items


def collect(folders: Iterable[Path] | None = None) -> tuple[list[LintRule], list[Problem]]:
    """Every lint rule under the folders (the bundled one by default), with its examples run."""
    rules: list[LintRule] = []
    problems: list[Problem] = []
    for folder in folders or [LINT_DIR]:
        for path in sorted(Path(folder).glob("*.yaml")):
            try:
                found, trouble = _parse(path.read_text(encoding="utf-8"), str(path))
            except (OSError, UnicodeDecodeError) as exc:
                found, trouble = [], [Problem(str(path), 1, 1, "error", f"cannot read: {exc}", "io")]
            rules += found
            problems += trouble
    for rule in rules:
        for want, texts in ((True, rule.examples.get("flag", ())), (False, rule.examples.get("pass", ()))):
            for text in texts:
                if rule.flags(text) != want:
                    what = "should flag but passes" if want else "should pass but is flagged"
                    problems.append(Problem(rule.file, rule.line, 1, "error",
                                            f"lint rule {rule.id}: example {what}: {text!r}", "lint-example"))
    return rules, problems
