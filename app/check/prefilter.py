"""The words a pattern needs: a cheap test that skips patterns which cannot match a sentence.

Derived from the pattern itself (Python's own regex parser), so a script
writer never declares them and they cannot drift from what the pattern says:
every match contains at least one of the returned words as a whole word
(a run of \\w characters), or for 'word*' a word starting so, or for '*word*'
the string anywhere. The words are lower case.
"""
from __future__ import annotations

import re
from functools import lru_cache
from re import _constants as C, _parser as P      # the parser re itself uses (sre_parse)

_MAX_STRINGS = 48       # how many alternatives a literal set may grow to before it stops being cheap
_EDGE = "\x00"          # a word boundary the pattern asserts (\b, (?!\w), (?<![\w']))
_PIECE = re.compile(r"\w+")
# Words so common a sentence nearly always has one: a pattern keyed on them is tried anyway.
_COMMON = frozenset("you your u ur the our my a an i we to of in on at for is are have it that this as".split())


def needs(pattern: str, flags: int = re.IGNORECASE) -> frozenset[str] | None:
    """Words one of which every match contains, or None when none can be said."""
    try:
        found = _needs(P.parse(pattern, flags).data)
    except (re.error, RecursionError):
        return None
    if _score(found) == 0:
        return None
    return frozenset(_word(s) for s in found)


def _words(literal: str) -> list[str]:
    """The pieces of a literal as it must occur: a whole word (bounded on both sides), 'word*' for the start of
    a word (bounded before), '*word*' for part of a word (bounded before nowhere)."""
    out = []
    for m in _PIECE.finditer(literal):
        word, before, after = m.group(), m.start() > 0, m.end() < len(literal)
        if before and after:
            out.append(word)
        elif before and len(word) >= 3:
            out.append(word + "*")
        elif len(word) >= 3:
            out.append(f"*{word}*")
    return out


def _rank(word: str) -> int:
    """How selective a word is: its length, less for part of a word, hardly at all for a common word."""
    return 1 if word in _COMMON else len(word) - 2 * word.count("*")


def _word(literal: str) -> str:
    """The word that best stands for a literal."""
    return max(_words(literal), key=_rank)


def _score(strings: set[str] | None) -> int:
    """How selective a literal set is: each literal by its best word (a common word counts 1)."""
    if not strings:
        return 0
    return min(map(_literal_score, strings))


@lru_cache(maxsize=None)
def _literal_score(literal: str) -> int:
    return max(map(_rank, _words(literal)), default=0)


def _better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    """The more selective of two literal sets: the better worst literal, then fewer literals."""
    score_a, score_b = _score(a), _score(b)
    if score_b > score_a or (score_b == score_a and a is not None and b is not None and len(b) < len(a)):
        return b
    return a


def _boundary(op, av) -> bool:
    if op == C.AT:
        return av == C.AT_BOUNDARY
    if op == C.ASSERT_NOT:
        inner = list(av[1])
        return len(inner) == 1 and inner[0][0] == C.IN and (C.CATEGORY, C.CATEGORY_WORD) in inner[0][1]
    return False


def _expand(items) -> set[str] | None:
    """Every string a pattern piece can match, when that is a small finite set (lower case, edges marked)."""
    out = {""}
    for op, av in items:
        if op == C.LITERAL:
            step = {chr(av).lower()}
        elif _boundary(op, av):
            step = {_EDGE}
        elif op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue
        elif op == C.SUBPATTERN:
            step = _expand(av[-1])
        elif op == C.BRANCH:
            step = set()
            for branch in av[1]:
                got = _expand(branch)
                if got is None:
                    return None
                step |= got
        elif op == C.IN and all(o == C.LITERAL for o, _ in av):
            step = {chr(v).lower() for _, v in av}
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[1] <= 2:
            once = _expand(av[2])
            if once is None:
                return None
            step = {""} if av[0] == 0 else set()
            for n in range(max(1, av[0]), av[1] + 1):
                step |= {a + b for a in (once if n == 2 else {""}) for b in once}
        else:
            return None
        if step is None or len(out) * len(step) > _MAX_STRINGS:
            return None
        out = {a + b for a in out for b in step}
    return out


def _needs(items, after_gap: bool = False) -> set[str] | None:
    """The most selective literal set a sequence of pattern pieces must contain (after_gap: it starts a word)."""
    best: set[str] | None = None
    run: set[str] = {_EDGE if after_gap else ""}     # what the pieces since the last unknown one spell
    for op, av in items:
        step = _expand([(op, av)])
        if step is not None and len(run) * len(step) <= _MAX_STRINGS:
            run = {a + b for a in run for b in step}
            continue
        best = _better(best, run)
        gap = all(_gap(s) for s in run)
        inner = None
        if op == C.SUBPATTERN:
            inner = _needs(av[-1], gap)
        elif op == C.BRANCH:
            inner = _union([_needs(branch, gap) for branch in av[1]])
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] >= 1:
            inner = _needs(av[2], gap)
        best = _better(best, inner)
        ends_gap = _ends_gap([(op, av)]) or (op in (C.MAX_REPEAT, C.MIN_REPEAT) and gap and _ends_gap(av[2]))
        run = step if step is not None else {_EDGE if ends_gap else ""}
    return _better(best, run)


def _gap(s: str) -> bool:
    """Whether what follows this string starts a word (it ends in a non-word character or a boundary)."""
    return bool(s) and not (s[-1].isalnum() or s[-1] == "_")


def _ends_gap(items) -> bool:
    """Whether every match of these pieces ends in a non-word character (a space, a comma ...)."""
    items = list(items)
    if not items:
        return False
    op, av = items[-1]
    if op == C.LITERAL:
        return _gap(chr(av))
    if op == C.SUBPATTERN:
        return _ends_gap(av[-1])
    if op == C.BRANCH:
        return all(_ends_gap(b) for b in av[1])
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        return av[0] >= 1 and _ends_gap(av[2])
    return False


def _union(sets: list) -> set[str] | None:
    if not all(_score(s) for s in sets):
        return None
    return set().union(*sets)


_TOKEN = re.compile(r"\w+")
_SEEN = 100_000         # words remembered (a bound, so hostile input cannot grow it without end)


class Prefilter:
    """Which patterns are worth trying on a sentence, from the words in it: a dictionary look-up per word.

    Patterns are numbered by their place in the list given; a set of them is an
    int with those bits set, so joining the sets of a sentence's words is cheap.
    """

    def __init__(self, needs: list[frozenset[str] | None]):
        self.always = 0
        self.whole: dict[str, int] = {}
        self.inner: dict[str, int] | tuple = {}     # part of a word -> bits; a tuple of pairs once built
        starts: dict[str, dict[str, int]] = {}
        for i, words in enumerate(needs):
            bit = 1 << i
            if words is None:
                self.always |= bit
            for word in words or ():
                if word.startswith("*"):
                    self.inner[word.strip("*")] = self.inner.get(word.strip("*"), 0) | bit
                elif word.endswith("*"):
                    by_start = starts.setdefault(word[:3], {})
                    by_start[word[:-1]] = by_start.get(word[:-1], 0) | bit
                else:
                    self.whole[word] = self.whole.get(word, 0) | bit
        self.starts = {k: tuple(v.items()) for k, v in starts.items()}
        inner = self.inner
        for part in sorted(inner, key=len):     # 'statins' is found wherever 'statin' is: one test for both
            shorter = next((p for p in inner if p != part and p in part), None)
            if shorter is not None:
                inner[shorter] |= inner.pop(part)
        self.inner = tuple(inner.items())
        self._seen: dict[str, int] = {}       # words recur: what each one keeps live, worked out once

    def live(self, lower: str, a: int, b: int) -> int:
        """The patterns that may match lower[a:b] (lower: lower-cased text), as bits."""
        found = self.always
        seen = self._seen
        for word in set(_TOKEN.findall(lower, a, b)):
            bits = seen.get(word)
            if bits is None:
                bits = self._for_word(word)
                if len(seen) < _SEEN:
                    seen[word] = bits
            found |= bits
        return found

    def _for_word(self, word: str) -> int:
        """The patterns a word keeps live: as itself, by how it starts, and by the parts inside it (a part is
        all word characters, so it occurs in a sentence only inside one of its words)."""
        bits = self.whole.get(word, 0)
        for prefix, more in self.starts.get(word[:3], ()):
            if word.startswith(prefix):
                bits |= more
        for part, more in self.inner:
            if part in word:
                bits |= more
        return bits


def members(bits: int) -> list[int]:
    """The numbers of the bits set, smallest first."""
    out = []
    while bits:
        low = bits & -bits
        out.append(low.bit_length() - 1)
        bits ^= low
    return out

