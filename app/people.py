"""Who the customer is talking about: a line says 'her' for the daughter they just named, not 'them'."""
from __future__ import annotations

import re

from . import reading

_SHE = frozenset("""daughter stepdaughter wife mum mom mother stepmum stepmom sister girlfriend fiancee fiancée grandma
granny grandmother nan nana niece aunt auntie she her hers herself""".split())
_HE = frozenset("""son stepson husband dad father stepdad brother boyfriend fiance fiancé grandad granddad grandpa
grandfather nephew uncle he him his himself""".split())
_WORD = re.compile(r"[a-zé]+")

FORMS = {"they": {"she": "she", "he": "he"}, "them": {"she": "her", "he": "him"},
         "their": {"she": "her", "he": "his"}, "theirs": {"she": "hers", "he": "his"}}


def person_named(utterances: tuple[str, ...]) -> str:
    """'she' or 'he' when the newest turn that speaks of someone speaks of one person of that kind, else 'they'."""
    for turn in reversed(utterances):
        words = set(_WORD.findall(reading.turn(turn).said))     # the turn as every reader has it, lower-cased once
        she, he = bool(words & _SHE), bool(words & _HE)
        if she or he:
            return "they" if she and he else ("she" if she else "he")
    return "they"


def pronoun(form: str, person: str) -> str:
    """The pronoun for a person in the form a line asks for ('them' -> 'her'), keeping its capital."""
    word = FORMS.get(form.lower(), {}).get(person, form.lower())
    return word.capitalize() if form[:1].isupper() else word
