"""Score the check or the receptiveness estimate on a labelled JSONL set (a blind set, once).

    .venv/bin/python bench/eval_labelled.py check SET.jsonl        # lines: text, customer_utterances, revealing
    .venv/bin/python bench/eval_labelled.py receptiveness SET.jsonl  # lines: utterances, label

Prints the figures with counts, and each miss, so what was missed can be studied by kind. Once a blind
receptiveness set has been scored, it becomes training material: normalise it to the corpus schema as
phrasebooks/corpus/receptiveness/blind-set-N.jsonl (utterances, industry, label, reason) and refit;
`python -m tact.receptiveness_fit --by-set` then measures each seen set by a fit without it.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tact import check, suggest  # noqa: E402

LEVELS = ("low", "medium", "high")


def score_check(rows: list[dict]) -> None:
    tp = fp = fn = tn = 0
    misses = []
    for row in rows:
        request = {"text": row["text"]}
        if row.get("customer_utterances"):
            request["context"] = {"customer_utterances": row["customer_utterances"]}
        said = check(request)["revealing"]
        expected = bool(row["revealing"])
        tp += said and expected
        fp += said and not expected
        fn += expected and not said
        tn += not said and not expected
        if said != expected:
            misses.append(("FP" if said else "FN", row.get("kind", ""), row["text"]))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"check on {len(rows)} sentences: precision {precision:.2f} ({tp}/{tp + fp}), "
          f"recall {recall:.2f} ({tp}/{tp + fn}), true negatives {tn}")
    for miss in misses:
        print("  %s [%s] %s" % miss)


def score_receptiveness(rows: list[dict]) -> None:
    confusion: Counter = Counter()
    misses = []
    for row in rows:
        result = suggest({"datapoint": {"key": "example.thing", "value": "x", "category": "preference",
                                        "provenance": "customer_stated"},
                          "context": {"channel": "chat", "customer_utterances": row["utterances"]}})
        got = result["receptiveness"]["level"]
        confusion[(row["label"], got)] += 1
        if got != row["label"]:
            misses.append((row["label"], got, " / ".join(row["utterances"])))
    n = len(rows)
    agree = sum(confusion[(lv, lv)] for lv in LEVELS)
    low_high = confusion[("low", "high")]
    lows = sum(confusion[("low", lv)] for lv in LEVELS)
    print(f"receptiveness on {n} sets of turns: agreement {agree / n:.2f} ({agree}/{n}); "
          f"low read as high {low_high}/{lows}")
    print("label \\ read  " + "  ".join(f"{lv:>6}" for lv in LEVELS))
    for label in LEVELS:
        print(f"{label:>12}  " + "  ".join(f"{confusion[(label, lv)]:>6}" for lv in LEVELS))
    for miss in misses:
        print("  %s read as %s: %s" % miss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("check", "receptiveness"))
    parser.add_argument("path")
    args = parser.parse_args()
    rows = [json.loads(line) for line in Path(args.path).read_text().splitlines() if line.strip()]
    (score_check if args.what == "check" else score_receptiveness)(rows)


if __name__ == "__main__":
    main()
