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
    keys = sorted(book.by_key)
    return render_template(
        "agent.html", channels=CHANNELS, industries=book.industries, stages=STAGES, levels=LEVELS,
        provenances=PROVENANCES, categories=CATEGORIES, consents=CONSENT_PURPOSES,
        relationships=RELATIONSHIPS, keys=keys,
        embed_origins=" ".join(current_app.config["EMBED_ORIGINS"]))
