"""Train the learned detector on the labelled corpus and write app/check/learned.json.

    python -m tact.check.train [--corpus FILE ...] [--no-bundled] [--out FILE] [--seed N]
    (scripts/train-check in a checkout)

Needs scikit-learn (`pip install -e .[train]`); the runtime does not. The
same corpus and seed give the same file, byte for byte: the folds are
seeded, the solver is deterministic and every number is rounded before it is
written. The model only speaks where no rule found anything, so its threshold
is the lowest at which its cross-validated (out-of-fold) findings on the rows
the rules pass are right at least TARGET_PRECISION of the time. It also
clears a records frame or held-data statement that answers what the customer
raised when it is sure enough of that (`choose_answered`).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from ..bundled import bundled
from .fold import folded
from .learned import MODEL_FILE, LearnedModel, features, raised

CORPUS_DIR = bundled("phrasebooks") / "corpus" / "check"
SEED = 20261129
FOLDS = 5
C = 8.0
# What the model adds must be right 9 times in 10: at 0.8, a corpus rich in lines the rules miss let the threshold
# fall to 0.5 and one model finding in five was a false alarm (issue 9 asks 0.95 precision of the whole check).
TARGET_PRECISION = 0.9
ANSWER_PRECISION = 0.99     # of the rule findings the model clears as answers, the share that must be fine
ANSWER_CEILING = 0.3        # the model never clears a frame it gives more than this
DIGITS = 5


def bundled_corpus() -> list[Path]:
    """The shipped labelled files, in name order (training data lives with the phrasebooks)."""
    return sorted(CORPUS_DIR.glob("*.jsonl"))


def read_corpus(paths: list[Path]) -> list[dict]:
    """Labelled rows ({"text", "revealing", "kind", ...}, one JSON object a line) from every file, in order."""
    rows = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if not isinstance(row.get("text"), str) or not isinstance(row.get("revealing"), bool):
                raise ValueError(f"{path}:{n}: each line needs 'text' (text) and 'revealing' (true/false)")
            rows.append(row)
    return rows


def corpus_hash(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def document(row: dict) -> tuple[str, tuple[str, ...]]:
    """What the model reads of a row: the folded sentence and what the customer said before it."""
    return folded(row["text"]), tuple(row.get("utterances") or ())


def _analyse(doc: tuple[str, tuple[str, ...]]) -> list[str]:
    return features(*doc)


def _pipeline(seed: int):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    vec = TfidfVectorizer(analyzer=_analyse, binary=True, min_df=2, norm="l2")
    clf = LogisticRegression(C=C, class_weight="balanced", solver="lbfgs", max_iter=5000, random_state=seed)
    return vec, clf


def fit(docs: list[tuple[str, tuple[str, ...]]], labels: list[bool], seed: int = SEED):
    """The vectoriser and classifier fitted on documents (see `document`)."""
    vec, clf = _pipeline(seed)
    clf.fit(vec.fit_transform(docs), labels)
    return vec, clf


def groups(rows: list[dict]) -> list[str]:
    """Rows with the same sentence (said after different customer words) share a fold, so no sentence is judged
    by a model that has read it."""
    return [folded(r["text"]).lower() for r in rows]


def out_of_fold(rows: list[dict], seed: int = SEED, folds: int = FOLDS) -> list[float]:
    """Each row's probability from a model trained on the other folds (stratified, grouped by sentence, seeded)."""
    from sklearn.model_selection import StratifiedGroupKFold
    docs = [document(r) for r in rows]
    labels = [r["revealing"] for r in rows]
    probs = [0.0] * len(rows)
    split = StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(docs, labels, groups(rows))
    for train, test in split:
        vec, clf = fit([docs[i] for i in train], [labels[i] for i in train], seed)
        for i, p in zip(test, clf.predict_proba(vec.transform([docs[i] for i in test]))[:, 1]):
            probs[i] = float(p)
    return probs


def rule_judgements(rows: list[dict]) -> list[tuple[bool, bool]]:
    """What the bundled rules alone say of each row (with its customer's words): whether it is revealing, and
    whether the model may clear it as an answer (the customer raised it, see `learned.raised`, and every finding
    is of a rule waived when it answers what was asked)."""
    from . import Checker, load_rules
    from ..model import Context
    checker = Checker(load_rules())
    out = []
    for r in rows:
        said = tuple(r.get("utterances") or ())
        result = checker.check(r["text"], Context(channel="phone", customer_utterances=said) if said else None)
        out.append((result.revealing, result.revealing and raised(r["text"], said) and
                    all(checker.by_id[f["rule"]].waived_when_asked for f in result.findings)))
    return out


def choose_threshold(probs: list[float], labels: list[bool], ruled: list[bool],
                     target: float = TARGET_PRECISION) -> float:
    """The lowest threshold (to 0.01) at which what the model adds to the rules is right `target` of the time."""
    for step in range(50, 100):
        t = step / 100
        added = [y for p, y, r in zip(probs, labels, ruled) if p >= t and not r]
        if added and sum(added) / len(added) >= target:
            return t
    return 0.99


def choose_answered(probs: list[float], labels: list[bool], clearable: list[bool],
                    target: float = ANSWER_PRECISION) -> float:
    """The highest probability (to 0.01, at most ANSWER_CEILING) below which the model may clear a records frame
    or held-data statement as the answer to what the customer raised: the findings it clears must be fine
    `target` of the time. 0 when none qualifies (the model clears nothing)."""
    for step in range(round(ANSWER_CEILING * 100), 0, -1):
        t = step / 100
        cleared = [y for p, y, c in zip(probs, labels, clearable) if c and p < t]
        if cleared and 1 - sum(cleared) / len(cleared) >= target:
            return t
    return 0.0


def thresholds(rows: list[dict], probs: list[float]) -> tuple[float, float, list[bool], list[bool]]:
    """From out-of-fold probabilities: the model's threshold, its answer threshold, and what the rules say of
    each row before and after the model has cleared the answers."""
    labels = [r["revealing"] for r in rows]
    judged = rule_judgements(rows)
    answered = choose_answered(probs, labels, [c for _, c in judged])
    ruled = [r and not (c and p < answered) for p, (r, c) in zip(probs, judged)]
    return choose_threshold(probs, labels, ruled), answered, [r for r, _ in judged], ruled


def train(paths: list[Path], seed: int = SEED) -> dict:
    """The model file's contents: terms (feature -> [idf, weight]), intercept, threshold and provenance."""
    rows = read_corpus(paths)
    labels = [r["revealing"] for r in rows]
    probs = out_of_fold(rows, seed)
    threshold, answered, before, ruled = thresholds(rows, probs)
    added = [y for p, y, r in zip(probs, labels, ruled) if p >= threshold and not r]
    both = [r or p >= threshold for p, r in zip(probs, ruled)]
    caught = sum(g and y for g, y in zip(both, labels))
    vec, clf = fit([document(r) for r in rows], labels, seed)
    return {
        "model": "tf-idf (words, bigrams, opening word, character 5-grams; the customer's words: shared words, overlap, asked; "
                 "binary tf, l2) + logistic regression",
        "seed": seed, "rows": len(rows), "corpus_sha256": corpus_hash(paths),
        "cv": {"folds": FOLDS, "added": len(added), "added_precision": round(sum(added) / max(1, len(added)), 4),
               "cleared": sum(before) - sum(ruled),
               "precision": round(caught / max(1, sum(both)), 4), "recall": round(caught / max(1, sum(labels)), 4)},
        **export(vec, clf, threshold, answered),
    }


def export(vec, clf, threshold: float, answered: float = 0.0) -> dict:
    """The fitted vectoriser and classifier as the runtime reads them: thresholds, intercept, terms."""
    idf, coef = vec.idf_, clf.coef_[0]
    terms = {term: [round(float(idf[i]), DIGITS), round(float(coef[i]), DIGITS)]
             for term, i in sorted(vec.vocabulary_.items())}
    return {"threshold": threshold, "answered": answered, "intercept": round(float(clf.intercept_[0]), DIGITS),
            "terms": terms}


def dumps(model: dict) -> str:
    """The model as JSON text: a header, then one term a line (readable diffs, byte-for-byte reproducible)."""
    head = {k: v for k, v in model.items() if k != "terms"}
    lines = [json.dumps(head, sort_keys=True)[:-1] + ', "terms": {']
    items = sorted(model["terms"].items())
    lines += [f"{json.dumps(t)}: {json.dumps(v)}{',' if i < len(items) - 1 else ''}" for i, (t, v) in enumerate(items)]
    return "\n".join(lines) + "\n}}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the check's learned detector on labelled sentences.")
    parser.add_argument("--corpus", action="append", type=Path, default=[],
                        help="your own labelled JSONL file, added to the bundled corpus (repeatable)")
    parser.add_argument("--no-bundled", action="store_true", help="train on the --corpus files alone")
    parser.add_argument("--out", type=Path, default=MODEL_FILE,
                        help="where to write the model (default: the one shipped in the package); point "
                             "TACT_CHECK_MODEL at a file of your own to have the check use it")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("training needs scikit-learn: pip install -e '.[train]'", file=sys.stderr)
        return 2
    paths = ([] if args.no_bundled else bundled_corpus()) + args.corpus
    if not paths:
        print("no corpus: give --corpus FILE", file=sys.stderr)
        return 2
    try:
        model = train(paths, args.seed)
    except (OSError, ValueError) as exc:
        print(f"cannot train: {exc}", file=sys.stderr)
        return 2
    text = dumps(model)
    LearnedModel(json.loads(text))     # what we write must load
    args.out.write_text(text, encoding="utf-8")
    cv = model["cv"]
    print(f"{args.out}: {len(model['terms'])} features from {model['rows']} rows; threshold {model['threshold']}: "
          f"cross-validated, the model adds {cv['added']} findings to the rules' ({cv['added_precision']:.0%} right) "
          f"and clears {cv['cleared']} as answers to what the customer raised (below {model['answered']}); "
          f"rules + model precision {cv['precision']}, recall {cv['recall']} (the rules in-sample)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
