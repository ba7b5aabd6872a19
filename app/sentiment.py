"""VADER's compound sentiment score, exactly as NLTK's SentimentIntensityAnalyzer computes it, but quicker.

NLTK's analyzer rebuilds its token tables, walks every word through several
helper calls and costs about 30 µs an utterance, with a second of import
before the first. This is the same arithmetic in one pass over the tokens,
with an early answer when no token is in the lexicon; the rules, constants
and quirks (a repeated token is scored where it first occurs, the case-
sensitive checks) are NLTK's (nltk/sentiment/vader.py, Apache 2.0), and a
test holds the two equal. The lexicon is the one inside vaderSentiment.
"""
from __future__ import annotations

import math
import os
import re
import string
from functools import lru_cache

B_INCR, B_DECR = 0.293, -0.293
C_INCR = 0.733
N_SCALAR = -0.74
NEGATE = frozenset(
    "aint arent cannot cant couldnt darent didnt doesnt ain't aren't can't couldn't daren't didn't doesn't dont "
    "hadnt hasnt havent isnt mightnt mustnt neither don't hadn't hasn't haven't isn't mightn't mustn't neednt "
    "needn't never none nope nor not nothing nowhere oughtnt shant shouldnt uhuh wasnt werent oughtn't shan't "
    "shouldn't uh-uh wasn't weren't without wont wouldnt won't wouldn't rarely seldom despite".split())
BOOSTER_DICT = {
    **dict.fromkeys(
        "absolutely amazingly awfully completely considerably decidedly deeply effing enormously entirely "
        "especially exceptionally extremely fabulously flipping flippin fricking frickin frigging friggin fully "
        "fucking greatly hella highly hugely incredibly intensely majorly more most particularly purely quite "
        "really remarkably so substantially thoroughly totally tremendously uber unbelievably unusually utterly "
        "very".split(), B_INCR),
    **dict.fromkeys(["almost", "barely", "hardly", "just enough", "kind of", "kinda", "kindof", "kind-of", "less",
                     "little", "marginally", "occasionally", "partly", "scarcely", "slightly", "somewhat", "sort of",
                     "sorta", "sortof", "sort-of"], B_DECR),
}
SPECIAL_CASE_IDIOMS = {"the shit": 3, "the bomb": 3, "bad ass": 1.5, "yeah right": -2, "cut the mustard": 2,
                       "kiss of death": -1.5, "hand to mouth": -2}
# The words of the set phrases and two-word boosters, as they must be written to count.
_PHRASE_WORDS = frozenset(word for phrase in (*SPECIAL_CASE_IDIOMS, *BOOSTER_DICT) if " " in phrase
                          for word in phrase.split())
PUNC_LIST = (".", "!", "?", ",", ";", ":", "-", "'", '"', "!!", "!!!", "??", "???", "?!?", "!?!", "?!?!", "!?!?")
_MARKS = frozenset(string.punctuation)
# A word of two or more characters with one of PUNC_LIST before or after it and no other punctuation.
_EDGE_MARK = re.compile("(?:{0})([^{1}]{{2,}})|([^{1}]{{2,}})(?:{0})".format(
    "|".join(re.escape(m) for m in sorted(PUNC_LIST, key=len, reverse=True)), re.escape(string.punctuation)))
_ONE_MARK = frozenset(m for m in PUNC_LIST if len(m) == 1)


_LEXICON: dict[str, float] = {}     # the lexicon once loaded (read without a call)


@lru_cache(maxsize=1)
def lexicon() -> dict[str, float]:
    """vaderSentiment's lexicon, read as NLTK reads it; loaded on the first score, not at import."""
    import vaderSentiment

    path = os.path.join(os.path.dirname(vaderSentiment.__file__), "vader_lexicon.txt")
    with open(path, "rb") as file:
        text = file.read().decode("utf-8")
    lex = {}
    for line in text.split("\n"):
        word, measure = line.strip().split("\t")[0:2]
        lex[word] = float(measure)
    _LEXICON.update(lex)
    return lex


def tokens(text: str) -> list[str]:
    """NLTK's words_and_emoticons: whitespace tokens longer than one character, less an edge mark of
    PUNC_LIST on a word with no other punctuation ('cat,' -> 'cat'; ':)', '!cat!' and '"don't"' stay)."""
    out = []
    for token in text.split():
        if len(token) > 1:
            if token[0] in _MARKS:
                bare = _EDGE_MARK.fullmatch(token)
                if bare:
                    token = bare[bare.lastindex]
            elif token[-1] in _MARKS:
                # Nearly always a letter-and-digit word with one mark after it ('sorted,'): the pattern's answer,
                # without running it.
                if token[-1] in _ONE_MARK and len(token) > 2 and token[:-1].isalnum():
                    token = token[:-1]
                else:
                    bare = _EDGE_MARK.fullmatch(token)
                    if bare:
                        token = bare[bare.lastindex]
            out.append(token)
    return out


def _idioms(valence: float, words: list[str], i: int) -> float:
    """NLTK's _idioms_check: a few set phrases replace the valence; 'kind of' before it damps it."""
    if words[i] not in _PHRASE_WORDS and words[i - 2] not in _PHRASE_WORDS:
        return valence      # every phrase it reads holds one of these two words
    three, two, one, zero = words[i - 3], words[i - 2], words[i - 1], words[i]
    twoone, threetwo = f"{two} {one}", f"{three} {two}"
    for seq in (f"{one} {zero}", f"{two} {one} {zero}", twoone, f"{three} {two} {one}", threetwo):
        if seq in SPECIAL_CASE_IDIOMS:
            valence = SPECIAL_CASE_IDIOMS[seq]
            break
    if len(words) - 1 > i:
        seq = f"{zero} {words[i + 1]}"
        if seq in SPECIAL_CASE_IDIOMS:
            valence = SPECIAL_CASE_IDIOMS[seq]
    if len(words) - 1 > i + 1:
        seq = f"{zero} {words[i + 1]} {words[i + 2]}"
        if seq in SPECIAL_CASE_IDIOMS:
            valence = SPECIAL_CASE_IDIOMS[seq]
    if threetwo in BOOSTER_DICT or twoone in BOOSTER_DICT:
        valence = valence + B_DECR
    return valence


def _valence(words: list[str], lowers: list[str], i: int, lex: dict, cap_diff: bool) -> float:
    """One sentiment word's valence after caps, boosters, negation, idioms and 'least' (NLTK's sentiment_valence)."""
    valence = lex[lowers[i]]
    if cap_diff and words[i].isupper():
        valence = valence + C_INCR if valence > 0 else valence - C_INCR
    for back in range(min(i, 3)):
        j = i - back - 1
        before = lowers[j]
        if before in lex:
            continue
        s = BOOSTER_DICT.get(before, 0.0)     # NLTK's scalar_inc_dec, damped by distance
        if s:
            if valence < 0:
                s = -s
            if cap_diff and words[j].isupper():
                s = s + C_INCR if valence > 0 else s - C_INCR
            if back:
                s = s * (0.95 if back == 1 else 0.9)
        valence = valence + s
        negated = before in NEGATE or "n't" in before     # NLTK's _never_check
        if back == 0:
            if negated:
                valence = valence * N_SCALAR
        elif back == 1:
            if words[i - 2] == "never" and words[i - 1] in ("so", "this"):
                valence = valence * 1.5
            elif negated:
                valence = valence * N_SCALAR
        else:
            if words[i - 3] == "never" and words[i - 2] in ("so", "this") or words[i - 1] in ("so", "this"):
                valence = valence * 1.25
            elif negated:
                valence = valence * N_SCALAR
            valence = _idioms(valence, words, i)
    if i > 0 and lowers[i - 1] == "least" and "least" not in lex:     # NLTK's _least_check
        if not (i > 1 and lowers[i - 2] in ("at", "very")):
            valence = valence * N_SCALAR
    return valence


# What each whitespace token reads as: (token, lower-cased, in the lexicon), or None when too short to count.
# Words, not utterances: a per-process memo, dropped when it grows past WORDS_KEPT.
_WORDS: dict[str, tuple[str, str, bool] | None] = {}
WORDS_KEPT = 20_000


def _word(raw: str, lex: dict) -> tuple[str, str, bool] | None:
    """One whitespace token as `tokens` reads it, lower-cased, and whether the lexicon scores it."""
    found = tokens(raw)
    if not found:
        return None
    lowered = found[0].lower()
    return found[0], lowered, lowered in lex


def compound(text: str) -> float:
    """VADER's compound score of `text`, from -1 to 1, rounded to four places as NLTK rounds it."""
    lex = _LEXICON or lexicon()
    words: list[str] = []
    lowers: list[str] = []
    scored: list[int] = []
    for raw in text.split():        # `tokens`, one remembered word at a time
        known = _WORDS.get(raw, False)
        if known is False:
            if len(_WORDS) >= WORDS_KEPT:
                _WORDS.clear()
            known = _WORDS[raw] = _word(raw, lex)
        if known is not None:
            if known[2]:
                scored.append(len(words))
            words.append(known[0])
            lowers.append(known[1])
    if not scored:
        return 0.0      # every sentiment is 0
    caps = sum(map(str.isupper, words))
    cap_diff = 0 < len(words) - caps < len(words)
    last = len(words) - 1
    at = lowers.index("but") if "but" in lowers else -1
    parts: list[float] = []     # the words' sentiments in order, less the zeros: their sum is the same
    valences: dict[str, float] = {}
    for k in scored:
        word = words[k]
        valence = valences.get(word)
        if valence is None:
            # NLTK scores a repeated token where it first occurs: this is that place.
            lowered = lowers[k]
            unscored = lowered in BOOSTER_DICT or (k < last and lowered == "kind" and lowers[k + 1] == "of")
            valence = valences[word] = 0 if unscored else _valence(words, lowers, k, lex, cap_diff)
        if at >= 0:
            valence = valence * 0.5 if k < at else valence * 1.5 if k > at else valence
        parts.append(valence)
    total = float(sum(parts))
    marks = min(text.count("!"), 4) * 0.292     # NLTK's punctuation emphasis
    questions = text.count("?")
    marks += (questions * 0.18 if questions <= 3 else 0.96) if questions > 1 else 0
    if total > 0:
        total += marks
    elif total < 0:
        total -= marks
    return round(total / math.sqrt(total * total + 15), 4)
