"""The learned word model of receptiveness: TF-IDF + logistic regression, scored in plain Python.

The cue lists say what a word means; this model learns which words and pairs of words go with each level
from the labelled conversations (receptiveness_fit trains it with scikit-learn and writes
receptiveness_words.json beside the weights). It reads the newest turn with words, as the mood is now; earlier
turns are read by the cue features, which let them fade. (Reading the earlier turns' words too, prefixed and
weighed apart, was measured: no better by leaving a blind set out — 0.921 at half weight, 0.926 at a quarter,
0.925 without — and "You've been really helpful." after "thanks, that sorted it" leaned low, since in the
corpus an earlier thanks mostly comes before a new complaint.) Its lean from low to high is one feature of the
cue model ("wording"), so the cue lists still say why an estimate moved. `features` is the one analyser
training and scoring use, so they cannot drift apart.
"""
from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

from . import reading

WORDS_FILE = Path(__file__).with_name("receptiveness_words.json")
# Words (with an apostrophe inside; numbers read as 0), runs of ! or ?, and runs of symbols beyond ASCII (emoji).
# Other ASCII punctuation is no token: what is left of steering text set aside ("[ ]") must read as nothing.
_TOKEN = re.compile(r"\w+(?:'\w+)*|[!?]+|[^\w\s\x00-\x7f]+")
_ODD = frozenset("0123456789!?")
Sums = tuple[float, float, float, float]      # squared idf, then idf x weight for each level


def _odd(raw: str) -> str:
    return "0" if raw[0].isdigit() else raw[:2]


def tokens(text: str) -> list[str]:
    """A turn's tokens, lower-cased; numbers read as 0, runs of ! or ? as two at most."""
    return [raw if raw[0] not in _ODD else _odd(raw)
            for raw in _TOKEN.findall(reading.turn(text).lowered)]


def newest(utterances: tuple[str, ...]) -> list[str]:
    """The tokens of the newest turn with words (none when no turn has any)."""
    for utterance in reversed(utterances):
        words = tokens(utterance)
        if words:
            return words
    return []


def features(utterances: tuple[str, ...]) -> list[str]:
    """The analyser: the newest turn's words (`w`), pairs of words (`b`) and the word it opens with (`s`)."""
    words = newest(utterances)
    if not words:
        return []
    return [f"w {w}" for w in words] + [f"b {a} {b}" for a, b in zip(words, words[1:])] + [f"s {words[0]}"]


class WordModel:
    """Idf and per-level weights from the training run; scores a conversation without scikit-learn.

    The terms are kept by kind (a word, a pair of words, the opening word), keyed by the words themselves, so
    reading a turn is a lookup per word with no feature names to build; a turn's sums are worked out once."""

    def __init__(self, data: dict):
        self.intercepts = tuple(float(b) for b in data["intercepts"])
        self._kinds: dict[str, dict[str, Sums]] = {"w": {}, "b": {}, "s": {}}
        for term, v in data["terms"].items():
            self._kinds[term[0]][term[2:]] = (v[0] * v[0], v[0] * v[1], v[0] * v[2], v[0] * v[3])
        self.turn = lru_cache(maxsize=4096)(self._turn)

    @classmethod
    def load(cls, path: Path = WORDS_FILE) -> "WordModel":
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def _turn(self, text: str) -> tuple[float, float, float] | None:
        """A turn's class scores before the intercepts (binary tf, l2, as `features` reads it as the newest
        turn); None when it has no words."""
        words = tokens(text)
        if not words:
            return None
        kinds = self._kinds
        found = [*filter(None, map(kinds["w"].get, set(words))),
                 *filter(None, map(kinds["b"].get, set(map(" ".join, zip(words, words[1:]))))),
                 *filter(None, (kinds["s"].get(words[0]),))]
        if not found:
            return 0.0, 0.0, 0.0
        columns = tuple(zip(*found))
        norm = math.sqrt(sum(columns[0]))
        return sum(columns[1]) / norm, sum(columns[2]) / norm, sum(columns[3]) / norm

    def probabilities(self, utterances: tuple[str, ...]) -> tuple[float, float, float] | None:
        """P(low), P(medium), P(high) for a conversation, newest turn last; None when no turn has words."""
        for utterance in reversed(utterances):
            found = self.turn(utterance)
            if found is not None:
                scores = [b + s for b, s in zip(self.intercepts, found)]
                top = max(scores)
                exps = [math.exp(s - top) for s in scores]
                total = sum(exps)
                return exps[0] / total, exps[1] / total, exps[2] / total
        return None

    def lean(self, utterances: tuple[str, ...]) -> float | None:
        """How far the words lean from low (-1) to high (+1): P(high) - P(low); None with no words."""
        p = self.probabilities(utterances)
        return None if p is None else p[2] - p[0]


def forget(model: WordModel | None) -> None:
    """Drop every remembered reading of a turn (the benchmark's worst case)."""
    if model is not None:
        model.turn.cache_clear()
