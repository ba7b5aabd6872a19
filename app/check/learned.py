"""The learned detector: a TF-IDF + logistic-regression model scored in plain Python.

`train` fits it with scikit-learn on the labelled corpus and writes
`learned.json` beside this file: for each feature its idf and weight, the
intercept and the threshold chosen by cross-validation. Here it is scored with
nothing but the standard library, so the check needs neither scikit-learn nor
numpy at run time. `features` is the one analyser both sides use, so training
and scoring cannot drift apart.
"""
from __future__ import annotations

import json
import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MODEL_FILE = Path(__file__).with_name("learned.json")
CHAR_SIZES = (5,)      # cross-validated: 5-grams beat 3-5 (AUC 0.963 against 0.957), at a third of the cost
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[\u00a3$\u20ac%?]")
_DIGITS = re.compile(r"\d")
# Chat forms read as the words they stand for (misspellings are corrected earlier, by `fold`).
SPELLING = {"ur": "your", "u": "you", "ya": "you", "youve": "you've", "youre": "you're", "ive": "i've", "im": "i'm",
            "dont": "don't", "didnt": "didn't", "havent": "haven't", "cant": "can't", "wont": "won't"}


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Lower-case word tokens with their spans; digits read as 0, common misspellings corrected."""
    lower = text.lower()
    if len(lower) != len(text):      # a few characters lengthen when lowered: keep the offsets
        lower = "".join(c.lower()[:1] for c in text)
    return [(_word(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(lower)]


def _word(raw: str) -> str:
    word = SPELLING.get(raw, raw)
    return word if word.isalpha() else _DIGITS.sub("0", word)


def word_features(words: list[str], opening: bool = True) -> list[list[str]]:
    """Each word's features: the word, the bigram it starts, its character n-grams and, for the first word
    (when `opening`), the word a sentence opens with ("If you ever move...", "Has anything changed..." ask or
    suppose; "Now that you've moved..." tells)."""
    out = []
    for i, w in enumerate(words):
        feats = [f"w {w}"]
        if i == 0 and opening:
            feats.append(f"s {w}")
        if i + 1 < len(words):
            feats.append(f"b {w} {words[i + 1]}")
        padded = f" {w} "
        for n in CHAR_SIZES:
            if len(padded) < n:
                break
            feats.extend(f"c {padded[j:j + n]}" for j in range(len(padded) - n + 1))
        out.append(feats)
    return out


def features(text: str) -> list[str]:
    """The analyser: every feature of a text, in order (scikit-learn counts them)."""
    return [f for feats in word_features([t[0] for t in tokens(text)]) for f in feats]


@dataclass(frozen=True)
class Judgement:
    probability: float
    span: tuple[int, int]        # the words that weighed most, as offsets into the text scored
    words: int


class LearnedModel:
    """Feature weights and idf from the training run; scores a sentence without scikit-learn."""

    def __init__(self, data: dict):
        self.threshold = float(data["threshold"])
        self.intercept = float(data["intercept"])
        self.terms: dict[str, tuple[float, float]] = {t: (v[0], v[1]) for t, v in data["terms"].items()}
        self._ids = {t: i for i, t in enumerate(self.terms)}     # features as numbers: faster sets
        self._idf2 = [v[0] * v[0] for v in self.terms.values()]
        self._idf_weight = [v[0] * v[1] for v in self.terms.values()]
        self._known = lru_cache(maxsize=50_000)(self._known_uncached)     # words recur: features per word once

    @classmethod
    def load(cls, path: str | Path = MODEL_FILE) -> "LearnedModel":
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def probability(self, text: str) -> float:
        return self.judge(text).probability

    def judge(self, text: str, threshold: float | None = None) -> Judgement:
        """The probability the text reveals held data and, when it reaches threshold (always, when None), the
        span of the words that pushed it up most."""
        read = [self._known(raw) for raw in _TOKEN.findall(text.lower())]
        present = set().union(*(feats for _, feats in read))       # binary tf: a feature counts once
        ids = self._ids
        if read and (i := ids.get(f"s {read[0][0]}")) is not None:
            present.add(i)
        for (a, _), (b, _) in zip(read, read[1:]):
            i = ids.get(f"b {a} {b}")
            if i is not None:
                present.add(i)
        norm = math.sqrt(sum(map(self._idf2.__getitem__, present))) or 1.0
        score = self.intercept + sum(map(self._idf_weight.__getitem__, present)) / norm
        probability = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))
        if threshold is not None and probability < threshold:
            return Judgement(probability, (0, 0), len(read))
        return Judgement(probability, self._span(tokens(text), present, norm), len(read))

    def _known_uncached(self, raw: str) -> tuple[str, frozenset]:
        """A token as the model reads it, and its own features (itself, its character n-grams) the model knows."""
        word = _word(raw)
        ids = self._ids
        return word, frozenset(ids[f] for f in word_features([word], opening=False)[0] if f in ids)

    def _span(self, toks: list, present: set, norm: float) -> tuple[int, int]:
        """The run of up to four words whose features weighed most towards 'revealing' (a feature two words
        share counts half to each)."""
        if not toks:
            return 0, 0
        ids = self._ids
        per_word = [[ids[f] for f in feats if ids.get(f) in present] for feats in word_features([t[0] for t in toks])]
        owners: dict[int, int] = {}
        for feats in per_word:
            for f in feats:
                owners[f] = owners.get(f, 0) + 1
        weight = [sum(self._idf_weight[f] / owners[f] for f in feats) / norm for feats in per_word]
        best, where = -math.inf, (0, 0)
        for i in range(len(toks)):
            total = 0.0
            for j in range(i, min(i + 4, len(toks))):
                total += weight[j]
                if total > best:
                    best, where = total, (i, j)
        return toks[where[0]][1], toks[where[1]][2]


_model: LearnedModel | None = None
_lock = threading.Lock()


def default_model() -> LearnedModel | None:
    """The shipped model, loaded once; None when the file is missing (the rules still work)."""
    global _model
    with _lock:
        if _model is None and MODEL_FILE.is_file():
            _model = LearnedModel.load()
        return _model
