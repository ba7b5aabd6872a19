"""How receptive the customer seems, estimated from their own recent words.

VADER gives the sentiment; cue lists kept in the phrasebooks (hurry, repeat
contact, complaint, anger, distress, warmth) give what sentiment alone misses.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

import vaderSentiment

_VADER_DIR = os.path.dirname(vaderSentiment.__file__)
SCORE_LOW = -1.0
SCORE_HIGH = 1.0


@dataclass(frozen=True)
class Estimate:
    level: str
    estimated: bool
    signals: tuple[str, ...] = ()
    distress: bool = False

    def to_dict(self) -> dict:
        return {"level": self.level, "estimated": self.estimated, "signals": list(self.signals)}


@lru_cache(maxsize=1)
def _analyzer():
    """NLTK's VADER with the lexicon that ships inside vaderSentiment: nothing is downloaded.

    Imported on first use: a request that gives its receptiveness never pays for NLTK.
    """
    import nltk
    from nltk.sentiment import vader

    if _VADER_DIR not in nltk.data.path:
        nltk.data.path.insert(0, _VADER_DIR)
    vader.SentiText = _quick_sentitext(vader.SentiText)
    return vader.SentimentIntensityAnalyzer(lexicon_file="vader_lexicon.txt")


def _quick_sentitext(base: type) -> type:
    """NLTK's SentiText, but mapping only the tokens present to their unpunctuated word.

    NLTK builds every word x punctuation pairing for each utterance, about
    three quarters of VADER's time; the scores are the same (a test compares them).
    """
    if getattr(base, "quick", False):
        return base

    class QuickSentiText(base):
        quick = True

        def _words_plus_punc(self):
            words = {w for w in self.REGEX_REMOVE_PUNCTUATION.sub("", self.text).split() if len(w) > 1}
            found = {}
            for token in set(self.text.split()):
                if token[0].isalnum() and token[-1].isalnum():
                    continue    # no punctuation to strip
                for punc in self.PUNC_LIST:
                    if token.startswith(punc) and token[len(punc):] in words:
                        found[token] = token[len(punc):]
                for punc in self.PUNC_LIST:
                    if token.endswith(punc) and token[:-len(punc)] in words:
                        found[token] = token[:-len(punc)]
            return found

    return QuickSentiText


@lru_cache(maxsize=4096)
def _compound(utterance: str) -> float:
    """VADER's compound score for one utterance, kept for the next call in the same conversation.

    Every call mid-conversation resends the last few utterances, so each is scored once.
    """
    return _analyzer().polarity_scores(utterance[:500])["compound"]


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@lru_cache(maxsize=256)
def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern | None:
    """One regex for a cue list; a cue ending in '*' matches any word that starts with it."""
    parts = [re.escape(c[:-1]) + r"[a-z']*" if c.endswith("*") else re.escape(c) for c in cues if c.strip("*")]
    if not parts:
        return None
    return re.compile(r"(?<![a-z])(?:" + "|".join(parts) + r")(?![a-z])")


def _has_cue(lowered: str, cues: tuple[str, ...]) -> str | None:
    pattern = _cue_pattern(tuple(cues))
    found = pattern.search(lowered.replace("\u2019", "'")) if pattern else None
    return found.group() if found else None


def distress_in(utterances: tuple[str, ...], reason: str | None, cues: dict) -> str | None:
    """Why the customer is in distress ("distress" or "anger"), from their words or the reason they got in touch.

    An angry complaint counts: no one should be sold to while they are furious.
    """
    if reason and _has_cue(reason.lower().replace("_", " "), cues.get("distress_reasons", ())):
        return "distress"
    lowered = " ".join(utterances[-5:]).lower()
    if not lowered:
        return None
    if _has_cue(lowered, cues.get("distress", ())):
        return "distress"
    if _has_cue(lowered, cues.get("anger", ())):
        return "anger"
    return None


def estimate(utterances: tuple[str, ...], cues: dict, given: str | None = None,
             reason: str | None = None) -> Estimate:
    """The level to use: the given one, or an estimate from the last few utterances with its signals."""
    distress = distress_in(utterances, reason, cues)
    if given:
        return Estimate(given, False, (distress,) if distress else (), bool(distress))
    recent = utterances[-3:]
    if not recent:
        return Estimate("medium", True, (distress,) if distress else (), bool(distress))
    score = 0.0
    signals: list[str] = []
    compound = sum(_compound(u) for u in recent) / len(recent)
    if compound <= -0.3:
        score -= 1.0
        signals.append("negative sentiment")
    elif compound >= 0.4:
        score += 1.0
        signals.append("positive sentiment")
    words = sum(len(_WORD.findall(u)) for u in recent)
    if words and words / len(recent) <= 3:
        score -= 0.5
        signals.append("terse")
    lowered = " ".join(recent).lower()
    for name, weight in (("hurry", -1.0), ("repeat_contact", -1.0), ("complaint", -1.0), ("warmth", 1.0)):
        if _has_cue(lowered, cues.get(name, ())):
            score += weight
            signals.append(name.replace("_", " "))
    if distress:
        score -= 2.0
        signals.append(distress)
    level = "low" if score <= SCORE_LOW else "high" if score >= SCORE_HIGH else "medium"
    return Estimate(level, True, tuple(signals), bool(distress))
