"""The check's misspellings as data: phrasebooks/checks/spelling/misspellings.yaml, validated strictly.

`fold` corrects them before any rule reads a text, so patterns are written in
plain spelling. A broken file is a PhrasebookError with file:line:col.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..bundled import bundled
from ..errors import PhrasebookError, Problem
from ..yamlsource import Collector, YamlProblem, kind_of, read_yaml

SPELLING_FILE = bundled("phrasebooks") / "checks" / "spelling" / "misspellings.yaml"
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


class _Collector(Collector):
    rule = "check-spelling"


def parse_spelling(text: str, file: str) -> tuple[dict[str, str], list[Problem]]:
    """Each misspelling and its correction, and every problem in the file."""
    try:
        doc = read_yaml(text, file)
    except YamlProblem as exc:
        return {}, [Problem(file, exc.line, exc.col, "error", exc.message, "yaml")]
    c = _Collector(doc)
    if c.fields(doc.data, (), ("misspellings", "description"), ("misspellings",),
                "mapping with 'misspellings' at the top of the file") != []:
        return {}, c.problems
    entries, correct = doc.data["misspellings"], {}
    if not isinstance(entries, dict) or not entries:
        c.add(("misspellings",), f"'misspellings' must map a word to its misspellings; got {kind_of(entries)}")
        return {}, c.problems
    for right, wrongs in entries.items():
        path = ("misspellings", right)
        if not isinstance(right, str) or not _WORD.fullmatch(right):
            c.add(path, f"'{right}' must be one lower-case word", key=True)
            continue
        if not isinstance(wrongs, list) or not wrongs:
            c.add(path, f"'{right}' must list its misspellings; got {kind_of(wrongs)}")
            continue
        for i, wrong in enumerate(wrongs):
            if not isinstance(wrong, str) or not _WORD.fullmatch(wrong) or wrong == right:
                c.add(path + (i,), f"a misspelling of '{right}' must be another lower-case word; got {wrong!r}")
            elif wrong in correct or wrong in entries:
                c.add(path + (i,), f"'{wrong}' is listed twice (or is itself a right spelling)")
            else:
                correct[wrong] = right
    return (correct, []) if not c.problems else ({}, c.problems)


def load_spelling(path: str | Path = SPELLING_FILE) -> dict[str, str]:
    """misspelling -> right spelling, or PhrasebookError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PhrasebookError([Problem(str(path), 1, 1, "error", f"cannot read: {exc}", "io")]) from None
    correct, problems = parse_spelling(text, str(path))
    if problems:
        raise PhrasebookError(problems)
    return correct
