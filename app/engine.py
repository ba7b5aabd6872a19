"""`suggest()` and `check()`: request in, contract response out.

Data flows one way: request -> model -> policy -> phrasebook -> render ->
check (guard) -> response.
"""
from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from typing import Any, Iterable

from . import check as checker
from . import policy, receptiveness, render
from .errors import TemplateError
from .model import (LEVELS, SENSITIVE_CATEGORIES, Context, DataPoint, SuggestRequest,
                    parse_check_request, parse_suggest_request)
from .phrasebook import Phrasebook, PhrasebookStore, Topic

log = logging.getLogger("tact")
NEUTRAL_FALLBACK = "Is there anything else I can help with today?"


class Engine:
    """A phrasebook set plus the check rules, ready to answer requests."""

    def __init__(self, phrasebooks: Iterable[str] | None = None, store: PhrasebookStore | None = None):
        self.store = store or PhrasebookStore(phrasebooks)
        self.checks = checker.default_checker()
        # The same phrasings come back call after call: judge each rendered line once.
        self.reveals = lru_cache(maxsize=20_000)(
            lambda text, disabled: self.checks.is_revealing(text, None, disabled))

    @property
    def book(self) -> Phrasebook:
        return self.store.book

    # ------------------------------------------------------------ suggest
    def suggest(self, request: dict | SuggestRequest) -> dict:
        """Decide and phrase one data point (or a batch); raises RequestError on a bad request."""
        parsed = request if isinstance(request, SuggestRequest) else parse_suggest_request(request)
        book = self.book
        estimate = receptiveness.estimate(parsed.context.customer_utterances, book.cues,
                                          parsed.context.receptiveness, parsed.context.reason)
        results = [self._one(dp, parsed.context, estimate, book) for dp in parsed.datapoints]
        if not parsed.batch:
            return results[0]
        return {"results": results, "say_now": _say_now(results)}

    def find_topic(self, datapoint: DataPoint, context: Context, book: Phrasebook | None = None) -> Topic | None:
        """The first topic whose keys (or, failing those, category) and match condition fit."""
        book = book or self.book
        category = policy.effective_category(datapoint, None, book.key_categories.get(datapoint.key))
        for topic in book.candidates(datapoint.key, category):
            if topic.match:
                variables = policy.template_vars(datapoint, context, topic, context.receptiveness or "medium")
                try:
                    if not render.evaluate(topic.match, variables):
                        continue
                except TemplateError:
                    continue
            return topic
        return None

    def _one(self, dp: DataPoint, context: Context, estimate, book: Phrasebook) -> dict:
        topic = self.find_topic(dp, context, book)
        decision = policy.decide(dp, context, topic, estimate, book.key_categories.get(dp.key), book.topics)
        level = estimate.level
        variables = policy.template_vars(dp, context, topic, level)
        guard = _Guard(self.reveals, dp, decision.category, topic)
        result: dict[str, Any] = {
            "topic": topic.id if topic else None,
            "decision": decision.decision,
            "reasons": [r.to_dict() for r in decision.reasons],
            "receptiveness": estimate.to_dict(),
            "suggestions": [],
            "alternatives": {lv: [] for lv in LEVELS if lv != level},
            "avoid": list(topic.avoid) if topic else [],
            "action": None,
            "category": decision.category,
            "honest_answer": None,
        }
        if decision.decision in ("withhold", "defer"):
            result["suggestions"] = self._neutral(level, context, variables, guard, book)
            if decision.decision == "withhold" and decision.category in SENSITIVE_CATEGORIES:
                result["avoid"] = []
            return result
        source = topic.bystander if decision.bystander else topic.phrasings
        if decision.decision == "apply_silently":
            result["action"] = guard.text(topic.action, variables, check=False) if topic.action else None
            if topic.confirm:
                line = guard.text(topic.confirm, variables)
                if line:
                    result["suggestions"] = [_suggestion(f"{topic.id}/confirm", line, "neutral", level)]
        else:
            result["suggestions"] = self._render_level(source, level, variables, guard, context)
            for other in result["alternatives"]:
                result["alternatives"][other] = self._render_level(source, other, variables, guard, context)
        if topic.honest_answer:
            result["honest_answer"] = guard.text(topic.honest_answer, variables, check=False)
        return result

    def _render_level(self, source: dict, level: str, variables: dict, guard: "_Guard",
                      context: Context) -> list[dict]:
        out = []
        for phrasing in source.get(level, ()):
            text = guard.text(phrasing.source_for(context.spoken), variables)
            if text:
                out.append(_suggestion(phrasing.id, text, phrasing.tone, level))
        return out

    def _neutral(self, level: str, context: Context, variables: dict, guard: "_Guard",
                 book: Phrasebook) -> list[dict]:
        lines = book.neutral.get(level) or book.neutral.get("medium") or ()
        for phrasing in lines:
            text = guard.text(phrasing.source_for(context.spoken), {**variables, "value": None, "label": None})
            if text:
                return [_suggestion(f"neutral/{level}/{lines.index(phrasing) + 1}", text, phrasing.tone, level)]
        return [_suggestion("neutral/fallback", NEUTRAL_FALLBACK, "neutral", level)]

    # ------------------------------------------------------------ check
    def check(self, request: dict) -> dict:
        """Find revealing phrasing in staff text and propose a question-led rewrite."""
        parsed = parse_check_request(request)
        return self.checks.check(parsed.text, parsed.context, parsed.disable).to_dict()


class _Guard:
    """Renders a template and refuses any line that would reveal the data point."""

    def __init__(self, reveals, dp: DataPoint, category: str | None, topic: Topic | None):
        self.reveals = reveals
        self.dp = dp
        self.sensitive = category in SENSITIVE_CATEGORIES
        self.disabled = topic.disable_checks if topic else ()
        self.topic_id = topic.id if topic else None

    def text(self, source: str, variables: dict, check: bool = True) -> str | None:
        try:
            text = render.render(source, variables)
        except TemplateError:
            # The message could quote the customer's data; `tact lint` shows it with example values instead.
            log.warning("phrasing in topic %s failed to render with this data point; run tact lint", self.topic_id)
            return None
        if not text:
            return None
        if self.sensitive and self._mentions_data(text):
            log.warning("phrasing in topic %s dropped: names sensitive data", self.topic_id)
            return None
        if check and self.reveals(text, self.disabled):
            log.warning("phrasing in topic %s dropped by the check", self.topic_id)
            return None
        return text

    def _mentions_data(self, text: str) -> bool:
        lowered = text.lower()
        for item in (self.dp.label, self.dp.value if isinstance(self.dp.value, str) else None):
            if item and len(item.strip()) > 2 and re.search(r"(?<!\w)" + re.escape(item.strip().lower()) + r"(?!\w)",
                                                            lowered):
                return True
        return False


def _suggestion(sid: str, text: str, tone: str, level: str) -> dict:
    return {"id": sid, "text": text, "tone": tone, "receptiveness": level, "question": "?" in text}


def _say_now(results: list[dict]) -> list[str]:
    """The suggestions worth saying now, best first: service asks, then offers, in request order."""
    rank = {"ask": 0, "apply_silently": 1, "offer": 2}
    ready = [(rank[r["decision"]], i, r["suggestions"][0]["id"]) for i, r in enumerate(results)
             if r["decision"] in rank and r["suggestions"]]
    return list(dict.fromkeys(sid for _, _, sid in sorted(ready)))


_default: Engine | None = None
_default_lock = threading.Lock()


def default_engine() -> Engine:
    """The engine on the bundled (or $TACT_PHRASEBOOKS) phrasebooks, loaded once."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Engine()
        return _default


def suggest(request: dict) -> dict:
    return default_engine().suggest(request)


def check(request: dict | str) -> dict:
    if isinstance(request, str):
        request = {"text": request}
    return default_engine().check(request)
