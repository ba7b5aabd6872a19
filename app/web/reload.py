"""The one place the studio makes a publish or revert live: the validated reload path of tact.serve.

Under `tact serve` the master holds the validated set and builds every worker from it; a publish sends it
SIGHUP, so it validates the files again (lint and the phrasebooks' tests) and, only if they pass, restarts
every worker on the new set (the worker that answered the publish too, once its requests finish). In a
single process (`flask run`, the tests) the same gate runs here and the app's engine is swapped for one on
the validated set. Either way a set that fails stays out, and the last good one keeps serving.
"""
from __future__ import annotations

import logging
import os
import signal

from flask import current_app

from ..engine import Engine
from ..phrasebook import PhrasebookStore
from ..validate import validate

log = logging.getLogger("tact.studio")


def reload_live() -> dict:
    """Make what is on disk live everywhere, through validation; says what was done."""
    engine = current_app.extensions["tact.engine"]
    master = current_app.config.get("SERVER_PID")
    if master:
        try:
            os.kill(master, signal.SIGHUP)
        except OSError as exc:
            log.error("could not ask the server (pid %s) to reload: %s", master, exc.strerror)
            return {"reloaded": False, "all_workers": False, "version": engine.book.version,
                    "message": "published, but the server could not be asked to reload; run tact reload"}
        return {"reloaded": True, "all_workers": True, "version": None,
                "message": "the server is validating the new set and restarting every worker on it; "
                           "GET /healthz shows the version each worker serves"}
    checked = validate(engine.store.paths)
    if not checked.ok:
        for problem in checked.errors:
            log.error("published set not loaded; the last good set stays: %s", problem.format())
        return {"reloaded": False, "all_workers": True, "version": engine.book.version,
                "message": "the files did not validate; the last good set stays in service"}
    current_app.extensions["tact.engine"] = Engine(store=PhrasebookStore(engine.store.paths, book=checked.book))
    return {"reloaded": True, "all_workers": True, "version": checked.book.version,
            "message": "this process now serves the new set"}
