"""Validating a phrasebook set before it goes live: lint, then the phrasebooks' own test cases.

The one gate every live set passes: `tact serve` at start-up and on each
reload (SIGHUP), and the studio's "would these files validate" line ask the
same question of the same files.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable

from .errors import Problem
from .phrasebook import Phrasebook


@dataclass(frozen=True)
class Validated:
    """A set as read from disk, its lint problems, and the outcomes of its test cases."""

    book: Phrasebook
    lint: tuple[Problem, ...]
    outcomes: tuple = ()                 # casetest.Outcome, in file order
    failures: tuple[Problem, ...] = ()   # each failing case as an error at its place

    @property
    def problems(self) -> list[Problem]:
        return [*self.lint, *self.failures]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(paths: Iterable[str | os.PathLike] | None = None) -> Validated:
    """Read the set at paths (the bundled set by default), lint it and run its test cases."""
    from .casetest import run_case
    from .engine import Engine
    from .lint import lint_set
    from .phrasebook import PhrasebookStore

    book, lint = lint_set([str(p) for p in paths] if paths else None)
    engine = Engine(store=PhrasebookStore(book=book))
    outcomes, failures = [], []
    for topic in book.topics.values():
        for case in topic.tests:
            outcome = run_case(engine, topic, case)
            outcomes.append(outcome)
            if not outcome.passed:
                # What failed (decision, says ...), never the texts compared.
                failed = ", ".join(dict.fromkeys(p.split(":", 1)[0] for p in outcome.problems))
                failures.append(Problem(topic.file, case.line, case.col or 1, "error",
                                        f"{topic.id}: test case '{case.name}' fails ({failed})", "phrasebook-test"))
    return Validated(book, tuple(lint), tuple(outcomes), tuple(failures))
