"""Revealing-phrase detection (first cut: fixed frames only; see issue 3)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

FRAMES = ("i can see", "our records show", "according to our data", "i noticed", "we noticed you",
          "based on your", "since you bought", "your profile says", "i see that you", "i see you")


@dataclass
class CheckResult:
    revealing: bool
    findings: list = field(default_factory=list)
    rewrite: str | None = None

    def to_dict(self) -> dict:
        return {"revealing": self.revealing, "findings": self.findings, "rewrite": self.rewrite}


class Checker:
    def check(self, text, context=None, disable=()) -> CheckResult:
        findings = []
        lowered = text.lower()
        for frame in FRAMES:
            for m in re.finditer(r"\b" + re.escape(frame) + r"\b", lowered):
                findings.append({"start": m.start(), "end": m.end(), "match": text[m.start():m.end()],
                                 "rule": "records-frame", "severity": "error",
                                 "message": "Cites what the records show."})
        return CheckResult(bool(findings), findings, None)

    def is_revealing(self, text, context=None, disable=()) -> bool:
        return self.check(text, context, disable).revealing


def default_checker() -> Checker:
    return Checker()
