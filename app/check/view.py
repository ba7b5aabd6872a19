"""The check's result as a terminal reader wants it: the sentence, each match marked under it, the fix."""
from __future__ import annotations

COLOURS = {"error": "\033[31m", "warning": "\033[33m", "suggestion": "\033[36m"}
BOLD, RESET = "\033[1m", "\033[0m"


def format_text(text: str, result: dict, color: bool = False) -> str:
    """One block per input: status and sentence, a ^^^ line under each finding, its message, then the rewrite."""
    paint = (lambda code, s: f"{code}{s}{RESET}") if color else (lambda code, s: s)
    status = "revealing" if result["revealing"] else "ok"
    lines = [f"{paint(BOLD, status)}: {text}" if "\n" not in text else f"{paint(BOLD, status)}:"]
    for finding in result["findings"]:
        lines.extend(_marked(text, finding, len(status) + 2, paint))
    if result.get("rewrite"):
        lines.append(f"  try: {result['rewrite']}")
    elif result["revealing"]:
        why = (result.get("rewrite_withheld") or {}).get("message", "leave it out")
        lines.append(f"  try: no safe rewrite. {why}")
    return "\n".join(lines)


def _marked(text: str, finding: dict, indent: int, paint) -> list[str]:
    """The finding's line of text (when the input has several) and the carets under the match."""
    start, end = finding["start"], finding["end"]
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    out = []
    if "\n" in text:
        out.append(" " * indent + text[line_start:line_end])
    width = max(1, min(end, line_end) - start)
    code = COLOURS.get(finding["severity"], "")
    out.append(" " * (indent + _columns(text[line_start:start])) + paint(code, "^" * width))
    out.append(" " * indent + paint(code, f"{finding['severity']} [{finding['rule']}]") + f" {finding['message']}")
    return out


def _columns(prefix: str) -> int:
    """How far the match sits from the left edge; tabs count as one column, as terminals mostly show them here."""
    return len(prefix.expandtabs(1))
