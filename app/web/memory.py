"""The call's memory: a suggest request that names a conversation but brings no history gets it from the store.

The engine stays pure; only the web layer reads the store. If the database is
down, the call goes on without its memory.
"""
from __future__ import annotations

import dataclasses

from flask import current_app

from ..model import SuggestRequest
from ..store import Store, StoreUnavailable
from ..store import feedback as events


def get_store() -> Store:
    return current_app.extensions["tact.store"]


def with_history(parsed: SuggestRequest, raw: object) -> SuggestRequest:
    """The request with its conversation's history from the store, when it names one and brings none."""
    context = parsed.context
    if not context.conversation_id or context.history or (
            isinstance(raw, dict) and isinstance(raw.get("context"), dict) and "history" in raw["context"]):
        return parsed
    store = current_app.extensions.get("tact.store")
    if store is None or store.down:
        return parsed
    try:
        history = events.history(store, context.conversation_id)
    except StoreUnavailable:
        return parsed        # the call goes on without its memory; the store logged why
    if not history:
        return parsed
    return dataclasses.replace(parsed, context=dataclasses.replace(context, history=history))
