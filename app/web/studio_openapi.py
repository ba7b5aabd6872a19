"""The studio API's part of the OpenAPI document: paths under /api/v1/studio/ and their shapes."""
from __future__ import annotations

from ..studio.accounts import ROLES
from ..studio.drafts import MAX_COMMENT, MAX_TITLE, STATUSES
from ..studio.publish import MAX_REASON

REF = "#/components/schemas/"
_ERRORS = {401: "No session: sign in first.", 403: "Missing role or CSRF token (X-CSRF-Token).",
           404: "No such draft, topic or history entry.",
           409: "Conflict: the topic was saved by someone else since `version` (the response carries `current` "
                "and the sender's own text under `yours`), a draft in the wrong state, or live files changed.",
           413: "Request body too large.", 415: "Content-Type is not application/json.", 400: "Malformed JSON.",
           422: "Bad input, or a set that fails validation (`validation` lists problems as file:line:col).",
           429: "Too many failed sign-ins (see Retry-After).",
           503: "The studio's database is unavailable (see Retry-After)."}


def _ref(name: str) -> dict:
    return {"$ref": REF + name}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _op(op_id: str, summary: str, response: str | None, *errors: int, body: str | None = None,
        status: int = 200, params: tuple = (), secured: bool = True) -> dict:
    op = {"operationId": op_id, "summary": summary, "tags": ["studio"],
          "responses": {str(status): ({"description": "OK", "content": _json(_ref(response))} if response
                                      else {"description": "Done"}),
                        **{str(c): {"description": _ERRORS[c], "content": _json(_ref("Error"))}
                           for c in sorted(set(errors) | ({401, 503} if secured else {503}))}}}
    if body:
        op["requestBody"] = {"required": True, "content": _json(_ref(body))}
    if params:
        op["parameters"] = [{"name": p, "in": "path", "required": True,
                             "schema": {"type": "string", "maxLength": 200}} for p in params]
    if secured:
        op["security"] = [{"studioSession": []}]
    return op


WRITE = (400, 403, 413, 415, 422)


def studio_paths() -> dict:
    d, t, h = ("draft_id",), ("draft_id", "topic_id"), ("entry_id",)
    p = "/api/v1/studio"
    return {
        f"{p}/login": {"post": _op("studioLogin", "Sign in; sets the session cookie and returns the CSRF token.",
                                   "StudioSession", 400, 401, 413, 415, 422, 429, body="StudioLogin",
                                   secured=False)},
        f"{p}/logout": {"post": _op("studioLogout", "Sign out.", None, 403, status=204)},
        f"{p}/me": {"get": _op("studioMe", "The signed-in account and its CSRF token.", "StudioSession")},
        f"{p}/drafts": {
            "get": _op("studioDrafts", "Drafts, newest first (?status= filters).", "StudioDraftList", 422),
            "post": _op("studioDraftCreate", "Start a draft of the whole set (writer).", "StudioDraft", *WRITE,
                        body="StudioDraftNew", status=201)},
        f"{p}/drafts/{{draft_id}}": {"get": _op("studioDraft", "A draft, its touched topics and comments.",
                                                "StudioDraft", 404, params=d)},
        f"{p}/drafts/{{draft_id}}/topics": {
            "get": _op("studioDraftTopics", "Every topic as the draft has it.", "StudioTopicList", 404, params=d),
            "post": _op("studioTopicAdd", "A new topic from `topic`/`yaml`, or a copy of `copy_of` as `new_id`.",
                        "StudioTopicState", *WRITE, 404, 409, body="StudioTopicNew", status=201, params=d)},
        f"{p}/drafts/{{draft_id}}/topics/{{topic_id}}": {
            "get": _op("studioTopic", "A topic in the draft: plain data, its YAML and its version.",
                       "StudioTopicState", 404, params=t),
            "put": _op("studioTopicSave", "Save a topic if `version` is still current (optimistic locking).",
                       "StudioTopicState", *WRITE, 404, 409, body="StudioTopicSave", params=t),
            "delete": _op("studioTopicRemove", "Remove a topic from the draft if `version` is still current.",
                          "StudioDraft", *WRITE, 404, 409, body="StudioVersion", params=t)},
        f"{p}/preview": {"post": _op("studioPreview", "Render every phrasing across receptiveness x channel with "
                                     "example values; problems by field.", "StudioPreview", *WRITE,
                                     body="StudioTopicInput")},
        f"{p}/lint": {"post": _op("studioLint", "Lint one topic; problems by field.", "StudioLint", *WRITE,
                                  body="StudioTopicInput")},
        f"{p}/drafts/{{draft_id}}/validation": {"get": _op(
            "studioValidation", "Lint and every phrasebook test on the whole set as the draft has it.",
            "StudioValidation", 404, params=d)},
        f"{p}/drafts/{{draft_id}}/diff": {"get": _op(
            "studioDiff", "Per topic: fields before and after, YAML lines, acceptance figures; and validation.",
            "StudioDiff", 404, params=d)},
        f"{p}/drafts/{{draft_id}}/comments": {
            "get": _op("studioComments", "Comments and decisions.", "StudioComments", 404, params=d),
            "post": _op("studioComment", "Comment on a draft (optionally on one topic).", "StudioComment", *WRITE,
                        404, body="StudioCommentNew", status=201, params=d)},
        **{f"{p}/drafts/{{draft_id}}/{step}": {"post": _op(
            f"studio{name}", summary, "StudioDraft", *WRITE, 404, 409, body="StudioStep", params=d)}
           for step, name, summary in (
               ("submit", "Submit", "Send the draft for review (writer)."),
               ("withdraw", "Withdraw", "Withdraw a draft that is not approved (writer)."),
               ("approve", "Approve", "Approve a submitted draft (reviewer; not its author)."),
               ("send-back", "SendBack", "Send a draft back with a comment saying what to change (reviewer)."))},
        f"{p}/drafts/{{draft_id}}/publish": {"post": _op(
            "studioPublish", "Validate the whole set, write the files round-trip, record history, reload "
            "(reviewer).", "StudioPublished", *WRITE, 404, 409, body="StudioReason", params=d)},
        f"{p}/history": {"get": _op("studioHistory", "Publishes and reverts, newest first.", "StudioHistory")},
        f"{p}/history/{{entry_id}}": {"get": _op("studioHistoryEntry", "One change, topic by topic.",
                                                 "StudioHistoryEntry", 404, params=h)},
        f"{p}/history/{{entry_id}}/revert": {"post": _op(
            "studioRevert", "Undo a change, validated like a publish (reviewer).", "StudioPublished",
            *WRITE, 404, 409, body="StudioReason", params=h)},
    }


def studio_schemas() -> dict:
    obj = {"type": "object"}
    text = {"type": "string"}
    topic_input = {"type": "object", "description": "One topic as `topic` (an object) or `yaml` (text).",
                   "properties": {"topic": obj, "yaml": {"type": "string", "maxLength": 200_000},
                                  "want_yaml": {"type": "boolean"}}}
    draft = {"type": "object", "properties": {
        "id": {"type": "integer"}, "title": text, "status": {"type": "string", "enum": list(STATUSES)},
        "author": text, "base_version": text, "created_at": {"type": "integer"}, "updated_at": {"type": "integer"},
        "topics": {"type": "array", "items": obj}, "comments": {"type": "array", "items": obj}},
        "required": ["id", "title", "status", "author", "base_version"]}
    problem = {"type": "object", "properties": {"severity": text, "message": text, "rule": text,
                                                "field": {"type": ["string", "null"]}}}
    return {
        "StudioLogin": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 200},
                                                         "password": {"type": "string", "maxLength": 1024}},
                        "required": ["name", "password"]},
        "StudioSession": {"type": "object", "properties": {
            "user": {"type": "object", "properties": {"name": text, "role": {"type": "string", "enum": list(ROLES)}}},
            "csrf_token": text}, "required": ["user", "csrf_token"]},
        "StudioDraftNew": {"type": "object", "properties": {"title": {"type": "string", "maxLength": MAX_TITLE}}},
        "StudioDraft": draft,
        "StudioDraftList": {"type": "object", "properties": {"drafts": {"type": "array", "items": draft}},
                            "required": ["drafts"]},
        "StudioTopicList": {"type": "object", "properties": {"topics": {"type": "array", "items": obj}},
                            "required": ["topics"]},
        "StudioTopicState": {"type": "object", "properties": {
            "id": text, "file": text, "version": {"type": "integer"}, "topic": obj, "yaml": text},
            "required": ["id", "file", "version", "topic", "yaml"]},
        "StudioTopicInput": topic_input,
        "StudioVersion": {"type": "object", "properties": {"version": {"type": "integer", "minimum": 0}},
                          "required": ["version"]},
        "StudioTopicSave": {**topic_input, "properties": {**topic_input["properties"],
                                                          "version": {"type": "integer", "minimum": 0}},
                            "required": ["version"]},
        "StudioTopicNew": {**topic_input, "properties": {**topic_input["properties"], "file": text,
                                                         "copy_of": text, "new_id": text}},
        "StudioPreview": {"type": "object", "properties": {
            "problems": {"type": "array", "items": problem}, "variants": {"type": "array", "items": obj},
            "extras": {"type": "array", "items": obj}, "topic": obj, "yaml": text},
            "required": ["problems", "variants"]},
        "StudioLint": {"type": "object", "properties": {"problems": {"type": "array", "items": problem}},
                       "required": ["problems"]},
        "StudioValidation": {"type": "object", "properties": {
            "ok": {"type": "boolean"}, "errors": {"type": "integer"}, "warnings": {"type": "integer"},
            "problems": {"type": "array", "items": obj}, "tests": obj}, "required": ["ok", "problems", "tests"]},
        "StudioDiff": {"type": "object", "properties": {"draft": draft, "topics": {"type": "array", "items": obj},
                                                        "comments": {"type": "array", "items": obj},
                                                        "validation": _ref("StudioValidation")}},
        "StudioCommentNew": {"type": "object", "properties": {"body": {"type": "string", "maxLength": MAX_COMMENT},
                                                              "topic": {"type": ["string", "null"]}}},
        "StudioComment": obj,
        "StudioComments": {"type": "object", "properties": {"comments": {"type": "array", "items": obj}}},
        "StudioStep": {"type": "object", "properties": {"comment": {"type": "string", "maxLength": MAX_COMMENT}}},
        "StudioReason": {"type": "object", "properties": {"why": {"type": "string", "maxLength": MAX_REASON}},
                         "required": ["why"]},
        "StudioPublished": {"type": "object", "properties": {
            "id": {"type": "integer"}, "action": text, "version_before": text, "version_after": text,
            "files": {"type": "array", "items": text}, "reload": obj}},
        "StudioHistory": {"type": "object", "properties": {"history": {"type": "array", "items": obj}}},
        "StudioHistoryEntry": obj,
    }


SECURITY_SCHEMES = {"studioSession": {
    "type": "apiKey", "in": "cookie", "name": "tact_studio",
    "description": "The studio's signed session cookie from POST /api/v1/studio/login. Calls that change "
                   "anything also need the session's CSRF token in the X-CSRF-Token header."}}
