"""Fit the receptiveness word model and weights on the labelled conversations, and measure them.

    .venv/bin/python -m tact.receptiveness_fit           # rewrite app/receptiveness_{weights,words}.json
    .venv/bin/python -m tact.receptiveness_fit --check   # exit 1 when the shipped files are stale
    .venv/bin/python -m tact.receptiveness_fit --cv 10   # k-fold agreement, confusion, low->high errors
    .venv/bin/python -m tact.receptiveness_fit --by-set  # each seen blind set estimated by a fit without it

Two stages. A word model (TF-IDF of the newest turn's words and word pairs +
multinomial logistic regression) is
fitted with scikit-learn (training time only: `pip install -e '.[train]'`);
its out-of-fold lean from low to high is then one feature ("wording") beside
the cue features of an ordinal logistic regression (one score, two cut-offs)
in plain Python. The folds are seeded and every number rounded, so the same
data and cue lists always give the same files. The cut-offs minimise the
expected cost of a mistake, with reading a low customer as high (and selling to
them) the costliest. The engine reads the two files.
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
from .receptiveness_words import WORDS_FILE, WordModel, features

CORPUS_DIR = bundled("phrasebooks") / "corpus" / "receptiveness"
BLIND_PREFIX = "blind-set-"     # files of blind sets already scored once: training material now, and --by-set's folds
KEYS = {"utterances", "industry", "label", "reason", "kind"}
SEED = 20261129
WORD_FOLDS = 5      # out-of-fold word leans for the ordinal fit
WORD_C = 8.0        # the word model's inverse regularisation (by leaving a blind set out: 2 -> 0.915, 4 -> 0.922, 8 -> 0.929)
DIGITS = 5
L2 = 0.002          # ridge penalty on the weights (not the cut-offs), per example
STEPS = 3000
RATE = 0.5
MOMENTUM = 0.9
# COST[true][estimated]: selling to a low customer is the mistake that costs most.
COST = {"low": {"low": 0, "medium": 1, "high": 5},
        "medium": {"low": 1, "medium": 0, "high": 1},
        "high": {"low": 2, "medium": 1, "high": 0}}
NAMES = tuple(FEATURES)


def corpus_files(paths: list[Path] | None = None) -> list[Path]:
    """The labelled files: each path a file, or a folder whose *.jsonl are read in name order."""
    out = []
    for path in paths or [CORPUS_DIR]:
        out.extend(sorted(path.glob("*.jsonl")) if path.is_dir() else [path])
    return out


def load_examples(paths: Path | list[Path] | None = None) -> list[dict]:
    """The labelled conversations: one JSON object a line (utterances oldest first, industry, label, reason and,
    optionally, kind), from every file; each row remembers the file it came from as `set` (its name)."""
    examples = []
    for path in corpus_files([paths] if isinstance(paths, Path) else paths):
        examples.extend(_read_file(path))
    return examples


def _read_file(path: Path) -> list[dict]:
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
        unknown = sorted(set(row) - KEYS)
        if unknown:
            raise ValueError(f"{path}:{number}: unknown key {unknown[0]!r} (a row has {', '.join(sorted(KEYS))})")
        for key in ("industry", "reason", "kind"):
            if (key in row or key != "kind") and not (isinstance(row.get(key), str) and row[key].strip()):
                raise ValueError(f"{path}:{number}: needs {key!r} (text)" if key != "kind"
                                 else f"{path}:{number}: 'kind', when given, is text")
        examples.append({**row, "set": path.stem})
    return examples


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def document(example: dict) -> tuple[str, ...]:
    """What both models read of an example: its turns with any steering text cut out."""
    return tuple(set_aside(u)[0][0] for u in example["utterances"])


def _rows(examples: list[dict], cues: dict, leans: list[float | None]) -> list[tuple[dict[int, float], int]]:
    """Each example's features (by index, its word lean as "wording") and label; examples read low by rule
    (distress, grief, anger) left out."""
    words = reader(cues)
    rows = []
    for ex, lean in zip(examples, leans):
        values, lasting = words.features(document(ex))
        if lean is not None:
            values["wording"] = lean
        if not lasting:
            rows.append(({NAMES.index(n): v for n, v in values.items()}, LEVELS.index(ex["label"])))
    return rows


# ------------------------------------------------------------------ the word model (scikit-learn, training only)
def fit_words(examples: list[dict], seed: int = SEED):
    """The word model's vectors and classifier fitted on `examples` (None when they hold a single level)."""
    if len({ex["label"] for ex in examples}) < 2:
        return None
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    vec = TfidfVectorizer(analyzer=features, binary=True, min_df=2, norm="l2")
    clf = LogisticRegression(C=WORD_C, class_weight="balanced", solver="lbfgs", max_iter=5000, random_state=seed)
    clf.fit(vec.fit_transform([document(ex) for ex in examples]), [LEVELS.index(ex["label"]) for ex in examples])
    return vec, clf


def export_words(vec, clf=None) -> dict:
    """The fitted word model as the runtime reads it: intercepts, and each term's idf and weights per level (a
    level missing from the data never wins; with two levels, scikit-learn's one row scores the second). With
    nothing fitted (one level only), no terms and no lean."""
    if vec is None:
        return {"intercepts": [0.0, 0.0, 0.0], "terms": {}}
    classes = [int(c) for c in clf.classes_]
    if len(classes) == 2:       # one row: the second level's log-odds against the first (scored 0)
        rows = {classes[1]: (clf.coef_[0], float(clf.intercept_[0]))}
        rows[classes[0]] = (None, 0.0)
    else:
        rows = {c: (clf.coef_[k], float(clf.intercept_[k])) for k, c in enumerate(classes)}

    def weights(column: int) -> list[float]:
        return [round(float(rows[k][0][column]), DIGITS) if k in rows and rows[k][0] is not None else 0.0
                for k in range(len(LEVELS))]
    terms = {term: [round(float(vec.idf_[column]), DIGITS)] + weights(column)
             for term, column in sorted(vec.vocabulary_.items())}
    intercepts = [round(rows[k][1], DIGITS) if k in rows else -30.0 for k in range(len(LEVELS))]
    return {"intercepts": intercepts, "terms": terms}


def word_leans(examples: list[dict], seed: int = SEED, folds: int = WORD_FOLDS) -> list[float | None]:
    """Each example's word lean from a word model fitted without it (stratified folds, seeded), rounded."""
    from sklearn.model_selection import StratifiedKFold
    labels = [LEVELS.index(ex["label"]) for ex in examples]
    leans: list[float | None] = [None] * len(examples)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(labels, labels):
        model = WordModel(export_words(*(fit_words([examples[i] for i in train], seed) or (None,))))
        for i in test:
            lean = model.lean(document(examples[i]))
            leans[i] = None if lean is None else round(lean, 4)
    return leans


# ------------------------------------------------------------------ the ordinal fit (plain Python)
def fit(examples: list[dict], cues: dict, seed: int = SEED) -> dict:
    """The word model, weights and cut-offs fitted on `examples`: the weights file's contents, and the word
    model's under "words"."""
    return {**fit_weights(examples, cues, word_leans(examples, seed)),
            "words": export_words(*(fit_words(examples, seed) or (None,)))}


def fit_weights(examples: list[dict], cues: dict, leans: list[float | None]) -> dict:
    """Weights and cut-offs fitted on `examples` with their word leans, as stored in the weights file."""
    rows = _rows(examples, cues, leans)
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
    words = fitted.get("words")
    return Model(fitted["weights"], fitted["cut_low"], fitted["cut_high"], WordModel(words) if words else None)


def cross_validate(examples: list[dict], cues: dict, folds: int = 10, words: bool = True) -> dict:
    """Stratified k-fold: every example estimated by a word model and weights fitted without it."""
    fold_of, seen = [], Counter()
    for ex in examples:
        fold_of.append(seen[ex["label"]] % folds)
        seen[ex["label"]] += 1
    predicted = [None] * len(examples)
    for k in range(folds):
        train = [ex for ex, f in zip(examples, fold_of) if f != k]
        model = as_model(fit(train, cues) if words else fit_cues(train, cues))
        for i, ex in enumerate(examples):
            if fold_of[i] == k:
                predicted[i] = read_conversation(tuple(ex["utterances"]), cues, model)[0]
    return report(examples, predicted)


def by_set(examples: list[dict], cues: dict, words: bool = True) -> dict:
    """Leave one blind set out: each seen blind set estimated by a fit on every other row (the team's and the
    other sets'), as a fresh blind set would be. Agreement and low read as high per set, and over all of them."""
    sets = sorted({ex["set"] for ex in examples if ex["set"].startswith(BLIND_PREFIX)},
                  key=lambda name: (len(name), name))
    out, held, predicted = {}, [], []
    for name in sets:
        train = [ex for ex in examples if ex["set"] != name]
        test = [ex for ex in examples if ex["set"] == name]
        model = as_model(fit(train, cues) if words else fit_cues(train, cues))
        found = [read_conversation(tuple(ex["utterances"]), cues, model)[0] for ex in test]
        result = report(test, found)
        lows = sum(result["confusion"]["low"].values())
        out[name] = {"examples": len(test), "agreement": result["agreement"],
                     "low_read_high": f"{result['low_read_high']}/{lows}", "confusion": result["confusion"]}
        held += test
        predicted += found
    total = report(held, predicted)
    return {"sets": out, "all": {k: total[k] for k in ("examples", "agreement", "low_read_high", "confusion")}}


def fit_cues(examples: list[dict], cues: dict) -> dict:
    """The cue features alone (no word model): what the estimate was before it, for comparison."""
    return {**fit_weights(examples, cues, [None] * len(examples)), "words": None}


def report(examples: list[dict], predicted: list[str]) -> dict:
    """Agreement, the confusion matrix (true -> estimated), low read as high, and agreement by kind (by file for
    rows with no kind)."""
    confusion = {t: {e: 0 for e in LEVELS} for t in LEVELS}
    kinds: dict[str, list[int]] = {}
    for ex, level in zip(examples, predicted):
        confusion[ex["label"]][level] += 1
        kinds.setdefault(ex.get("kind") or ex.get("set", "-"), []).append(int(level == ex["label"]))
    agree = sum(confusion[t][t] for t in LEVELS)
    return {"examples": len(examples), "agreement": round(agree / len(examples), 4), "confusion": confusion,
            "low_read_high": confusion["low"]["high"],
            "by_kind": {k: f"{sum(v)}/{len(v)}" for k, v in sorted(kinds.items())}}


ABOUT = ("fitted by `python -m tact.receptiveness_fit` on the labelled conversations in "
         "phrasebooks/corpus/receptiveness/ with the bundled cue lists; do not edit by hand.")


def files(fitted: dict, rows: int) -> dict[Path, str]:
    """The text of the weights file and the word model file for a fit."""
    weights = {"about": "Receptiveness weights, " + ABOUT, **{k: v for k, v in fitted.items() if k != "words"}}
    head = {"about": "Receptiveness word model (TF-IDF of the newest turn's words, word pairs and opening word, "
                     "binary tf, l2; multinomial logistic regression: idf, then a weight per level), " + ABOUT,
            "seed": SEED, "rows": rows, "intercepts": fitted["words"]["intercepts"]}
    items = sorted(fitted["words"]["terms"].items())
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ', "terms": {']
    lines += [f"{json.dumps(t, ensure_ascii=False)}: {json.dumps(v)}{',' if i < len(items) - 1 else ''}"
              for i, (t, v) in enumerate(items)]
    return {WEIGHTS_FILE: json.dumps(weights, indent=2) + "\n", WORDS_FILE: "\n".join(lines) + "\n}}\n"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, action="append",
                        help="a labelled JSONL file or a folder of them (repeatable; default: the bundled corpus, "
                             "phrasebooks/corpus/receptiveness/)")
    parser.add_argument("--check", action="store_true", help="exit 1 when the shipped files differ from a refit")
    parser.add_argument("--cv", type=int, metavar="K", help="report K-fold cross-validation instead of fitting")
    parser.add_argument("--by-set", action="store_true",
                        help="report each blind set (blind-set-*.jsonl) estimated by a fit on everything else")
    parser.add_argument("--cues-only", action="store_true",
                        help="with --cv or --by-set: measure the cue features without the word model")
    args = parser.parse_args(argv)
    try:
        examples = load_examples(args.data)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("fitting needs scikit-learn: pip install -e '.[train]'", file=sys.stderr)
        return 2
    cues = load().cues
    if args.cv or args.by_set:
        found = by_set(examples, cues, not args.cues_only) if args.by_set \
            else cross_validate(examples, cues, args.cv, not args.cues_only)
        print(json.dumps(found, indent=2))
        return 0
    texts = files(fit(examples, cues), len(examples))
    if args.check:
        same = all(path.exists() and path.read_text(encoding="utf-8") == text for path, text in texts.items())
        print("weights are up to date" if same else "weights are stale: run python -m tact.receptiveness_fit")
        return 0 if same else 1
    for path, text in texts.items():
        path.write_text(text, encoding="utf-8")
    print(f"wrote {', '.join(path.name for path in texts)}: {len(examples)} examples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
