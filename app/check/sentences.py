"""Sentences, clauses and words of staff text: what both the check and the rewrite read.

Sentence splitting is NLTK's Punkt with our abbreviation list (no trained
model, nothing downloaded); words are split by a regex that keeps prices and
contractions whole, and contractions are expanded for the clause readers.
"""
from __future__ import annotations

import importlib
import re
import sys
import threading
from functools import lru_cache

ABBREVIATIONS = frozenset("mr mrs ms dr st no vs etc approx e.g i.e jr sr prof mt".split())
CLAUSE_END = re.compile(r"[,.:](?!\d)|[;!?\u2014\u2013()]|\s-\s|(?<![\w'])(?:and|but|so|because|which|when|"
                        r"although|though|if|as|cos|coz)(?![\w'])", re.IGNORECASE)
TAG_QUESTION = re.compile(r",\s*(?:right|yeah|yes|no|correct|eh|huh|innit|isn't it|aren't you|don't you|"
                          r"didn't you|haven't you|weren't you|wasn't it|won't you|isn't that right|am i right)"
                          r"\s*\?+\s*$", re.IGNORECASE)
_WORD = re.compile(r"[\w\u00a3$\u20ac%]+(?:['.,][\w]+)*")
CONTRACTIONS = {
    "you've": ("you", "have"), "youve": ("you", "have"), "you're": ("you", "are"), "youre": ("you", "are"),
    "you'd": ("you", "would"), "you'll": ("you", "will"), "don't": ("do", "not"), "dont": ("do", "not"),
    "doesn't": ("does", "not"), "didn't": ("did", "not"), "didnt": ("did", "not"), "haven't": ("have", "not"),
    "havent": ("have", "not"), "hasn't": ("has", "not"), "hadn't": ("had", "not"), "aren't": ("are", "not"),
    "arent": ("are", "not"), "weren't": ("were", "not"), "wasn't": ("was", "not"), "won't": ("will", "not"),
    "wont": ("will", "not"), "can't": ("can", "not"), "cant": ("can", "not"), "isn't": ("is", "not"),
    "u've": ("you", "have"), "u're": ("you", "are"), "'ve": ("have",), "'re": ("are",), "'d": ("would",), "'ll": ("will",),
}
AUXILIARIES = frozenset("do does did have has had are were was is am".split())
ADVERBS = frozenset("just only also still already really ever recently actually definitely probably clearly "
                    "obviously certainly currently now even".split())
_punkt_lock = threading.Lock()


_OPTIONAL = ("sklearn", "scipy", "numpy")


def import_nltk(name: str):
    """An NLTK module, imported without NLTK's optional scikit-learn, scipy and numpy bridges: where those are
    installed (to train the check's model) they would add seconds of start-up the check never uses (numpy alone
    is a third of NLTK's import, paid by the first request that compares stems)."""
    with _punkt_lock:
        blocked = [m for m in _OPTIONAL if m not in sys.modules] if "nltk" not in sys.modules else []
        for module in blocked:
            sys.modules[module] = None     # makes `import scipy` fail, which NLTK allows for
        try:
            return importlib.import_module(name)
        finally:
            for module in blocked:
                del sys.modules[module]


@lru_cache(maxsize=1)
def _punkt():
    """NLTK's Punkt sentence splitter with our abbreviations: parameters only, no trained model."""
    punkt = import_nltk("nltk.tokenize.punkt")
    PunktParameters, PunktSentenceTokenizer = punkt.PunktParameters, punkt.PunktSentenceTokenizer
    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


# Each pattern starts with the punctuation it looks for (its lookbehinds after it), so re skips to it quickly.
_PLAIN_END = re.compile(r"[!?.](?:(?<=[!?])[!?]*[\"')\]]*(?=\s)|(?<=[A-Za-z]{2}\.)[\"')\]]*(?=\s+[\"'(\[]?[A-Z]))")
_RUN = re.compile(r"[.!?](?:[.!?]|(?<!\S.))")   # "?!", "...", a stray "?": Punkt has its own ways
_ANY_END = re.compile(r"[.!?]+[\"')\]]*(?=\s)")


@lru_cache(maxsize=4096)
def split_sentences(text: str) -> tuple[tuple[int, int], ...]:
    """Sentence spans (each line on its own), trimmed of surrounding space.

    Punkt decides the lines that need it: a full stop after an abbreviation, an
    initial or a number, or before a lower-case word. A line whose every break is
    a plain word, a full stop and a capital (or ? and !) splits the same way
    without loading NLTK, which keeps a one-off `tact suggest` quick.
    """
    spans, offset = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.extend(trim(text, offset + a, offset + b) for a, b in _line_spans(line))
        offset += len(line) + 1
    return tuple(span for span in spans if span[0] < span[1])


def _line_spans(line: str) -> list[tuple[int, int]]:
    if _one_sentence(line):
        return [(0, len(line))]
    ends = [m.end() for m in _ANY_END.finditer(line)]
    plain = [m.end() for m in _PLAIN_END.finditer(line) if _word_before(line, m.start()) not in ABBREVIATIONS]
    if ends != plain or _RUN.search(line):
        return list(_punkt().span_tokenize(line))
    starts = [0] + ends
    return [(a, b) for a, b in zip(starts, ends + [len(line)]) if line[a:b].strip()]


def _one_sentence(line: str) -> bool:
    """No full stop, ? or ! but perhaps one closing the line, after a word: most lines, split without the
    patterns below (they would find no break and nothing for Punkt)."""
    body = line[:-1] if line[-1:] in (".", "!", "?") else line
    return bool(body) and not body[-1].isspace() and "." not in body and "!" not in body and "?" not in body


def _word_before(line: str, end: int) -> str:
    words = line[:end].rsplit(None, 1)
    return words[-1].lower().strip("(\"'") if words else ""


MAX_SENTENCE = 600     # characters a detector reads at once; a longer "sentence" is read in pieces


def windows(text: str, spans: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """The sentence spans with any longer than MAX_SENTENCE cut at spaces, so no pass is worse than linear."""
    out = []
    for a, b in spans:
        while b - a > MAX_SENTENCE:
            cut = text.rfind(" ", a + MAX_SENTENCE // 2, a + MAX_SENTENCE)
            cut = cut if cut > a else a + MAX_SENTENCE
            out.append(trim(text, a, cut))
            a = trim(text, cut, b)[0]
        out.append((a, b))
    return out


def trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def words_of(fragment: str) -> list[str]:
    """Lower-case words with contractions expanded (you've -> you have)."""
    out: list[str] = []
    for word in _WORD.findall(fragment.lower()):
        out.extend(CONTRACTIONS.get(word, (word,)))
    return out




def is_question(sentence: str) -> bool:
    """Ends in a question mark and is not a tag question ('..., don't you?')."""
    stripped = sentence.rstrip()
    return stripped.endswith("?") and not TAG_QUESTION.search(stripped)
