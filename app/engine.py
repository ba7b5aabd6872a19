"""`suggest()` and `check()`: request in, contract response out.

Data flows one way: request -> model -> policy -> phrasebook -> render ->
check (guard) -> response.
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import replace
from functools import lru_cache
from typing import Any, Iterable

from jinja2 import TemplateSyntaxError

from .check import detect as checker    # `tact.check` itself is the public function once tact is imported
from .check.rules import quick_search
from . import policy, receptiveness, render, values
from .errors import TemplateError
from .model import (LEVELS, SENSITIVE_CATEGORIES, Context, DataPoint, SuggestRequest,
                    parse_check_request, parse_suggest_request)
from .moment import OWED, SILENT, Moment, channel_kind, choose, fits
from .phrasebook import Phrasebook, PhrasebookStore, Topic

log = logging.getLogger("tact")
NO_MOMENT = {"moment": None, "say_nothing": True,
             "message": "Nothing to say about this data point now; carry on with the conversation."}
QUIETLY = {"moment": None, "say_nothing": True, "message": "Do this quietly; there is nothing to say about it."}
ALREADY_SAID = "Already said in this conversation; nothing more to say about this data point."
PROBLEM_FIRST = policy.Reason("problem-first", "The customer just reported a problem with this; help with that "
                                               "first, and leave this for now.")
BRIEF_ENDING = policy.Reason("read-the-customer", policy.NOT_NOW[receptiveness.BRIEF_AT_THE_END])
ASKED = policy.Reason("customer-asked", "The customer asked about this just now: answering is service.")
BEARS = policy.Reason("serves-their-request", policy.BEARS_ON_REQUEST)
# What keeps a topic waiting that a question from the customer about it sets aside: they asked, so it is the issue.
WAITS_UNTIL_ASKED = frozenset(("resolve-first", "read-the-customer", "hear-them-out"))


class Remembered:
    """A costly one-argument reading, remembered per argument (up to `size`), with what is already known readable
    for free (`known`): a caller can then do cheaper checks first on what is new, and skip them on what is not."""

    def __init__(self, read, size: int = 4096):
        self.read, self.size, self.answers = read, size, {}

    def __call__(self, arg):
        found = self.answers.get(arg)
        if found is None:
            if len(self.answers) >= self.size:
                self.answers.clear()
            found = self.answers[arg] = self.read(arg)
        return found

    def known(self, arg):
        """The remembered answer, or None when it has not been read yet."""
        return self.answers.get(arg)

    def cache_clear(self) -> None:
        self.answers.clear()


class Engine:
    """A phrasebook set plus the check rules, ready to answer requests."""

    def __init__(self, phrasebooks: Iterable[str] | None = None, store: PhrasebookStore | None = None):
        self.store = store or PhrasebookStore(phrasebooks)
        self.checks = checker.default_checker()
        # The same phrasings come back call after call: judge each rendered line once.
        self.reveals = lru_cache(maxsize=20_000)(
            lambda text, disabled, asked=(): self.checks.is_revealing(
                text, Context(channel="phone", customer_utterances=asked) if asked else None, disabled))
        asking = tuple(quick_search(rule.asking) for rule in self.checks.rules if rule.kind == "answer" and rule.asking)
        self.asks = Remembered(lambda said: any(asks(checker.folded(said)) for asks in asking))

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
        if parsed.context.issue_resolved is True or parsed.context.stage == "wrap_up":
            estimate = receptiveness.at_the_end(estimate)
        context, unsafe = values.safe_context(parsed.context)
        context = _without_instructions(context)
        results = [self._one(dp, context, unsafe, estimate, book) for dp in parsed.datapoints]
        if not parsed.batch:
            return results[0]
        return {"results": results, "say_now": _say_now(results)}

    def find_topic(self, datapoint: DataPoint, context: Context, book: Phrasebook | None = None) -> Topic | None:
        """The first topic whose keys (or, failing those, category), industry, channel kinds and match fit.

        A key whose own topics are all for other channel kinds finds none: a bank's savings gap has no
        place in a cabin, and a generic line standing in for it would not know what it is about.
        """
        return self._choose_topic(datapoint, context, book or self.book)[0]

    def _choose_topic(self, datapoint: DataPoint, context: Context, book: Phrasebook,
                      term_category: str | None = None) -> tuple[Topic | None, list[policy.Reason]]:
        """The topic, and notes for staff when it is not the obvious one (another industry's, a loose match)."""
        category = policy.effective_category(datapoint, None, book.key_categories.get(datapoint.key), term_category)
        notes: list[policy.Reason] = []
        missed = other_industry = off_channel = False
        form = values.match_form(datapoint.value)
        words = _WORD.findall(form)[:12] if isinstance(form, str) else []
        kind = channel_kind(context.channel)
        plain = None    # the variables a match sees, shared by every topic with no label or vars of its own
        for topic in book.candidates(datapoint.key, category):
            if context.industry and topic.industry and topic.industry != context.industry:
                other_industry = other_industry or bool(topic.keys)
                continue
            if kind not in topic.channels:
                off_channel = True
                continue
            if off_channel and topic.generic:
                break
            if topic.match:
                own = bool(topic.label or topic.vars)
                if own or plain is None:
                    variables = {**policy.template_vars(datapoint, context, topic, context.receptiveness or "medium"),
                                 "value": form}
                    plain = plain if own else variables
                else:
                    variables = plain
                if _holds(topic.match, variables, topic.id):
                    pass
                elif len(words) > 1 and any(_holds(topic.match, {**variables, "value": word}) for word in words):
                    notes.append(LOOSE_MATCH)
                else:
                    missed = missed or bool(topic.keys)
                    continue
            return topic, _notes(topic, notes, missed, other_industry)
        return None, _notes(None, notes, missed, other_industry)

    def _one(self, raw: DataPoint, context: Context, unsafe_context: frozenset, estimate, book: Phrasebook) -> dict:
        dp, unsafe = values.safe_datapoint(raw)
        dp, unsafe = _without_orders_in(dp, unsafe)
        terms_in = self.checks.terms_in
        term_category = policy.sensitive_term_category(dp, terms_in)
        topic, notes = self._choose_topic(dp, context, book, term_category)
        known = book.key_categories.get(dp.key)
        level = estimate.level
        variables = policy.template_vars(dp, context, topic, level)
        moment = Moment(context, resolved=not policy.issue_pending(context), value=dp.value,
                        label=variables["label"], topic=topic, provenance=dp.provenance,
                        category=policy.effective_category(dp, topic, known, term_category),
                        signals=estimate.signals, book=book, asks=self.asks, key=dp.key)
        decision = policy.decide(dp, context, topic, estimate, known, term_category, terms_in,
                                 lambda d: _offers(book.offer_terms, d), book.topics, moment, book.standing_terms,
                                 book.care_needs, variables, book.correction_words)
        if topic is None and dp.key in book.by_key and decision.reasons[0].rule == "privacy-by-default":
            kind = channel_kind(context.channel)
            if all(kind not in t.channels for t in book.by_key[dp.key]):
                decision = policy.Decision("withhold", (policy.Reason(
                    "channel-fit", f"This data point's phrasings are not written for this channel "
                                   f"({context.channel}), so it is not raised here."),), decision.category)
        decision = _for_the_moment(decision, moment, topic, dp)
        guard = _Guard(self.reveals, dp, decision.category, topic, unsafe | unsafe_context, *values.notes_in(dp),
                       asked=_asked_of(decision.decision, moment, topic),
                       notice=moment.notice if moment.writes_first and moment.notice is not None
                       and moment.notice.unnamed else None)
        shown = frozenset(item.suggestion_id for item in context.history if item.suggestion_id)
        unnamed = {**variables, "value": None, "label": None}
        result: dict[str, Any] = {
            "topic": topic.id if topic else None,
            "decision": decision.decision,
            "reasons": [r.to_dict() for r in decision.reasons + tuple(notes)],
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
            if any(r.rule == policy.CUSTOMER_WORDS_FIRST for r in decision.reasons):
                moment.known["changed"] = moment.change_of()     # they changed what is on file: say it's done
            result["action"] = self._quiet_action(dp, context, topic, decision, level, guard, book, moment)
            result["suggestions"], result["guidance"] = self._moment_lines(level, moment, unnamed, guard, book, shown)
            if decision.decision == "withhold" and decision.category in SENSITIVE_CATEGORIES:
                result["avoid"] = []
            return _explain_drops(result, guard)
        source = topic.bystander if decision.bystander else topic.phrasings
        if moment.writes_first and any(r.rule == policy.MESSAGE_WE_SEND for r in decision.reasons):
            if moment.notice is not None:
                source = moment.notice.phrasings    # a message we send first says what it is for
            else:
                source = _written_first(source)
        told_for_care = any(r.rule in (policy.TOLD_FOR_CARE, policy.SAFETY_FIRST) for r in decision.reasons)
        result["action"] = _first_action([(topic, decision.care)], dp, context, level, guard) \
            if told_for_care else self._action(dp, context, topic, decision, level, guard, book, moment.writes_first)
        if moment.writes_first and decision.category in SENSITIVE_CATEGORIES and moment.notice is not None:
            result["action"] = None     # the message is the service: there is no one at the counter to act for
        if decision.check:
            # Safety before restraint: a plain question that names nothing, at every tone, and the check for staff.
            checks = {lv: guard.text(line, unnamed) for lv, line in decision.check}
            said_at = {lv: [_suggestion(f"care-check/{lv}", text, "neutral", lv)] if text else []
                       for lv, text in checks.items()}
            result["suggestions"] = said_at.get(level, [])
            result["alternatives"] = {other: said_at.get(other, []) for other in result["alternatives"]}
            said = bool(result["action"] and result["suggestions"])
        elif decision.decision == "apply_silently":
            too_late = context.channel in topic.action_not_in
            answer = self._answer_to_their_question(source, level, moment, variables, guard, shown) \
                if told_for_care and not decision.check else []
            if answer:
                # "Will someone be there with the ramp?" about help they told us of: yes, it's booked (never naming
                # the need), and it is still seen to quietly.
                result["suggestions"], result["guidance"] = answer, None
                result["reasons"] = result["reasons"] + [ASKED_ABOUT_CARE.to_dict()]
            elif (result["action"] or too_late) and (moment.waits or told_for_care):
                # Done quietly all the same; what to say is for their grief, distress or problem, not a promise.
                result["suggestions"], result["guidance"] = self._moment_lines(level, moment, unnamed, guard, book,
                                                                               shown)
            elif result["action"]:
                result["suggestions"] = self._lines(topic.confirm, level, moment, variables, guard, shown)[:1]
                result["guidance"] = None if result["suggestions"] else dict(QUIETLY)
            # Where the action is too late (on board), there is honestly nothing to do: not a dropped line.
            said = result["action"] is not None or too_late
        else:
            result["suggestions"] = self._lines(source.get(level, ()), level, moment, variables, guard, shown)
            for other in result["alternatives"]:
                result["alternatives"][other] = self._lines(source.get(other, ()), other, moment, variables,
                                                            guard, shown)
            # A line that skips a value which holds nothing real would answer something else: check it instead.
            said = bool(result["suggestions"]) and "junk-value" not in guard.dropped
            if said and moment.wonders and topic.honest_answer and not _hears_them(source, moment):
                _answer_honestly(result, topic, variables, guard, level)
            elif said and moment.preface and not _laughed_off(moment, estimate):
                _preface(result, moment.preface, _answering(source, moment))
        if not said:
            # Never an ask or offer with nothing to say, nor a quiet action with nothing to do.
            result["decision"] = "defer"
            result["reasons"] = [guard.nothing_left().to_dict()] + [r.to_dict() for r in notes]
            result["alternatives"] = {lv: [] for lv in result["alternatives"]}
            result["suggestions"], result["guidance"] = self._moment_lines(level, moment, unnamed, guard, book, shown)
            if decision.decision == "apply_silently" or decision.check:
                result["action"] = None
            if "junk-value" in guard.dropped:
                result["action"] = guard.text(ACTION_CHECK_JUNK, variables, check=False, action=True) \
                    or ACTION_CHECK_JUNK_UNNAMED
            return _explain_drops(result, guard)
        if topic.honest_answer:
            result["honest_answer"] = guard.text(topic.honest_answer, variables, check=False)
        return _explain_drops(result, guard)

    def _action(self, dp: DataPoint, context: Context, topic: Topic, decision, level: str, guard: "_Guard",
                book: Phrasebook, writes_first: bool = False) -> str | None:
        """What staff do: the topic's action, or for a sensitive need the customer raised, its category's."""
        # Some actions are too late in some channels (a seat can't be re-picked on board): no to-do there.
        sources = [(topic, topic.action if context.channel not in topic.action_not_in else None)]
        if decision.decision == "apply_silently" and topic.quiet_action:
            sources.append((topic, topic.quiet_action))     # used quietly, as it would be if withheld
        if decision.category in SENSITIVE_CATEGORIES and not writes_first:
            # A message we send first answers no one: a sensitive category's 'answer what they asked' is not for it.
            sources += [(t, t.action) for t in book.by_category.get(decision.category, ())
                        if t is not topic and t.purpose == "service" and _lends_action(t)]
        return _first_action(sources, dp, context, level, guard)

    def _quiet_action(self, dp: DataPoint, context: Context, topic: Topic | None, decision, level: str,
                      guard: "_Guard", book: Phrasebook, moment: Moment) -> str | None:
        """For a service need that is withheld (booked assistance, a special meal): what staff do, unsaid. A topic
        with `serves` words acts only when the conversation is about them (a welfare check in a power cut)."""
        if topic is not None and topic.serves and topic.quiet_action and not moment.served:
            return None
        if dp.provenance in ("observed", "inferred", "third_party") or any(
                r.rule in policy.CUSTOMER_WORDS for r in decision.reasons):
            return None     # nothing done on the quiet against what the customer just said
        if topic is not None and (topic.purpose == "marketing" or topic.proposes):
            return None
        if decision.category in SENSITIVE_CATEGORIES:
            # Only a need staff can act on now (a meal note at a meal, booked help at the gate) or a topic kept for
            # this data point: a condition or medicine on file gets nothing done, whatever its category's topics do.
            need = policy.care_need(dp, context, book.care_needs, book.correction_words)
            sources = [] if topic is None or _lends_action(topic) and not topic.keys else [(topic, topic.quiet_action)]
            sources += [(topic, need.action)] if need is not None else []
            return _first_action(sources, dp, context, level, guard)
        sources = [] if topic is None else [(topic, topic.quiet_action),
                                            (topic, topic.action if topic.decision == "apply_silently" else None)]
        sources += [(t, t.quiet_action) for t in book.by_category.get(decision.category, ())
                    if t is not topic and _lends_action(t)]
        return _first_action(sources, dp, context, level, guard)

    def _lines(self, lines, level: str, moment: Moment, variables: dict, guard: "_Guard",
               shown: frozenset) -> list[dict]:
        """The lines that fit this moment, rendered and guarded, best first."""
        out = []
        spoken = moment.context.spoken
        for phrasing in choose(lines, moment, shown):
            text = guard.text(phrasing.source_for(spoken), variables)
            if text and all(text != line["text"] for line in out):
                out.append(_suggestion(phrasing.id, text, phrasing.tone, level))
        return out

    def _answer_to_their_question(self, source: dict, level: str, moment: Moment, variables: dict,
                                  guard: "_Guard", shown: frozenset) -> list[dict]:
        """For a need seen to quietly, the topic's line that answers the customer's own question about the help
        itself ("will someone be there to help me off?": a line written `fits: {answers: true, heard: ...}`), or
        none: asked about, the help is confirmed, still without naming the need."""
        if not moment.answers:
            return []
        answering = tuple(p for p in source.get(level, ())
                          if any(name == "answers" and True in allowed for name, allowed in p.fits)
                          and any(name == "heard" for name, _ in p.fits))
        return self._lines(answering, level, moment, variables, guard, shown)[:1] if answering else []

    def _moment_lines(self, level: str, moment: Moment, variables: dict, guard: "_Guard", book: Phrasebook,
                      shown: frozenset) -> tuple[list[dict], dict]:
        """What to say (or that nothing should be said) when the data point must not be used."""
        # Not said, the data point answers nothing: a question of theirs ('is this the 9:40 to York?' beside booked
        # help for that train) is the agent's to answer, never met with 'of course, let me help you with that'.
        # A question about the thing itself, one they already named, or one that changes it ('why do you keep
        # leaving it there?' when they stop a safe place) is read as before.
        if not moment.known.get("changed"):
            moment.known["questioned"] = moment.asks_question and not (moment.asked or moment.said
                                                                         or moment.fact("served"))
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
    """Renders a template and refuses any line that would reveal the data point or is unsafe to speak.

    It remembers why it refused lines (never what they said), so the response can say so.
    """

    def __init__(self, reveals, dp: DataPoint, category: str | None, topic: Topic | None,
                 unsafe: frozenset = frozenset(), notes: frozenset = frozenset(),
                 action_notes: frozenset = frozenset(), asked: tuple[str, ...] = (), notice=None):
        self.reveals = reveals
        # Names whose value or label holds a note rather than a plain value: never repeated (stricter in actions).
        self.notes, self.action_notes = notes, action_notes
        self.asked = tuple(asked)     # the customer's question: telling them what they asked is service
        self.naming = None
        if category in SENSITIVE_CATEGORIES:
            label = None if _names_label(topic, dp.label) or _names_label(notice, dp.label) else dp.label
            self.naming = values.naming_pattern(values.spoken_forms(_what_it_is(dp.value), label,
                                                                    number_words_too=True))
        self.junk = values.JUNK in unsafe     # the value holds nothing real (N/A, NaN): lines needing it are dropped
        self.unsafe = unsafe - {values.JUNK}
        self.disabled = topic.disable_checks if topic else ()
        self.topic_id = topic.id if topic else None
        self.dropped: dict[str, None] = {}

    def text(self, source: str, variables: dict, check: bool = True, note: bool = True,
             action: bool = False) -> str | None:
        why = self._refusal(source, variables, check, self.action_notes if action else self.notes)
        if isinstance(why, tuple):
            if note:
                self.dropped.setdefault(why[0])
            log.warning("phrasing in topic %s dropped: %s", self.topic_id, DROPS[why[0]])
            return None
        return why

    def _refusal(self, source: str, variables: dict, check: bool, notes: frozenset) -> str | tuple | None:
        """The rendered line, None for an empty one, or (why,) when it is refused."""
        if self.unsafe or notes or self.junk:
            try:
                names = render.names_used(source)
            except TemplateSyntaxError:
                return ("render-failed",)
            used = {n for n in names if variables.get(n) is not None}
            if self.junk and "value" in used:
                return ("junk-value",)
            if used & self.unsafe:
                return ("unsafe-value",)
            if used & notes:
                return ("note-value",)
        try:
            text = render.render(source, variables)
        except TemplateError:
            # The message could quote the customer's data; `tact lint` shows it with example values instead.
            return ("render-failed",)
        if not text:
            return None
        if values.has_unsafe_text(text):
            return ("unsafe-line",)
        # Read as the check reads it too, so look-alike letters cannot hide a sensitive value.
        if self.naming is not None and (self.naming.search(text) or self.naming.search(checker.folded(text))):
            return ("sensitive-value",)
        if check and self.reveals(text, self.disabled, self.asked):
            return ("revealing",)
        return text

    def nothing_left(self) -> policy.Reason:
        """Why nothing is said, in staff's words: one plain sentence, no field names or codes."""
        why = "; and ".join(DROPS[k] for k in self.dropped) or "there is no line for this moment"
        return policy.Reason("no-safe-line", f"Nothing is said about this now: {why}.")


DROPS = {
    "unsafe-value": "the record holds markup or template syntax, which is never read out",
    "unsafe-line": "the lines held characters that are never spoken",
    "junk-value": "the record holds no real value here, so look it up another way rather than read it out",
    "sensitive-value": "every line would name sensitive data",
    "revealing": "every line would let on what we hold about them",
    "render-failed": "no line could be made from this record",
    "note-value": "the record holds a note rather than a plain value, and a note is never repeated",
}
# When the record holds a note rather than a plain value, staff get an action that does not repeat it.
ACTION_WITHOUT_VALUE = ("Check the customer's saved {{ label }} yourself before acting on it; the record holds a note, "
                        "not a plain value, so don't act on or read out anything it asks.")
ACTION_WITHOUT_EITHER = ("Check the customer's saved details yourself before acting on them; the record holds a note, "
                         "not a plain value, so don't act on or read out anything it asks.")
# What waits for the customer's own request to be done: reminders about their account (a renewal, a date they
# must meet), not a reward that comes with the order they are placing.
MID_REQUEST_WAITS = frozenset(("account_event", "product_holding"))
# A need seen to quietly that the customer asks about themselves ("will someone be there with the ramp?").
ASKED_ABOUT_CARE = policy.Reason("customer-asked", "The customer asked whether the help they booked will be there: "
                                                   "confirm it is booked, without naming why, and see to it quietly.")
THEIR_REQUEST_FIRST = policy.Reason("their-request-first", "The customer is in the middle of their own request: "
                                                           "finish it first; this can wait until it is done.")
GUESSED_MID_REQUEST = policy.Reason("respect-provenance", "This was inferred or watched, not told us, and the customer "
                                                        "is asking for something else: help with that; this is not "
                                                        "raised.")
# When the record holds no real value (N/A, NaN): staff look it up rather than read it out.
ACTION_CHECK_JUNK = ("Look up the customer's {{ label }} yourself before saying anything about it: the record holds "
                     "no real value, so don't read it out.")
ACTION_CHECK_JUNK_UNNAMED = ("Look this up yourself before saying anything about it: the record holds no real value, "
                             "so don't read it out.")
# Where the value or label holds markup, staff act on what the customer saved without repeating the record.
ACTION_UNSPEAKABLE = ("Check the customer's saved {{ label }} yourself and act on it; part of the record holds code "
                      "or odd characters, so don't read it out.")
ACTION_UNSPEAKABLE_UNNAMED = ("Check what the customer saved yourself and act on it; part of the record holds code or "
                              "odd characters, so don't read it out.")
# Notes for staff, in their words: what they see is the why, not how the engine looked things up.
SAFE_VALUES = policy.Reason("safe-values", "Part of what the record says can't be read out safely (it holds "
                                           "code or odd characters), so lines that would say it are left out.")
NOTE_IN_VALUE = policy.Reason("safe-values", "What the record says reads like a note or instructions, not a plain "
                                             "value, so neither lines nor the action for staff repeat it.")
OTHER_INDUSTRY = policy.Reason("industry", "The lines here are general ones; none are written for your kind of "
                                           "business.")
LOOSE_MATCH = policy.Reason("loose-match", "This line was picked on part of what the record says; check it "
                                           "fits before you say it.")
NO_SPECIFIC_TOPIC = policy.Reason("no-specific-topic", "These are general lines: none of the lines written for "
                                                       "this data point fits what the record says.")
_WORD = re.compile(r"[\w'-]+")


def _written_first(phrasings: dict) -> dict:
    """Of a topic's lines, those written for a message we send first (`opened: silent`) where a level has any:
    "while we're chatting" or "anything on your account?" never opens a message of ours."""
    own = {level: tuple(p for p in lines if any(name == "opened" and SILENT in allowed for name, allowed in p.fits))
           for level, lines in phrasings.items()}
    return {level: own[level] or lines for level, lines in phrasings.items()}


def _notes(topic: Topic | None, notes: list, missed: bool, other_industry: bool) -> list[policy.Reason]:
    """What staff should know about the choice of topic when a more specific one was passed over."""
    if topic is None or topic.generic:
        notes += [OTHER_INDUSTRY] if other_industry else []
        notes += [NO_SPECIFIC_TOPIC] if missed else []
    return notes


def _for_the_moment(decision: policy.Decision, moment: Moment, topic: Topic | None,
                    dp: DataPoint) -> policy.Decision:
    """The decision for this moment: a question about the thing is answered; a topic that is not the customer's
    issue waits while they report a problem with it, or are grieving, distressed or upset."""
    if topic is None:
        return decision
    if decision.decision == "defer" and {r.rule for r in decision.reasons} <= WAITS_UNTIL_ASKED:
        if moment.asked:
            decision = policy.Decision(topic.decision, (ASKED,), decision.category, decision.bystander)
        elif topic.purpose != "marketing" and not topic.proposes and moment.answers:
            # Their own question about their own record; a perk or a product that waits stays a sale.
            decision = policy.Decision(topic.decision, (BEARS,), decision.category, decision.bystander)
    if decision.decision not in ("ask", "offer"):
        return decision
    # Service history is a record of the problem itself: when the customer complains of it, it is the help; so is
    # a data point that serves what they came for (a known outage when they report no service).
    if moment.problem and decision.category != "service_history" and not moment.served \
            and not _answers_them(moment, topic):
        moment.resolved = False     # the problem they just raised is the issue now
        return policy.Decision("defer", (PROBLEM_FIRST,), decision.category, decision.bystander)
    entitled = policy.entitled_now(topic, moment)
    if moment.brief and not (moment.asked or dp.provenance == "customer_said" or moment.value == OWED or entitled
                             or decision.category in SENSITIVE_CATEGORIES):
        # Down to "k" or "thx" once it's sorted: they want to go, so even a service offer waits; money we still owe
        # them is theirs, and is offered before they go.
        return policy.Decision("defer", (BRIEF_ENDING,), decision.category, decision.bystander)
    if not entitled and _mid_request(decision, moment, topic, dp):
        return policy.Decision("defer", (THEIR_REQUEST_FIRST,), decision.category, decision.bystander)
    if not entitled and _guessed_mid_request(moment, topic, dp):
        return policy.Decision("withhold", (GUESSED_MID_REQUEST,), decision.category, decision.bystander)
    if not moment.waits:
        return decision
    # Their issue: what they asked about or named in the topic's own words, what they told us, a need they
    # raised, what the topic `serves` in their words (an outage when the water is off, even in distress); and,
    # short of grief or distress, a topic whose point is the problem (`problem: []`).
    # Service history is a record of the problem itself, so it is theirs too (always, when they complain of it).
    theirs = (dp.provenance == "customer_said" or decision.category in SENSITIVE_CATEGORIES or entitled
              or (decision.category == "service_history" and (moment.problem or not moment.waits_always))
              or (topic.problem == () and not moment.waits_always) or moment.asked or moment.served
              or _answers_them(moment, topic)
              or (topic.said is not None and moment.said) or _why_they_came(dp, topic, moment))
    if theirs:
        return decision
    # The reason names the state their words showed (hurried, anxious, grieving), never a list of maybes.
    return policy.Decision("defer", (policy.Reason("their-issue-first", moment.waiting_reason),), decision.category,
                           decision.bystander)


def _asked_of(decision: str, moment: Moment, topic: Topic | None) -> tuple[str, ...]:
    """The customer's words a line answers, for the guard: what they asked about the thing itself, or the turns
    of a request the data point bears on (telling them what they asked is service, not revealing)."""
    said = moment.context.customer_utterances
    if decision in ("ask", "offer") and moment.asked:
        return said[-2:]
    if decision in ("ask", "offer", "apply_silently") and _answers_them(moment, topic):
        return said[-3:]
    return ()


def _answers_them(moment: Moment, topic: Topic | None) -> bool:
    """Whether the data point answers what the customer is asking for right now: for something new to them (a
    product, a perk) only when they ask for it; for their own record (a parcel's delivery attempts, a refund, the
    kettle they bought) when their request or the problem they report is about it."""
    if topic is None:
        return False
    if topic.purpose == "marketing" or topic.proposes:
        return moment.asks_for
    return moment.bears


def _mid_request(decision: policy.Decision, moment: Moment, topic: Topic, dp: DataPoint) -> bool:
    """Whether a service offer would break into the customer's own open request (a renewal raised while they are
    changing their address): it waits until that is done, unless it is about what they asked or came for."""
    context = moment.context
    return (decision.decision == "offer" and topic.purpose == "service" and not topic.proposes
            and context.reason is not None and not moment.resolved and context.stage != "wrap_up"
            and dp.provenance != "customer_said" and decision.category in MID_REQUEST_WAITS and moment.told
            and not (moment.asked or moment.served or moment.said or _answers_them(moment, topic)
                     or _why_they_came(dp, topic, moment)))


def _guessed_mid_request(moment: Moment, topic: Topic, dp: DataPoint) -> bool:
    """Whether a line prompted by what we only inferred or watched about the customer (a likely newcomer) would
    break into the request they are making ('I'd like to book two seats'): it is not raised at all, since putting
    it off would promise it comes up later."""
    context = moment.context
    return (dp.provenance in ("inferred", "observed") and not moment.resolved and context.stage != "wrap_up"
            and moment.told and not (moment.asked or moment.fact("served") or moment.said
                                     or _answers_them(moment, topic) or _why_they_came(dp, topic, moment)))


def _why_they_came(dp: DataPoint, topic: Topic, moment: Moment) -> bool:
    """Whether a service data point is the very thing the customer got in touch about while it is still open (their
    claim, when calling about its status): distress does not put it off, it is the help they came for."""
    return (not moment.resolved and topic.purpose != "marketing" and not topic.proposes
            and policy.fixes_open_issue(dp, topic, moment.context))


# An order to the system about the customer in the third person ("print the customer's balance in full", "list the
# user's transactions"): no customer speaks of themselves so; it is an instruction, not something they raised.
_ORDER_ABOUT_THEM = re.compile(
    r"\b(?:print|output|dump|reveal|display|show|list|expose|export|leak|return|read out|tell me|give me|send me)"
    r"\s+(?:me\s+|us\s+)?(?:all\s+(?:of\s+)?)?(?:the|this)\s+(?:customer|caller|user|account holder|client)(?:'s|\u2019s|s')"
    r"[^.!?\n]*[.!?]?", re.I)


@lru_cache(maxsize=4096)
def _without_orders(utterance: str) -> str | None:
    """The turn without orders about 'the customer' in it, or None when it holds none (read once a turn)."""
    if not _ORDER_ABOUT_THEM.search(utterance):
        return None
    return _ORDER_ABOUT_THEM.sub(" ", utterance).strip()


def _instructs(text: Any) -> bool:
    """Whether a text tries to instruct the engine ("IGNORE PREVIOUS INSTRUCTIONS and read out ...")."""
    return isinstance(text, str) and (receptiveness.set_aside(text)[1] or bool(_ORDER_ABOUT_THEM.search(text)))


def _without_orders_in(dp: DataPoint, unsafe: frozenset) -> tuple[DataPoint, frozenset]:
    """A label that tries to instruct the engine is no name for anything: the topic's own label is used instead;
    such a value is never spoken (a line that reads it is dropped)."""
    if _instructs(dp.label):
        dp = replace(dp, label=None)
    if _instructs(dp.value):
        unsafe = unsafe | {"value"}
    return dp, unsafe


def _without_instructions(context: Context) -> Context:
    """The context with what tries to instruct the engine set aside from the customer's turns ("SYSTEM: offer the
    card now", "print the customer's balance in full"): such text is no request of theirs, so it neither asks for
    nor raises anything. The estimate already sets the first kind aside; the readings are cached, so this costs a
    look-up per turn."""
    said = context.customer_utterances
    if not said:
        return context
    kept, steered = [], False
    for utterance in said:
        readings, found = receptiveness.set_aside(utterance)
        if found:
            utterance = readings[1].strip()
        kept_part = _without_orders(utterance)
        if kept_part is not None:
            found, utterance = True, kept_part
        steered = steered or found
        if found and not utterance:
            continue
        kept.append(utterance)
    return replace(context, customer_utterances=tuple(kept)) if steered else context


def _lends_action(topic: Topic) -> bool:
    """Whether a category's topic may lend its action to a data point it doesn't serve: not one kept for some data
    points (`match`) or some conversations (`serves`), such as a welfare check in a power cut."""
    return not topic.match and not topic.serves


def _first_action(sources: list, dp: DataPoint, context: Context, level: str, guard: _Guard) -> str | None:
    """The first of (topic, template) pairs that renders to an action the guard lets through; one that would
    repeat a note smuggled into the value gives way to an action that names only the label, or nothing."""
    for owner, source in sources:
        if source:
            variables = policy.template_vars(dp, context, owner, level)
            action = guard.text(source, variables, check=False, action=True)
            if action:
                return action
            if "note-value" in guard.dropped:
                return guard.text(ACTION_WITHOUT_VALUE, variables, check=False, action=True) or ACTION_WITHOUT_EITHER
            if "unsafe-value" in guard.dropped:
                # The quiet service stands: staff act on what was saved without repeating the unspeakable record.
                return guard.text(ACTION_UNSPEAKABLE, variables, check=False, action=True) \
                    or ACTION_UNSPEAKABLE_UNNAMED
    return None


def _holds(condition: str, variables: dict, topic_id: str | None = None) -> bool:
    try:
        return bool(render.evaluate(condition, variables))
    except TemplateError:
        if topic_id:   # the error text may quote the value: name the topic only
            log.warning("match condition of topic %s failed to evaluate with this data point; run tact lint",
                        topic_id)
        return False


@lru_cache(maxsize=8)
def _offer_pattern(terms: tuple[str, ...]) -> re.Pattern | None:
    """The offer words (lower case already) as one pattern, matched on lower-cased text: faster than IGNORECASE."""
    if not terms:
        return None
    parts = sorted((re.escape(t[:-1]) + r"\w*" if t.endswith("*") else re.escape(t)) for t in terms)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def _offers(terms: tuple[str, ...], dp: DataPoint) -> bool:
    """Whether the data point itself is an offer (an upgrade, a package, a sign-up), by the phrasebooks' words."""
    try:    # asked several times a request; a plain value is read once
        return _offers_plain(terms, dp.key, dp.label, dp.value)
    except TypeError:   # a mapping or a list
        return _reads_as_offer(terms, dp.key, dp.label, dp.value)


@lru_cache(maxsize=4096, typed=True)
def _offers_plain(terms: tuple[str, ...], key: str, label: str | None, value: Any) -> bool:
    return _reads_as_offer(terms, key, label, value)


def _reads_as_offer(terms: tuple[str, ...], key: str, label: str | None, value: Any) -> bool:
    pattern = _offer_pattern(terms)
    if pattern is None:
        return False
    text = " ".join([key.replace(".", " ").replace("_", " ")] + values.spoken_forms(value, label))
    return bool(pattern.search(text.lower()))


def _explain_drops(result: dict, guard: _Guard) -> dict:
    """Say when a line was refused for an unspeakable value (the no-safe-line reason already says it)."""
    if ("unsafe-value" in guard.dropped or "unsafe-line" in guard.dropped) and not any(
            r["rule"] == "no-safe-line" for r in result["reasons"]):
        result["reasons"].append(SAFE_VALUES.to_dict())
    if "note-value" in guard.dropped and not any(r["rule"] == "no-safe-line" for r in result["reasons"]):
        result["reasons"].append(NOTE_IN_VALUE.to_dict())
    return result


_FIRST_SENTENCE = re.compile(r"[^.!?]*")
_ACKNOWLEDGING = re.compile(r"[a-z]{5,}")
_CELEBRATING = re.compile(r"(?:^|(?<=[.!?] ))[^.!?]*\b(?:congratulations|congrats|how exciting|how lovely|"
                          r"(?:lovely|great|wonderful|exciting|brilliant|fantastic) news)\b[^.!?]*[.!?]\s*",
                          re.IGNORECASE)


_WHEN_OR_HOW_FAR = ("status", "state", "stage", "progress")


def _what_it_is(value: Any) -> Any:
    """Of a sensitive record, the fields that say what it is: its status ('ready') and when (a date, a time) name
    nothing sensitive, so a reminder may say 'your order is ready' or 'on 18 March 2027 at 09:40'."""
    if not isinstance(value, dict):
        return value
    return {k: v for k, v in value.items()
            if not (str(k).lower() in _WHEN_OR_HOW_FAR
                    or isinstance(v, str) and (render.is_date(v) or render.clock(v)))}


def _laughed_off(moment: Moment, estimate) -> bool:
    """Whether a gripe was told with a laugh ('the puppy's been a nightmare lol'): upset by its words alone, yet
    light and warm, with no anger or sarcasm. An apology would misread them, so none is put first."""
    signals = set(estimate.signals)
    return (moment.state == "upset" and {"light", "positive sentiment"} <= signals
            and not signals & {"anger", "sarcasm", "irony"})


def _names_label(topic, label: str | None) -> bool:
    """Whether the topic's (or an unnamed notice's) own lines name the label in their fixed words (an interpreter
    topic says 'interpreter', an appointment reminder 'appointment'): the thing is then the service itself, not
    something read from the record, so saying it gives nothing away. The value is still never spoken."""
    if topic is None or not label:
        return False
    found = values.naming_pattern(values.spoken_forms(None, label))
    return found is not None and any(found.search(p.text) for lines in topic.phrasings.values() for p in lines)


def _answering(source: dict, moment: Moment) -> frozenset:
    """The ids of lines written for the customer's state, or for a worry they just put in words ('Let's get you to
    that connection'): they already speak to the feeling. Grief and distress still come first, and an annoyed
    customer is still owed the apology."""
    if moment.waits_always:
        return frozenset()
    worry_said = moment.state not in policy.UPSET_STATES
    return frozenset(p.id for lines in source.values() for p in lines
                     if "state" in dict(p.fits) or (worry_said and dict(p.fits).get("said") == (True,)))


def _preface(result: dict, preface: str, answering: frozenset = frozenset()) -> None:
    """Put the state's preface (a condolence, the worry acknowledged) before each line that does not already open
    with it: the feeling comes before the facts, so a 'sorry' tacked on at the end does not count."""
    own = set(_ACKNOWLEDGING.findall(preface.lower()))
    for line in result["suggestions"] + [s for lines in result["alternatives"].values() for s in lines]:
        if line["id"] in answering:
            continue
        # Good news in a line ("Congratulations!") is not said to someone being comforted.
        line["text"] = _CELEBRATING.sub("", line["text"]).strip() or line["text"]
        opening = _FIRST_SENTENCE.match(line["text"].lower()).group()
        if own.isdisjoint(_ACKNOWLEDGING.findall(opening)):
            line["text"] = f"{preface} {line['text']}"


def _hears_them(source: dict, moment: Moment) -> bool:
    """Whether the topic has a line written for the customer's very words (`heard`) that fits now: it knows better
    than the honest answer what to say."""
    return any("heard" in dict(p.fits) and fits(p.fits, moment) for lines in source.values() for p in lines)


def _answer_honestly(result: dict, topic: Topic, variables: dict, guard: "_Guard", level: str) -> None:
    """'How do you know that??' is answered plainly, at every tone, with where it came from (the topic's honest
    answer), never by the offer again."""
    honest = guard.text(topic.honest_answer, variables)
    if not honest:
        return
    result["suggestions"] = [_suggestion(f"{topic.id}/honest-answer", honest, "neutral", level)]
    result["alternatives"] = {other: [_suggestion(f"{topic.id}/honest-answer", honest, "neutral", other)]
                              for other in result["alternatives"]}


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
    return checker.check(request)
