"""The principles as ordered, named rules over a data point and its context.

Each rule may restrict the decision; the most restrictive wins (withhold, then
defer, then the topic's own), and every rule that shaped it is named.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Mapping

from . import render
from .errors import TemplateError
from .check.detect import content_stems
from .model import SENSITIVE_CATEGORIES, Context, DataPoint, made
from .moment import Moment, channel_kind, pattern, stem
from .phrasebook import CareNeed, Topic
from .receptiveness import BRIEF_AT_THE_END, Estimate
from .values import naming_pattern, spoken_forms

STRICTNESS = {"withhold": 3, "defer": 2, "apply_silently": 1, "ask": 1, "offer": 1}
QUOTABLE_PROVENANCE = ("customer_said",)
UNCITABLE_PROVENANCE = ("observed", "inferred")
# Categories whose observed or inferred values are watched habits and lives (browsing, order times, meter
# readings, income, a buying pattern, purchases seen rather than rung up): never made a question about them.
WATCHED_HABITS = ("behaviour", "usage", "income", "life_event", "transaction")
# Read from the customer's payments, these are watched too (a pay rise, a new baby from what they buy).
READ_FROM_PAYMENTS = ("income", "life_event", "behaviour")
BYSTANDER_SAFE = ("operational", "preference", "service_history")
# Why a data point is kept out of a conversation others can hear, in words that fit what it is: what someone holds
# with us is not private the way their life is, so it is never said to 'expose' them.
BYSTANDER_REASONS = {
    None: "Others can hear, and the customer hasn't shared this here: anything said because of it would expose them.",
    "product_holding": "Others can hear: what they have with us, or don't, is only brought up when they raise it, "
                       "not in front of other people.",
    "account_event": "Others can hear: their account's business is only brought up when they raise it, not in front "
                     "of other people.",
    "transaction": "Others can hear: what they have bought or paid is only brought up when they raise it, not in "
                   "front of other people.",
    "usage": "Others can hear: how they use our service is only brought up when they raise it, not in front of "
             "other people.",
}
SHARED_WITH_US = ("customer_said", "customer_stated")   # the customer chose to tell this business
UPSET_STATES = ("upset", "distressed")
# Categories whose offer words are not a sale when a service topic serves them: a voucher in service history is what
# happened; a hardship fund, a payment break or a support scheme for money trouble is help, never something sold.
NOT_A_SALE = ("service_history", "financial_hardship")
# What a grieving customer is offered nothing of, for the whole conversation, service or not (occasions wait too:
# `not-now`): their points, tier and perks.
NOT_FOR_GRIEF = ("loyalty",)
# Why nothing is sold, naming what the customer's words (or the reason they got in touch) showed.
EMOTION_FIRST = {"grief": "A grieving customer is offered nothing.",
                 "anger": "An angry customer is offered nothing.",
                 "distress": "A customer in distress is offered nothing."}
# Why offers wait for a customer who reads low, naming the strongest signal when it says more than 'low'.
NOT_NOW = {BRIEF_AT_THE_END: "The customer's replies are down to a word or two: they want to go. Leave "
                                     "offers for another time.",
           "sarcasm": "The customer sounds annoyed (sarcasm): leave offers for now.",
           "hurry": "The customer is in a hurry: leave offers for now.",
           "": "The customer does not seem receptive right now; leave offers for now."}
# Rules where what they said outranks the record: nothing is done on the quiet either.
CUSTOMER_WORDS_FIRST = "customer-words-first"     # a stored preference set aside for what the customer just said
CUSTOMER_WORDS = ("already-answered", CUSTOMER_WORDS_FIRST, "not-now")
# Why a data point the customer's own request is about is used now, in staff's words.
ASKED_FOR = ("The customer asked for this themselves: it is their request, not a sale, so help with it now "
             "(marketing consent is not needed to answer them).")
BEARS_ON_REQUEST = ("This is what the customer is asking about right now: use it to answer them plainly (what it "
                    "shows, in everyday words) and offer the next step.")
PREFERENCE_FOR_REQUEST = ("This is how the customer likes what they are asking for right now: set it up that way "
                          "and tell them it's in hand, without reading it back.")
MONEY_WORRY = "financial_hardship"    # the lexicon's category for a customer worried about money
log = logging.getLogger("tact")
# The check's lexicon files wheelchairs, mobility and sight or hearing loss under health.
LEXICON_NAMES = {"disability": ("disability", "health")}
# Values that say nothing about what the customer raised: "yes" in their words does not mean they raised it.
SAYS_NOTHING = frozenset(("yes", "true", "false", "none", "null", "n/a", "unknown", "not known", "held", "active"))
# Words of a contact reason that say nothing about what it is about.
GENERIC_REASON_STEMS = frozenset(("question", "issu", "problem", "queri", "enquiri", "inquiri", "request", "help",
                                  "general", "chang", "updat", "status", "account", "call", "contact", "new",
                                  "check", "chat", "follow", "info", "inform", "other", "servic", "support",
                                  "insur", "cover", "polici", "plan", "product", "book", "order"))
# Data about someone else in the customer's life, and the words of a customer here for their own.
SOMEONE_ELSES = ("children",)
_OTHER_PERSON = re.compile(r"\b(?:child(?:ren)?|son|daughter|kids?|baby|dependa?nt|partner|spouse|wife|husband|"
                           r"mum|mother|dad|father|parent)s?\b")
_THEIR_OWN = re.compile(r"\b(?:own|mine|myself)\b", re.IGNORECASE)
GRIEF_STATE = "bereaved"      # the moments' state for a grieving customer
OFFER_MADE = ("used", "edited")     # history events that mean the line was said to the customer
TOLD_FOR_CARE = "told-for-care"     # a sensitive need told before, seen to quietly
SAFETY_FIRST = "safety-first"       # the customer is about to walk into the risk of a need on file: check first
SAFETY_MESSAGE = ("What the customer is asking for now may not be safe for them: check with a plain question "
                  "before it goes through, without saying what is on file.")
MESSAGE_WE_SEND = "message-we-send"     # a message we send first about the data point itself
_MOMENT_FACT = re.compile(r"\bmoment\s*(?:\.\s*([a-z_]+)|\[\s*['\"]([a-z_]+)['\"]\s*\])")


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
    care: str | None = None   # for a need told for care, the action (template) that sees to it quietly
    check: tuple = ()         # for a need whose risk the customer's words meet, the (level, line) check to say


def effective_category(datapoint: DataPoint, topic: Topic | None, known: str | None,
                       found: str | None = None) -> str | None:
    """The key's usual category, raised (never lowered) by the one the request gives or by a sensitive term
    found in the value or label (a "diabetic" meal filed as a preference)."""
    usual = (topic.category if topic and topic.category else None) or known
    given = datapoint.category
    if usual is None:
        category = given
    elif given and given in SENSITIVE_CATEGORIES and usual not in SENSITIVE_CATEGORIES:
        category = given
    else:
        category = usual
    if found and category not in SENSITIVE_CATEGORIES:
        return found
    return category


def sensitive_term_category(datapoint: DataPoint, terms_in) -> str | None:
    """The first sensitive category the check's lexicon finds in the value's strings or the label."""
    for text in spoken_forms(datapoint.value, datapoint.label):
        for name in terms_in(text):
            if name in SENSITIVE_CATEGORIES:
                return name
    return None


@lru_cache(maxsize=256)
def _words(words: tuple[str, ...]) -> re.Pattern | None:
    return pattern(words)


def care_need(datapoint: DataPoint, context: Context, needs: tuple[CareNeed, ...],
              corrections: tuple[str, ...] = ()) -> CareNeed | None:
    """The need this data point is (a meal note, booked assistance, an accessible format, a delivery day) when
    staff can act on it now: its channel kind or industry, or words of the reason or the customer's last turns.
    A condition, injury or medicine on file is no need a phrasebook names: None."""
    if not needs:
        return None
    text = _care_text(datapoint)
    kind = channel_kind(context.channel)
    now_text = [t.lower() for t in ([context.reason.replace("_", " ")] if context.reason else [])
                + list(context.customer_utterances[-3:])]
    for need in needs:
        words = _words(need.need)
        if words is None or not words.search(text):
            continue
        if risk_met(need, text, context, corrections):
            return need     # what they are about to order meets it: it is acted on now, wherever this is
        if need.only_at_risk:
            continue        # a medicine on file is no need to see to, only a risk to check
        if _over(need, now_text):
            continue        # its moment has passed (a meal note when asking for the bill)
        if kind in need.channels or context.industry in need.industries:
            return need
        now = _words(need.now)
        if now is not None and any(now.search(t) for t in now_text):
            return need
    return None


def _over(need: CareNeed, now_text: list[str]) -> bool:
    """Whether the reason or the customer's last turns say the moment for the need has passed (`over` words)."""
    over = _words(need.over) if need.over else None
    return over is not None and any(over.search(t) for t in now_text)


def need_passed(datapoint: DataPoint, context: Context, needs: tuple[CareNeed, ...],
                corrections: tuple[str, ...] = ()) -> bool:
    """Whether the data point is a need whose moment has passed now (a meal preference when the customer asks for
    the bill): there is nothing to act on, so nothing is done with it."""
    if not needs:
        return False
    text = _care_text(datapoint)
    now_text = [t.lower() for t in ([context.reason.replace("_", " ")] if context.reason else [])
                + list(context.customer_utterances[-3:])]
    for need in needs:
        words = _words(need.need)
        if words is not None and words.search(text) and need.over:
            return _over(need, now_text) and not risk_met(need, text, context, corrections)
    return False


def risk_met(need: CareNeed, text: str, context: Context, corrections: tuple[str, ...] = ()) -> bool:
    """Whether the customer's current words (their last two turns) walk into a risk of this need on file: a peanut
    allergy and "can I get the satay noodles?". Safety overrides restraint. What they took back in their last turn
    ("the pistachio... actually no, the lemon tart": `correction_words`) is no longer their order."""
    if not need.risks or not context.customer_utterances:
        return False
    recent = [u.lower() for u in context.customer_utterances[-2:]]
    taken_back = _words(corrections) if corrections else None
    if taken_back is not None:
        cut = None
        for cut in taken_back.finditer(recent[-1]):
            pass
        if cut is not None:
            recent = [recent[-1][cut.end():]]     # the order as it stands now; the turn before was superseded too
    for holds, meets in need.risks:
        held, met = _words(holds), _words(meets)
        if held is not None and met is not None and held.search(text) and any(met.search(u) for u in recent):
            return True
    return False


def _care_text(datapoint: DataPoint) -> str:
    """The data point's key, label and values as one lower-case text, for care need words."""
    return " ".join([datapoint.key.replace(".", " ").replace("_", " ")]
                    + spoken_forms(datapoint.value, datapoint.label)).lower()


def told_for_care(datapoint: DataPoint, marketing: bool, topic: Topic | None, need: CareNeed | None) -> bool:
    """Whether a sensitive fact the customer told us before (an allergy on the booking form) is there so we can
    look after them now: a need staff can act on in this moment, served by a service topic."""
    return (datapoint.provenance == "customer_stated" and not marketing and need is not None
            and topic is not None and topic.purpose != "marketing")


def customer_raised(datapoint: DataPoint, context: Context, category: str | None, terms_in) -> bool:
    """The customer said it in this conversation: its provenance says so, or their own words carry it
    (a term of its sensitive category, or the value or label itself)."""
    if datapoint.provenance in QUOTABLE_PROVENANCE:
        return True
    if not context.customer_utterances:
        return False
    if category in SENSITIVE_CATEGORIES:
        told = LEXICON_NAMES.get(category, (category,))
        if any(name in told for u in context.customer_utterances for name in terms_in(u)):
            return True
    forms = [f for f in spoken_forms(datapoint.value, datapoint.label)
             if len(f) > 2 and not f.isdigit() and f.lower() not in SAYS_NOTHING]
    pattern = naming_pattern(forms)
    return pattern is not None and any(pattern.search(u) for u in context.customer_utterances)


def reason_raises(datapoint: DataPoint, topic: Topic, context: Context, category: str | None) -> bool:
    """Whether getting in touch was about this data point. For sensitive data the reason must name the data
    itself (its key or value: 'prescription collection' and a prescription), not a general word of its label
    ('entry issue' is not the fingerprint enrolment); and a customer here for their own is not asking about a
    family member's ('Just picking up mine')."""
    if category not in SENSITIVE_CATEGORIES:
        return fixes_open_issue(datapoint, topic, context)
    if not context.reason:
        return False
    reason = context.reason.replace("_", " ")
    about = " ".join([datapoint.key.replace(".", " ").replace("_", " ")] + spoken_forms(datapoint.value, None))
    if not (content_stems(reason) - GENERIC_REASON_STEMS) & content_stems(about):
        return False
    if category in SOMEONE_ELSES or _OTHER_PERSON.search(about.lower()):
        # About someone else: only when the customer speaks of them (a child, a son, their name), and not of their
        # own ('just picking up mine', 'renew my books' is not the child's account).
        said = (reason, *context.customer_utterances[-3:])
        if any(_THEIR_OWN.search(text) for text in said):
            return False
        names = naming_pattern([f for f in spoken_forms(datapoint.value, None) if f[:1].isupper() and len(f) > 2])
        return any(_OTHER_PERSON.search(text.lower()) or (names is not None and names.search(text)) for text in said)
    return True


def fixes_open_issue(datapoint: DataPoint, topic: Topic, context: Context) -> bool:
    """Whether the data point bears on why the customer got in touch (an outage credit for an outage, a new
    driver when they call to add one). A marketing topic's own label is too general to count."""
    if not context.reason:
        return False
    reason = content_stems(context.reason.replace("_", " ")) - GENERIC_REASON_STEMS
    # The key's last part says what it is; its first is only where it is filed ('room' in room.late_checkout).
    own = topic.label if topic.purpose != "marketing" else None
    about = " ".join((key_label(datapoint.key), datapoint.label or "", own or ""))
    return bool(reason & content_stems(about))


def glad_to_be_heard(datapoint: DataPoint, context: Context, category: str | None,
                     standing_terms: tuple[str, ...]) -> str | None:
    """Within earshot, what the customer would be glad to have heard, or None for what would expose them.

    'standing': their standing with this business (a loyalty membership, being a returning guest), said as a
    welcome back or points at the till. Anything else (an occasion told when booking, a honeymoon or first
    flight from the booking, a birthday from a date of birth, who they travel with) they have not made public
    here: the team may honour it quietly, and says it only once the customer does.
    """
    if category == "loyalty":
        return "standing"
    if category == "relationship" and standing_terms:
        words = pattern(tuple(standing_terms))
        text = " ".join((datapoint.key.replace(".", " ").replace("_", " "), datapoint.label or "")).lower()
        if words is not None and words.search(text):
            return "standing"
    return None


def money_worry(context: Context, terms_in) -> bool:
    """Whether the customer said in this conversation that money is a worry (the check's hardship lexicon)."""
    return bool(context.customer_utterances) and any(MONEY_WORRY in terms_in(said)
                                                     for said in context.customer_utterances)


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


_LEADING_ARTICLE = re.compile(r"^(?:a|an|the)\s+(?=\S)", re.IGNORECASE)


# An aside in brackets after a value ("front row (gets travel sick)") says why it was asked for, often a health
# reason: lines and staff actions use the value without it ("front row").
_ASIDE = re.compile(r"\s*\((?=[^)]*[A-Za-z]{3})[^()]{3,}\)")


def _without_aside(value):
    """A plain value without the aside in brackets that explains it; anything else as it is."""
    if not isinstance(value, str) or "(" not in value:
        return value
    plain = _ASIDE.sub("", value).strip()
    return plain or value


# A key's last part that names only the shape of a record, not what it is about ('refund.status',
# 'delivery.attempts'), like one that names only an event or a part ('flight.delay', 'price.change').
_SHAPE_WORDS = frozenset("status attempts attempt details detail record records info information history latest found "
                         "result results summary log update updates progress state".split())


def key_label(key: str) -> str:
    """A label from a key, when none is given: its last part ('policy.auto' -> 'auto'), with the part before it when
    the last only names an event, a part or the record's shape ('flight.delay' -> 'flight delay', 'price.change' ->
    'price change', 'refund.status' -> 'refund status'), so a line never calls it 'your delay' or 'your status'."""
    segments = [part for part in (p.replace("_", " ").strip() for p in key.split(".")) if part]
    if not segments:
        return key
    label = segments[-1]
    if len(segments) > 1 and all(w in render.EVENT_WORDS or w in render.ATTRIBUTE_WORDS or w in _SHAPE_WORDS
                                 for w in label.lower().split()):
        label = f"{segments[-2]} {label}"
    return label


def template_vars(datapoint: DataPoint, context: Context, topic: Topic | None, level: str) -> dict:
    """The plain data a template or condition sees: no Python objects."""
    label = datapoint.label or (topic.label if topic else None) or key_label(datapoint.key)
    label = _LEADING_ARTICLE.sub("", label)     # lines put their own 'a', 'the' or 'your' before it ('a smart meter')
    return {
        "key": datapoint.key, "value": _without_aside(datapoint.value), "label": label,
        "category": datapoint.category, "provenance": datapoint.provenance,
        "context": context.to_template(), "vars": dict(topic.vars) if topic else {},
        "receptiveness": level, "consent": list(datapoint.consent) if datapoint.consent is not None else None,
        **(topic.vars if topic else {}),
    }


def decide(datapoint: DataPoint, context: Context, topic: Topic | None, estimate: Estimate,
           known_category: str | None = None, term_category: str | None = None, terms_in=lambda text: (),
           offers=None, topics: Mapping[str, Topic] | None = None, moment: Moment | None = None,
           standing_terms: tuple[str, ...] = (), care_needs: tuple[CareNeed, ...] = (),
           variables: dict | None = None, corrections: tuple[str, ...] = ()) -> Decision:
    """Apply the principles in order; return the decision and the rules that made it.

    `term_category` is the sensitive category the check's lexicon found in the value or label; `terms_in`
    reads the lexicon's terms in text; `offers` finds offer wording in a data point; `topics` (the set's,
    by id) tells which topics named in the conversation's history were offers; `moment` reads what the
    customer just said; `standing_terms` mark a relationship fact as their standing with the business;
    `care_needs` are the needs told for care that staff can see to quietly; `corrections` are the words that take
    back what the customer just ordered ('actually no').
    """
    category = effective_category(datapoint, topic, known_category, term_category)
    sensitive = category in SENSITIVE_CATEGORIES
    glad = glad_to_be_heard(datapoint, context, category, standing_terms) if context.bystanders else None
    # Within earshot a member is only welcomed (the bystander lines), so a status that offers nothing sells nothing.
    welcome_only = (glad == "standing" and topic is not None and bool(topic.bystander)
                    and topic.purpose != "marketing" and not (offers is not None and offers(datapoint)))
    # A member's own tier, points or reward are service to them, given like any other: not a sale.
    own_benefit = (category == "loyalty" and moment is not None and moment.value != "missing"
                   and not (offers is not None and offers(datapoint)))
    # A need they told us so we could look after them (a child seat booked as an extra) is theirs, not on offer.
    stated_need = (care_need(datapoint, context, care_needs, corrections)
                   if sensitive and datapoint.provenance == "customer_stated" else None)
    told_need = stated_need is not None and topic is not None and topic.purpose != "marketing"
    # What the customer is owed or entitled to (money owed back, a reward this order completes, support for the
    # hardship they tell us of, a saving on what they are buying) is theirs when the topic says it fits: not a sale.
    entitled = entitled_now(topic, moment)
    marketing = (topic is not None and not welcome_only and not own_benefit and not told_need and not entitled
                 and proposes_something_new(datapoint, topic, context, offers, category, moment))
    # What the customer asks for themselves (a quote, a savings account, a mortgage for their first home) is their
    # request, not a sale: marketing consent does not hold it back, though an opt-out still does.
    # Grief, distress and a money worry still come first: nothing new is proposed to them, asked or not.
    # A perk they ask about ("can my husband drive it too?") is answered; asked mid-complaint it is still a sale.
    asked_for = (marketing and category not in SENSITIVE_CATEGORIES and moment is not None
                 and (category != "loyalty" or not moment.waits)
                 and moment.asks_for and (not moment.answered() or moment.asks_again())
                 and not estimate.distress
                 and not grieving(estimate, moment) and not moment.waits_always and not money_worry(context, terms_in))
    marketing = marketing and not asked_for
    # Said to be sold to is not raised: for marketing only the provenance counts, and the utterances go unread.
    # Getting in touch about it is raising it too: 'here to collect a prescription' is the prescription.
    said_it = not marketing and (sensitive or context.bystanders) and customer_raised(datapoint, context,
                                                                                      category, terms_in)
    raised = (datapoint.provenance in QUOTABLE_PROVENANCE if marketing else
              said_it or ((sensitive or context.bystanders) and topic is not None
                          and reason_raises(datapoint, topic, context, category))
              or (entitled and not sensitive and moment is not None and moment.served))
    # A need told before is seen to quietly, unless the customer speaks of it now: a delivery call is not their
    # faith raised, though the no-Saturday note is about deliveries.
    need = (stated_need if datapoint.provenance == "customer_stated" else care_need(datapoint, context, care_needs,
                                                                                corrections)) \
        if sensitive and not said_it else None
    care = told_for_care(datapoint, marketing, topic, need)
    raised = raised and not care
    # A message we send first about this very thing (a renewal reminder, a delay notice): it is what we write about.
    writes_first = moment is not None and moment.writes_first
    notice = moment.notice if writes_first else None
    raised = raised or notice is not None
    if raised:
        need = None     # raised here, or what we write about: not a need seen to quietly
    # Written first about this data point in so many words (the reason names it), of a kind no notice knows.
    sent = notice is not None or (writes_first and topic is not None and not sensitive
                                  and fixes_open_issue(datapoint, topic, context))
    found: list[tuple[str, Reason]] = []

    def rule(decision: str, name: str, message: str) -> None:
        found.append((decision, Reason(name, message)))

    if topic is None:
        if sensitive:
            rule("withhold", "sensitive-data", f"Sensitive data ({category.replace('_', ' ')}) is never raised.")
        elif category is None:
            rule("withhold", "privacy-by-default",
                 "No phrasebook knows this data point and no category was given, so it is not used.")
        else:
            rule("withhold", "privacy-by-default",
                 f"No phrasings exist for this data point or its category ({category}), so it is not used.")
        return _resolve(found, category)

    if sensitive:
        if care:
            rule("apply_silently", TOLD_FOR_CARE, "The customer told us this before so we could look after them: "
                                                  "act on it quietly, and don't mention it unless they do.")
            if need is not None and need.check and risk_met(need, _care_text(datapoint), context, corrections):
                rule("ask", SAFETY_FIRST, SAFETY_MESSAGE)
        elif not raised and not marketing and need is not None and need.check and risk_met(
                need, _care_text(datapoint), context, corrections):
            # Kept quiet otherwise (a medicine on the pharmacy record), but what they are buying now walks into its
            # risk: silence is unsafe, so a plain question that names nothing is asked before it goes through.
            rule("ask", SAFETY_FIRST, SAFETY_MESSAGE)
        elif not raised:
            rule("withhold", "sensitive-data",
                 f"Sensitive data ({category.replace('_', ' ')}) never surfaces unless the customer raised it "
                 "in this conversation.")
        elif marketing:
            rule("withhold", "sensitive-data",
                 "The customer mentioned sensitive data to get help, not to be sold to.")
    if asked_for and context.do_not_market:
        rule("withhold", "consent-binds", "The customer opted out of marketing: point them to where they can look "
                                          "at it themselves, without an offer from you.")
    if datapoint.provenance == "third_party":
        rule("withhold", "respect-provenance", "Data bought or shared from third parties is not used in conversation.")
    if ((datapoint.provenance in UNCITABLE_PROVENANCE and category in WATCHED_HABITS
         or datapoint.provenance == "transaction" and category in READ_FROM_PAYMENTS)
            and not answers_request(datapoint, topic, context, moment)):
        # Browsing, order times, meter readings, income or a buying pattern: a question about them, however
        # open, steers the talk to what was watched. Only a question that answers what the customer asked
        # (a usage pattern behind the bill they query) may come from it, and it never names the watching.
        rule("withhold", "respect-provenance", "What was seen or inferred about how the customer lives, spends "
                                               "or uses things is left alone unless it answers what they asked.")
    if category == "occasion" and datapoint.provenance not in SHARED_WITH_US and not said_occasion(
            datapoint, context, moment):
        # A birthday from a date of birth, an anniversary from the file: "Celebrating anything today?" on the
        # very day fishes for it, and the customer can tell. Let them be the one to mention it (the occasion
        # itself: a month they name for a holiday is not their 50th birthday).
        rule("withhold", "respect-provenance", "The customer hasn't told us about this occasion: a question "
                                               "fishing for it would show we know. Leave it to them.")
    if category == "occasion" and moment is not None and moment.waits_always:
        rule("withhold", "not-now", "The customer is grieving or in distress: whatever the occasion on file, it is "
                                    "not for now, and nothing is prepared for it.")
    if marketing or category in NOT_FOR_GRIEF:
        if grieving(estimate, moment):
            rule("withhold", "dont-exploit-emotion", "A grieving customer is offered nothing in this conversation: "
                                                     "no points, perks or offers.")
    elif (not sensitive and category not in BYSTANDER_SAFE and topic.decision != "apply_silently"
          and grieving(estimate, moment) and not entitled and not theirs_to_raise(datapoint, topic, context, moment)):
        # A reminder about the pet that was put to sleep, a renewal for the late husband's car: not put off to
        # later (that promises it comes back), but left out of this conversation.
        rule("withhold", "not-now", "The customer is grieving: nothing else is brought up in this conversation, "
                                    "and no reminder of it follows later.")
    if marketing:
        if context.do_not_market:
            rule("withhold", "consent-binds", "The customer opted out of marketing.")
        elif datapoint.consent is not None and "marketing" not in datapoint.consent:
            rule("withhold", "consent-binds", "No marketing consent for this data.")
        if estimate.distress:
            rule("withhold", "dont-exploit-emotion", EMOTION_FIRST[next(
                (s for s in estimate.signals if s in EMOTION_FIRST), "distress")])
        elif money_worry(context, terms_in):
            rule("withhold", "dont-exploit-emotion", "The customer is worried about money: sell nothing in this "
                                                     "conversation.")
        if datapoint.provenance == "inferred":
            # A guess about the customer is not a gap to fill later: putting it off would promise it comes up.
            rule("withhold", "respect-provenance", "An inference about the customer is not something they told "
                                                   "us: it is not raised in this conversation, now or later.")
        if issue_pending(context) and not sent:     # nothing of theirs is open in a message we send first
            rule("defer", "resolve-first", "Offers wait until the customer's own issue is resolved.")
        if estimate.level == "low":
            rule("defer", "read-the-customer", NOT_NOW[next((s for s in estimate.signals if s in NOT_NOW), "")])
    elif category == "loyalty" and issue_pending(context) and moment is not None and moment.state in UPSET_STATES:
        if moment.state == "upset":
            rule("defer", "resolve-first", "Perks and recognition wait until the complaint is put right.")
        else:   # in distress, not complaining: the reason names what was read (stranded, frightened)
            rule("defer", "their-issue-first", moment.waiting_reason)
    found.extend(conversation_memory(datapoint, context, topic, marketing, topics or {}, moment))
    found.extend(customer_words_first(datapoint, topic, category, moment, marketing))
    if (category == "preference" and datapoint.provenance == "customer_stated"
            and need_passed(datapoint, context, care_needs, corrections)):
        rule("withhold", "nothing-to-act-on", "What the customer told us before has nothing to act on at this point "
                                              "(its moment has passed): leave it, and help with what they ask.")
    bystander_lines = False
    if context.bystanders and category not in BYSTANDER_SAFE:
        if raised and topic.bystander:
            bystander_lines = True
            rule(topic.decision, "bystanders", "Others can hear: help without repeating what the customer said.")
        elif raised or sensitive:
            pass  # the customer said it themselves, or it is already withheld above
        elif (category == "occasion" and datapoint.provenance in SHARED_WITH_US
              and channel_kind(context.channel) != "cabin"):     # told to the airline, not to the crew
            rule("apply_silently", "bystanders", "Others can hear: the team prepares quietly for the occasion the "
                                                 "customer told us of, and congratulates only once they mention it.")
        elif (category == "product_holding" and topic.decision == "ask" and moment is not None
              and moment.value == "missing"):
            pass    # a question about a product they don't hold is one anyone here may be asked: it exposes nothing
        elif glad == "standing":
            bystander_lines = bool(topic.bystander)
            rule(topic.decision, "bystanders",
                 "Others can hear, but they asked about it themselves: tell them what they asked, and keep their "
                 "tier out of it." if moment is not None and moment.asked else
                 "Others can hear, and being welcomed as a known customer is nice to hear: keep tiers, points and "
                 "counts out of it.")
        else:
            if moment is not None and moment.waits and moment.waiting_reason:
                # The real reason comes first: an annoyed or grieving customer is seen to before anything else.
                rule("withhold", "their-issue-first", moment.waiting_reason)
            rule("withhold", "bystanders", BYSTANDER_REASONS.get(category, BYSTANDER_REASONS[None]))

    if not any(STRICTNESS[d] >= 2 for d, _ in found):
        variables = {**variables} if variables is not None else template_vars(datapoint, context, topic,
                                                                              estimate.level)
        if topic.rules:
            variables["moment"] = moment_facts(datapoint, topic, context, moment)
        for topic_rule in topic.rules:
            try:
                applies = render.evaluate(topic_rule.when, variables)
            except TemplateError:
                # The error text can quote the data point's value: name the rule, never the data.
                log.warning("rule %s of topic %s failed to evaluate with this data point; run tact lint",
                            topic_rule.id, topic.id)
                rule("withhold", topic_rule.id,
                     f"Rule '{topic_rule.id}' of topic '{topic.id}' could not be evaluated; data withheld.")
                continue
            if applies:
                rule(topic_rule.decision, topic_rule.id, topic_rule.message)
                break
        else:
            topic_rule = None
        bystander = any(r.rule == "bystanders" for _, r in found)
        if topic_rule is None and not bystander and not any(STRICTNESS[d] >= 2 for d, _ in found):
            if sent:
                about = f"about {notice.message}" if notice is not None else "about this very thing"
                rule("ask" if topic.decision == "ask" else "offer", MESSAGE_WE_SEND,
                     f"This is a message we send first {about}: say plainly what it is for, with one clear next "
                     "step." + (" Never name what it is." if sensitive else ""))
            elif sensitive:
                if raised:      # else told before for their care, and seen to quietly (above)
                    rule(topic.decision, "customer-raised-it",
                         topic.message or "The customer raised it to get help: help, without repeating it.")
            else:
                if topic.serves and moment is not None and moment.served:
                    rule(topic.decision, "serves-their-request", "The customer asked for what this serves (their own "
                                                                 "words, or why they got in touch): help with it now.")
                elif moment is not None and (asked_for or moment.bears) and moment.asked:
                    rule(topic.decision, "customer-asked", "The customer asked about this just now: answering is "
                                                           "service.")
                elif asked_for:
                    rule(topic.decision, "serves-their-request", ASKED_FOR)
                elif moment is not None and moment.bears and not marketing:
                    # Something new to them needs their asking for it (above): "what am I even paying for?" about
                    # late deliveries bears on a delivery pass, but asks for none.
                    rule(topic.decision, "serves-their-request", BEARS_ON_REQUEST if category != "preference"
                         and topic.decision != "apply_silently" else PREFERENCE_FOR_REQUEST)
                before = len(found)
                _default(topic, datapoint, category, rule, entitled)
                if before and found[before - 1][1].rule in ("serves-their-request", "customer-asked"):
                    # Staff read one reason: that it answers the customer, not the topic's usual caution too.
                    found[before:] = [item for item in found[before:] if item[1].rule != "ask-dont-tell"]
    decision = _resolve(found, category, bystander=bystander_lines)
    if need is not None and any(r.rule in (TOLD_FOR_CARE, SAFETY_FIRST) for r in decision.reasons):
        if any(r.rule == SAFETY_FIRST for r in decision.reasons):
            decision = replace(decision, care=need.check_action, check=need.check)
        else:
            decision = replace(decision, care=need.action)
    return decision


CALENDAR = ("january february march april may june july august september october november december monday tuesday "
            "wednesday thursday friday saturday sunday today tonight tomorrow weekend week month year next this")


@lru_cache(maxsize=1)
def _calendar_stems() -> frozenset:
    return frozenset(content_stems(CALENDAR))


def said_occasion(datapoint: DataPoint, context: Context, moment: Moment | None) -> bool:
    """Whether the customer named the occasion itself ('our wedding anniversary tonight'); a month or a day they
    share with it ('somewhere warm in July' and a 50th in July) is not the occasion."""
    if moment is None:
        return False
    if moment.said:
        return True
    if not moment.said_value:
        return False
    own = content_stems(" ".join(spoken_forms(datapoint.value, None))) - _calendar_stems()
    return bool(own & content_stems(" ".join(context.customer_utterances)))


def entitled_now(topic: Topic | None, moment: Moment | None) -> bool:
    """Whether the data point is the customer's due by its topic (`entitlement`) in this moment: the topic's match
    chose it, and when the topic has `serves` words, the customer's words or the reason hold them (a discount card
    while buying a ticket, a support tariff when they say they can't pay)."""
    return (topic is not None and topic.entitlement
            and (not topic.serves or (moment is not None and moment.served)))


def theirs_to_raise(datapoint: DataPoint, topic: Topic, context: Context, moment: Moment | None) -> bool:
    """Whether the customer brought the thing up here: said it, asked about it, reported a problem with it, or got
    in touch about it."""
    return (datapoint.provenance in QUOTABLE_PROVENANCE or fixes_open_issue(datapoint, topic, context)
            or (moment is not None and (moment.said or moment.asked or moment.served or moment.problem)))


def grieving(estimate: Estimate, moment: Moment | None) -> bool:
    """Whether the customer's words (or the reason they got in touch) show grief."""
    return "grief" in estimate.signals or (moment is not None and moment.state == GRIEF_STATE)


def moment_facts(datapoint: DataPoint, topic: Topic, context: Context, moment: Moment | None) -> dict:
    """What a topic rule may read of the moment. `raised`: the customer brought the thing up in this conversation
    (named it, asked about it, reported a problem with it, or got in touch about it); `said_value`: their words
    hold the value (for an occasion that is raising it, for a past lost parcel only a word in common); service
    history is raised too when the customer says the problem happened again; `meaning`: what the value means
    ('held', 'missing', 'owed', ...); `state`: how the customer seems ('calm', 'upset', ...); `opened`: what their
    first words were about, 'silent' when we write first (an SMS or email); `sent`: this is a message we send
    first about this very thing (a notice of its kind, or a reason that names it); `served`: their words or the
    reason hold the topic's `serves` words (a recommendation they asked for); `farewell`: their last turn signs off
    ("that's all I came in for") and asks nothing more."""
    if moment is None:
        raised = datapoint.provenance in QUOTABLE_PROVENANCE
        return {"raised": raised, "said": raised, "said_value": False, "asked": False, "problem": False, "bears": False,
                "answers": False, "requested": False, "served": False, "farewell": False,
                "meaning": "held", "state": "calm", "resolved": not issue_pending(context), "opened": "other"}
    # Only the facts the topic's rules read: each costs a look at the customer's words, and a small plain dict
    # lets the rule's result be remembered like any other.
    return {name: _FACT_READERS[name](moment, datapoint, topic, context)
            for name in _facts_read(tuple(rule.when for rule in topic.rules)) if name in _FACT_READERS}


# How each moment fact a topic rule may read is read (from the moment, the data point, the topic and the context).
_FACT_READERS = {
    # A record of something past (a parcel lost last year) is not raised by getting in touch about another of its
    # kind (sending a parcel today).
    "raised": lambda moment, datapoint, topic, context: (
        moment.said or moment.asked or moment.problem
        or (fixes_open_issue(datapoint, topic, context) and not moment.past)
        or (moment.category == "service_history" and moment.repeated)
        or (moment.writes_first and moment.notice is not None) or moment.bears),
    "bears": lambda moment, *_: moment.bears, "answers": lambda moment, *_: moment.answers,
    "requested": lambda moment, *_: moment.asks_for, "served": lambda moment, *_: moment.served,
    "said": lambda moment, *_: moment.said, "said_value": lambda moment, *_: moment.said_value,
    "asked": lambda moment, *_: moment.asked, "problem": lambda moment, *_: moment.problem,
    "meaning": lambda moment, *_: moment.value, "state": lambda moment, *_: moment.state,
    "resolved": lambda moment, *_: moment.resolved, "opened": lambda moment, *_: moment.opened,
    "farewell": lambda moment, *_: moment.farewell,
    "sent": lambda moment, datapoint, topic, context: moment.writes_first and (
        moment.notice is not None or fixes_open_issue(datapoint, topic, context)),
}


@lru_cache(maxsize=1024)
def _facts_read(conditions: tuple[str, ...]) -> tuple[str, ...]:
    """The moment facts a topic's rule conditions name ('moment.raised' -> 'raised')."""
    return tuple(dict.fromkeys(a or b for when in conditions for a, b in _MOMENT_FACT.findall(when)))


def answers_request(datapoint: DataPoint, topic: Topic, context: Context, moment: Moment | None) -> bool:
    """Whether a watched or inferred data point answers what the customer is still asking: their words (or, while
    the issue is open, the reason for the contact) hold the topic's `serves` words (a usage pattern and a question
    about the bill), or the reason names an observed data point itself. Once the question is answered, it answers
    nothing; and an inference about the customer (a 'serial returner' segment during a return) only sounds like
    their request."""
    if not issue_pending(context):
        return False
    return (moment is not None and moment.served) or (
        datapoint.provenance != "inferred" and fixes_open_issue(datapoint, topic, context))


def customer_words_first(datapoint: DataPoint, topic: Topic, category: str | None, moment: Moment | None,
                         marketing: bool) -> list[tuple[str, Reason]]:
    """What the customer just said outranks what is stored: no offer or product question about something they
    have already answered, and no stored preference used when they asked for something else, said to stop it, or
    said it failed."""
    if moment is None or datapoint.provenance in QUOTABLE_PROVENANCE:
        return []
    if topic.decision == "apply_silently" or category == "preference":
        if moment.asked_otherwise() or moment.value_failed or moment.stopped:
            return [("withhold", Reason(CUSTOMER_WORDS_FIRST, "The customer just asked for something else, told "
                                                                "us to stop this, or said it isn't working: do what "
                                                                "they say, not what is on file."))]
    elif marketing and moment.answered():
        return [("withhold", Reason("already-answered", "The customer already told you they have this or don't "
                                                        "need it: don't ask or offer it again."))]
    return []


def proposes_something_new(datapoint: DataPoint, topic: Topic, context: Context, offers=None,
                           category: str | None = None, moment: Moment | None = None) -> bool:
    """Whether the principles for marketing apply: a marketing topic, or a topic or data point that proposes
    something new (an upgrade, a package, a sign-up), unless it bears on the customer's open issue (a new
    driver when they call to add one, an upgrade when their phone's battery dies by lunchtime: the topic's
    `serves` words in their own words). A perk or upgrade offered mid-complaint is still a sale; a voucher in
    service history is a record of what happened, not a proposal; nor is a value a service topic's `match` knows
    for the customer's own (a stamp card this order completes, whatever its label says)."""
    if topic.purpose != "marketing" and not topic.proposes and (topic.match is not None or not (
            offers is not None and category not in NOT_A_SALE and offers(datapoint))):
        return False
    if category == "loyalty":
        return True
    if moment is not None and moment.served:
        return False
    # Getting in touch to complain (a missed delivery) names no delivery membership: on offer then, it is a sale.
    # Once what they got in touch about is done (a meter reading taken), a product it names is new again: a sale.
    return not (issue_pending(context) and fixes_open_issue(datapoint, topic, context)
                and not (topic.purpose == "marketing" and moment is not None and moment.reason_reports_problem))


def customer_asked(datapoint: DataPoint, context: Context, topic: Topic) -> bool:
    """The customer raised the topic: they said the data point, or asked about its label in this conversation."""
    if datapoint.provenance in QUOTABLE_PROVENANCE:
        return True
    label = (datapoint.label or topic.label or "").strip().lower()
    return bool(label) and any("?" in said and label in said.lower() for said in context.customer_utterances)


# Words of a topic id that say what kind of line it is, never what it is about ('savings-gap' is about savings).
_TOPIC_KIND_WORDS = frozenset("gap none offer offers upsell cross sell nudge prompt reminder check review eligible "
                              "eligibility change changes update notice account".split())
_ID_WORDS = re.compile(r"[a-z]+")


def _subject_stems(*texts: str) -> set[str]:
    return {stem(w) for text in texts for w in _ID_WORDS.findall(text.lower())
            if len(w) >= 4 and w not in _TOPIC_KIND_WORDS}


def same_subject(other: str, topic: Topic, datapoint: DataPoint, topics: Mapping[str, Topic] | None) -> bool:
    """Whether a topic id in the history is this topic: the same id, or an id this set doesn't know (the name the
    caller's other set gives it) in the same domain (or any, for a generic topic) whose subject words are this
    topic's, its label's or the key's ('banking.savings-gap' declined is 'banking.no-savings' on savings.none)."""
    if other == topic.id:
        return True
    if topics is None or other in topics:
        return False        # a known topic is its own: declining one says nothing of another
    domain, _, rest = other.partition(".")
    own_domain, _, own_rest = topic.id.partition(".")
    if not rest or domain != own_domain and own_domain != "generic":
        return False
    return bool(_subject_stems(rest) & _subject_stems(own_rest, topic.label or "", datapoint.label or "",
                                                      datapoint.key))


def conversation_memory(datapoint: DataPoint, context: Context, topic: Topic, marketing: bool,
                        topics: Mapping[str, Topic], moment: Moment | None = None) -> list[tuple[str, Reason]]:
    """Rules over what already happened in this conversation: a topic declined is not raised again, and one offer
    a call. An offer was made when the history says a line of an offer was said (a topic this set doesn't know
    counts as one: holding back is the safe side), or when the customer's words answer one ("I'll have a think
    about the savings one")."""
    considered = marketing and moment is not None and bool(context.customer_utterances) and moment.considered()
    if not (context.history or considered) or customer_asked(datapoint, context, topic):
        return []
    found = []
    if any(item.event == "declined" and same_subject(item.topic, topic, datapoint, topics) for item in context.history):
        found.append(("withhold", Reason("declined-earlier",
                                         "This was raised earlier in this conversation and didn't fit; "
                                         "don't bring it up again unless the customer does.")))
    if marketing:
        def was_offer(item) -> bool:
            other = topics.get(item.topic)
            return item.topic == topic.id or other is None or other.purpose == "marketing" or other.proposes
        made = [item.topic for item in context.history if item.event in OFFER_MADE and was_offer(item)]
        if made or considered:
            earlier = "this offer" if topic.id in made else "an offer"
            found.append(("defer", Reason("one-offer-per-call",
                                          f"You already made {earlier} in this conversation: one offer per "
                                          "call, unless the customer asks.")))
    return found


def _default(topic: Topic, datapoint: DataPoint, category: str | None, rule, entitled: bool = False) -> None:
    decision = topic.decision
    if (datapoint.provenance == "customer_stated" and category == "preference" and topic.action
            and decision != "apply_silently"):
        rule("apply_silently", "apply-quietly",
             "The customer told us this preference before: honour it quietly rather than ask again.")
        return
    if datapoint.provenance in UNCITABLE_PROVENANCE and not entitled:
        # Help the customer is owed now (support for the hardship they tell us of) is offered even when its
        # eligibility was inferred: the line says it may help, never that we worked it out.
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
    reasons = (chosen[0][1],) if len(chosen) == 1 else tuple(dict.fromkeys(r for _, r in chosen))
    return made(Decision, {"decision": decision, "reasons": reasons, "category": category, "bystander": bystander})
