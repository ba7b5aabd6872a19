"""The studio's results view at `/studio/results`: what agents and crew did with each line, and what to rework."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from ..errors import RequestError
from ..model import INDUSTRIES
from ..stats import CHANNEL_FILTERS, DEFAULT_DAYS, parse_stats_query, summarise
from ..store import StoreUnavailable
from ..store import feedback as events
from . import get_engine
from .charts import stacked_bars
from .memory import get_store

bp = Blueprint("results", __name__, url_prefix="/studio")


def _texts(book) -> dict[str, str]:
    """Phrasing id -> its template text, so a flagged line can be read where it is flagged."""
    texts = {}
    for topic in book.topics.values():
        for group in (topic.phrasings, topic.bystander):
            for lines in group.values():
                texts.update((p.id, p.text) for p in lines)
    for lines in book.neutral.values():
        texts.update((p.id, p.text) for p in lines)
    return texts


@bp.get("/results")
def results():
    book = get_engine().book
    args = {k: v for k, v in request.args.items() if v}
    form = {"topics": sorted(book.topics), "channels": CHANNEL_FILTERS, "industries": INDUSTRIES,
            "values": args, "default_days": DEFAULT_DAYS}
    try:
        query = parse_stats_query(args, default_days=DEFAULT_DAYS)
        rows = events.count_rows(get_store(), topic=query.topic, since=query.since, until=query.until,
                                 channels=query.channels, industry=query.industry)
    except RequestError as exc:
        return render_template("studio_results.html", form=form, problem=exc.message, summary=None), 422
    except StoreUnavailable:
        return render_template("studio_results.html", form=form, summary=None,
                               problem="The feedback database is unavailable; try again in a moment."), 503
    summary = summarise(rows, query)
    charts = {"topics": stacked_bars("Events by topic", [(t["topic"], t) for t in summary["topics"]],
                                     "chart-topics")}
    for name, title in (("tone", "Events by tone"), ("channel", "Events by channel"),
                        ("industry", "Events by industry")):
        groups = summary[f"by_{name}"]
        if groups:
            charts[name] = stacked_bars(title, [(g[name].replace("_", " "), g) for g in groups], f"chart-{name}")
    return render_template("studio_results.html", form=form, summary=summary, charts=charts, problem=None,
                           texts=_texts(book), period=query.to_dict())
