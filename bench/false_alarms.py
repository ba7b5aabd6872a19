"""False alarms on real agent turns: run the check on a public task-oriented dialogue corpus.

    .venv/bin/python bench/false_alarms.py DIR [--turns 2000] [--seed N] [--show]

DIR holds dialogue files in the schema-guided format (Schema-Guided Dialogue's
dialogues_*.json, or MultiWOZ 2.2's, which share it): lists of dialogues whose
`turns` carry `speaker` (USER / SYSTEM) and `utterance`. A seeded sample of
system turns is checked, each with the user's preceding turn as
`customer_utterances`. Nearly every such turn is ordinary service, so what is
flagged is to be read by hand; `--show` prints each one with what the customer
said. The corpus is for measurement only: never commit its lines, never train
on them.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tact.check import default_checker  # noqa: E402
from tact.model import Context  # noqa: E402


def agent_turns(folder: Path, services: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(what the customer said just before, what the agent said) for every system turn, in file order;
    only dialogues with a service whose name starts with one of `services`, when given."""
    pairs = []
    for path in sorted(folder.rglob("dialogues_*.json")):
        for dialogue in json.loads(path.read_text(encoding="utf-8")):
            if services and not any(s.startswith(services) for s in dialogue.get("services", ())):
                continue
            said = ""
            for turn in dialogue.get("turns", ()):
                if turn.get("speaker") == "USER":
                    said = turn.get("utterance", "")
                elif turn.get("speaker") == "SYSTEM":
                    pairs.append((said, turn.get("utterance", "")))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--turns", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--service", action="append", default=[],
                        help="only dialogues with this service (name prefix, e.g. Banks; repeatable)")
    parser.add_argument("--show", action="store_true", help="print every flagged turn with the customer's words")
    args = parser.parse_args()
    pairs = agent_turns(args.folder, tuple(args.service))
    if not pairs:
        sys.exit(f"no dialogues_*.json with USER/SYSTEM turns under {args.folder}")
    sample = random.Random(args.seed).sample(pairs, min(args.turns, len(pairs)))
    checker = default_checker()
    flagged, by_rule = [], Counter()
    for said, line in sample:
        result = checker.check(line, Context(channel="chat", customer_utterances=(said,)) if said else None)
        if result.revealing:
            rules = sorted({f["rule"] for f in result.findings if f["severity"] in ("error", "warning")})
            by_rule.update(rules)
            flagged.append((said, line, rules))
    print(f"{len(flagged)} of {len(sample)} agent turns flagged ({len(flagged) / len(sample):.1%}); "
          f"by rule: {dict(by_rule.most_common())}")
    if args.show:
        for said, line, rules in flagged:
            print(f"\n[{', '.join(rules)}]\n  customer: {said}\n  agent:    {line}")


if __name__ == "__main__":
    main()
