"""Revealing-phrase detection: which words in staff text reveal that the customer is watched.

The rules are data (phrasebooks/checks/*.yaml, loaded by `rules`):
`phrase` rules are regular expressions for source frames, inferences and
tracking; the `held-data` rule reads clause structure (a clause that starts
with you/your, is not a question, and carries a habit, holding or history
signal); the `sensitive` rule finds sensitive terms presumed of the customer;
`answer` rules say when a finding is the answer to what the customer asked.
The learned model (`learned`) judges the sentences no rule found anything in.

Text is folded first (`fold`: look-alikes, invisibles, misspellings) and every
finding mapped back to the text as given. Detection is regex-first and cached
per text, because the engine guards every phrasing with it. NLTK's tokeniser
and Snowball stemmer load only to compare a finding with what the customer
said; `rewrite` turns a finding into a question.
"""
from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from ..model import parse_check_request
from .fold import fold, folded, original_span
from .learned import LearnedModel, default_model
from .prefilter import Prefilter, members
from .rules import Rule, load_rules, word_matches
from .rewrite import rewrite_text
from .sentences import (ADVERBS, AUXILIARIES, CLAUSE_END, CONTRACTIONS, import_nltk, is_question, split_sentences,
                        trim, windows, words_of)

_SUBJECT = re.compile(r"(?<![\w'])(you(?:'ve|'re|'d|'ll|ve|re)?|u(?:'ve|'re)?|ya|your|ur|youre|youve)(?![\w'])",
                      re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r",(?!\d)|[;:\u2014\u2013(]|\s-\s|(?<![\w'])(?:and|but|so|then)(?![\w'])", re.IGNORECASE)
_PREFIX_OK = re.compile(r"^[\W_]*(?:(?:last (?:time|year|month|week|night)|previously|in the past|recently|"
                        r"[A-Z][a-z]+(?=\s*,))\W*)?$")
_REPORTING = re.compile(r"(?:^|\b(?:i|we)(?:'ve| have)? (?:can |could |do |also )?(?:see|saw|notice|noticed|know|think|"
                        r"gather|understand|believe|note|noted|spotted|reckon|guess)|\b(?:show|shows|say|says|said|indicate|indicates|"
                        r"suggest|suggests|tell|tells|telling me|here|mentions|lists))(?: that)?$")
_REPORTED = re.compile(r"(?<![\w'])(?:(?:you|u)(?:'ve| have| had)?(?: just| already| kindly| also)? (?:said|mentioned|"
                       r"told (?:me|us)|asked|let (?:me|us) know|explained|were saying)|(?:thanks|thank you) for "
                       r"(?:letting (?:me|us) know|telling (?:me|us)|mentioning|explaining|sharing))\b", re.IGNORECASE)
_STILL_ON = re.compile(r"\bstill (?:on (?:the|your|an?|my) (?:\w+ )?(?:tariff|plan|contract|package|deal|rate|price|"
                       r"scheme|policy|bundle|account|card)|paying (?:off|back|for)|repaying|owing|in (?:arrears|debt))\b")
_MONEY_HELD = re.compile(r"(?:have |got |have got )(?:about |around |over |nearly |almost |roughly |only |just )?"
                         r"(?:[\u00a3$\u20ac]\s?\d[\d,.]*|\d[\d,.]* (?:pounds|dollars|euros))(?! off| back| discount)")
_DATE = re.compile(r"\b(?:on|since) (?:the )?\d{1,2}(?:st|nd|rd|th)\b|\b(?:on|since) \d{1,2}(?:st|nd|rd|th)? (?:of )?"
                   r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.IGNORECASE)
_ELSEWHERE = re.compile(r"\bwith (?:another|a different|other|a rival) (?:provider|bank|insurer|company|network|supplier)\b"
                        r"|\belsewhere\b")
_PREFIX_WORD = re.compile(r"[\w']+")
_CONDITIONAL_YOU = re.compile(r"(?<![\w'])(?:if|whenever|should|in case|unless|once)\s+(?:you|u)\b", re.IGNORECASE)
_SECOND_PERSON = re.compile(r"(?<![\w'])(?:you|your|yours|u|ur|you're|you've|you'd|you'll|yourself|sir|madam|ma'am|"
                            r"(?:mr|mrs|ms|miss|dr)\.? (?-i:[A-Z])[a-z]+)(?![\w'])",
                            re.IGNORECASE)
_UR_AS_YOU_ARE = frozenset("all welcome right not in on booked through covered set done good very so still probably "
                           "clearly due a an the always never usually".split())

# ---------------------------------------------------------------- results

@dataclass
class CheckResult:
    revealing: bool
    findings: list = field(default_factory=list)
    rewrite: str | None = None
    rewrite_withheld: dict | None = None     # {"reason", "message"}: why a revealing text has no rewrite

    def to_dict(self) -> dict:
        return {"revealing": self.revealing, "findings": self.findings, "rewrite": self.rewrite,
                "rewrite_withheld": self.rewrite_withheld}


REVEALING = ("error", "warning")     # a 'suggestion' finding is advice; it does not make a text revealing
WITHHELD = {
    "sensitive": "It presumes something sensitive about the customer; there is no safe way to ask it. Leave it out "
                 "unless they raise it.",
    "names-sensitive": "Any question would still name something sensitive (a medicine, a condition, faith ...). "
                       "Leave it out unless the customer raises it.",
    "no-question": "No question-led form keeps the meaning without revealing it; leave the statement out.",
    "learned": "The model flagged it but cannot say which words to change; reword it as a question the customer "
               "can answer, or leave it out.",
}


@dataclass(frozen=True)
class Hit:
    """One raw finding before context and `disable` are applied; `scope` is the text it judged."""

    start: int
    end: int
    rule: str
    scope: tuple[int, int]
    sentence: tuple[int, int]
    category: str | None = None


# ---------------------------------------------------------------- detectors

def _matches(rule: Rule, text: str, lower: str | None, a: int, b: int, parts=None) -> list:
    """The rule's matches in text[a:b], left to right and not overlapping, as one alternation would find them:
    each of `parts` (the rule's parts whose words occur; all without it) case-folded on the lower-cased copy
    or as written."""
    if lower is None or not rule.parts:
        return list(rule.regex.finditer(text, a, b))
    if parts is not None and len(parts) == 1:
        return list(word_matches(parts[0].regex, lower if parts[0].on_lower else text, a, b))
    found = []
    for part in rule.parts if parts is None else parts:
        for m in word_matches(part.regex, lower if part.on_lower else text, a, b):
            found.append((m.start(), part.order, m))
    if len(found) < 2:
        return [m for _, _, m in found]
    kept, end = [], a
    for start, _, m in sorted(found, key=lambda f: f[:2]):    # leftmost first, then the earlier pattern
        if start >= end:
            kept.append(m)
            end = max(m.end(), start + 1)
    return kept


def _phrase_hits(rule: Rule, text: str, sent: tuple[int, int], lower: str | None = None,
                 parts=None) -> list[Hit]:
    hits = []
    a, b = sent
    for m in _matches(rule, text, lower, a, b, parts):
        if any(u.match(text, m.start(), b) for u in rule.unless):
            continue
        start, end = m.span()
        for name in ("hit",) + rule.hit_groups:
            if m.groupdict().get(name) is not None:
                start, end = m.span(name)
                break
        hits.append(Hit(start, end, rule.id, sent, sent))
    return hits


def _sensitive_hits(rule: Rule, text: str, sent: tuple[int, int], lower: str | None = None,
                    parts=None) -> list[Hit]:
    a, b = sent
    found = _matches(rule, text, lower, a, b, parts)      # terms first: they are rare, and the rest reads the sentence
    if not found:
        return []
    sentence = text[a:b]
    if not _addressed(rule, sentence) or _SUPPOSING.match(sentence):
        return []   # 'If you're finding bills hard, our hardship team can help' presumes nothing
    question = is_question(sentence) and not (rule.openers is not None and rule.openers.match(sentence))
    return [Hit(m.start(), m.end(), rule.id, sent, sent, (m.lastgroup or "cat_")[4:])
            for m in found
            if not (question and (_offered_as_choice(text, m.start(), m.end()) or _asked_generally(text, m.start())))]


_SUPPOSING = re.compile(r"^\W*(?:if|unless|in case|whenever|should (?:you|u))\b", re.IGNORECASE)


def _yours_before(text: str, start: int) -> bool:
    return bool(_YOURS_BEFORE.search(text[max(0, start - 30):start]))


_GENERAL_BEFORE = re.compile(r"(?<![\w'])(?:any|any other|other|some)\s+$", re.IGNORECASE)


def _asked_generally(text: str, start: int) -> bool:
    """'Are you taking any other medicines?' asks everyone; 'still trying for a baby?' presumes."""
    return bool(_GENERAL_BEFORE.search(text[max(0, start - 12):start]))


_OR = re.compile(r"(?<![\w'])or(?![\w'])", re.IGNORECASE)
_YOURS_BEFORE = re.compile(r"(?<![\w'])(?:your|ur)\s+(?:[\w'-]+\s+)?$", re.IGNORECASE)


def _offered_as_choice(text: str, start: int, end: int) -> bool:
    """'The halal or the vegetarian meal?' offers options; 'for your medication?' presumes."""
    near = text[max(0, start - 25):end + 25]
    return bool(_OR.search(near)) and not _yours_before(text, start)


def _addressed(rule: Rule, sentence: str) -> bool:
    """The sentence speaks to the customer: you/your outside an if-clause, or a presumptive opener."""
    if rule.openers is not None and rule.openers.match(sentence):
        return True
    people = len(_SECOND_PERSON.findall(sentence))
    return people > len(_CONDITIONAL_YOU.findall(sentence))


def _held_data_hits(rule: Rule, text: str, sent: tuple[int, int], lower: str | None = None,
                    parts=None) -> list[Hit]:
    a, b = sent
    if is_question(text[a:b]) and _INTERROGATIVE.match(text, a, b):
        b = _question_start(text, a, b)    # a statement may come before the question
    hits = []
    # On the lower-cased copy when there is one: the same offsets, and case-sensitive scans are faster.
    src, subjects, breaks, ends = (lower, _SUBJECT_FOLDED, _CLAUSE_BREAK_FOLDED, _CLAUSE_END_FOLDED) \
        if lower is not None else (text, _SUBJECT, _CLAUSE_BREAK, CLAUSE_END)
    found = list(subjects.finditer(src, a, b))
    if not found:
        return hits
    # Every break and clause end found once, then looked up: no scan per subject (linear in the sentence).
    break_ends = [m.end() for m in breaks.finditer(src, a, b)]
    clause_ends = None      # found when a subject first starts a clause
    for m in found:
        i = bisect_right(break_ends, m.start())
        clause_start = break_ends[i - 1] if i else a
        prefix = text[clause_start:m.start()]
        if _SUBORDINATE.match(prefix):
            clause_start = m.start()     # 'Since you're here': the 'since' is not a time
        elif not _plain_prefix(rule, prefix):
            continue
        if clause_ends is None:
            clause_ends = [e.start() for e in ends.finditer(src, a, b)]
        j = bisect_left(clause_ends, m.end())
        clause_end = min(clause_ends[j] if j < len(clause_ends) else b, m.end() + _CLAUSE_REACH)
        subject = m.group(1).lower()
        pred = words_of(text[m.end():clause_end])
        if subject == "ur" and pred and pred[0] in _UR_AS_YOU_ARE:
            subject = "you're"
        clause = src[max(clause_start, m.start() - _CLAUSE_REACH):clause_end].lower()   # time phrases are lower case
        if subject in ("your", "ur"):
            signal = _your_signal(rule.lexicon, pred, clause)
        else:
            pred = list(CONTRACTIONS.get(subject, (subject,))[1:]) + pred
            signal = _you_signal(rule.lexicon, pred, clause)
        if signal:
            end = trim(text, m.start(), clause_end)[1]
            hits.append(Hit(m.start(), end, rule.id, (clause_start, clause_end), sent))
    return hits


_CLAUSE_REACH = 240     # characters a clause is read for, either side of its subject

_SUBJECT_FOLDED = re.compile(_SUBJECT.pattern)
_CLAUSE_BREAK_FOLDED = re.compile(_CLAUSE_BREAK.pattern)
_CLAUSE_END_FOLDED = re.compile(CLAUSE_END.pattern)


_QUESTION_BREAK = re.compile(r"\s[-\u2013\u2014]+\s|;|,\s*(?=(?:is|are|was|were|do|does|did|can|could|would|will|"
                             r"have|has|shall|should|what|how|why|when|where|who|any|anything|fancy|want|need|"
                             r"still|thinking)\b)", re.IGNORECASE)


# A question that opens as one; "You bought it last week?" is a statement said with a rising voice.
_INTERROGATIVE = re.compile(r"\W*(?:(?:so|ok|okay|and|but|well|oh|right|hi|hey|sorry|also|btw|just),?\s+)*"
                            r"(?:do|does|did|are|is|was|were|have|has|had|can|could|would|will|shall|should|may|"
                            r"might|what|when|where|who|why|how|which|any|anything|fancy|want|need|is there|"
                            r"are there|would you|could you|shall i|can i)\b", re.IGNORECASE)


def _question_start(text: str, a: int, b: int) -> int:
    """Where the closing question of a sentence begins ('You usually travel with her - is she joining you?')."""
    breaks = list(_QUESTION_BREAK.finditer(text, a, b))
    return breaks[-1].start() if breaks else a


# 'As you usually travel on the 07:42, ...' states what we hold just as plainly as the bare clause.
_SUBORDINATE = re.compile(r"^\W*(?:(?:so|and|but|well|oh|ok|okay),?\s+)*(?:as|since|because|given(?: that)?|now that|"
                          r"seeing as)\s+$", re.IGNORECASE)


def _plain_prefix(rule: Rule, prefix: str) -> bool:
    """Only discourse words, a time opener or a name before the subject: it starts the clause."""
    if not prefix.strip():
        return True
    long = len(prefix) > _PREFIX_REACH       # only a reporting verb at its end can make a long prefix plain
    if long:    # ... and that reads at most its last five words: find them in the last few characters
        tail = [w for w in _PREFIX_WORD.findall(prefix[-_TAIL_REACH:].lower()) if w not in rule.lexicon["discourse"]]
        if len(tail) > _REPORTING_WORDS:
            return bool(_REPORTING.search(" ".join(tail[-_REPORTING_WORDS:])))
    words = _PREFIX_WORD.findall(prefix[-_PREFIX_REACH:].lower())
    rest = [w for w in words if w not in rule.lexicon["discourse"]]
    joined = " ".join(rest)
    if long:
        return bool(_REPORTING.search(joined))
    return not rest or bool(_PREFIX_OK.match(joined) and len(rest) <= 3) or bool(_REPORTING.search(joined))


_PREFIX_REACH = 120
_TAIL_REACH = 40         # characters that usually hold a long prefix's last words
_REPORTING_WORDS = 6     # more words than _REPORTING reads at the end of a prefix


def _you_signal(lex: dict, pred: list[str], clause: str) -> bool:
    """Habit, holding or history stated of 'you', outside questions, instructions and the future."""
    if not pred or pred[0] in lex["modals"] or pred[0] in lex["said_verbs"]:
        return False
    if pred[:2] in (["have", "to"], ["do", "not"]) and "have to" in " ".join(pred[:4]):
        return False
    aux = pred[0] if pred[0] in AUXILIARIES else None
    rest = pred[1:] if aux else pred
    negated = bool(rest) and rest[0] in ("not", "never", "no")
    body = [w for w in rest if w not in ADVERBS and w not in ("not", "last", "first")]
    verb = body[0] if body else ""
    if verb in lex["modals"] or verb in lex["said_verbs"] or (aux in ("are", "were", "was", "is") and verb in
                                                              ("right", "welcome", "wrong")):
        return False
    if any(w in lex["habit"] for w in pred[:4]) or pred[:2] == ["used", "to"]:
        return True
    if _holds(aux, negated, body, pred, lex["cover_verbs"]):
        return True
    time = lex["time"].search(clause) if lex["time"] is not None else None
    phrase = " ".join(pred)
    if verb in lex["history_verbs"] or " ".join(body[:2]) in lex["history_verbs"]:
        if aux in (None, "have", "has", "had"):
            return True
    if aux == "did" and negated and verb in lex["history_bases"]:
        return True
    if " with us" in f" {phrase}" and (aux in ("have", "has", "had") or verb in ("been", "had", "have")):
        return True
    if "holding_re" in lex and lex["holding_re"].search(phrase) and \
            (aux in ("have", "has", "are") or verb in ("have", "got")):
        return True
    if _STILL_ON.search(phrase) or _MONEY_HELD.match(phrase) or _ELSEWHERE.search(phrase):
        return True
    if time and (verb in lex["weak_verbs"] or verb in lex["history_bases"] or aux or verb in lex["history_verbs"]
                 or (verb.endswith("ed") and len(verb) > 4)):
        return not (aux in ("are", "were", "was", "is") and verb.endswith("ed") and verb not in
                    lex["history_verbs"] and not re.search(r"\b(?:twice|times|again)\b", clause))
    return False


def _holds(aux: str | None, negated: bool, body: list[str], pred: list[str], cover: frozenset) -> bool:
    """'You don't have X', 'you've got no X', 'you only have X', 'you're not covered for X': a holding or gap."""
    verb = body[0] if body else ""
    after = body[1] if len(body) > 1 else ""
    if after == "to" or (verb == "got" and after == "to"):
        return False
    if aux in ("do", "does", "did") and negated and verb in ("have", "take", "hold", "use", "carry"):
        return True
    if aux == "have" and negated and verb == "got":
        return True
    if verb in ("have", "got") and after == "no":
        return True
    if aux == "have" and verb == "no":
        return True
    if verb in cover and (negated or "only" in pred[:3]):
        return True
    return "only" in pred[:3] and (verb in ("have", "got", "use", "hold") or "with us" in " ".join(pred))


def _your_signal(lex: dict, pred: list[str], clause: str) -> bool:
    """'Your last order was ...', 'your card was declined twice last month', 'your points balance is 3,200'."""
    if not pred or any(w in lex["modals"] or w == "to" for w in pred[:5]):
        return False
    if pred[0] in lex["possessive_history"]:
        return True
    head = pred[:3]
    if any(w in lex["holding_nouns"] for w in head) and any(
            a in ("not", "never") and b in lex["cover_verbs"] for a, b in zip(pred[:5], pred[1:6])):
        return True     # 'your policy doesn't include breakdown cover': a gap, however it is put
    if any(w in lex["holding_nouns"] for w in head) and any(
            f" {event} " in f" {' '.join(pred[:6])} " for event in lex["account_events"]):
        return True
    if lex["time"] is not None and lex["time"].search(clause):
        return not any(w in lex["service_verbs"] for w in pred[:5])   # 'was posted yesterday': our doing
    if _DATE.search(clause) and any((w.endswith("ed") or w in lex["weak_verbs"] or w in lex["history_verbs"])
                                    and w not in lex["service_verbs"] for w in pred[:4]):
        return True     # 'went overdrawn on the 3rd' is history; 'starts on the 1st' is the plan in hand
    phrase = " ".join(pred)
    if re.search(r"\bwith (?:another|a different|other) \w+|\belsewhere\b", phrase):
        return True
    return any(w in lex["holding_nouns"] for w in head) and \
        bool(re.search(r"\b(?:is|are|was|'s|stands at)\s+(?:at\s+|now\s+|only\s+)?[\u00a3$\u20ac]?\d", phrase))


DETECTORS = {"phrase": _phrase_hits, "held-data": _held_data_hits, "sensitive": _sensitive_hits}


# ---------------------------------------------------------------- what the customer said

_STOP = frozenset("""i me my mine you your yours u ur we us our the a an to of in on at for with and or but so is are
was were be been being have has had do does did not no it its that this these those there here can could would will
should may might must just really very since got get yet also too again from by as about what which who how when where
then than if up out off over all any some more most s t ve re ll d m im i'm it's that's please thanks thank yes yeah ok
okay well oh hi hello right now""".split())
_nltk_lock = threading.Lock()
_nltk_parts: dict = {}


def _nltk():
    """NLTK's tokeniser and Snowball stemmer, loaded on first use (they need no downloaded data)."""
    with _nltk_lock:
        if not _nltk_parts:
            _nltk_parts["tok"] = import_nltk("nltk.tokenize.destructive").NLTKWordTokenizer()
            _nltk_parts["stem"] = import_nltk("nltk.stem.snowball").SnowballStemmer("english")
    return _nltk_parts["tok"], _nltk_parts["stem"]


@lru_cache(maxsize=4096)
def content_stems(fragment: str) -> frozenset:
    """The stems of a fragment's content words, for comparing with the customer's own words."""
    tok, stem = _nltk()
    words = (w.lower().strip("'") for w in tok.tokenize(folded(fragment)))
    return frozenset(stem.stem(w) for w in words if w and w not in _STOP and re.search(r"[a-z0-9]", w))


def said_by_customer(rule: Rule, hit: Hit, text: str, utterances: tuple[str, ...]) -> bool:
    """The customer raised this in this conversation, so referring back to it is natural."""
    said = frozenset().union(*(content_stems(u) for u in utterances))
    if not said:
        return False
    if hit.category is not None:
        _, stem = _nltk()
        cues = {stem.stem(w) for w in rule.categories.get(hit.category, ())}
        if cues & said:
            return True
    if rule.said_as and _said_as(rule, content_stems(text[hit.start:hit.end])) & said:
        return True     # 'sorry for your loss' after 'my wife died': empathy with what they just told you
    for a, b in (hit.scope, (hit.start, hit.end)):
        mine = content_stems(text[a:b])
        shared = mine & said
        if len(shared) >= 2 or (mine and len(shared) / len(mine) >= 0.5):
            return True
    return False


def _said_as(rule: Rule, stems: frozenset) -> frozenset:
    """The stems of the customer's words for what these stems name (rule.said_as: 'loss' -> died, passed ...)."""
    _, stem = _nltk()
    return frozenset(stem.stem(w) for word, kin in rule.said_as.items() if stem.stem(word) in stems for w in kin)


def answers_request(rule: Rule, sentence: str, utterances: tuple[str, ...]) -> bool:
    """The customer asked for something and the sentence is about it, volunteering nothing more."""
    if rule.volunteers.search(sentence):
        return False
    asked = _asked(rule, utterances)
    if not asked:
        return False
    if answers_in_kind(rule, sentence, asked):
        return True
    ignore = _stems(rule.frame_words)
    topics = frozenset().union(*(content_stems(u) for u in asked)) - ignore
    about = content_stems(sentence) - ignore
    if topics & about:
        return True
    # The customer asks in their words and staff answer in theirs: 'my balance?' -> '£312 available'.
    return any(group & topics and group & about for group in map(_stems, rule.same_thing))


_JOINT = re.compile(r"[;:]|\s[-\u2013\u2014]+\s|,\s*(?:and|but|so|plus|also|though)\b|\band (?:i|we) (?:can |could )?see\b",
                    re.IGNORECASE)
_ABOUT_YOU = re.compile(r"\b(?:you|your|you're|you've|you'd|ur|u)\b", re.IGNORECASE)
_MINE = re.compile(r"\b(?:i|i'm|i've|i'd|my|me|mine|our|we|us)\b", re.IGNORECASE)


def answers_in_kind(rule: Rule, sentence: str, asked: list[str]) -> bool:
    """The customer asked about something of theirs and the sentence gives the kind of thing asked for ('when
    ...?' a date, 'how much ...?' an amount), whatever words staff use for it, in one clause: a second clause
    about the customer ('..., and I see you send John money every Friday') is more than the answer."""
    mine = [u for u in asked if _MINE.search(u)]
    if not mine:
        return False
    clauses = None
    for _, question, reply in rule.answer_shapes:
        if any(question.search(u) for u in mine):
            clauses = clauses or _JOINT.split(sentence)
            if any(reply.search(c) for c in clauses) and \
                    all(reply.search(c) or not _ABOUT_YOU.search(c) for c in clauses):
                return True
    return False


def _asked(rule: Rule, utterances: tuple[str, ...]) -> list[str]:
    """The customer's utterances that ask for something, folded."""
    return [u for u in map(folded, utterances) if rule.asking.search(u)]


@lru_cache(maxsize=64)
def _stems(words: frozenset) -> frozenset:
    """The stems of a rule's word set (its frame words, a `same_thing` group), worked out once."""
    _, stem = _nltk()
    return frozenset(stem.stem(w) for w in words)


# ---------------------------------------------------------------- the checker

MIN_WORDS = 3      # a shorter sentence gives the model too little to go on

LEARNED = Rule(id="learned", kind="learned", severity="warning", rewrite="none", waived_when_said=True,
               waived_when_asked=False,      # the model reads what the customer asked itself, but not its shape
               waived_when_answered=True,
               message="Reads like lines that reveal what we hold about the customer (the learned model; no rule "
                       "explains it): ask, or leave it out.",
               source="The learned detector, trained on the labelled corpus (scripts/train-check).")


class Checker:
    """The check rules, and the learned model beside them, ready to judge text; results are cached per text."""

    def __init__(self, rules: list[Rule], model: LearnedModel | None = None):
        self.rules = list(rules)
        self.model = model
        self.by_id = {r.id: r for r in self.rules}
        self.by_id.setdefault(LEARNED.id, LEARNED)
        self._parts = [part for r in self.rules for part in r.parts]    # numbered for the prefilter's bits
        self._prefilter = Prefilter([part.needs for part in self._parts])
        self._detectors = [(DETECTORS[r.kind], r, sum(1 << i for i, part in enumerate(self._parts) if part.rule == r.id))
                           for r in self.rules if r.kind == "held-data" or r.pattern is not None]
        self._answers = [r for r in self.rules if r.kind == "answer"]
        self._scan = lru_cache(maxsize=8192)(self._scan_uncached)
        self._learned = lru_cache(maxsize=8192)(self._learned_uncached)
        self._rewrite = lru_cache(maxsize=4096)(self._rewrite_uncached)
        self.terms_in = lru_cache(maxsize=8192)(self._terms_in)

    def _learned_uncached(self, text: str, said: tuple[str, ...], explained: frozenset) -> tuple[Hit, ...]:
        """The model's findings in the folded text, read after what the customer said: the sentences it flags
        among those where no rule finding stands."""
        hits = []
        for sent in windows(text, split_sentences(text)):
            if sent in explained:
                continue
            judged = self.model.judge(text[sent[0]:sent[1]], self.model.threshold, said)
            if judged.probability >= self.model.threshold and judged.words >= MIN_WORDS:
                a, b = judged.span
                hits.append(Hit(sent[0] + a, sent[0] + b, LEARNED.id, sent, sent))
        return tuple(hits)

    def _scan_uncached(self, text: str) -> tuple[Hit, ...]:
        """Raw hits in the folded text (see `fold`)."""
        lower = text.lower()
        lower = lower if len(lower) == len(text) else None   # a few characters change length when lowered
        hits: list[Hit] = []
        for sent in windows(text, split_sentences(text)):
            live = self._live(lower, sent)
            parts: dict[str, list] = {}     # the live parts by rule, in the rule's order
            for i in members(live or 0):
                parts.setdefault(self._parts[i].rule, []).append(self._parts[i])
            for detect, rule, mask in self._detectors:
                if live is None or not mask:
                    hits.extend(detect(rule, text, sent, lower))
                elif rule.id in parts:
                    hits.extend(detect(rule, text, sent, lower, parts[rule.id]))
        if hits:
            hits = [h for h in hits if not (self.by_id[h.rule].waived_when_said and
                                            _REPORTED.search(text, h.sentence[0], h.start))]
        return tuple(sorted(hits, key=lambda h: (h.start, h.end, h.rule)))

    def _live(self, lower: str | None, sent: tuple[int, int]) -> int | None:
        """The parts worth trying on a sentence, as bits of self._parts (None: try every part)."""
        return None if lower is None else self._prefilter.live(lower, *sent)

    def hits(self, text: str, context=None, disable: Iterable[str] = ()) -> list[Hit]:
        """Raw findings left after `disable` and after what the customer said; offsets into `folded(text)`."""
        return self._hits(folded(text), context, disable)

    def _hits(self, norm: str, context, disable: Iterable[str], learned: bool = False) -> list[Hit]:
        off = set(disable or ())
        utterances = tuple(getattr(context, "customer_utterances", ()) or ())
        model = self.model if learned and LEARNED.id not in off else None
        scanned = self._scan(norm)
        found = self._after_conversation([h for h in scanned if h.rule not in off], norm, utterances, model)
        if model is not None:       # the model judges the sentences no rule finding explains (a switched-off one does)
            explained = frozenset(h.sentence for h in found) | {h.sentence for h in scanned if h.rule in off}
            found += self._after_conversation(list(self._learned(norm, utterances, explained)), norm, utterances, None)
        return found

    def _answered(self, rule: Rule, hit: Hit, sentence: str, utterances: tuple[str, ...]) -> bool:
        """A finding of a rule waived when asked, in a sentence about what was asked; of one waived when
        answered (the model's too), only in a sentence that gives the very kind of thing asked for."""
        found_by = self.by_id[hit.rule]
        if found_by.waived_when_asked:
            return answers_request(rule, sentence, utterances)
        return found_by.waived_when_answered and not rule.volunteers.search(sentence) and \
            answers_in_kind(rule, sentence, _asked(rule, utterances))

    def _volunteers(self, sentence: str) -> bool:
        return any(rule.volunteers.search(sentence) for rule in self._answers)

    def _after_conversation(self, found: list[Hit], norm: str, utterances: tuple[str, ...], model) -> list[Hit]:
        """The findings left once what the customer said and asked is taken into account (by the rules, and by
        the model when given)."""
        if utterances and found:
            found = [h for h in found if not (self.by_id[h.rule].waived_when_said and
                                              said_by_customer(self.by_id[h.rule], h, norm, utterances))]
        for rule in self._answers:
            if utterances and found:
                found = [h for h in found if not self._answered(rule, h, norm[h.sentence[0]:h.sentence[1]], utterances)]
        if model is not None and utterances and found:      # never a sentence that volunteers a habit or a gap
            found = [h for h in found if not (self.by_id[h.rule].waived_when_asked and
                                              not self._volunteers(norm[h.sentence[0]:h.sentence[1]]) and
                                              model.answers(norm[h.sentence[0]:h.sentence[1]], utterances))]
        return found

    def check(self, text: str, context=None, disable: Iterable[str] = ()) -> CheckResult:
        """Findings (offsets into text as given), whether any is an error, and a question-led rewrite when one
        is safe."""
        if not isinstance(text, str):
            text = str(text)
        norm, where = fold(text)
        found = self._hits(norm, context, disable, learned=True)
        findings = [self._finding(text, where, h) for h in found]
        revealing = any(f["severity"] in REVEALING for f in findings)
        rewrite = withheld = None
        if revealing:
            rewrite, reason = self._rewrite(norm, tuple(h for h in found if self.by_id[h.rule].severity in REVEALING),
                                            frozenset(disable or ()))
            withheld = None if rewrite else {"reason": reason, "message": WITHHELD[reason]}
        return CheckResult(revealing, findings, rewrite, withheld)

    def is_revealing(self, text: str, context=None, disable: Iterable[str] = ()) -> bool:
        """Whether the rules find anything revealing (the engine's guard: rules only, for speed and certainty)."""
        return any(self.by_id[h.rule].severity in REVEALING for h in self.hits(text, context, disable))

    def _terms_in(self, text: str) -> tuple[str, ...]:
        """The sensitive lexicon's categories whose terms occur in text, first occurrence first.

        Unlike the check itself, this does not ask whether the text speaks to the
        customer: it reads a data point's value or label ("diabetic", "HIV medicine").
        """
        found = [(m.start(), m.lastgroup[4:]) for m in self._sensitive_terms(folded(text))
                 if m.lastgroup and m.lastgroup.startswith("cat_")]
        return tuple(dict.fromkeys(name for _, name in sorted(found)))

    def _sensitive_terms(self, text: str) -> list:
        """Every sensitive term in text, whoever it is said of."""
        lower = text.lower()
        lower = lower if len(lower) == len(text) else None
        live = self._live(lower, (0, len(text)))
        found = []
        for _, rule, mask in self._detectors:
            if rule.kind == "sensitive":
                parts = None if live is None else [self._parts[i] for i in members(live & mask)]
                found += _matches(rule, text, lower, 0, len(text), parts)
        return found

    def _finding(self, text: str, where, hit: Hit) -> dict:
        rule = self.by_id[hit.rule]
        start, end = original_span(where, hit.start, hit.end, len(text))
        found = {"start": start, "end": end, "match": text[start:end], "rule": rule.id,
                 "severity": rule.severity, "message": rule.message}
        if rule.link:
            found["link"] = rule.link
        return found

    def _rewrite_uncached(self, text: str, hits: tuple[Hit, ...], disable: frozenset) -> tuple[str | None, str]:
        """The rewrite, or None and the WITHHELD reason."""
        if any(self.by_id[h.rule].kind == "sensitive" for h in hits):
            return None, "sensitive"
        if any(h.rule == LEARNED.id for h in hits):
            return None, "learned"
        result = rewrite_text(text, hits, self.by_id)
        if result and self._names_sensitive(result):
            return None, "names-sensitive"
        if not result or re.search(r"\d", result) or self.is_revealing(result, None, disable):
            return None, "no-question"
        return result, ""

    def _names_sensitive(self, text: str) -> bool:
        """Any sensitive term at all, addressed to the customer or not: a rewrite must not carry one."""
        return bool(self._sensitive_terms(text))

    def cache_clear(self) -> None:
        """Forget every judgement of a text (the benchmark measures cold sentences)."""
        self._scan.cache_clear()
        self._learned.cache_clear()
        self._rewrite.cache_clear()
        self.terms_in.cache_clear()
        split_sentences.cache_clear()


_default: Checker | None = None
_default_lock = threading.Lock()


def default_checker() -> Checker:
    """The bundled rules (or $TACT_CHECKS) and the shipped learned model, loaded once."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Checker(load_rules(), default_model())
        return _default


def check(request: dict | str) -> dict:
    """A check request (or the text alone) answered by the default checker; raises RequestError naming the field.

    The check needs no phrasebooks, so none are loaded: a fresh `tact check` pays only for the rules.
    """
    parsed = parse_check_request({"text": request} if isinstance(request, str) else request)
    return default_checker().check(parsed.text, parsed.context, parsed.disable).to_dict()

