"""k-fold cross-validation of the check on the labelled corpus, per kind: rules, model, both.

    .venv/bin/python bench/cv_check.py [--folds 5] [--seed N] [--corpus FILE ...] [--markdown FILE]

Each fold (every copy of a sentence in the same one) trains the learned model
on the other folds' rows with what the customer said (its thresholds chosen by
cross-validation inside them, as the training command does) and judges the
held-out rows with the full check: the bundled rules plus that fold's model,
with each row's `utterances` as the customer's words. The rules were written
while reading this whole corpus, so their figures here are in-sample; only the
model's are held out. Needs the train extra (scikit-learn).
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tact.check import Checker, load_rules  # noqa: E402
from tact.check.learned import LearnedModel  # noqa: E402
from tact.check.train import (bundled_corpus, FOLDS, SEED, document, export, fit, groups,  # noqa: E402
                              out_of_fold, read_corpus, thresholds)
from tact.model import Context  # noqa: E402


def fold_model(rows: list[dict], seed: int) -> LearnedModel:
    threshold, answered, _, _ = thresholds(rows, out_of_fold(rows, seed))
    vec, clf = fit([document(r) for r in rows], [r["revealing"] for r in rows], seed)
    return LearnedModel(export(vec, clf, threshold, answered))


def judge(checker: Checker, row: dict, use_model: bool) -> bool:
    said = tuple(row.get("utterances") or ())
    context = Context(channel=row.get("channel") or "phone", customer_utterances=said) if said else None
    return checker.check(row["text"], context, [] if use_model else ["learned"]).revealing


def scores(pairs: list[tuple[bool, bool]]) -> dict:
    tp = sum(g and w for g, w in pairs)
    fp = sum(g and not w for g, w in pairs)
    fn = sum(w and not g for g, w in pairs)
    p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return {"precision": p, "recall": r, "f1": 2 * p * r / max(1e-9, p + r),
            "right": sum(g == w for g, w in pairs) / max(1, len(pairs))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--corpus", action="append", type=Path)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    from sklearn.model_selection import StratifiedGroupKFold
    rows = read_corpus(args.corpus or bundled_corpus())
    rules = load_rules()
    got: dict = {name: [None] * len(rows) for name in ("rules", "model", "both")}
    split = StratifiedGroupKFold(args.folds, shuffle=True, random_state=args.seed)
    for k, (train, test) in enumerate(split.split(rows, [r["revealing"] for r in rows], groups(rows)), 1):
        checker = Checker(rules, fold_model([rows[i] for i in train], args.seed))
        for i in test:
            got["rules"][i] = judge(checker, rows[i], False)
            got["model"][i] = checker.model.probability(*document(rows[i])) >= checker.model.threshold
            got["both"][i] = judge(checker, rows[i], True)
        print(f"fold {k}/{args.folds} done", file=sys.stderr)
    kinds = defaultdict(list)
    for i, row in enumerate(rows):
        kinds[row["kind"]].append(i)
    lines = [f"{len(rows)} rows, {args.folds}-fold cross-validation (seed {args.seed}); share judged right",
             "", "| kind | rows | revealing | rules | model | rules + model |", "|---|---|---|---|---|---|"]
    for kind in sorted(kinds, key=lambda k: (not rows[kinds[k][0]]["revealing"], k)):
        idx = kinds[kind]
        cells = [f"{scores([(got[n][i], rows[i]['revealing']) for i in idx])['right']:.2f}"
                 for n in ("rules", "model", "both")]
        lines.append(f"| {kind} | {len(idx)} | {'yes' if rows[idx[0]]['revealing'] else 'no'} | "
                     + " | ".join(cells) + " |")
    lines += ["", "| | precision | recall | F1 |", "|---|---|---|---|"]
    for name, label in (("rules", "rules (in-sample)"), ("model", "model alone (held out; whole row)"),
                        ("both", "rules + model")):
        s = scores([(g, r["revealing"]) for g, r in zip(got[name], rows)])
        lines.append(f"| {label} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
