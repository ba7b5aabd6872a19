"""Cabin packs: every line for every tone for a flight's passengers, computed ahead of the flight.

A pack is what the tablet keeps offline. It is computed with channel `cabin`
(so bystander mode is on unless the request says otherwise) and never carries a
data point's value; for sensitive categories it carries neither value nor label.
"""
from __future__ import annotations

import re
import time
from typing import Any

from ..errors import RequestError
from ..model import LEVELS, MAX_DATAPOINTS, SENSITIVE_CATEGORIES, describe, expect_object, expect_string

MAX_PASSENGERS = 400
MAX_PACK_DATAPOINTS = 2000
SEAT_PATTERN = r"^[0-9]{1,3}[A-Z]$"
_SEAT = re.compile(SEAT_PATTERN)
PACK_FIELDS = ("flight", "date", "passengers", "context")
PASSENGER_FIELDS = ("seat", "name", "datapoints")


def _prefixed(exc: RequestError, prefix: str) -> RequestError:
    field = f"{prefix}.{exc.field}" if exc.field else prefix
    return RequestError(field, exc.detail, exc.code)


def build_pack(engine, body: Any) -> dict:
    """Validate a pack request and compute the pack; raises RequestError naming the field."""
    body = expect_object(body, "", PACK_FIELDS, required=("flight", "passengers"))
    flight = expect_string(body, "", "flight", required=True, max_len=100)
    date = expect_string(body, "", "date", max_len=40)
    context = body.get("context")
    if context is None:
        context = {}
    if not isinstance(context, dict):
        raise RequestError("context", f"expected an object; got {describe(context)}", "invalid_type")
    context = {**context, "channel": "cabin"}
    passengers = body.get("passengers")
    if passengers is None:
        raise RequestError("passengers", "required field is missing", "missing_field")
    if not isinstance(passengers, list):
        raise RequestError("passengers", f"expected an array; got {describe(passengers)}", "invalid_type")
    if len(passengers) > MAX_PASSENGERS:
        raise RequestError("passengers", f"expected at most {MAX_PASSENGERS} passengers", "too_long")
    seats: set[str] = set()
    total = 0
    checked = []
    for i, raw in enumerate(passengers):
        where = f"passengers[{i}]"
        raw = expect_object(raw, where, PASSENGER_FIELDS, required=("seat",))
        seat = expect_string(raw, where, "seat", required=True, max_len=4)
        if not _SEAT.match(seat):
            raise RequestError(f"{where}.seat", f"expected a seat such as 12A; got {seat!r}", "invalid_value")
        if seat in seats:
            raise RequestError(f"{where}.seat", f"seat {seat} appears twice", "invalid_value")
        seats.add(seat)
        name = expect_string(raw, where, "name", max_len=100)
        points = raw.get("datapoints", [])
        if points is None:
            points = []
        if not isinstance(points, list):
            raise RequestError(f"{where}.datapoints", f"expected an array; got {describe(points)}",
                               "invalid_type")
        if len(points) > MAX_DATAPOINTS:
            raise RequestError(f"{where}.datapoints", f"expected at most {MAX_DATAPOINTS} data points",
                               "too_long")
        total += len(points)
        if total > MAX_PACK_DATAPOINTS:
            raise RequestError("passengers", f"expected at most {MAX_PACK_DATAPOINTS} data points in all",
                               "too_long")
        checked.append((i, seat, name, points))

    out = []
    for i, seat, name, points in checked:
        lines: list[dict] = [{"key": dp.get("key") if isinstance(dp, dict) else None, "tones": {}}
                             for dp in points]
        if points:
            for level in LEVELS:
                request = {"datapoints": points, "context": {**context, "receptiveness": level}}
                try:
                    result = engine.suggest(request)
                except RequestError as exc:
                    if exc.field and exc.field.startswith("datapoints"):
                        raise _prefixed(exc, f"passengers[{i}]") from None
                    raise
                for line, res in zip(lines, result["results"]):
                    line["tones"][level] = _tone(res)
                    line.setdefault("category", res.get("category"))
                    line.setdefault("topic", res["topic"])
        for line, dp in zip(lines, points):
            sensitive = line.get("category") in SENSITIVE_CATEGORIES
            label = dp.get("label") if isinstance(dp, dict) else None
            line["label"] = None if sensitive else (label or _key_words(line["key"]))
            line["sensitive"] = sensitive
        out.append({"seat": seat, "name": name, "lines": lines})
    bystanders = context.get("bystanders") is not False
    return {"flight": flight, "date": date, "channel": "cabin", "bystanders": bystanders,
            "levels": list(LEVELS), "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "passengers": out}


def _key_words(key: str | None) -> str | None:
    if not key:
        return None
    return key.split(".")[-1].replace("_", " ")


def _tone(result: dict) -> dict:
    return {"decision": result["decision"],
            "reasons": result["reasons"],
            "lines": [s["text"] for s in result["suggestions"]],
            "ids": [s["id"] for s in result["suggestions"]],     # for feedback events, line by line
            "action": result["action"]}
