"""JSON Schemas of the contract, generated from the field specs that validate requests.

The OpenAPI document is built from these, so the published schema and the
validation cannot drift apart.
"""
from __future__ import annotations

from .model import (CONTEXT_SPEC, DATAPOINT_SPEC, DECISIONS, IDENTIFIER_PATTERN, LEVELS, MAX_DATAPOINTS, MAX_TEXT,
                    FieldSpec)


def _field_schema(f: FieldSpec) -> dict:
    if f.kind == "json":
        schema: dict = {}
    elif f.kind == "bool":
        schema = {"type": "boolean"}
    elif f.kind == "enum":
        schema = {"type": "string", "enum": list(f.choices)}
    elif f.kind == "key":
        schema = {"type": "string", "pattern": r"^[a-z0-9_\-]+(\.[a-z0-9_\-]+)*$", "maxLength": f.max_len}
    elif f.kind == "ident":
        schema = {"type": "string", "pattern": IDENTIFIER_PATTERN, "maxLength": f.max_len}
    elif f.kind == "text":
        schema = {"type": "string", "maxLength": f.max_len}
    elif f.kind == "objects":
        schema = {"type": "array", "items": _object_schema(f.fields, f.description), "maxItems": f.max_items}
    elif f.kind == "enums":
        schema = {"type": "array", "items": {"type": "string", "enum": list(f.choices)},
                  "maxItems": f.max_items}
    else:
        schema = {"type": "array", "items": {"type": "string", "maxLength": f.max_len}, "maxItems": f.max_items}
    if not f.required and f.kind != "json":
        schema = {"anyOf": [schema, {"type": "null"}]}
    if f.description:
        schema["description"] = f.description
    return schema


def _object_schema(spec: tuple[FieldSpec, ...], description: str) -> dict:
    return {
        "type": "object",
        "description": description,
        "properties": {f.name: _field_schema(f) for f in spec},
        "required": [f.name for f in spec if f.required],
        "additionalProperties": False,
    }


_SUGGESTION = {
    "type": "object",
    "properties": {
        "id": {"type": "string"}, "text": {"type": "string"}, "tone": {"type": "string"},
        "receptiveness": {"type": "string", "enum": list(LEVELS)}, "question": {"type": "boolean"},
    },
    "required": ["id", "text", "tone", "receptiveness", "question"],
}
_REF = "#/components/schemas/"


def component_schemas() -> dict:
    """Every schema of the contract, keyed by name, with $refs between them."""
    suggestions = {"type": "array", "items": {"$ref": _REF + "Suggestion"}}
    return {
        "DataPoint": _object_schema(DATAPOINT_SPEC, "One thing the company knows about the customer."),
        "Context": _object_schema(CONTEXT_SPEC, "The conversation the data point may be used in."),
        "SuggestRequest": {
            "type": "object",
            "description": "One data point, or a batch under 'datapoints'.",
            "properties": {
                "datapoint": {"$ref": _REF + "DataPoint"},
                "datapoints": {"type": "array", "items": {"$ref": _REF + "DataPoint"}, "minItems": 1,
                               "maxItems": MAX_DATAPOINTS},
                "context": {"$ref": _REF + "Context"},
            },
            "required": ["context"],
            "oneOf": [{"required": ["datapoint"]}, {"required": ["datapoints"]}],
            "additionalProperties": False,
        },
        "Suggestion": _SUGGESTION,
        "SuggestResult": {
            "type": "object",
            "properties": {
                "topic": {"type": ["string", "null"]},
                "decision": {"type": "string", "enum": list(DECISIONS)},
                "reasons": {"type": "array", "items": {
                    "type": "object", "properties": {"rule": {"type": "string"}, "message": {"type": "string"}},
                    "required": ["rule", "message"]}},
                "receptiveness": {"type": "object", "properties": {
                    "level": {"type": "string", "enum": list(LEVELS)}, "estimated": {"type": "boolean"},
                    "signals": {"type": "array", "items": {"type": "string"}}},
                    "required": ["level", "estimated", "signals"]},
                "suggestions": suggestions,
                "alternatives": {"type": "object", "additionalProperties": suggestions},
                "avoid": {"type": "array", "items": {"type": "string"}},
                "action": {"type": ["string", "null"]},
                "category": {"type": ["string", "null"]},
                "honest_answer": {"type": ["string", "null"]},
                "guidance": {
                    "description": "Set when the decision is withhold or defer: the moment the conversation is in "
                                   "and whether to say nothing about this data point (suggestions is then empty) "
                                   "or one of the moment's lines (an empathy line, a greeting, a close). Null when "
                                   "the data point is used.",
                    "anyOf": [{"type": "null"}, {"type": "object", "properties": {
                        "moment": {"type": ["string", "null"],
                                   "description": "The phrasebook moment, e.g. keep-helping, condolence, greet, close."},
                        "say_nothing": {"type": "boolean",
                                        "description": "True: say nothing about this data point; keep helping."},
                        "message": {"type": "string", "description": "What to do, for staff."}},
                        "required": ["moment", "say_nothing", "message"]}]},
            },
            "required": ["topic", "decision", "reasons", "receptiveness", "suggestions", "alternatives",
                         "avoid", "action"],
        },
        "SuggestBatchResult": {
            "type": "object",
            "properties": {"results": {"type": "array", "items": {"$ref": _REF + "SuggestResult"}},
                           "say_now": {"type": "array", "items": {"type": "string"}}},
            "required": ["results", "say_now"],
        },
        "CheckRequest": {
            "type": "object",
            "properties": {
                "text": {"type": "string", "maxLength": 20000},
                "context": {"anyOf": [{"type": "object", "description": "As Context; channel optional here."},
                                      {"type": "null"}]},
                "disable": {"anyOf": [{"type": "array", "items": {"type": "string", "maxLength": 100}},
                                      {"type": "null"}],
                            "description": "Check rule ids to switch off for this call."},
            },
            "required": ["text"],
            "additionalProperties": False,
        },
        "CheckResult": {
            "type": "object",
            "properties": {
                "revealing": {"type": "boolean"},
                "findings": {"type": "array", "items": {"type": "object", "properties": {
                    "start": {"type": "integer"}, "end": {"type": "integer"}, "match": {"type": "string"},
                    "rule": {"type": "string"}, "severity": {"type": "string",
                                                             "enum": ["error", "warning", "suggestion"]},
                    "message": {"type": "string"}},
                    "required": ["start", "end", "match", "rule", "severity", "message"]}},
                "rewrite": {"type": ["string", "null"]},
                "rewrite_withheld": {
                    "description": "Why a revealing text has no rewrite; null when it has one or is not revealing.",
                    "anyOf": [{"type": "null"}, {"type": "object", "properties": {
                        "reason": {"type": "string", "enum": ["sensitive", "names-sensitive", "no-question",
                                                              "learned"]},
                        "message": {"type": "string"}}, "required": ["reason", "message"]}]},
            },
            "required": ["revealing", "findings", "rewrite"],
        },
        "Error": {
            "type": "object",
            "properties": {"error": {"type": "object", "properties": {
                "code": {"type": "string"}, "message": {"type": "string"},
                "field": {"type": ["string", "null"]}}, "required": ["code", "message", "field"]}},
            "required": ["error"],
        },
    }


# ---------------------------------------------------------------- the contract as prose tables

def _field_row(f: FieldSpec) -> str:
    if f.kind == "enum":
        kind, limits = "one of", ", ".join(f"`{c}`" for c in f.choices)
    elif f.kind == "enums":
        kind, limits = "array of", ", ".join(f"`{c}`" for c in f.choices)
    elif f.kind == "objects":
        kind, limits = "array of objects", f"at most {f.max_items} items; fields below"
    elif f.kind == "texts":
        kind, limits = "array of strings", f"at most {f.max_items} items of {f.max_len} characters"
    elif f.kind == "json":
        kind, limits = "any JSON value", f"at most {f.max_len} characters as JSON; strings {MAX_TEXT}"
    elif f.kind == "bool":
        kind, limits = "boolean", ""
    elif f.kind == "key":
        kind, limits = "dotted name", f"lower-case letters, digits, `_`, `-`; at most {f.max_len} characters"
    else:
        kind, limits = "string", f"at most {f.max_len} characters"
    required = "yes" if f.required else ""
    return f"| `{f.name}` | {required} | {kind} | {limits} | {f.description} |"


def field_tables() -> str:
    """The request fields as Markdown tables (docs/contract.md embeds this, and a test keeps them equal)."""
    header = "| field | required | type | values and limits | meaning |\n|---|---|---|---|---|"
    parts = []
    for title, spec in (("datapoint", DATAPOINT_SPEC), ("context", CONTEXT_SPEC)):
        parts.append(f"#### `{title}`\n\n{header}\n" + "\n".join(_field_row(f) for f in spec))
        for f in spec:
            if f.kind == "objects":
                parts.append(f"#### `{title}.{f.name}[]`\n\n{header}\n" + "\n".join(_field_row(g) for g in f.fields))
    return "\n\n".join(parts) + "\n"
