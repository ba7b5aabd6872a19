"""Benchmark check() against proselint on the same sentences, measured in the same run.

    .venv/bin/python bench/bench_check.py [--rounds N] [--json FILE]

Sentences come from phrasebooks/corpus/check/core.jsonl. Caches are cleared before
every round, so each figure is a cold judgement of each sentence, not a cache
hit. Reports sentences per second for check() (findings only), check() with
the rewrite, a warm (cached) pass, and proselint's public API
(`LintFile(...).lint()`), with every figure as a ratio to proselint, since
shared machines drift in absolute speed: each round times proselint and ours
in turn, and the ratio is the median of the rounds' ratios. Target (issue 3):
at least 10x proselint's rate.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tact.check import default_checker  # noqa: E402

CORPUS = ROOT / "phrasebooks" / "corpus" / "check" / "core.jsonl"


def sentences() -> list[str]:
    return [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def one_pass(fn, texts: list[str], before=None) -> float:
    """Sentences a second for one pass over the texts."""
    if before:
        before()
    start = time.perf_counter()
    for text in texts:
        fn(text)
    return len(texts) / (time.perf_counter() - start)


def proselint_linter():
    """proselint's public API: register its checks once, then lint one text at a time."""
    from proselint.checks import __register__
    from proselint.registry import CheckRegistry
    from proselint.tools import LintFile
    CheckRegistry().register_many(__register__)
    return lambda text: LintFile("<bench>", text).lint()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", dest="json_file")
    args = parser.parse_args()
    texts = sentences()
    checker = default_checker()
    checker.check(texts[0])                      # load rules, lemminflect and NLTK before timing
    for text in texts:
        checker.check(text)
    lint = proselint_linter()
    lint(texts[0])
    rounds = max(1, args.rounds)
    runs = {"detect": (lambda t: checker.is_revealing(t), checker.cache_clear),
            "check_rewrite": (lambda t: checker.check(t), checker.cache_clear),
            "check_warm": (lambda t: checker.check(t), None)}
    rates: dict = {name: [] for name in (*runs, "proselint")}
    ratios: dict = {name: [] for name in runs}
    for _ in range(rounds):          # proselint and ours in turn, so both see the same machine
        base = one_pass(lint, texts)
        rates["proselint"].append(base)
        for name, (fn, before) in runs.items():
            rates[name].append(one_pass(fn, texts, before))
            ratios[name].append(rates[name][-1] / base)
    results: dict = {"sentences": len(texts), "rounds": rounds}
    for name, samples in rates.items():
        median = statistics.median(samples)
        results[name] = {"median_per_s": median, "us_per_sentence": 1e6 / median}
        if name in ratios:
            results[name]["x_proselint"] = statistics.median(ratios[name])
    print(f"{len(texts)} sentences, {rounds} rounds (caches cleared each round unless warm)")
    for name in ("detect", "check_rewrite", "check_warm", "proselint"):
        r = results[name]
        ratio = f"  {r['x_proselint']:.1f}x proselint" if "x_proselint" in r else ""
        print(f"  {name:<14} {r['median_per_s']:>10.0f} sentences/s  {r['us_per_sentence']:>8.1f} us/sentence{ratio}")
    target = results["check_rewrite"]["x_proselint"] >= 10
    print("target (check+rewrite >= 10x proselint):", "met" if target else "NOT met")
    if args.json_file:
        Path(args.json_file).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
