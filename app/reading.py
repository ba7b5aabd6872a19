"""One reading of a customer's turn, made once and shared by every reader of it.

The receptiveness cues, the learned word model, the state reader, the moment's
facts and the steering check each read a turn lower-cased (curly apostrophes
read as straight ones), most of them only its first 500 characters. Each used
to make that text on its own, for every turn of every request; a turn is now
read once, remembered by its text (up to KEPT turns, like the readers' own
caches), and every reader takes what it needs from the one reading.
"""
from __future__ import annotations

HEAD = 500      # the characters of a turn the mood, the word model and the states read
KEPT = 4096


class Turn:
    """A turn's text as the readers read it: `lowered` is its first HEAD characters, `said` the whole of it,
    both lower-cased with curly apostrophes read as straight ones."""

    __slots__ = ("head", "lowered", "said")

    def __init__(self, text: str):
        self.head = head = text[:HEAD]
        self.said = text.lower().replace("\u2019", "'")
        # Lower-casing can change a text's length, so the head is lower-cased on its own when it is not the text.
        self.lowered = self.said if head is text else head.lower().replace("\u2019", "'")


_TURNS: dict[str, Turn] = {}


def turn(text: str) -> Turn:
    """The one reading of a turn, made on first use."""
    found = _TURNS.get(text)
    if found is None:
        if len(_TURNS) >= KEPT:
            _TURNS.clear()
        found = _TURNS[text] = Turn(text)
    return found


def forget() -> None:
    """Drop every remembered reading (the benchmark's worst case: all words new)."""
    _TURNS.clear()
