"""The principles as ordered, named rules over a data point and its context.

Each rule may restrict the decision; the most restrictive wins (withhold, then
defer, then the topic's own), and every rule that shaped it is named.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from . import render
from .errors import TemplateError
from .model import SENSITIVE_CATEGORIES, Context, DataPoint
from .phrasebook import Topic
from .receptiveness import Estimate

STRICTNESS = {"withhold": 3, "defer": 2, "apply_silently": 1, "ask": 1, "offer": 1}
QUOTABLE_PROVENANCE = ("customer_said",)
UNCITABLE_PROVENANCE = ("observed", "inferred")
BYSTANDER_SAFE = ("operational", "preference", "service_history")
OFFER_MADE = ("used", "edited")     # history events that mean the line was said to the customer


@dataclass(frozen=True)
class Reason:
    rule: str
    message: str

    def to_dict(self) -> dict:
        return {"rule": self.rule, "message": self.message}


@dataclass(frozen=True)
class Decision:
    decision: str
    reasons: tuple[Reason, ...]
    category: str | None
    bystander: bool = False   # phrase for others within earshot


def effective_category(datapoint: DataPoint, topic: Topic | None, known: str | None) -> str | None:
    """The key's usual category, raised (never lowered) by the one the request gives."""
    usual = (topic.category if topic and topic.category else None) or known
    given = datapoint.category
    if usual is None:
        return given
    if given and given in SENSITIVE_CATEGORIES and usual not in SENSITIVE_CATEGORIES:
        return given
    return usual


def issue_pending(context: Context) -> bool:
    """Whether the customer's own issue still waits.

    Resolved means marked resolved or at the wrap-up. Otherwise an issue waits when
    it is marked unresolved, a reason for the contact is given, or the
    conversation is before the wrap-up; with none of these known (a shop floor, a
    cabin), nothing waits.
    """
    if context.issue_resolved is True or context.stage == "wrap_up":
        return False
    return (context.issue_resolved is False or context.reason is not None
            or context.stage in ("opening", "discovery", "resolution"))


def template_vars(datapoint: DataPoint, context: Context, topic: Topic | None, level: str) -> dict:
    """The plain data a template or condition sees: no Python objects."""
    label = datapoint.label or (topic.label if topic else None) or datapoint.key.split(".")[-1].replace("_", " ")
    return {
        "key": datapoint.key, "value": datapoint.value, "label": label,
        "category": datapoint.category, "provenance": datapoint.provenance,
        "context": context.to_template(), "vars": dict(topic.vars) if topic else {},
        "receptiveness": level, "consent": list(datapoint.consent) if datapoint.consent is not None else None,
        **(topic.vars if topic else {}),
    }


def decide(datapoint: DataPoint, context: Context, topic: Topic | None, estimate: Estimate,
           known_category: str | None = None, topics: Mapping[str, Topic] | None = None) -> Decision:
    """Apply the principles in order; return the decision and the rules that made it."""
    category = effective_category(datapoint, topic, known_category)
    marketing = topic is not None and topic.purpose == "marketing"
    found: list[tuple[str, Reason]] = []

    def rule(decision: str, name: str, message: str) -> None:
        found.append((decision, Reason(name, message)))

    if topic is None:
        if category in SENSITIVE_CATEGORIES:
            rule("withhold", "sensitive-data", f"Sensitive data ({category.replace('_', ' ')}) is never raised.")
        elif category is None:
            rule("withhold", "privacy-by-default",
                 "No phrasebook knows this data point and no category was given, so it is not used.")
        else:
            rule("withhold", "privacy-by-default",
                 f"No phrasings exist for this data point or its category ({category}), so it is not used.")
        return _resolve(found, category)

    if category in SENSITIVE_CATEGORIES:
        if datapoint.provenance not in QUOTABLE_PROVENANCE:
            rule("withhold", "sensitive-data",
                 f"Sensitive data ({category.replace('_', ' ')}) never surfaces unless the customer raised it "
                 "in this conversation.")
        elif marketing:
            rule("withhold", "sensitive-data",
                 "The customer mentioned sensitive data to get help, not to be sold to.")
    if datapoint.provenance == "third_party":
        rule("withhold", "respect-provenance", "Data bought or shared from third parties is not used in conversation.")
    if marketing:
        if context.do_not_market:
            rule("withhold", "consent-binds", "The customer opted out of marketing.")
        elif datapoint.consent is not None and "marketing" not in datapoint.consent:
            rule("withhold", "consent-binds", "No marketing consent for this data.")
        if estimate.distress:
            rule("withhold", "dont-exploit-emotion", "A customer in distress is offered nothing.")
        if issue_pending(context):
            rule("defer", "resolve-first", "Offers wait until the customer's own issue is resolved.")
        if estimate.level == "low":
            rule("defer", "read-the-customer", "The customer does not seem receptive right now; leave offers for now.")
    found.extend(conversation_memory(datapoint, context, topic, topics or {}))
    if context.bystanders and datapoint.provenance not in QUOTABLE_PROVENANCE and category not in BYSTANDER_SAFE:
        if category in SENSITIVE_CATEGORIES:
            pass  # already withheld above
        elif topic.bystander:
            rule(topic.decision, "bystanders", "Others can hear: keep it to a general, warm line.")
        else:
            rule("withhold", "bystanders", "Others can hear, and this is personal.")

    if not any(STRICTNESS[d] >= 2 for d, _ in found):
        variables = template_vars(datapoint, context, topic, estimate.level)
        for topic_rule in topic.rules:
            try:
                applies = render.evaluate(topic_rule.when, variables)
            except TemplateError as exc:
                rule("withhold", topic_rule.id, f"Rule could not be evaluated ({exc.message}); data withheld.")
                continue
            if applies:
                rule(topic_rule.decision, topic_rule.id, topic_rule.message)
                break
        bystander = any(r.rule == "bystanders" for _, r in found)
        if not bystander and not any(STRICTNESS[d] >= 2 for d, _ in found):
            _default(topic, datapoint, rule)
    return _resolve(found, category, bystander=any(r.rule == "bystanders" for _, r in found))


def customer_asked(datapoint: DataPoint, context: Context, topic: Topic) -> bool:
    """The customer raised the topic: they said the data point, or asked about its label in this conversation."""
    if datapoint.provenance in QUOTABLE_PROVENANCE:
        return True
    label = (datapoint.label or topic.label or "").strip().lower()
    return bool(label) and any("?" in said and label in said.lower() for said in context.customer_utterances)


def conversation_memory(datapoint: DataPoint, context: Context, topic: Topic,
                        topics: Mapping[str, Topic]) -> list[tuple[str, Reason]]:
    """Rules over what already happened in this conversation (context.history): no repeats, one offer a call."""
    if not context.history or customer_asked(datapoint, context, topic):
        return []
    found = []
    if any(item.event == "declined" and item.topic == topic.id for item in context.history):
        found.append(("defer", Reason("declined-earlier",
                                      "This was raised earlier in this conversation and didn't fit; "
                                      "don't bring it up again unless the customer does.")))
    if topic.purpose == "marketing":
        made = [item.topic for item in context.history if item.event in OFFER_MADE
                and (item.topic == topic.id or getattr(topics.get(item.topic), "purpose", None) == "marketing")]
        if made:
            earlier = "this offer" if topic.id in made else "an offer"
            found.append(("defer", Reason("one-offer-per-call",
                                          f"You already made {earlier} in this conversation: one offer per "
                                          "call, unless the customer asks.")))
    return found


def _default(topic: Topic, datapoint: DataPoint, rule) -> None:
    decision = topic.decision
    if datapoint.provenance in UNCITABLE_PROVENANCE:
        decision = "apply_silently" if decision == "apply_silently" else "ask"
        rule(decision, "respect-provenance",
             "Observed and inferred data are never cited or stated as fact: ask, and let the customer say.")
    if decision == "apply_silently":
        rule("apply_silently", "apply-quietly", topic.message or "A known preference is best simply honoured.")
    elif decision == "offer":
        rule("offer", "ask-dont-tell", topic.message or "Offer without citing what the records show.")
    else:
        rule("ask", "ask-dont-tell", topic.message or "Ask a question that lets the customer say it; never state what the records show.")


def _resolve(found: list, category: str | None, bystander: bool = False) -> Decision:
    top = max(STRICTNESS[d] for d, _ in found)
    chosen = [(d, r) for d, r in found if STRICTNESS[d] == top]
    decision = chosen[-1][0] if top == 1 else chosen[0][0]
    reasons = tuple(dict.fromkeys(r for _, r in chosen))
    return Decision(decision, reasons, category, bystander)
