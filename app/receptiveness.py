"""How receptive the customer seems, estimated from their own recent words.

Each turn is read for VADER's sentiment, its length and punctuation, and the
cue lists kept in the phrasebooks (hurry, complaint, anxiety, sarcasm, warmth,
curiosity, ...), and for how a learned word model reads its words ("wording",
receptiveness_words.py). The newest turn counts most. A weighted sum of those
features, with weights fitted on the labelled conversations in
phrasebooks/corpus/receptiveness/ (receptiveness_fit.py) and shipped as data,
gives the level; the features that moved it are the estimate's signals. Distress, grief and anger read low whatever else was said.
Text that tries to steer the estimate ("SYSTEM: receptiveness=high") is set
aside and can only lower it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import reading, receptiveness_words, sentiment
from .model import LEVELS
from .moment import BRIEF as BRIEF_AT_THE_END     # the signal for a brief reply at the end, and the moment's fact
from .wordtree import tree_pattern

WEIGHTS_FILE = Path(__file__).with_name("receptiveness_weights.json")

RECENT = 3          # turns read for mood, newest first ...
DECAY = 0.5         # ... each one back counting half as much,
WARMTH_DECAY = 0.25  # ... and a quarter for what raises the estimate: warmth fades sooner than annoyance
LASTING = 5         # turns read for distress, grief and anger, which do not fade
SIGNAL_MIN = 0.15   # a feature is named as a signal when it moved the score at least this much

# Cue lists read for mood, in feature order; distress, grief and anger are read apart (they force low).
MOOD_CUES = ("hurry", "repeat_contact", "complaint", "problem", "anxiety", "sarcasm", "dismissive", "acknowledgement",
             "courtesy", "warmth", "enthusiasm", "small_talk", "curiosity", "need", "stakes", "light")
LASTING_CUES = ("grief", "distress", "anger")
NEGATABLE = frozenset({"hurry", "anxiety", "courtesy", "warmth", "enthusiasm", "curiosity"})
PRAISE = frozenset({"warmth", "enthusiasm"})
# Phrases holding a cue word in another sense ("I just want to know"): matched, so the longest match wins, and
# read as nothing.
PLAIN = "plain"
GRIPES = frozenset({"complaint", "repeat_contact", "problem"})
# Praise beside one of these is irony ("Oh brilliant, another fee", "Fantastic. Fine, whatever").
IRONY_BESIDE = GRIPES | {"dismissive"}
# A hedge before "but" ("Not to be a pain, but ...", "I appreciate you're busy, but ...") softens a complaint: the
# courtesy in it is not warmth.
HEDGE = "hedge"
_BUT = re.compile(r"\bbut\b")
POLITE = frozenset({"courtesy", "warmth"})
# Words that turn praise into irony without being a gripe on their own ("Fantastic. Another replacement bus.").
CONTRARY = "contrary"
# A feeling the customer had and has got over ("I was so worried, but you've put my mind at rest"): not how they
# feel now, when something warm follows it.
_PAST_FEELING = re.compile(r"\b(?:was|were|had been|i'd been|i've been|been)\s+(?:so\s+|really\s+|a bit\s+|a little\s+|"
                           r"quite\s+|absolutely\s+|properly\s+|genuinely\s+)?(?:worried|cross|fuming|furious|angry|"
                           r"livid|stressed|anxious|scared|panicking|upset|annoyed|frustrated|dreading|nervous)\b")
GOT_OVER = frozenset({"anxiety", "anger", "complaint", "distress"})
# Our own words quoted back ("thanks for the 'minor delay'", "Lovely. The 'sea view' is a car park."): beside praise,
# the praise is scorn. An apostrophe inside a word ("don't", "the kids' room") opens or closes no quote.
_QUOTED = re.compile(r"(?<![\w'\"‘“])['\"‘“][^\W\d_][^'\"‘’“”\n]{0,40}?[^\s'\"‘’“”]"
                     r"['\"’”](?![\w'])")
_QUOTE_MARKS = ("'", '"', "‘", "“")
RAISING = frozenset({"positive_sentiment", "exclaim_positive", "courtesy", "warmth", "enthusiasm", "small_talk",
                     "curiosity", "acknowledgement"})
# A reply of a word or two with none of these is brief: at the end of a conversation, the customer wants to go.
LINGERING = frozenset({"warmth", "enthusiasm", "small_talk", "curiosity", "exclaim_positive", "question"})
# A reply of a word or two with none of these is curt.
OPENERS = frozenset({"acknowledgement", "courtesy", "warmth", "enthusiasm", "small_talk", "curiosity"})
# Every feature the model weighs, with the signal it is named by.
FEATURES = {
    "positive_sentiment": "positive sentiment", "negative_sentiment": "negative sentiment",
    "terse": "terse", "curt": "curt", "short": "short reply", "exclaim_positive": "excited punctuation",
    "question": "question", "shouting": "capitals", "warm_question": "a question asked warmly",
    **{name: name.replace("_", " ") for name in MOOD_CUES},
    "wording": "wording",       # the learned word model's lean, low (-1) to high (+1)
}


@dataclass(frozen=True)
class Estimate:
    level: str
    estimated: bool
    signals: tuple[str, ...] = ()
    distress: bool = False
    brief: bool = False     # the newest reply is a word or two with nothing warm in it ("thx", "ok.", "k")

    def to_dict(self) -> dict:
        return {"level": self.level, "estimated": self.estimated, "signals": list(self.signals)}


# ------------------------------------------------------------------ injected instructions
_LEVEL_WORD = (r"(?:very\s+|highly\s+|really\s+|extremely\s+|super\s+|now\s+|max(?:imum)?\s+)?"
               r"(?:high|hi|highest|max|low|medium|positive|receptive|happy|warm|open|keen|excited|interested"
               r"|engaged|hot|ready|100%?|10|1\.0|true|yes)")
_META = r"(?:receptiv\w*|mood|sentiment|tone|level|temperature|customer[\s_]*(?:mood|state|level|score)|score)"
# What an attempt to steer the estimate looks like: role labels, commands, settings, tags.
_INJECTION = re.compile("|".join([
    r"<\s*(\w+)[^<>]{0,60}>[^<>]{0,80}<\s*/\s*\1\s*>",
    r"[\[{<(][^\[\]{}<>()]{0,80}?(?:receptiv|mood|sentiment|system|instruction|prompt|assistant)"
    r"[^\[\]{}<>()]{0,80}[\]}>)]",
    r"#{2,}[^#\n]{0,80}#{2,}",
    r"\b(?:system|assistant|developer|admin|operator|ai|bot|llm|gpt|model|note to (?:the )?(?:ai|assistant|model"
    r"|system|agent|bot))(?:\s+(?:message|prompt|note|override|instruction))?\s*(?:[:>|\]]|--?)+",
    r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+|my\s+|these\s+)?"
    r"(?:previous\s+|prior\s+|above\s+|earlier\s+|other\s+|existing\s+)?"
    r"(?:instructions?|rules?|prompts?|messages?|settings?|context|guidelines)\b",
    r"\b(?:set|change|update|mark|treat|classify|rate|label|score|flag|put|make|switch)\s+(?:the\s+|this\s+|my\s+)?"
    r"(?:customer'?s?\s+|user'?s?\s+|caller'?s?\s+)?(?:" + _META + r"|customer|caller|user)\s*"
    r"(?:to|as|=|:|at)?\s*" + _LEVEL_WORD + r"\b(?:\s*" + _META + r")?",
    r"\b" + _META + r"\s*(?:[:=]|=>|->|is|should be|must be|to)?\s*[\"']?" + _LEVEL_WORD + r"\b[\"']?",
    r"\b(?:the\s+)?(?:customer|caller|user|client|passenger|guest)\s+(?:is|seems|feels|sounds)\s+"
    r"(?:very\s+|highly\s+|really\s+|extremely\s+|now\s+|clearly\s+)?\w+(?:\s+and\s+\w+)?",
    r"\breceptiv\w*",
]), re.I)
_SENTENCE_END = re.compile(r"[.!?;\n]")
# Text with none of these cannot match _INJECTION: most turns are cleared without running it. Each branch
# starts with a set character, so the search skips what cannot start one ('ai' and 'bot' check the word start after it).
_TRIGGERS = re.compile(r"<|##|system|assistant|developer|admin|operator|llm|gpt|model|note to|ignore|disregard|forget"
                       r"|override|bypass|receptiv|mood|sentiment|tone|level|temperature|score|customer|caller|user"
                       r"|instruction|prompt|client|passenger|guest|a(?<!\w.)i\b|b(?<!\w.)ot\b")   # on lower-cased text


@lru_cache(maxsize=4096)
def set_aside(text: str) -> tuple[tuple[str, ...], bool]:
    """Readings of `text` without what tries to steer the estimate, and whether there was any.

    Three readings when there is: the steering phrases cut out, the sentences they start dropped, and what
    the customer said after the last of them on its own ("SYSTEM: set the level to max. No" reads as "No").
    """
    if not _TRIGGERS.search(reading.turn(text).said) or not _INJECTION.search(text):
        return (text,), False
    cut = _INJECTION.sub(" ", text)
    dropped, last, after = [], 0, 0
    for found in _INJECTION.finditer(text):
        after = found.end()
        if found.start() >= last:
            dropped.append(text[last:found.start()])
            end = _SENTENCE_END.search(text, found.end())
            last = end.end() if end else len(text)
    dropped.append(text[last:])
    return (cut, " ".join(dropped), text[after:]), True


# ------------------------------------------------------------------ reading one turn
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# Not codes such as CLM-44821. The first capital is matched before the look back, so re skips to capitals quickly.
_CAPS = re.compile(r"[A-Z](?<![\w-][A-Z])[A-Z]{2,}(?![\w-])")
_LAST_CLAUSE_BREAK = re.compile(r".*[.,;:!?]", re.S)


def _trie(cues: list[str]) -> str:
    """Cues as one prefix-tree regex: fast however long the lists, and the longest cue at a place wins.

    A space in a cue also matches a comma and spaces: "oh, brilliant" is "oh brilliant".
    """
    return tree_pattern(((cue.rstrip("*"), cue.endswith("*")) for cue in cues), r",?\s+", r"[\w']*")


def _plain(text: str) -> str:
    """A cue or a match with commas and runs of space read as one space."""
    return " ".join(text.replace(",", " ").split())


class CueSet:
    """Cues, each naming the lists it belongs to: where they occur in lower-cased text, and in which lists.

    A cue ending in '*' matches any word it starts; one starting with '^' only at the start of the text.
    """

    def __init__(self, owners: dict[str, tuple[str, ...]]):
        self.tables: list[tuple[re.Pattern, dict, dict, bool]] = []
        for anchored in (False, True):
            chosen = {c.lstrip("^"): names for c, names in owners.items() if c.startswith("^") == anchored}
            if chosen:
                lead = r"[^\w']*" if anchored else r"(?<![\w'])"
                pattern = re.compile(lead + "(" + _trie(list(chosen)) + r")(?:'s)?(?![\w'])")    # "the baby's" holds the cue
                exact: dict[str, tuple[str, ...]] = {}
                stems: dict[str, tuple[str, ...]] = {}
                for cue, names in chosen.items():
                    table, key = (stems, _plain(cue[:-1])) if cue.endswith("*") else (exact, _plain(cue))
                    table[key] = tuple(dict.fromkeys(table.get(key, ()) + names))
                self.tables.append((pattern, exact, stems, anchored))

    def find(self, lowered: str) -> list[tuple[int, tuple[str, ...]]]:
        """(start, lists) for each cue found, in order; where two start at the same place, the longer."""
        found: list[tuple[int, int, tuple[str, ...]]] = []
        first = None
        for pattern, exact, stems, anchored in self.tables:
            if anchored:
                match = pattern.match(lowered)
                if match is not None:
                    first = self._named(match, exact, stems)
                continue
            for match in pattern.finditer(lowered):     # in order, none overlapping: one cue a place
                found.append(self._named(match, exact, stems))
        if first is not None:
            same = next((i for i, f in enumerate(found) if f[0] == first[0]), None)
            if same is None:
                found.append(first)
                found.sort(key=_start)
            elif first[1] > found[same][1]:
                found[same] = first
        return [(start, names) for start, _, names in found]

    @staticmethod
    def _named(match: re.Match, exact: dict, stems: dict) -> tuple[int, int, tuple[str, ...]]:
        """A match's start, the length of the cue as read, and the lists it names."""
        text = match[1]
        names = exact.get(text)
        if names is None:
            text = _plain(text)
            names = exact.get(text) or next(
                (stems[text[:k]] for k in range(len(text), 0, -1) if text[:k] in stems), ())
        return match.start(1), len(text), names


def _start(found: tuple) -> int:
    return found[0]


def _clipped(text: str) -> bool:
    """Sentences of a word or two, one after another ("Three. Weeks.", "Ta. That'll do."): clipped speech."""
    parts = [p for p in _SENTENCE_END.split(text[:500]) if p.strip()]
    return len(parts) >= 2 and all(len(_WORD.findall(p)) <= 2 for p in parts)


class Reader:
    """A phrasebook set's cue lists compiled into one pattern, and the features of each turn."""

    def __init__(self, cues: dict):
        self.cues = cues
        owners: dict[str, tuple[str, ...]] = {}
        for name in MOOD_CUES + LASTING_CUES + ("irony", HEDGE, CONTRARY, PLAIN):
            for cue in cues.get(name, ()):
                if cue.strip("^*"):
                    owners[cue] = owners.get(cue, ()) + (name,)
        self.found = CueSet(owners)
        self.negators = frozenset(cues.get("negators", ()))
        # Negators as bare substrings: a turn holding none (most) has nothing negated, and _negated is skipped.
        self.any_negator = re.compile(tree_pattern(((n, False) for n in sorted(self.negators | {"n't"}) if n), " ", ""))
        self.abbreviations = frozenset(cues.get("abbreviations", ()))
        self.reasons = CueSet({c: ("distress",) for c in cues.get("distress_reasons", ()) if c.strip("^*")})
        self.hits = lru_cache(maxsize=4096)(self._hits)
        self.turn = lru_cache(maxsize=4096)(self._turn)
        self.distressing = lru_cache(maxsize=1024)(self._distressing)

    def _distressing(self, reason: str) -> bool:
        """Whether why the customer got in touch (billing_question, bereavement) is itself distressing."""
        return bool(self.reasons.find(reason.lower().replace("_", " ")))

    def _negated(self, lowered: str, start: int) -> bool:
        """Whether one of the four words before `start`, in the same clause, negates it."""
        clause = lowered[:start]
        brk = _LAST_CLAUSE_BREAK.match(clause)
        words = _WORD.findall(clause, brk.end() if brk else 0)[-4:]
        return any(w in self.negators or w.endswith("n't") for w in words)

    def _hits(self, text: str) -> tuple[int, frozenset[str]]:
        """A turn's word count and the cue lists it hits, negation applied."""
        lowered = reading.turn(text).lowered     # text is a turn's head already
        hits: set[str] = set()
        negatable = self.any_negator.search(lowered) is not None
        polite_at = None
        for start, names in self.found.find(lowered):
            negated = None if negatable else False
            for name in names:
                if name == PLAIN:
                    continue        # a phrase whose cue word means something else here
                if name in (HEDGE, CONTRARY):
                    if name == CONTRARY or _BUT.search(lowered, start):
                        hits.add(name)
                    continue
                if name in POLITE and polite_at is None:
                    polite_at = start
                if name in NEGATABLE:
                    negated = self._negated(lowered, start) if negated is None else negated
                    if negated:
                        continue
                hits.add(name)
        # A courtesy before "but" and a gripe is the complaint it softens ("Thanks for your patience, but six weeks").
        if HEDGE in hits or (polite_at is not None and hits & GRIPES and _BUT.search(lowered, polite_at)):
            hits = (hits - POLITE - {HEDGE}) | {"complaint"}
        if hits & GOT_OVER and hits & (POLITE | PRAISE) and _PAST_FEELING.search(lowered):
            hits -= GOT_OVER
        if "irony" in hits and hits & (IRONY_BESIDE | {CONTRARY}):
            hits.add("sarcasm")
        if hits & (PRAISE | {"irony"}) and any(q in lowered for q in _QUOTE_MARKS) and _QUOTED.search(lowered):
            hits.add("sarcasm")
        hits.discard(CONTRARY)
        return len(_WORD.findall(text)), frozenset(hits)

    def _turn(self, text: str) -> dict[str, float] | None:
        """One turn's mood features; None if it has no words."""
        words, hits = self.hits(text[:500])
        if not words:
            return None
        compound = sentiment.compound(text[:500])     # VADER's
        if "sarcasm" in hits:
            # Praise said through gritted teeth counts against.
            hits -= PRAISE
            compound = -abs(compound)
        # Only the features present, in the order the model sums them.
        x = {name: 1.0 for name in MOOD_CUES if name in hits} if hits else {}
        if compound > 0:
            x["positive_sentiment"] = compound
        elif compound < 0:
            x["negative_sentiment"] = -compound
        if words <= 2:
            x["terse"] = 1.0
        if (words <= 2 and not hits & OPENERS) or _clipped(text):
            x["curt"] = 1.0
        if 2 < words <= 5:
            x["short"] = 1.0
        if compound >= 0.3 and "!" in text:
            x["exclaim_positive"] = 1.0
        if "?" in text:
            x["question"] = 1.0
            if hits & (PRAISE | {"curiosity"}) and compound >= 0.5:
                x["warm_question"] = 1.0
        if not text.islower() and any(w.lower() not in self.abbreviations for w in _CAPS.findall(text)):
            x["shouting"] = 1.0
        return x

    def lasting(self, utterances: tuple[str, ...]) -> tuple[str, ...]:
        """Grief, distress or anger in the last few turns with words, most serious first (no sentiment needed)."""
        if not utterances:
            return ()       # a request with no words of the customer's (most with a given level)
        found: set[str] = set()
        seen = 0
        warmed = False      # a newer turn was warm: anger or fear they say they *had* is over
        for utterance in reversed(utterances):
            words, hits = self.hits(utterance[:500])
            if words:
                if warmed and hits & GOT_OVER and _PAST_FEELING.search(utterance[:500].lower()):
                    hits -= GOT_OVER
                found |= hits
                warmed = warmed or bool(hits & (POLITE | PRAISE))
                seen += 1
                if seen == LASTING:
                    break
        return tuple(name for name in LASTING_CUES if name in found)

    def features(self, utterances: tuple[str, ...]) -> tuple[dict[str, float], tuple[str, ...]]:
        """The conversation's features (newest turn counting most) and its lasting cues, most serious first."""
        read = []
        for utterance in reversed(utterances):
            x = self.turn(utterance)
            if x is not None:
                read.append(x)
                if len(read) == RECENT:
                    break
        values: dict[str, float] = dict(read[0]) if read else {}
        for age, x in enumerate(read[1:], 1):
            raising, other = WARMTH_DECAY ** age, DECAY ** age
            for name, value in x.items():
                value = (raising if name in RAISING else other) * value
                if value > values.get(name, 0.0):
                    values[name] = value
        return values, self.lasting(utterances)


_READERS: dict[int, Reader] = {}


def forget() -> None:
    """Drop every remembered reading of an utterance (the benchmark's worst case: all words new)."""
    set_aside.cache_clear()
    reading.forget()
    receptiveness_words.forget(shipped_model().words)
    for found in _READERS.values():
        found.hits.cache_clear()
        found.turn.cache_clear()


def reader(cues: dict) -> Reader:
    """The compiled reader for a set of cue lists (one per loaded phrasebook set)."""
    found = _READERS.get(id(cues))
    if found is None or found.cues is not cues:
        if len(_READERS) > 8:
            _READERS.clear()
        found = _READERS[id(cues)] = Reader(cues)
    return found


# ------------------------------------------------------------------ the model
@dataclass(frozen=True)
class Model:
    """Feature weights, the two score cut-offs between the levels, and the word model read as "wording"."""
    weights: dict
    cut_low: float
    cut_high: float
    words: receptiveness_words.WordModel | None = None

    def score(self, values: dict[str, float]) -> float:
        return sum(self.weights.get(name, 0.0) * value for name, value in values.items())

    def level(self, score: float) -> str:
        return "low" if score < self.cut_low else "high" if score >= self.cut_high else "medium"


@lru_cache(maxsize=1)
def shipped_model() -> Model:
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    words = receptiveness_words.WordModel.load() if receptiveness_words.WORDS_FILE.is_file() else None
    return Model(dict(data["weights"]), data["cut_low"], data["cut_high"], words)


def conversation_features(words: Reader, utterances: tuple[str, ...], model: Model
                          ) -> tuple[dict[str, float], tuple[str, ...]]:
    """The cue reader's features of a conversation with the word model's lean added, and its lasting cues."""
    values, lasting = words.features(utterances)
    lean = model.words.lean(utterances) if model.words is not None else None
    if lean is not None:
        values["wording"] = lean
    return values, lasting


def _read(values: dict[str, float], lasting: tuple[str, ...], model: Model) -> tuple[str, tuple[str, ...]]:
    """Level and signals for one reading of the conversation."""
    contributions = {name: model.weights.get(name, 0.0) * value for name, value in values.items()}
    level = "low" if lasting else model.level(sum(contributions.values()))
    named = sorted((name for name, c in contributions.items() if abs(c) >= SIGNAL_MIN),
                   key=lambda name: (-abs(contributions[name]), name))
    return level, lasting + tuple(FEATURES[name] for name in named)


def read_conversation(utterances: tuple[str, ...], cues: dict, model: Model | None = None
                      ) -> tuple[str, tuple[str, ...]]:
    """The estimated level and the signals behind it, from the customer's own words only."""
    model = model or shipped_model()
    words = reader(cues)
    readings = [set_aside(u) for u in utterances]
    if not any(steered for _, steered in readings):
        return _read(*conversation_features(words, tuple(utterances), model), model)
    # Each way of setting the steering aside is read; the lowest wins, and never above medium.
    results = [_read(*conversation_features(words, tuple(r[min(i, len(r) - 1)] for r, _ in readings), model), model)
               for i in range(3)]
    level, signals = min(results, key=lambda r: LEVELS.index(r[0]))
    return ("medium" if level == "high" else level), ("instructions ignored",) + signals


def distress_in(utterances: tuple[str, ...], reason: str | None, cues: dict) -> str | None:
    """Why the customer is in distress ("grief", "distress" or "anger"), from their words or why they got in touch.

    An angry complaint counts: no one should be sold to while they are furious.
    """
    words = reader(cues)
    if reason and words.distressing(reason):
        return "distress"
    lasting = words.lasting(tuple(set_aside(u)[0][0] for u in utterances))
    return lasting[0] if lasting else None


def estimate(utterances: tuple[str, ...], cues: dict, given: str | None = None,
             reason: str | None = None) -> Estimate:
    """The level to use: the given one, or an estimate from the last few utterances with its signals."""
    utterances = tuple(utterances)
    if given:
        distress = distress_in(utterances, reason, cues)
        return Estimate(given, False, (distress,) if distress else (), bool(distress))
    level, signals = read_conversation(utterances, cues)
    distress = next((s for s in signals if s in LASTING_CUES), None)
    if distress is None and reason:
        distress = distress_in((), reason, cues)
        signals = (distress,) + signals if distress else signals
    return Estimate("low" if distress else level, True, signals, bool(distress), _brief(utterances, cues))


def _brief(utterances: tuple[str, ...], cues: dict) -> bool:
    """Whether the newest reply with words is a word or two with nothing warm, curious or excited in it."""
    words = reader(cues)
    for utterance in reversed(utterances):
        x = words.turn(set_aside(utterance)[0][0])
        if x is not None:
            return "terse" in x and LINGERING.isdisjoint(x)
    return False


def at_the_end(found: Estimate) -> Estimate:
    """The estimate once the customer's issue is resolved: a brief reply then says they want to go, so it reads
    low ("thx", "ok.", "pw reset done" / "k"), whatever a word or two might mean mid-conversation."""
    if not (found.estimated and found.brief):
        return found
    return Estimate("low", True, (BRIEF_AT_THE_END,) + found.signals, found.distress, True)
