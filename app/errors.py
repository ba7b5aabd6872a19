"""The exception tree: every error a user can cause, each with an exit code.

Like Click's, so the CLI maps an error to an exit status without a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass


class TactError(Exception):
    """Base of every error Tact raises on purpose."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class RequestError(TactError):
    """A request broke the JSON contract; `field` is the dotted path to the offending part."""

    def __init__(self, field: str | None, message: str, code: str = "invalid_request"):
        self.field = field
        self.code = code
        super().__init__(f"{field}: {message}" if field else message)
        self.detail = message


@dataclass(frozen=True)
class Problem:
    """One phrasebook problem, located as file:line:col (1-based)."""

    file: str
    line: int
    col: int
    severity: str
    message: str
    rule: str = "phrasebook"
    source_line: str | None = None

    def format(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message}"

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "message": self.message,
            "rule": self.rule,
            "source_line": self.source_line,
        }


class PhrasebookError(TactError):
    """A phrasebook set failed to load; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        first = errors[0].format() if errors else "phrasebook failed to load"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)


class TemplateError(TactError):
    """A phrasebook template failed while rendering (a sandbox violation, a missing value, too much output)."""
