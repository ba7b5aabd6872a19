"""The one place the studio swaps the live phrasebook set after a publish or revert.

Until the validated reload path of issue 7 (safety) lands, this reloads the worker that served the
publish (PhrasebookStore.reload keeps the last good set on any error) and, when the server wrote a pid
file (PID_FILE / TACT_PID_FILE), sends gunicorn's master HUP so every worker restarts on the new set.
"""
from __future__ import annotations

import logging
import os
import signal
from pathlib import Path

from flask import current_app

log = logging.getLogger("tact.studio")


def reload_live() -> dict:
    """Swap the live set everywhere; returns what was done (problems as file:line:col if it kept the old set)."""
    engine = current_app.extensions["tact.engine"]
    problems = [p.format() for p in engine.store.reload() if p.severity == "error"]
    for line in problems:
        log.error("publish left a set that does not load; the last good set stays: %s", line)
    pid_file = current_app.config.get("PID_FILE") or os.environ.get("TACT_PID_FILE")
    signalled = False
    if pid_file and not problems:
        try:
            os.kill(int(Path(pid_file).read_text().strip()), signal.SIGHUP)
            signalled = True
        except (OSError, ValueError) as exc:
            log.warning("could not signal the server to reload every worker: %s", exc)
    return {"reloaded": not problems, "all_workers": signalled, "problems": problems}
