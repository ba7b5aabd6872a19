"""Feedback over HTTP: `POST /api/v1/feedback` records what staff did with suggestions, `GET /api/v1/stats` counts it.

If the database is down, both answer 503 and nothing else is affected.
"""
from __future__ import annotations

import threading

from flask import Blueprint, current_app, jsonify, request

from ..errors import RequestError
from ..feedback import parse_feedback
from ..stats import parse_stats_query, summarise
from ..store import StoreUnavailable
from ..store import feedback as events
from . import get_engine
from .api import _json_body, error_response, request_error
from .memory import get_store

bp = Blueprint("feedback", __name__)
bp.register_error_handler(RequestError, request_error)
RETRY_AFTER = "5"


def _slot(app) -> threading.BoundedSemaphore:
    """Feedback requests one app handles at once (FEEDBACK_CONCURRENCY): the rest wait on the client, not here."""
    found = app.extensions.get("tact.feedback_slots")
    if found is None:
        found = app.extensions.setdefault("tact.feedback_slots",
                                          threading.BoundedSemaphore(app.config["FEEDBACK_CONCURRENCY"]))
    return found


@bp.errorhandler(StoreUnavailable)
def unavailable(exc: StoreUnavailable):
    return error_response(503, "store_unavailable",
                          "The feedback database is unavailable; nothing was stored. Send the same events again "
                          "later: their ids keep them from counting twice.", None, {"Retry-After": RETRY_AFTER})


@bp.post("/api/v1/feedback")
def feedback():
    # Suggest answers a live conversation; feedback can wait. A busy worker sheds feedback (429, sent
    # again later under the same ids) rather than let it take the threads and the CPU from suggest.
    slot = _slot(current_app._get_current_object())
    if not slot.acquire(blocking=False):
        return error_response(429, "too_many_requests", "Busy with other feedback; send these events again "
                              "shortly (their ids keep them from counting twice).", None, {"Retry-After": "1"})
    try:
        batch = parse_feedback(_json_body(), get_engine().book)
        accepted, duplicates = events.record(get_store(), batch)
    finally:
        slot.release()
    return jsonify({"accepted": accepted, "duplicates": duplicates}), 202


@bp.get("/api/v1/stats")
def stats():
    query = parse_stats_query(request.args)
    return jsonify(summarise(events.count_rows(get_store(), topic=query.topic, since=query.since,
                                               until=query.until, channels=query.channels,
                                               industry=query.industry), query))

