"""Word lists as one regex shaped like a prefix tree.

A list of a few hundred alternatives makes the regex engine try each one at
every word start; a tree tries one branch a character, so a long list costs
about what a short one does.
"""
from __future__ import annotations

import re
from typing import Iterable

_END, _OPEN = "", "**"      # markers in the tree: never a single character


def tree_pattern(words: Iterable[tuple[str, bool]], space: str, wildcard: str) -> str:
    """A regex for (text, open-ended) pairs: an open-ended text continues with `wildcard`; spaces become `space`.

    At a place where one word is the start of another, the longer is tried first.
    """
    root: dict = {}
    for text, open_ended in words:
        node = root
        for ch in text:
            node = node.setdefault(ch, {})
        node[_OPEN if open_ended else _END] = {}

    def walk(node: dict) -> str:
        branches = [(space if ch == " " else re.escape(ch)) + walk(child)
                    for ch, child in sorted(node.items()) if len(ch) == 1]
        if _OPEN in node:
            branches.append(wildcard)
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if _END in node else body
    return walk(root)
