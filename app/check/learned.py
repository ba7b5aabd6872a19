"""The learned detector: a TF-IDF + logistic-regression model scored in plain Python.

`train` fits it with scikit-learn on the labelled corpus and writes
`learned.json` beside this file: for each feature its idf and weight, the
intercept and the threshold chosen by cross-validation. Here it is scored with
nothing but the standard library, so the check needs neither scikit-learn nor
numpy at run time. `features` is the one analyser both sides use, so training
and scoring cannot drift apart.

The model reads the conversation too: beside the sentence's own words it sees
which of them the customer used (telling them the balance they asked about is
service, volunteering a habit nobody raised is not) and whether the customer
asked for something. With nothing said, it reads the sentence alone.

$TACT_CHECK_MODEL points the check at a model file of your own (trained with
`--out`), so an installed package can use an organisation's retrained model.
"""
from __future__ import annotations

import json
import math
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import TactError
from .fold import folded

MODEL_FILE = Path(__file__).with_name("learned.json")
MODEL_ENV = "TACT_CHECK_MODEL"
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


# Words too common to say whether the customer raised a topic.
_STOP = frozenset("""a about after again all am an and any are as at be been before being but by can could did do does
    for from get got had has have having he her here him his how i i'm i've if in into is it it's its just me more most my
    no not now of off on once only or our out over please same she so some such than that the their them then there these
    they this those through to too under until up very was we were what when where which while who why will with would
    yes you you're you've your yours 0 ? $ % \u00a3 \u20ac""".split())
# The customer asks for something: a question mark, or words that open a question or a request.
_ASKING = re.compile(r"\?|^\W*(?:what|whats|when|where|which|who|why|how|is|are|am|was|were|do|does|did|can|could|"
                     r"would|will|has|have|had|should|may|please|pls|tell|check|confirm|give|send|show|find|book|"
                     r"cancel|change|move|add|i'd like|i would like|i want|i need|id like)\b", re.I | re.M)


def stem(word: str) -> str:
    """A crude, deterministic stem (plurals, -ing, -ed), enough to see that two words share a root."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[:-len(suffix)]
    return word


@lru_cache(maxsize=4096)
def heard(said: tuple[str, ...]) -> tuple[frozenset, bool]:
    """What the customer said, as the model reads it: the stems of their content words, and whether they asked."""
    said = [folded(u) for u in said]
    words = [w for u in said for w, _, _ in tokens(u)]
    return frozenset(stem(w) for w in words if w not in _STOP and w.isalpha()), any(map(_ASKING.search, said))


def conversation_features(words: list[str], said: tuple[str, ...]) -> list[str]:
    """The sentence read against the customer's words: each content word they used (`s word`), how much of the
    sentence they used (`o0`..`o3`), each content word with that share (`o0 see`: a frame means one thing after
    the customer's own topic, another after something else) and, when they asked for something, the share again
    (`q o0`..`q o3`). Nothing when nothing was said."""
    if not said:
        return []
    stems, asked = heard(said)
    content = [w for w in dict.fromkeys(words) if w not in _STOP and w.isalpha()]
    shared = [w for w in content if stem(w) in stems]
    share = f"o{min(3, math.ceil(3 * len(shared) / len(content)))}" if content else "o0"
    out = [f"s {w}" for w in shared] + [share] + [f"{share} {w}" for w in content]
    if asked:
        out.append(f"q {share}")
    return out


def raised(text: str, said: tuple[str, ...]) -> bool:
    """The customer used one of the text's content words (raised its topic)."""
    stems = heard(said)[0] if said else frozenset()
    return any(stem(w) in stems for w, _, _ in tokens(text) if w not in _STOP and w.isalpha())


def features(text: str, said: tuple[str, ...] = ()) -> list[str]:
    """The analyser: every feature of a text, in order (scikit-learn counts them), then the features of the
    conversation it answers (what the customer said before, if anything)."""
    words = [t[0] for t in tokens(text)]
    return [f for feats in word_features(words) for f in feats] + conversation_features(words, said)


@dataclass(frozen=True)
class Judgement:
    probability: float
    span: tuple[int, int]        # the words that weighed most, as offsets into the text scored
    words: int


class LearnedModel:
    """Feature weights and idf from the training run; scores a sentence without scikit-learn."""

    def __init__(self, data: dict):
        self.threshold = float(data["threshold"])
        self.answered = float(data.get("answered", 0.0))
        self.intercept = float(data["intercept"])
        self.terms: dict[str, tuple[float, float]] = {t: (v[0], v[1]) for t, v in data["terms"].items()}
        self._ids = {t: i for i, t in enumerate(self.terms)}     # features as numbers: faster sets
        self._idf2 = [v[0] * v[0] for v in self.terms.values()]
        self._idf_weight = [v[0] * v[1] for v in self.terms.values()]
        self._known = lru_cache(maxsize=50_000)(self._known_uncached)     # words recur: features per word once

    @classmethod
    def load(cls, path: str | Path = MODEL_FILE) -> "LearnedModel":
        """The model in a file written by the training command; a TactError naming the file when it is not one."""
        try:
            return cls(json.loads(Path(path).read_text(encoding="utf-8")))
        except OSError as exc:
            raise TactError(f"cannot read the check model {path}: {exc.strerror or exc}") from None
        except json.JSONDecodeError as exc:
            raise TactError(f"{path}:{exc.lineno}:{exc.colno}: the check model is not valid JSON ({exc.msg})") from None
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            raise TactError(f"{path}: not a check model (write one with `python -m tact.check.train --out FILE`)") \
                from None

    def probability(self, text: str, said: tuple[str, ...] = ()) -> float:
        return self.judge(text, said=said).probability

    def judge(self, text: str, threshold: float | None = None, said: tuple[str, ...] = ()) -> Judgement:
        """The probability the text reveals held data, after what the customer said, and, when it reaches
        threshold (always, when None), the span of the words that pushed it up most."""
        read = [self._known(raw) for raw in _TOKEN.findall(text.lower())]
        present: set = set()        # binary tf: a feature counts once
        squares = weighted = 0.0
        for _, feats, word_squares, word_weighted, _ in read:     # a word's own sums, unless it shares a feature
            if present.isdisjoint(feats):
                present |= feats
                squares += word_squares
                weighted += word_weighted
            elif not feats <= present:
                squares, weighted = self._add(present, feats - present, squares, weighted)
        ids = self._ids
        words = [entry[0] for entry in read]
        known = {read[0][4]} if read else set()      # the opening word and every bigram the model knows
        known.update(map(ids.get, [f"b {a} {b}" for a, b in zip(words, words[1:])]))
        if said:
            known.update(ids.get(f) for f in conversation_features(words, said))
        known.discard(None)
        squares, weighted = self._add(present, known - present, squares, weighted)
        norm = math.sqrt(squares) or 1.0
        score = self.intercept + weighted / norm
        probability = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))
        if threshold is not None and probability < threshold:
            return Judgement(probability, (0, 0), len(read))
        return Judgement(probability, self._span(tokens(text), present, norm), len(read))

    def _add(self, present: set, new, squares: float, weighted: float) -> tuple[float, float]:
        """Features not yet present added to the set and to the sums."""
        present |= new
        idf2, idf_weight = self._idf2, self._idf_weight
        for f in new:
            squares += idf2[f]
            weighted += idf_weight[f]
        return squares, weighted

    def answers(self, text: str, said: tuple[str, ...]) -> bool:
        """Whether the text reads as the answer to what the customer raised: they used its words, and the model
        is sure enough the sentence is fine after that to clear a records frame or held-data statement (see
        `train.choose_answered`)."""
        return raised(text, said) and self.probability(text, said) < self.answered

    def _known_uncached(self, raw: str) -> tuple[str, frozenset, float, float, int | None]:
        """A token as the model reads it, its own features (itself, its character n-grams) the model knows,
        their sums of idf squared and idf times weight (what a sentence adds up, worked out once per word) and
        the feature of a sentence opening with it."""
        word = _word(raw)
        ids = self._ids
        feats = frozenset(ids[f] for f in word_features([word], opening=False)[0] if f in ids)
        return (word, feats, sum(self._idf2[f] for f in feats), sum(self._idf_weight[f] for f in feats),
                ids.get(f"s {word}"))

    def _span(self, toks: list, present: set, norm: float) -> tuple[int, int]:
        """The run of up to four words whose features weighed most towards 'revealing' (a feature two words
        share counts half to each). `norm` scales every word alike, so it cannot change which run wins."""
        if not toks:
            return 0, 0
        ids, weights = self._ids, self._idf_weight
        words = [t[0] for t in toks]
        last = len(words) - 1
        per_word, owners = [], {}
        for i, word in enumerate(words):     # each word's own features (cached), its opening and its bigram
            _, own, _, _, opening = self._known(word)
            feats = list(own & present)
            for f in (opening if i == 0 else None, ids.get(f"b {word} {words[i + 1]}") if i < last else None):
                if f is not None and f in present:
                    feats.append(f)
            for f in feats:
                owners[f] = owners.get(f, 0) + 1
            per_word.append(feats)
        weight = [sum(weights[f] / owners[f] for f in feats) for feats in per_word]
        best, where = -math.inf, (0, 0)
        for i in range(len(weight)):
            total = 0.0
            for j in range(i, min(i + 4, len(weight))):
                total += weight[j]
                if total > best:
                    best, where = total, (i, j)
        return toks[where[0]][1], toks[where[1]][2]


_model: LearnedModel | None = None
_lock = threading.Lock()


def model_file() -> Path:
    """The model the check uses: $TACT_CHECK_MODEL when set, else the one shipped with the package."""
    return Path(os.environ.get(MODEL_ENV) or MODEL_FILE)


def default_model() -> LearnedModel | None:
    """The model, loaded once; None when the shipped file is missing (the rules still work). A file named in
    $TACT_CHECK_MODEL must load: a missing or broken one is an error, never silently the shipped model."""
    global _model
    with _lock:
        if _model is None:
            path = model_file()
            if path != MODEL_FILE or path.is_file():
                _model = LearnedModel.load(path)
        return _model
