"""The studio's JSON API under /api/v1/studio/: sign-in, drafts, topics, preview, lint, review, publish, history.

Every call but login needs a session (401 without one); every call that changes anything needs the
session's CSRF token in X-CSRF-Token (403 without it) and the role it names (403 without it).
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from .. import yamledit
from ..errors import RequestError
from ..store import StoreUnavailable
from ..store import feedback as events
from ..studio import accounts, diff, drafts, preview, publish
from ..studio.liveset import LiveSet
from ..studio.validate import validate
from .api import _json_body, error_response, request_error
from .auth import AuthError, client_address, csrf_token, current_user, require, sign_in, sign_out
from .memory import get_store
from .reload import reload_live

bp = Blueprint("studio_api", __name__, url_prefix="/api/v1/studio")
bp.register_error_handler(RequestError, request_error)
MAX_YAML = 200_000


@bp.errorhandler(AuthError)
def auth_error(exc: AuthError):
    return error_response(exc.status, exc.code, exc.message, None)


@bp.errorhandler(drafts.DraftError)
def draft_error(exc: drafts.DraftError):
    codes = {404: "not_found", 409: "conflict", 403: "forbidden"}
    response = error_response(exc.status, codes.get(exc.status, "invalid_request"), exc.message, exc.field)
    extra = {}
    if isinstance(exc, drafts.Conflict) and exc.current is not None:
        extra["current"] = exc.current
        extra["yours"] = getattr(exc, "yours", None)
    if isinstance(exc, publish.ValidationFailed):
        extra["validation"] = exc.result
    if extra:
        response.set_data(current_app.json.dumps({**response.get_json(), **extra}))
    return response


@bp.errorhandler(accounts.AccountError)
def account_error(exc):
    return error_response(422, "invalid_request", exc.message, None)


@bp.errorhandler(StoreUnavailable)
def unavailable(exc):
    return error_response(503, "store_unavailable", "The studio's database is unavailable; nothing was changed. "
                          "Try again in a moment.", None, {"Retry-After": "5"})


def live_set() -> LiveSet:
    return LiveSet(current_app.extensions["tact.engine"].store.paths)


def _body() -> dict:
    body = _json_body()
    if not isinstance(body, dict):
        raise RequestError(None, "expected a JSON object")
    return body


def _text(body: dict, name: str, limit: int = 5000, required: bool = False) -> str:
    value = body.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise RequestError(name, "expected text")
    if len(value) > limit:
        raise RequestError(name, f"at most {limit} characters")
    if required and not value.strip():
        raise RequestError(name, "required")
    return value


def _topic_from(body: dict):
    """The topic a request carries: `topic` (an object) or `yaml` (one topic as YAML text)."""
    if "yaml" in body and body["yaml"] is not None:
        text = _text(body, "yaml", MAX_YAML)
        return drafts.parse_topic_yaml(text)
    topic = body.get("topic")
    if not isinstance(topic, dict):
        raise RequestError("topic", "expected the topic as an object (or its YAML under 'yaml')")
    return topic


def _int(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RequestError(field, "expected a whole number, 0 or more")
    return value


# ------------------------------------------------------------------ sign-in

@bp.post("/login")
def login():
    body = _body()
    name, password = _text(body, "name", 200, True), _text(body, "password", 1024, True)
    try:
        user = accounts.authenticate(get_store(), name, password, client_address())
    except accounts.LoginLimited as exc:
        return error_response(429, "too_many_requests", exc.message, None, {"Retry-After": str(exc.retry_after)})
    except accounts.LoginRefused as exc:
        return error_response(401, "unauthorized", exc.message, None)
    return jsonify({"user": user.to_dict(), "csrf_token": sign_in(user)})


@bp.post("/logout")
@require("writer")
def logout():
    sign_out()
    return "", 204


@bp.get("/me")
@require("writer")
def me():
    return jsonify({"user": current_user().to_dict(), "csrf_token": csrf_token()})


# ------------------------------------------------------------------ drafts and topics

@bp.get("/drafts")
@require("writer")
def draft_list():
    status = request.args.get("status")
    if status is not None and status not in drafts.STATUSES:
        raise RequestError("status", f"must be one of {', '.join(drafts.STATUSES)}")
    return jsonify({"drafts": drafts.listing(get_store(), status)})


@bp.post("/drafts")
@require("writer")
def draft_create():
    body = _body()
    return jsonify(drafts.create(get_store(), live_set(), _text(body, "title", 200), current_user().name)), 201


def _draft_id(draft_id: str) -> int:
    if not draft_id.isdigit() or len(draft_id) > 12:
        raise drafts.DraftError(f"no draft {draft_id!r}", 404)
    return int(draft_id)


@bp.get("/drafts/<draft_id>")
@require("writer")
def draft_get(draft_id):
    did = _draft_id(draft_id)
    return jsonify({**drafts.get(get_store(), did), "comments": drafts.comments_of(get_store(), did)})


@bp.get("/drafts/<draft_id>/topics")
@require("writer")
def draft_topics(draft_id):
    did = _draft_id(draft_id)
    touched = {t["id"]: t for t in drafts.get(get_store(), did)["topics"]}
    rows = drafts.topic_rows(drafts.texts(get_store(), live_set(), did))
    return jsonify({"topics": [{**r, "changed": r["id"] in touched,
                                "version": touched.get(r["id"], {}).get("version", 0)} for r in rows]})


@bp.get("/drafts/<draft_id>/topics/<path:topic_id>")
@require("writer")
def topic_get(draft_id, topic_id):
    return jsonify(drafts.read_topic(get_store(), live_set(), _draft_id(draft_id), topic_id))


@bp.put("/drafts/<draft_id>/topics/<path:topic_id>")
@require("writer")
def topic_save(draft_id, topic_id):
    body = _body()
    version = _int(body.get("version"), "version")
    topic = _topic_from(body)
    try:
        state = drafts.save_topic(get_store(), live_set(), _draft_id(draft_id), topic_id, version, topic,
                                  current_user().name)
    except drafts.Conflict as exc:
        exc.yours = {k: body[k] for k in ("topic", "yaml") if k in body}
        raise
    return jsonify(state)


@bp.delete("/drafts/<draft_id>/topics/<path:topic_id>")
@require("writer")
def topic_remove(draft_id, topic_id):
    body = _body()
    return jsonify(drafts.remove_topic(get_store(), live_set(), _draft_id(draft_id), topic_id,
                                       _int(body.get("version"), "version"), current_user().name))


@bp.post("/drafts/<draft_id>/topics")
@require("writer")
def topic_add(draft_id):
    """A new topic: from `topic`/`yaml`, or a copy of `copy_of` under `new_id`."""
    body = _body()
    did = _draft_id(draft_id)
    store, live = get_store(), live_set()
    if "copy_of" in body:
        source = drafts.read_topic(store, live, did, _text(body, "copy_of", 200, True))
        topic = {**source["topic"], "id": _text(body, "new_id", 200, True)}
        file = body.get("file") or source["file"]
    else:
        topic, file = _topic_from(body), body.get("file")
    if not isinstance(file, str) or not file:
        raise RequestError("file", "name the phrasebook file the topic goes in")
    return jsonify(drafts.add_topic(store, live, did, file, topic, current_user().name)), 201


@bp.post("/preview")
@require("writer")
def topic_preview():
    """Every variant of a topic rendered with its example values, its problems by field, and the topic as
    plain data (and as YAML when `want_yaml`), so the editor can switch between form and raw YAML."""
    body = _body()
    topic = yamledit.plain(_topic_from(body))
    out = {**preview.examine(topic), "topic": topic}
    if body.get("want_yaml") is True:
        out["yaml"] = drafts.dump_yaml(topic)
    return jsonify(out)


@bp.post("/lint")
@require("writer")
def topic_lint():
    return jsonify({"problems": preview.examine(yamledit.plain(_topic_from(_body())))["problems"]})


@bp.get("/drafts/<draft_id>/validation")
@require("writer")
def draft_validation(draft_id):
    own = drafts.files(get_store(), _draft_id(draft_id))
    return jsonify(validate(live_set(), {n: f["text"] for n, f in own.items()}))


@bp.get("/drafts/<draft_id>/diff")
@require("writer")
def draft_diff(draft_id):
    """Per topic: fields before and after, a YAML line diff, how the changed lines did; and the set's validation."""
    review = review_of(_draft_id(draft_id))
    review.pop("topic_ids")
    return jsonify(review)


def review_of(draft_id: int) -> dict:
    """What a reviewer reads: the draft, its changes topic by topic with their figures, comments, validation."""
    store, live = get_store(), live_set()
    found = drafts.get(store, draft_id)
    texts = {n: f["text"] for n, f in drafts.files(store, draft_id).items()}
    current = live.read()
    topics = diff.draft_diff(current, {n: {"text": t} for n, t in texts.items()})
    for item in topics:
        item["figures"] = figures_for(item["topic"])
    return {"draft": found, "topics": topics, "comments": drafts.comments_of(store, draft_id),
            "validation": validate(live, texts), "topic_ids": set(drafts.topic_index({**current, **texts}))}


def figures_for(topic_id: str) -> dict | None:
    """Shown/used/edited/declined per phrasing from the feedback store, where it has them."""
    try:
        rows = events.count_rows(get_store(), topic=topic_id)
    except StoreUnavailable:
        return None
    out: dict = {}
    for row in rows:
        counts = out.setdefault(row["suggestion_id"], {"shown": 0, "used": 0, "edited": 0, "declined": 0})
        if row["event"] in counts:
            counts[row["event"]] += row["n"]
    return out


# ------------------------------------------------------------------ review

@bp.get("/drafts/<draft_id>/comments")
@require("writer")
def comment_list(draft_id):
    return jsonify({"comments": drafts.comments_of(get_store(), _draft_id(draft_id))})


@bp.post("/drafts/<draft_id>/comments")
@require("writer")
def comment_add(draft_id):
    body = _body()
    topic = body.get("topic")
    if topic is not None and (not isinstance(topic, str) or len(topic) > 200):
        raise RequestError("topic", "expected a topic id")
    return jsonify(drafts.comment(get_store(), _draft_id(draft_id), current_user().name,
                                  _text(body, "body", drafts.MAX_COMMENT), topic_id=topic)), 201


def _step(draft_id: str, action: str):
    body = _body() if request.data else {}
    return jsonify(drafts.step(get_store(), _draft_id(draft_id), action, current_user(),
                               _text(body, "comment", drafts.MAX_COMMENT)))


@bp.post("/drafts/<draft_id>/submit")
@require("writer")
def draft_submit(draft_id):
    return _step(draft_id, "submit")


@bp.post("/drafts/<draft_id>/withdraw")
@require("writer")
def draft_withdraw(draft_id):
    return _step(draft_id, "withdraw")


@bp.post("/drafts/<draft_id>/approve")
@require("reviewer")
def draft_approve(draft_id):
    return _step(draft_id, "approve")


@bp.post("/drafts/<draft_id>/send-back")
@require("reviewer")
def draft_send_back(draft_id):
    return _step(draft_id, "send_back")


# ------------------------------------------------------------------ publish and history

@bp.post("/drafts/<draft_id>/publish")
@require("reviewer")
def draft_publish(draft_id):
    body = _body()
    entry = publish.publish(get_store(), live_set(), _draft_id(draft_id), current_user().name,
                            _text(body, "why", publish.MAX_REASON))
    return jsonify({**entry, "reload": reload_live()})


@bp.get("/history")
@require("writer")
def history_list():
    return jsonify({"history": publish.entries(get_store())})


@bp.get("/history/<entry_id>")
@require("writer")
def history_get(entry_id):
    if not entry_id.isdigit() or len(entry_id) > 12:
        raise drafts.DraftError(f"no history entry {entry_id!r}", 404)
    entry = publish.get_entry(get_store(), int(entry_id))
    return jsonify({**{k: v for k, v in entry.items() if k != "files"},
                    "files": [f["name"] for f in entry["files"]], "topics": publish.entry_topics(entry)})


@bp.post("/history/<entry_id>/revert")
@require("reviewer")
def history_revert(entry_id):
    if not entry_id.isdigit() or len(entry_id) > 12:
        raise drafts.DraftError(f"no history entry {entry_id!r}", 404)
    body = _body()
    entry = publish.revert(get_store(), live_set(), int(entry_id), current_user().name,
                           _text(body, "why", publish.MAX_REASON))
    return jsonify({**entry, "reload": reload_live()})
