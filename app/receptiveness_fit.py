"""Fit the receptiveness weights on the labelled utterances, and measure them by cross-validation.

    .venv/bin/python -m tact.receptiveness_fit           # rewrite app/receptiveness_weights.json
    .venv/bin/python -m tact.receptiveness_fit --check   # exit 1 when the shipped weights are stale
    .venv/bin/python -m tact.receptiveness_fit --cv 10   # k-fold agreement, confusion, low->high errors

An ordinal logistic regression (one score, two cut-offs) in plain Python:
deterministic, so the same data and cue lists always give the same weights.
The cut-offs then minimise the expected cost of a mistake, with reading a low
customer as high (and selling to them) the costliest. Used at training time
only; the engine reads the weights file.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

from .bundled import bundled
from .phrasebook import load
from .receptiveness import FEATURES, LEVELS, WEIGHTS_FILE, Model, read_conversation, reader, set_aside

DATA_FILE = bundled("phrasebooks") / "corpus" / "receptiveness.jsonl"
L2 = 0.002          # ridge penalty on the weights (not the cut-offs), per example
STEPS = 3000
RATE = 0.5
MOMENTUM = 0.9
# COST[true][estimated]: selling to a low customer is the mistake that costs most.
COST = {"low": {"low": 0, "medium": 1, "high": 5},
        "medium": {"low": 1, "medium": 0, "high": 1},
        "high": {"low": 2, "medium": 1, "high": 0}}
NAMES = tuple(FEATURES)


def load_examples(path: Path = DATA_FILE) -> list[dict]:
    """The labelled set: one JSON object a line (utterances oldest first, industry, label, reason, kind)."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}:{exc.colno}: not JSON: {exc.msg}") from None
        row = row if isinstance(row, dict) else {}
        turns = row.get("utterances")
        if row.get("label") not in LEVELS or not isinstance(turns, list) or not turns \
                or not all(isinstance(u, str) for u in turns):
            raise ValueError(f"{path}:{number}: needs 'utterances' (a list of text) and a 'label' of "
                             "low, medium or high")
        examples.append(row)
    return examples


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def _rows(examples: list[dict], cues: dict) -> list[tuple[dict[int, float], int]]:
    """Each example's features (by index) and label; examples read low by rule (distress, grief, anger) left out."""
    words = reader(cues)
    rows = []
    for ex in examples:
        values, lasting = words.features(tuple(set_aside(u)[0][0] for u in ex["utterances"]))
        if not lasting:
            rows.append(({NAMES.index(n): v for n, v in values.items()}, LEVELS.index(ex["label"])))
    return rows


def fit(examples: list[dict], cues: dict) -> dict:
    """Weights and cut-offs fitted on `examples`, as they are stored in the weights file."""
    rows = _rows(examples, cues)
    counts = Counter(label for _, label in rows)
    balance = {label: len(rows) / (len(counts) * n) for label, n in counts.items()}
    w = [0.0] * len(NAMES)
    theta = [-1.0, 1.0]
    vw, vt = [0.0] * len(NAMES), [0.0, 0.0]
    for _ in range(STEPS):
        gw, gt = [L2 * x for x in w], [0.0, 0.0]
        for x, label in rows:
            s = sum(w[i] * v for i, v in x.items())
            a, b = _sigmoid(theta[0] - s), _sigmoid(theta[1] - s)
            if label == 0:
                ds, d0, d1 = 1 - a, -(1 - a), 0.0
            elif label == 2:
                ds, d0, d1 = -b, 0.0, b
            else:
                gap = max(b - a, 1e-12)
                ds, d0, d1 = (b * (1 - b) - a * (1 - a)) / gap, a * (1 - a) / gap, -b * (1 - b) / gap
            k = balance[label] / len(rows)
            for i, v in x.items():
                gw[i] += k * ds * v
            gt[0] += k * d0
            gt[1] += k * d1
        vw = [MOMENTUM * m - RATE * g for m, g in zip(vw, gw)]
        vt = [MOMENTUM * m - RATE * g for m, g in zip(vt, gt)]
        w = [x + m for x, m in zip(w, vw)]
        theta = [t + m for t, m in zip(theta, vt)]
    cut_low, cut_high = _cut_offs(theta)
    return {"weights": {name: round(x, 4) for name, x in zip(NAMES, w)},
            "cut_low": cut_low, "cut_high": cut_high}


def _cut_offs(theta: list[float]) -> tuple[float, float]:
    """The scores where the cheapest level to name (by expected cost) turns from low, and to high."""
    def cheapest(s: float) -> str:
        a, b = _sigmoid(theta[0] - s), _sigmoid(theta[1] - s)
        p = {"low": a, "medium": b - a, "high": 1 - b}
        return min(LEVELS, key=lambda est: (sum(p[t] * COST[t][est] for t in LEVELS), LEVELS.index(est)))
    grid = [i / 1000 for i in range(-10_000, 10_001)]
    cut_low = next((s for s in grid if cheapest(s) != "low"), grid[-1])
    cut_high = next((s for s in grid if cheapest(s) == "high"), grid[-1])
    return round(cut_low, 3), round(cut_high, 3)


def as_model(fitted: dict) -> Model:
    return Model(fitted["weights"], fitted["cut_low"], fitted["cut_high"])


def cross_validate(examples: list[dict], cues: dict, folds: int = 10) -> dict:
    """Stratified k-fold: every example estimated by weights fitted without it."""
    fold_of, seen = [], Counter()
    for ex in examples:
        fold_of.append(seen[ex["label"]] % folds)
        seen[ex["label"]] += 1
    predicted = [None] * len(examples)
    for k in range(folds):
        model = as_model(fit([ex for ex, f in zip(examples, fold_of) if f != k], cues))
        for i, ex in enumerate(examples):
            if fold_of[i] == k:
                predicted[i] = read_conversation(tuple(ex["utterances"]), cues, model)[0]
    return report(examples, predicted)


def report(examples: list[dict], predicted: list[str]) -> dict:
    """Agreement, the confusion matrix (true -> estimated), low read as high, and agreement by kind."""
    confusion = {t: {e: 0 for e in LEVELS} for t in LEVELS}
    kinds: dict[str, list[int]] = {}
    for ex, level in zip(examples, predicted):
        confusion[ex["label"]][level] += 1
        kinds.setdefault(ex["kind"], []).append(int(level == ex["label"]))
    agree = sum(confusion[t][t] for t in LEVELS)
    return {"examples": len(examples), "agreement": round(agree / len(examples), 4), "confusion": confusion,
            "low_read_high": confusion["low"]["high"],
            "by_kind": {k: f"{sum(v)}/{len(v)}" for k, v in sorted(kinds.items())}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA_FILE, help="the labelled utterances (JSON lines)")
    parser.add_argument("--check", action="store_true", help="exit 1 when the shipped weights differ from a refit")
    parser.add_argument("--cv", type=int, metavar="K", help="report K-fold cross-validation instead of fitting")
    args = parser.parse_args(argv)
    try:
        examples = load_examples(args.data)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    cues = load().cues
    if args.cv:
        print(json.dumps(cross_validate(examples, cues, args.cv), indent=2))
        return 0
    fitted = {"about": "Receptiveness weights, fitted by `python -m tact.receptiveness_fit` on "
                       "phrasebooks/corpus/receptiveness.jsonl with the bundled cue lists; do not edit by hand.",
              **fit(examples, cues)}
    text = json.dumps(fitted, indent=2) + "\n"
    if args.check:
        same = WEIGHTS_FILE.exists() and WEIGHTS_FILE.read_text(encoding="utf-8") == text
        print("weights are up to date" if same else "weights are stale: run python -m tact.receptiveness_fit")
        return 0 if same else 1
    WEIGHTS_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {WEIGHTS_FILE.name}: {len(examples)} examples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
