"""Feedback figures for script writers: counts per topic and phrasing, breakdowns, lines to rework.

The same summary feeds `GET /api/v1/stats`, the studio's results page and
`tact stats`; the counts are named after the events.
"""
from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass
from typing import Iterable, Mapping

from .errors import RequestError
from .feedback import iso, parse_time
from .model import CHANNELS, HISTORY_EVENTS, INDUSTRIES, SPOKEN_CHANNELS, WRITTEN_CHANNELS, KEY_PATTERN_CHARS

FILTERS = ("topic", "since", "until", "channel", "industry")
CHANNEL_FILTERS = CHANNELS + ("spoken", "written")
REWORK_MIN_DECLINES = 3       # below this, a decline rate says little
REWORK_RATE = 0.25            # a quarter or more of the times it was put in front of someone
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class StatsQuery:
    topic: str | None = None
    since: int | None = None
    until: int | None = None
    channel: str | None = None
    industry: str | None = None

    @property
    def channels(self) -> tuple[str, ...]:
        if self.channel == "spoken":
            return SPOKEN_CHANNELS
        if self.channel == "written":
            return WRITTEN_CHANNELS
        return (self.channel,) if self.channel else ()

    def to_dict(self) -> dict:
        return {"topic": self.topic, "since": iso(self.since) if self.since is not None else None,
                "until": iso(self.until) if self.until is not None else None,
                "channel": self.channel, "industry": self.industry}


def parse_stats_query(args: Mapping[str, str], default_days: int | None = None, now: float | None = None) -> StatsQuery:
    """Filters from a query string; a date alone for `until` includes that whole day. Errors name the field."""
    for name in args:
        if name not in FILTERS:
            raise RequestError(name, f"unknown filter; expected one of {', '.join(FILTERS)}", "unknown_field")
    values = {name: (args.get(name) or "").strip() or None for name in FILTERS}
    for name, value in values.items():
        if value is not None and len(value) > 200:
            raise RequestError(name, "expected at most 200 characters", "too_long")
    topic = values["topic"]
    if topic is not None and not set(topic) <= KEY_PATTERN_CHARS:
        raise RequestError("topic", "expected a topic id such as insurance.auto-gap", "invalid_value")
    if values["channel"] is not None and values["channel"] not in CHANNEL_FILTERS:
        raise RequestError("channel", f"expected one of {', '.join(CHANNEL_FILTERS)}", "invalid_value")
    if values["industry"] is not None and values["industry"] not in INDUSTRIES:
        raise RequestError("industry", f"expected one of {', '.join(INDUSTRIES)}", "invalid_value")
    since = parse_time(values["since"], "since") if values["since"] else None
    until = None
    if values["until"]:
        until = parse_time(values["until"], "until")
        if len(values["until"]) == 10:      # a date: through the end of that day
            until += 86400
    if since is None and default_days is not None:
        since = int((time.time() if now is None else now) - default_days * 86400)
    if since is not None and until is not None and until <= since:
        raise RequestError("until", "expected a time after 'since'", "invalid_value")
    return StatsQuery(topic, since, until, values["channel"], values["industry"])


def _zero() -> dict:
    return {event: 0 for event in HISTORY_EVENTS}


def rates(counts: dict) -> dict:
    """Use and decline rates over the times the line was put in front of someone (shown, or acted on)."""
    base = max(counts["shown"], counts["used"] + counts["edited"] + counts["declined"])
    if not base:
        return {"use_rate": None, "decline_rate": None}
    return {"use_rate": round((counts["used"] + counts["edited"]) / base, 3),
            "decline_rate": round(counts["declined"] / base, 3)}


def summarise(rows: Iterable[dict], query: StatsQuery) -> dict:
    """Rows of grouped counts (tact.store.feedback.count_rows) as the stats document."""
    totals = _zero()
    topics: dict[str, dict] = {}
    breakdowns = {name: {} for name in ("tone", "receptiveness", "channel", "industry")}
    for row in rows:
        n, event = row["n"], row["event"]
        totals[event] += n
        topic = topics.setdefault(row["topic"], {"topic": row["topic"], **_zero(), "declined_reasons": {},
                                                 "phrasings": {}})
        phrasing = topic["phrasings"].setdefault(row["suggestion_id"], {
            "id": row["suggestion_id"], "tone": row["tone"], "receptiveness": row["receptiveness"], **_zero(),
            "declined_reasons": {}})
        for target in (topic, phrasing):
            target[event] += n
            if event == "declined":
                reason = row["reason"] or "not_given"
                target["declined_reasons"][reason] = target["declined_reasons"].get(reason, 0) + n
        for name, groups in breakdowns.items():
            value = row[name] or "not_given"
            groups.setdefault(value, {name: value, **_zero()})[event] += n

    rework = []
    topic_list = []
    for topic in sorted(topics.values(), key=lambda t: (-t["shown"], t["topic"])):
        phrasings = []
        for p in sorted(topic["phrasings"].values(), key=lambda p: (-p["shown"], p["id"])):
            p.update(rates(p))
            p["rework"] = p["declined"] >= REWORK_MIN_DECLINES and (p["decline_rate"] or 0) >= REWORK_RATE
            if p["rework"]:
                rework.append({"id": p["id"], "topic": topic["topic"], "declined": p["declined"],
                               "decline_rate": p["decline_rate"], "declined_reasons": p["declined_reasons"]})
            phrasings.append(p)
        topic_list.append({**topic, **rates(topic), "phrasings": phrasings})
    rework.sort(key=lambda r: (-r["decline_rate"], -r["declined"], r["id"]))
    return {
        "filters": query.to_dict(),
        "totals": {**totals, **rates(totals)},
        "topics": topic_list,
        **{f"by_{name}": sorted(groups.values(), key=lambda g: (-sum(g[e] for e in HISTORY_EVENTS), g[name]))
           for name, groups in breakdowns.items()},
        "rework": rework,
        "rework_rule": {"min_declined": REWORK_MIN_DECLINES, "min_decline_rate": REWORK_RATE},
    }


TABLE_COLUMNS = ("topic", "phrasing", "tone", "receptiveness", "shown", "used", "edited", "declined",
                 "decline_rate", "rework")


def table_rows(summary: dict) -> list[dict]:
    """One row per phrasing, for a table or CSV."""
    return [{"topic": t["topic"], "phrasing": p["id"], "tone": p["tone"], "receptiveness": p["receptiveness"],
             **{e: p[e] for e in HISTORY_EVENTS}, "decline_rate": p["decline_rate"],
             "rework": "rework" if p["rework"] else ""}
            for t in summary["topics"] for p in t["phrasings"]]


def to_csv(summary: dict) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TABLE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table_rows(summary))
    return out.getvalue()


def to_table(summary: dict) -> str:
    rows = [{k: "" if v is None else str(v) for k, v in row.items()} for row in table_rows(summary)]
    widths = {c: max([len(c)] + [len(r[c]) for r in rows]) for c in TABLE_COLUMNS}
    lines = ["  ".join(c.ljust(widths[c]) for c in TABLE_COLUMNS).rstrip()]
    lines += ["  ".join(r[c].ljust(widths[c]) for c in TABLE_COLUMNS).rstrip() for r in rows]
    t = summary["totals"]
    lines.append(f"total: shown {t['shown']}, used {t['used']}, edited {t['edited']}, declined {t['declined']}"
                 f"; {len(summary['rework'])} phrasing(s) flagged for rework")
    return "\n".join(lines)
