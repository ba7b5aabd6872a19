"""The OpenAPI 3.1 document, built from tact.schema's component schemas.

The request schemas come from the same field specs that validate requests, so
the published API and the validation cannot drift apart.
"""
from __future__ import annotations

import copy
from functools import lru_cache

from ..feedback import FEEDBACK_EVENT_SPEC, MAX_EVENTS
from ..model import CHANNELS, HISTORY_EVENTS, IDENTIFIER_PATTERN, LEVELS, MAX_DATAPOINTS
from ..schema import _object_schema, component_schemas
from .packs import MAX_PASSENGERS, SEAT_PATTERN

from .studio_openapi import SECURITY_SCHEMES, studio_paths, studio_schemas

REF = "#/components/schemas/"


def _ref(name: str) -> dict:
    return {"$ref": REF + name}


def _pack_schemas(components: dict) -> dict:
    context = copy.deepcopy(components["Context"])
    context["required"] = [r for r in context.get("required", []) if r != "channel"]
    context["description"] = "As Context; the channel is always cabin, and bystanders defaults to true."
    tone = {"type": "object", "properties": {
        "decision": {"type": "string"},
        "reasons": {"type": "array", "items": {"type": "object"}},
        "lines": {"type": "array", "items": {"type": "string"}},
        "ids": {"type": "array", "items": {"type": "string"}, "description": "The lines' suggestion ids."},
        "action": {"type": ["string", "null"]}},
        "required": ["decision", "reasons", "lines", "action"]}
    return {
        "PackContext": context,
        "Passenger": {
            "type": "object",
            "properties": {
                "seat": {"type": "string", "pattern": SEAT_PATTERN, "maxLength": 4},
                "name": {"anyOf": [{"type": "string", "maxLength": 100}, {"type": "null"}]},
                "datapoints": {"anyOf": [{"type": "array", "items": _ref("DataPoint"),
                                          "maxItems": MAX_DATAPOINTS}, {"type": "null"}]},
            },
            "required": ["seat"],
            "additionalProperties": False,
        },
        "PackRequest": {
            "type": "object",
            "description": "A flight's passengers and their data points; seats must be unique.",
            "properties": {
                "flight": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S"},
                "date": {"anyOf": [{"type": "string", "maxLength": 40}, {"type": "null"}]},
                "passengers": {"type": "array", "items": _ref("Passenger"), "maxItems": MAX_PASSENGERS},
                "context": {"anyOf": [_ref("PackContext"), {"type": "null"}]},
            },
            "required": ["flight", "passengers"],
            "additionalProperties": False,
        },
        "Pack": {
            "type": "object",
            "properties": {
                "flight": {"type": "string"},
                "date": {"type": ["string", "null"]},
                "channel": {"const": "cabin"},
                "bystanders": {"type": "boolean"},
                "levels": {"type": "array", "items": {"type": "string", "enum": list(LEVELS)}},
                "generated_at": {"type": "string"},
                "passengers": {"type": "array", "items": {"type": "object", "properties": {
                    "seat": {"type": "string"}, "name": {"type": ["string", "null"]},
                    "lines": {"type": "array", "items": {"type": "object", "properties": {
                        "key": {"type": ["string", "null"]}, "label": {"type": ["string", "null"]},
                        "topic": {"type": ["string", "null"]}, "category": {"type": ["string", "null"]},
                        "sensitive": {"type": "boolean"},
                        "tones": {"type": "object", "additionalProperties": tone,
                                  "description": "By receptiveness, in the pack's bystander mode."},
                        "other_tones": {"type": "object", "additionalProperties": tone,
                                        "description": "The same with bystander mode switched, for offline use."}},
                        "required": ["key", "tones", "other_tones"]}}},
                    "required": ["seat", "name", "lines"]}},
            },
            "required": ["flight", "channel", "bystanders", "passengers"],
        },
        "TopicSummary": {
            "type": "object",
            "properties": {"id": {"type": "string"}, "title": {"type": ["string", "null"]},
                           "purpose": {"type": "string"}, "decision": {"type": "string"},
                           "keys": {"type": "array", "items": {"type": "string"}},
                           "categories": {"type": "array", "items": {"type": "string"}},
                           "category": {"type": ["string", "null"]}, "industry": {"type": ["string", "null"]},
                           "file": {"type": "string"}, "line": {"type": "integer"}},
            "required": ["id", "purpose", "decision", "keys", "categories"],
        },
        "TopicList": {"type": "object", "properties": {"topics": {"type": "array",
                                                                   "items": _ref("TopicSummary")}},
                      "required": ["topics"]},
        "Topic": {"allOf": [_ref("TopicSummary")], "type": "object",
                  "properties": {"phrasings": {"type": "object"}, "bystander": {"type": "object"},
                                 "avoid": {"type": "array", "items": {"type": "string"}}}},
        "Health": {"type": "object", "required": ["status", "phrasebooks"],
                   "properties": {"status": {"const": "ok"}, "worker": {"type": "integer"},
                                  "phrasebooks": {"type": "object", "required": ["version", "topics"],
                                                  "properties": {"version": {"type": "string"},
                                                                 "topics": {"type": "integer"}}}}},
    }


def _feedback_schemas() -> dict:
    counts = {e: {"type": "integer", "minimum": 0} for e in HISTORY_EVENTS}
    rate = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
    counted = {"type": "object", "properties": {**counts, "use_rate": rate, "decline_rate": rate},
               "required": list(HISTORY_EVENTS)}
    reasons = {"type": "object", "additionalProperties": {"type": "integer"}}
    breakdown = {"type": "array", "items": {"type": "object", "properties": counts}}
    return {
        "FeedbackEvent": _object_schema(FEEDBACK_EVENT_SPEC, "What happened to one suggestion. Never a data "
                                        "value, label, utterance or free text: there is no field for them."),
        "FeedbackRequest": {"type": "object", "properties": {
            "events": {"type": "array", "items": _ref("FeedbackEvent"), "minItems": 1, "maxItems": MAX_EVENTS}},
            "required": ["events"], "additionalProperties": False},
        "FeedbackAccepted": {"type": "object", "properties": {
            "accepted": {"type": "integer", "description": "Events stored now."},
            "duplicates": {"type": "integer", "description": "Events whose id was seen before (not counted again)."}},
            "required": ["accepted", "duplicates"]},
        "Stats": {"type": "object", "properties": {
            "filters": {"type": "object"},
            "totals": counted,
            "topics": {"type": "array", "items": {"allOf": [counted], "type": "object", "properties": {
                "topic": {"type": "string"}, "declined_reasons": reasons,
                "phrasings": {"type": "array", "items": {"allOf": [counted], "type": "object", "properties": {
                    "id": {"type": "string"}, "tone": {"type": ["string", "null"]},
                    "receptiveness": {"type": ["string", "null"]}, "declined_reasons": reasons,
                    "rework": {"type": "boolean"}}, "required": ["id", "rework"]}}},
                "required": ["topic", "phrasings"]}},
            "by_tone": breakdown, "by_receptiveness": breakdown, "by_channel": breakdown, "by_industry": breakdown,
            "rework": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "string"}, "topic": {"type": "string"}, "declined": {"type": "integer"},
                "decline_rate": {"type": "number"}}}}},
            "required": ["filters", "totals", "topics", "rework"]},
    }


def _stats_parameters() -> list[dict]:
    def param(name: str, description: str, schema: dict) -> dict:
        return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
    time_ = {"type": "string", "maxLength": 40}
    return [param("topic", "Only this topic id.", {"type": "string", "maxLength": 200}),
            param("since", "From this ISO 8601 date or time (default: all).", time_),
            param("until", "Before this time; a date alone includes that day.", time_),
            param("channel", "A channel, or spoken / written.",
                  {"type": "string", "enum": list(CHANNELS) + ["spoken", "written"]}),
            param("industry", "Only this industry.", {"type": "string", "pattern": IDENTIFIER_PATTERN, "maxLength": 50})]


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _errors(*codes: int) -> dict:
    text = {400: "Malformed JSON, or text that is not valid Unicode (a lone surrogate; `field` names where).",
            404: "Not found.", 405: "Method not allowed.",
            413: "Request body too large.", 415: "Content-Type is not application/json.",
            422: "The request broke the contract; `field` names where.",
            429: "Busy: send the same events again after Retry-After seconds.",
            503: "The feedback database is unavailable; nothing was stored (see Retry-After)."}
    return {str(c): {"description": text[c], "content": _json(_ref("Error"))} for c in codes}


def _post(summary: str, request: str, response: dict, op_id: str) -> dict:
    return {"post": {
        "operationId": op_id,
        "summary": summary,
        "requestBody": {"required": True, "content": _json(_ref(request))},
        "responses": {"200": {"description": "OK", "content": _json(response)},
                      **_errors(400, 413, 415, 422)},
    }}


@lru_cache(maxsize=4)
def openapi_document(max_datapoints: int = MAX_DATAPOINTS) -> dict:
    components = component_schemas()
    components.update(_pack_schemas(components))
    components.update(_feedback_schemas())
    components.update(studio_schemas())
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tact", "version": "1",
                 "description": "Say what the records know without sounding like surveillance."},
        "paths": {
            "/api/v1/suggest": _post("Decide and phrase one data point, or a batch under 'datapoints'.",
                                     "SuggestRequest",
                                     {"oneOf": [_ref("SuggestResult"), _ref("SuggestBatchResult")]},
                                     "suggest"),
            "/api/v1/check": _post("Find revealing wording and propose a question-led rewrite.",
                                   "CheckRequest", _ref("CheckResult"), "check"),
            "/api/v1/packs": _post("A cabin pack: every line for every tone, per passenger and data point.",
                                   "PackRequest", _ref("Pack"), "pack"),
            "/api/v1/topics": {"get": {"operationId": "topics", "summary": "The topics the phrasebooks hold.",
                                       "responses": {"200": {"description": "OK",
                                                             "content": _json(_ref("TopicList"))}}}},
            "/api/v1/topics/{topic_id}": {"get": {
                "operationId": "topic", "summary": "One topic and its phrasings.",
                "parameters": [{"name": "topic_id", "in": "path", "required": True,
                                "schema": {"type": "string", "maxLength": 200}}],
                "responses": {"200": {"description": "OK", "content": _json(_ref("Topic"))},
                              **_errors(404)}}},
            "/api/v1/feedback": {"post": {
                "operationId": "feedback",
                "summary": "Report what staff did with suggestions; a retried event id counts once.",
                "requestBody": {"required": True, "content": _json(_ref("FeedbackRequest"))},
                "responses": {"202": {"description": "Stored", "content": _json(_ref("FeedbackAccepted"))},
                              **_errors(400, 413, 415, 422, 429, 503)}}},
            "/api/v1/stats": {"get": {
                "operationId": "stats",
                "summary": "Shown, used, edited and declined per topic and phrasing, with lines to rework.",
                "parameters": _stats_parameters(),
                "responses": {"200": {"description": "OK", "content": _json(_ref("Stats"))},
                              **_errors(422, 503)}}},
            **studio_paths(),
            "/healthz": {"get": {"operationId": "health", "summary": "Liveness.",
                                 "responses": {"200": {"description": "OK", "content": _json(_ref("Health"))}}}},
        },
        "components": {"schemas": components, "securitySchemes": SECURITY_SCHEMES},
    }
