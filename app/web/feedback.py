"""Feedback over HTTP: `POST /api/v1/feedback` records what staff did with suggestions, `GET /api/v1/stats` counts it.

If the database is down, both answer 503 and nothing else is affected.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request

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


@bp.errorhandler(StoreUnavailable)
def unavailable(exc: StoreUnavailable):
    return error_response(503, "store_unavailable",
                          "The feedback database is unavailable; nothing was stored. Send the same events again "
                          "later: their ids keep them from counting twice.", None, {"Retry-After": RETRY_AFTER})


@bp.post("/api/v1/feedback")
def feedback():
    batch = parse_feedback(_json_body(), get_engine().book)
    accepted, duplicates = events.record(get_store(), batch)
    return jsonify({"accepted": accepted, "duplicates": duplicates}), 202


@bp.get("/api/v1/stats")
def stats():
    query = parse_stats_query(request.args)
    return jsonify(summarise(events.count_rows(get_store(), topic=query.topic, since=query.since,
                                               until=query.until, channels=query.channels,
                                               industry=query.industry), query))

