"""Benchmark check() against proselint on the same sentences, measured in the same run.

    .venv/bin/python bench/bench_check.py [--rounds N] [--json FILE]

Sentences come from tests/data/check_corpus.jsonl. Caches are cleared before
every round, so each figure is a cold judgement of each sentence, not a cache
hit. Reports sentences per second for check() (findings only), check() with
the rewrite, a warm (cached) pass, and proselint's public API
(`LintFile(...).lint()`), with every figure as a ratio to proselint, since
shared machines drift in absolute speed. Target (issue 3): at least 10x
proselint's rate. Also the cold import cost of app.check's own code.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.check import default_checker  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "check_corpus.jsonl"


def sentences() -> list[str]:
    return [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def rate(fn, texts: list[str], rounds: int, before=None) -> dict:
    """Sentences a second over `rounds` passes; median and best pass."""
    per_pass = []
    for _ in range(rounds):
        if before:
            before()
        start = time.perf_counter()
        for text in texts:
            fn(text)
        per_pass.append(len(texts) / (time.perf_counter() - start))
    return {"median_per_s": statistics.median(per_pass), "best_per_s": max(per_pass),
            "us_per_sentence": 1e6 / statistics.median(per_pass)}


def proselint_linter():
    """proselint's public API: register its checks once, then lint one text at a time."""
    from proselint.checks import __register__
    from proselint.registry import CheckRegistry
    from proselint.tools import LintFile
    CheckRegistry().register_many(__register__)
    return lambda text: LintFile("<bench>", text).lint()


def import_cost() -> float:
    """Milliseconds `import app.check` adds on top of `import app` (app pulls in the engine)."""
    code = "import time,app; s=time.perf_counter(); import app.check; print((time.perf_counter()-s)*1000)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return float(out.stdout.strip())


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
    results = {
        "sentences": len(texts),
        "rounds": rounds,
        "detect": rate(lambda t: checker.is_revealing(t), texts, rounds, checker.cache_clear),
        "check_rewrite": rate(lambda t: checker.check(t), texts, rounds, checker.cache_clear),
        "check_warm": rate(lambda t: checker.check(t), texts, rounds),
        "proselint": rate(lint, texts, max(1, rounds // 2 or 1)),
        "import_app_check_ms": import_cost(),
    }
    base = results["proselint"]["median_per_s"]
    for name in ("detect", "check_rewrite", "check_warm"):
        results[name]["x_proselint"] = results[name]["median_per_s"] / base
    print(f"{len(texts)} sentences, {rounds} rounds (caches cleared each round unless warm)")
    for name in ("detect", "check_rewrite", "check_warm", "proselint"):
        r = results[name]
        ratio = f"  {r['x_proselint']:.1f}x proselint" if "x_proselint" in r else ""
        print(f"  {name:<14} {r['median_per_s']:>10.0f} sentences/s  {r['us_per_sentence']:>8.1f} us/sentence{ratio}")
    print(f"  import app.check on top of app: {results['import_app_check_ms']:.1f} ms")
    target = results["check_rewrite"]["x_proselint"] >= 10
    print("target (check+rewrite >= 10x proselint):", "met" if target else "NOT met")
    if args.json_file:
        Path(args.json_file).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
