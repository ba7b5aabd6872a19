"""`suggest()` and `check()`: request in, contract response out.

Data flows one way: request -> model -> policy -> phrasebook -> render ->
check (guard) -> response.
"""
from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any, Iterable

from . import check as checker
from . import policy, receptiveness, render
from .errors import TemplateError
from .model import (LEVELS, SENSITIVE_CATEGORIES, Context, DataPoint, SuggestRequest,
                    parse_check_request, parse_suggest_request)
from .moment import Moment, channel_kind, choose, fits
from .phrasebook import Phrasebook, PhrasebookStore, Topic

log = logging.getLogger("tact")
# Never spoken: control characters, template syntax and markup that came in with a value or label.
UNSPEAKABLE = re.compile(r"[\x00-\x1f\x7f]|\{[{%#]|[}%#]\}|<\s*/?\s*[A-Za-z!][^>]*>")
INVISIBLE = ("Cc", "Cf", "Co", "Cs", "Zl", "Zp")
NO_MOMENT = {"moment": None, "say_nothing": True,
             "message": "Nothing to say about this data point now; carry on with the conversation."}
ALREADY_SAID = "Already said in this conversation; nothing more to say about this data point."
PROBLEM_FIRST = policy.Reason("problem-first", "The customer just reported a problem with this; help with that "
                                               "first, and leave this for now.")


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
        """The first topic whose keys (or, failing those, category), channel kinds and match condition fit.

        A key whose own topics are all for other channel kinds finds none: a bank's savings gap has no
        place in a cabin, and a generic line standing in for it would not know what it is about.
        """
        book = book or self.book
        category = policy.effective_category(datapoint, None, book.key_categories.get(datapoint.key))
        kind = channel_kind(context.channel)
        off_channel = False
        for topic in book.candidates(datapoint.key, category):
            if kind not in topic.channels:
                off_channel = True
                continue
            if off_channel and topic.generic:
                return None
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
        decision = policy.decide(dp, context, topic, estimate, book.key_categories.get(dp.key))
        if topic is None and dp.key in book.by_key and decision.reasons[0].rule == "privacy-by-default":
            kind = channel_kind(context.channel)
            if all(kind not in t.channels for t in book.by_key[dp.key]):
                decision = policy.Decision("withhold", (policy.Reason(
                    "channel-fit", f"This data point's phrasings are not written for this channel "
                                   f"({context.channel}), so it is not raised here."),), decision.category)
        level = estimate.level
        variables = policy.template_vars(dp, context, topic, level)
        moment = Moment(context, resolved=not policy.issue_pending(context), value=dp.value,
                        label=variables["label"], topic=topic, provenance=dp.provenance,
                        category=decision.category, signals=estimate.signals, book=book)
        if decision.decision in ("ask", "offer") and moment.problem:
            decision = policy.Decision("defer", (PROBLEM_FIRST,), decision.category, decision.bystander)
            moment.resolved = False     # the problem they just raised is the issue now
        guard = _Guard(self.reveals, dp, decision.category, topic)
        shown = frozenset(item.suggestion_id for item in context.history if item.suggestion_id)
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
            "guidance": None,
        }
        if decision.decision in ("withhold", "defer"):
            result["suggestions"], result["guidance"] = self._moment_lines(
                level, moment, {**variables, "value": None, "label": None}, guard, book, shown)
            if decision.decision == "withhold" and decision.category in SENSITIVE_CATEGORIES:
                result["avoid"] = []
            return result
        source = topic.bystander if decision.bystander else topic.phrasings
        if decision.decision == "apply_silently":
            result["action"] = guard.text(topic.action, variables, check=False) if topic.action else None
            confirm = self._lines(topic.confirm, level, moment, variables, guard, shown)
            result["suggestions"] = confirm[:1]
        else:
            result["suggestions"] = self._lines(source.get(level, ()), level, moment, variables, guard, shown)
            for other in result["alternatives"]:
                result["alternatives"][other] = self._lines(source.get(other, ()), other, moment, variables,
                                                            guard, shown)
        if topic.honest_answer:
            result["honest_answer"] = guard.text(topic.honest_answer, variables, check=False)
        return result

    def _lines(self, lines, level: str, moment: Moment, variables: dict, guard: "_Guard",
               shown: frozenset) -> list[dict]:
        """The lines that fit this moment, rendered and guarded, best first."""
        out = []
        spoken = moment.context.spoken
        for phrasing in choose(lines, moment, shown):
            text = guard.text(phrasing.source_for(spoken), variables)
            if text:
                out.append(_suggestion(phrasing.id, text, phrasing.tone, level))
        return out

    def _moment_lines(self, level: str, moment: Moment, variables: dict, guard: "_Guard", book: Phrasebook,
                      shown: frozenset) -> tuple[list[dict], dict]:
        """What to say (or that nothing should be said) when the data point must not be used."""
        for candidate in book.moments:     # in file order: the first moment that fits wins
            if not fits(candidate.fits, moment):
                continue
            guidance = {"moment": candidate.id, "say_nothing": candidate.say_nothing, "message": candidate.message}
            if candidate.say_nothing:
                return [], guidance
            if any(sid.startswith(f"moment:{candidate.id}/") for sid in shown):
                # Condolences, greetings and closes are said once a conversation, not once a data point.
                return [], {**guidance, "say_nothing": True, "message": ALREADY_SAID}
            said = self._lines(candidate.phrasings.get(level, ()), level, moment, variables, guard, shown)
            if said:
                return said, guidance
        return [], dict(NO_MOMENT)

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
        if not speakable(text):
            log.warning("phrasing in topic %s dropped: it would speak control characters or markup", self.topic_id)
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


@lru_cache(maxsize=20_000)
def speakable(text: str) -> bool:
    """No control, bidi or zero-width character, template syntax or markup in a line to be said."""
    if UNSPEAKABLE.search(text):
        return False
    return text.isascii() or not any(unicodedata.category(ch) in INVISIBLE for ch in text)


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
