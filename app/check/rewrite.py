"""The question-led rewrite: drop the source frame, invert the clause, blur the dates.

"I can see you don't have auto insurance with us." -> "Do you have auto
insurance with us?". Real morphology from lemminflect (bought -> buy, do-support,
auxiliary inversion), loaded on the first rewrite.
"""
from __future__ import annotations

import re
import threading
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from .rules import lower_literals
from .sentences import ADVERBS, CLAUSE_END, CONTRACTIONS, TAG_QUESTION, split_sentences

if TYPE_CHECKING:
    from .detect import Hit
    from .rules import Rule


class _LowerCase:
    """A case-insensitive pattern run on the lower-cased text, what it replaces spliced into the text as
    written: Python's re scans lower-case literals several times faster than IGNORECASE ones (the time phrases
    took ~30 us a rewrite, 9 us lowered). Text whose lower case changes length is matched as written."""

    def __init__(self, pattern: str):
        self.pattern = pattern
        self.lowered = re.compile(lower_literals(pattern))

    @cached_property
    def any_case(self) -> re.Pattern:
        """The pattern as written, case-insensitive (compiled when first needed: a cold start rarely does)."""
        return re.compile(self.pattern, re.IGNORECASE)

    def search(self, text: str) -> re.Match | None:
        lower = text.lower()
        return self.lowered.search(lower) if len(lower) == len(text) else self.any_case.search(text)

    def subn(self, repl: str, text: str, count: int = 0) -> tuple[str, int]:
        """re's subn for a replacement without group references."""
        lower = text.lower()
        if len(lower) != len(text):
            return self.any_case.subn(repl, text, count)
        out, last, n = [], 0, 0
        for m in self.lowered.finditer(lower):
            out += (text[last:m.start()], repl)
            last, n = m.end(), n + 1
            if n == count:
                break
        out.append(text[last:])
        return "".join(out), n

    def sub(self, repl: str, text: str, count: int = 0) -> str:
        return self.subn(repl, text, count)[0]


_FRAME_TO_COMMA = re.compile(r"^\W*(?:since|because|as|now that|seeing as|based on|according to|looking at|going by|"
                             r"judging by|from|per|as per|what)\b", re.IGNORECASE)
_LEAD_IN = re.compile(r"^(?:\s|,|:|-|\u2014|\u2013|that\b|here\b)*"
                      r"(?:(?:from|in|on|here on) (?:your|our|the|my) [\w ]*?(?=\s(?:that|you|u|I|we)\b)\s*)?"
                      r"(?:that\s+)?(?:(?:I|we) (?:can )?(?:see|tell|notice)"
                      r"(?: that)?\s+|(?:I|we) (?:can )?(?:see|tell|notice)\s*,?\s*)?(?:that\s+)?", re.IGNORECASE)
_HEDGE = re.compile(r"\b(?:you|u) (?:seem|appear|must|might|may|could)(?: to)? be\b", re.IGNORECASE)
_HEDGE_HAVE = re.compile(r"\b(?:you|u) (?:seem|appear) to have\b", re.IGNORECASE)
_CERTAINTY = re.compile(r"\s+(?:probably|clearly|obviously|definitely|surely|certainly)\b", re.IGNORECASE)
_TROUBLE = re.compile(r"^(?:your|ur) ((?:\w+ ){0,2}?\w+) (?:was|were|has been|have been|got|keeps getting|kept getting)"
                      r" (?:declined|rejected|refused|blocked|bounced|suspended|frozen|stopped|cancelled|flagged)\b",
                      re.IGNORECASE)
_RECENT = _LowerCase(
    r"\s*\b(?:last (?:week|month|year|time|night|summer|winter|spring|autumn|weekend|christmas|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday)|since (?:january|february|march|april|may|june|july|august|"
    r"september|october|november|december|\w+ (?:19|20)\d\d|(?:19|20)\d\d|last \w+|then|\w+day)|(?:\w+ )?(?:days|weeks|"
    r"months|years) ago|(?:in|on|during|back in) (?:january|february|march|april|may|june|july|august|september|"
    r"october|november|december|(?:19|20)\d\d|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"yesterday|last night|(?:once|twice|\w+ times)(?: (?:last|this) \w+)?|in a while|for a while|in ages|"
    r"again|this (?:week|month|year)|(?:\w+ )?(?:weeks|months|years) running|lately|"
    r"(?:in|over) (?:the (?:past|last) )?(?:\w+|\d+) (?:days|weeks|months|years)|"
    r"on (?:your|ur) last (?:\w+ )?(?:flights?|orders?|visits?|stays?|trips?))\b")
_FOR_A_WHILE = _LowerCase(r"\s*\bfor (?:the (?:past|last) )?(?:\w+|\d+) (?:days|weeks|months|years)\b")
_HABIT_WHEN = _LowerCase(r"\s*\b(?:in|on|during) (?:january|february|march|april|may|june|july|august|september|"
                         r"october|november|december|mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|"
                         r"sundays?)\b")
_HABIT = _LowerCase(r"\b(?:usually|always|normally|often|typically|generally|regularly|rarely|mostly|tend)\b")
_NO_QUESTION = _LowerCase(r"\b(?:flagged|identified|tagged|segment|scored|classed|classified|profiled|cohort)\b")
_SINCE_POSITIVE = _LowerCase(r"\s*\bsince (?:(?:19|20)\d\d|\w+)\b")
_COUNT = _LowerCase(r"(?<!last )(?<!first )(?<!next )\b(?:two|three|four|five|six|seven|eight|nine|ten|several|"
                    r"a few)\s+(?=(?:\w+ )?\w+s\b)")
_INVERT = {"have": "Have", "has": "Have", "had": "Had", "do": "Do", "does": "Do", "did": "Did", "are": "Are",
           "were": "Were", "was": "Were", "is": "Are", "am": "Are", "would": "Would", "will": "Will", "can": "Can",
           "could": "Would", "might": "Would", "may": "Would", "should": "Should"}
_PAST = frozenset(("Did", "Have", "Had", "Were"))    # the questions 'recently' agrees with
_DROP = frozenset("not only still just already also really actually".split())
_lemma_lock = threading.Lock()


@lru_cache(maxsize=1)
def _lemminflect():
    """lemminflect's lemma and inflection lookups, loaded on the first rewrite and remembered per word."""
    with _lemma_lock:
        from lemminflect import getInflection, getLemma
    return lru_cache(maxsize=8192)(getLemma), lru_cache(maxsize=8192)(getInflection)


def rewrite_text(text: str, hits: tuple[Hit, ...], rules: dict) -> str | None:
    """Each revealing sentence of (folded) text as a question without its source frame; None when one has no
    safe rewrite."""
    if not hits or any(rules[h.rule].rewrite == "none" for h in hits):
        return None
    out, cursor = [], 0
    for sent in split_sentences(text):
        mine = [h for h in hits if sent[0] <= h.start < sent[1]]
        out.append(text[cursor:sent[0]])
        if mine:
            question = question_for(text[sent[0]:sent[1]], [(h.start - sent[0], h.end - sent[0], rules[h.rule])
                                                            for h in mine])
            if not question:
                return None
            out.append(question)
        else:
            out.append(text[sent[0]:sent[1]])
        cursor = sent[1]
    result = "".join(out).strip()
    return result or None


def question_for(sentence: str, frames: list[tuple[int, int, Rule]]) -> str | None:
    """One sentence as a plain yes/no question: drop the frame, invert the clause, blur the dates."""
    rest = sentence
    for start, end, rule in sorted(frames, key=lambda f: -f[0]):
        if rule.kind != "phrase":
            continue
        frame = sentence[start:end]
        if rule.id == "inference" and re.search(r"\b(?:you|u)\b", frame, re.IGNORECASE):
            subject = list(re.finditer(r"\b(?:you|u)\b", frame, re.IGNORECASE))[-1]
            rest = sentence[start + subject.start():]
        elif _FRAME_TO_COMMA.match(frame) or rule.id == "since-you":
            comma = sentence.find(",", end)
            if comma < 0 and rule.id == "since-you":
                return None
            rest = sentence[comma + 1:] if comma >= 0 else sentence[end:]
        else:
            rest = sentence[end:]
        break
    rest = _LEAD_IN.sub("", rest, count=1).strip()
    rest = _HEDGE_HAVE.sub("you have", _HEDGE.sub("you are", rest))
    rest = _CERTAINTY.sub("", rest)
    if not rest or _NO_QUESTION.search(rest):
        return None
    first = re.split(r"(?<=[.!?])\s", rest, maxsplit=1)[0]
    if first.rstrip().endswith("?") and not TAG_QUESTION.search(first):
        return _capital(first.strip())
    clause = CLAUSE_END.split(first, maxsplit=1)[0].strip()
    trouble = _TROUBLE.match(clause)
    if trouble:
        return f"Have you had any trouble with your {trouble.group(1)}?"
    return invert(clause)


def invert(clause: str) -> str | None:
    """'you usually fly economy' -> 'Do you usually fly economy?'; None when the clause is not about 'you'."""
    words = clause.split()
    if not words:
        return None
    head = words[0].lower()
    if head in ("u", "ya"):
        head = "you"
    expanded = CONTRACTIONS.get(head, (head,))
    if expanded[0] != "you":
        return None
    pred = list(expanded[1:]) + words[1:]
    if pred and pred[0].lower() in CONTRACTIONS:
        pred = list(CONTRACTIONS[pred[0].lower()]) + pred[1:]
    if not pred:
        return None
    first = pred[0].lower()
    positive_perfect = first in ("have", "has") and (len(pred) < 2 or pred[1].lower() not in ("not", "no", "never"))
    if first in ("have", "has", "had") and not _auxiliary_have(pred):
        aux, rest = ("Did" if first == "had" else "Do"), ["have"] + pred[1:]
        positive_perfect = False
    elif first in _INVERT:
        aux, rest = _INVERT[first], pred[1:]
    elif first == "used" and len(pred) > 1 and pred[1].lower() == "to":
        aux, rest = "Did", ["use"] + pred[1:]
    else:
        aux, rest = _do_support(pred)
        if aux is None:
            return None
    rest = _soften(rest, aux, positive_perfect)
    body = " ".join(rest).strip(" ,.;:!")
    body = re.sub(r"\s+", " ", body)
    return f"{aux} you {body}?" if body else None


def _auxiliary_have(pred: list[str]) -> bool:
    """'have' as an auxiliary (have flown, 've got, haven't) rather than the main verb (have a policy)."""
    nxt = [w.lower() for w in pred[1:3] if w.lower() not in ADVERBS]
    if not nxt or nxt[0] in ("not", "never", "got", "been", "no"):
        return bool(nxt) and nxt[0] != "no"
    get_lemma, get_inflection = _lemminflect()
    lemmas = get_lemma(nxt[0], upos="VERB")
    return bool(lemmas) and nxt[0] in get_inflection(lemmas[0], tag="VBN") and nxt[0] != lemmas[0]


def _do_support(pred: list[str]) -> tuple[str | None, list[str]]:
    """Find the main verb after any adverbs; 'Did' + lemma for the past, 'Do' for the present."""
    get_lemma, get_inflection = _lemminflect()
    for i, word in enumerate(pred):
        low = word.lower()
        if low in ADVERBS or low in ("usually", "always", "normally", "often", "typically", "generally",
                                     "regularly", "rarely", "never", "mostly", "frequently", "seldom", "tend"):
            if low == "tend":
                return "Do", pred
            continue
        lemmas = get_lemma(low, upos="VERB")
        if not lemmas:
            return None, pred
        lemma = lemmas[0]
        past = set(get_inflection(lemma, tag="VBD")) | set(get_inflection(lemma, tag="VBN"))
        if low != lemma and low in past:
            return "Did", pred[:i] + [lemma] + pred[i + 1:]
        if low == lemma:
            return "Do", pred
        return None, pred
    return None, pred


def _soften(rest: list[str], aux: str, positive_perfect: bool) -> list[str]:
    """Drop negation and 'only'/'still', never -> ever, rarely -> often, no -> any; dates become 'recently' in a
    past or perfect question and go in a present one ('Are you picking up X again?' -> 'Are you picking up X?')."""
    out = []
    for word in rest:
        low = word.lower()
        if low in _DROP:
            continue
        out.append({"never": "ever", "rarely": "often", "seldom": "often", "no": "any"}.get(low, word))
    body = " ".join(out)
    if _HABIT.search(body):
        body = _HABIT_WHEN.sub("", body)
    if positive_perfect and not re.search(r"\bever\b", body):
        body = _SINCE_POSITIVE.sub(" \0", body, count=1)
    body = _FOR_A_WHILE.sub(" \0", body)
    body, n = _RECENT.subn(" recently" if aux in _PAST else "", body)
    body = body.replace("\0", "for a while")
    body = _COUNT.sub("any ", body)
    if n > 1:
        first = body.find(" recently") + len(" recently")
        body = body[:first] + body[first:].replace(" recently", "")
    body = re.sub(r"\brecently(\s+recently)+", "recently", body)
    return body.split()


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


