"""Validate a whole phrasebook set as it would be after a change, on a copy, with the one gate every live
set passes (tact.validate: lint, then the phrasebooks' own test cases).

The live files are never touched: the set is copied to a temporary folder, the changed files are written
there, and problems are reported against the writers' file names as file:line:col.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..validate import validate as validate_set
from .liveset import LiveSet


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
            i = next(i for i, root in enumerate(live.roots) if path == root or root in path.parents)
            copy = roots[i] / path.relative_to(live.roots[i]) if live.roots[i].is_dir() else roots[i]
            names[str(copy.resolve())] = name
            if name in changes:
                copy.write_text(changes[name], encoding="utf-8")
        result = validate_set([str(r) for r in roots])

    def where(file: str, line: int, col: int | None = None) -> tuple[str, str]:
        name = names.get(str(Path(file).resolve()), Path(file).name)
        return name, f"{name}:{line}" + (f":{col}" if col else "")

    problems = []
    for p in result.lint:
        name, at = where(p.file, p.line, p.col)
        problems.append({**p.to_dict(), "file": name, "where": at})
    failures = []
    for outcome in result.outcomes:
        if not outcome.passed:
            file, _, line = outcome.where.rpartition(":")
            failures.append({"topic": outcome.topic, "name": outcome.name, "where": where(file, line)[1],
                             "problems": outcome.problems})
    errors = sum(p["severity"] == "error" for p in problems)
    return {"ok": result.ok, "version": result.book.version, "errors": errors,
            "warnings": len(problems) - errors, "problems": problems,
            "tests": {"passed": sum(o.passed for o in result.outcomes), "failed": len(failures),
                      "failures": failures, "ran": True}}
