"""The JSON API: the contract over HTTP, with JSON errors and never a 500 for bad input."""
from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, UnsupportedMediaType

from ..errors import RequestError
from ..model import MAX_DATAPOINTS, load_json, parse_suggest_request
from . import get_engine
from .memory import with_history
from .openapi import openapi_document
from .packs import build_pack

bp = Blueprint("api", __name__)
API_PREFIXES = ("/api/", "/openapi.json", "/healthz")


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES) or path == "/api"


def error_response(status: int, code: str, message: str, field: str | None, headers: dict | None = None):
    response = jsonify({"error": {"code": code, "message": message, "field": field}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


_HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 406: "not_acceptable",
               413: "too_large", 415: "unsupported_media_type", 429: "too_many_requests"}


def json_error(exc: HTTPException):
    """Any HTTP error as the contract's JSON error, keeping headers such as Allow."""
    status = exc.code or 500
    headers = {}
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    message = exc.description or exc.name
    if status == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        message = f"request body too large; the limit is {limit // 1024} KB" if limit else message
    return error_response(status, _HTTP_CODES.get(status, "http_error"), message, None, headers)


@bp.errorhandler(RequestError)
def request_error(exc: RequestError):
    status = 400 if exc.code == "malformed_json" else 422
    return error_response(status, exc.code, exc.message, exc.field)


def _json_body() -> Any:
    """The request body decoded as JSON, or a RequestError / HTTP error explaining why not."""
    mimetype = (request.mimetype or "").lower()
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise UnsupportedMediaType(f"expected Content-Type: application/json; got {mimetype or 'none'}")
    data = request.get_data(cache=False)
    if not data.strip():
        raise RequestError(None, "expected a JSON body; the request body is empty", "malformed_json")
    return load_json(data)


@bp.post("/api/v1/suggest")
def suggest():
    body = _json_body()
    return jsonify(get_engine().suggest(with_history(parse_suggest_request(body), body)))


@bp.post("/api/v1/check")
def check():
    return jsonify(get_engine().check(_json_body()))


@bp.post("/api/v1/packs")
def packs():
    return jsonify(build_pack(get_engine(), _json_body()))


def topic_summary(topic) -> dict:
    return {"id": topic.id, "title": topic.title, "purpose": topic.purpose, "decision": topic.decision,
            "keys": list(topic.keys), "categories": list(topic.categories), "category": topic.category,
            "industry": topic.industry, "file": topic.file, "line": topic.line}


def _phrasings(group: dict) -> dict:
    return {level: [{"id": p.id, "tone": p.tone, "text": p.text, "spoken": p.spoken, "written": p.written,
                     "line": p.line} for p in items] for level, items in group.items()}


def topic_detail(topic) -> dict:
    return {**topic_summary(topic), "label": topic.label, "message": topic.message, "match": topic.match,
            "rules": [{"id": r.id, "when": r.when, "decision": r.decision, "message": r.message}
                      for r in topic.rules],
            "phrasings": _phrasings(topic.phrasings), "bystander": _phrasings(topic.bystander),
            "action": topic.action, "confirm": topic.confirm, "avoid": list(topic.avoid),
            "honest_answer": topic.honest_answer, "example": topic.example, "tests": len(topic.tests)}


@bp.get("/api/v1/topics")
def topics():
    book = get_engine().book
    return jsonify({"topics": [topic_summary(t) for t in book.topics.values()]})


@bp.get("/api/v1/topics/<path:topic_id>")
def topic(topic_id: str):
    found = get_engine().book.topics.get(topic_id)
    if found is None:
        return error_response(404, "not_found", f"no topic with id {topic_id!r}", "topic_id")
    return jsonify(topic_detail(found))


@bp.get("/healthz")
def healthz():
    """Liveness, and which phrasebook set this worker serves: every worker of a server reports the same version."""
    book = get_engine().book
    return jsonify({"status": "ok", "phrasebooks": {"version": book.version, "topics": len(book.topics)},
                    "worker": os.getpid()})


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(MAX_DATAPOINTS))
