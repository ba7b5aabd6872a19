"""The check's result as a terminal reader wants it: the sentence, the match marked under it."""
from __future__ import annotations


def format_text(text: str, result: dict, color: bool = False) -> str:
    lines = []
    status = "revealing" if result["revealing"] else "ok"
    lines.append(f"{status}: {text}")
    pad = " " * (len(status) + 2)
    for finding in result["findings"]:
        start, end = finding["start"], finding["end"]
        marker = pad + " " * start + "^" * max(1, end - start)
        lines.append(marker)
        lines.append(f"{pad}{finding['severity']} [{finding['rule']}] {finding['message']}")
    if result.get("rewrite"):
        lines.append(f"rewrite: {result['rewrite']}")
    return "\n".join(lines)
