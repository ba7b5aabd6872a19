"""Validate a whole phrasebook set as it would be after a change: lint and every phrasebook test, on a copy.

The live files are never touched: the set is copied to a temporary folder, the changed files are written
there, and problems are reported against the writers' file names as file:line:col.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..casetest import run_cases
from ..errors import PhrasebookError
from ..lint import lint_paths
from .liveset import LiveSet


def _problem(problem, name: str) -> dict:
    return {**problem.to_dict(), "file": name, "where": f"{name}:{problem.line}:{problem.col}"}


def validate(live: LiveSet, changes: dict[str, str]) -> dict:
    """Lint and test results for the live set with `changes` (file name -> full text) applied."""
    with tempfile.TemporaryDirectory(prefix="tact-validate-") as scratch:
        roots, names = [], {}
        for i, root in enumerate(live.roots):
            target = Path(scratch) / str(i)
            if root.is_dir():
                shutil.copytree(root, target, ignore=shutil.ignore_patterns(".*"))
                roots.append(target)
            else:
                target.mkdir()
                shutil.copy2(root, target / root.name)
                roots.append(target / root.name)
        for name, path in live.files().items():
            index = next(i for i, root in enumerate(live.roots) if path == root or root in path.parents)
            copy = Path(scratch) / str(index) / path.relative_to(live.roots[index] if live.roots[index].is_dir()
                                                                 else path.parent)
            names[str(copy.resolve())] = name
            if name in changes:
                copy.write_text(changes[name], encoding="utf-8")

        def named(file: str) -> str:
            return names.get(str(Path(file).resolve()), Path(file).name)

        problems = [_problem(p, named(p.file)) for p in lint_paths([str(r) for r in roots])]
        failures, passed = [], 0
        if not any(p["severity"] == "error" for p in problems):
            from ..engine import Engine
            try:
                engine = Engine([str(r) for r in roots])
            except PhrasebookError as exc:
                problems += [_problem(p, named(p.file)) for p in exc.problems if p.severity == "error"]
            else:
                for outcome in run_cases(engine):
                    if outcome.passed:
                        passed += 1
                        continue
                    file, _, line = outcome.where.rpartition(":")
                    failures.append({"topic": outcome.topic, "name": outcome.name,
                                     "where": f"{named(file)}:{line}", "problems": outcome.problems})
    errors = sum(p["severity"] == "error" for p in problems)
    return {"ok": not errors and not failures, "errors": errors,
            "warnings": len(problems) - errors, "problems": problems,
            "tests": {"passed": passed, "failed": len(failures), "failures": failures,
                      "ran": not errors}}
