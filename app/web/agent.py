"""The agent panel at `/`: what to say now, what to hold, what never to raise, and coaching."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from ..model import (CATEGORIES, CHANNELS, CONSENT_PURPOSES, LEVELS, PROVENANCES,
                     RELATIONSHIPS, STAGES)
from . import get_engine

bp = Blueprint("agent", __name__)


@bp.get("/")
def panel():
    book = get_engine().book
    # Headings name a topic by its title, and each key's label field suggests how that key is said.
    titles = {t.id: t.title for t in book.topics.values() if t.title}
    labels = {key: next((t.label for t in topics if t.label), None) for key, topics in book.by_key.items()}
    return render_template(
        "agent.html", channels=CHANNELS, industries=book.industries, stages=STAGES, levels=LEVELS,
        provenances=PROVENANCES, categories=CATEGORIES, consents=CONSENT_PURPOSES,
        relationships=RELATIONSHIPS, keys=sorted(book.by_key),
        names={"titles": titles, "labels": {k: v for k, v in labels.items() if v}},
        embed_origins=" ".join(current_app.config["EMBED_ORIGINS"]))
