"""How quickly the studio answers a writer: topic preview (every phrasing rendered, checked and linted) and
whole-set validation (lint plus every phrasebook test, as a publish runs it), against one suggest call.

    .venv/bin/python bench/bench_studio.py [--rounds N]

Each round times suggest, preview and validation in turn on the bundled set; figures are medians, and each
is also given as a ratio to suggest's median from the same run, since the shared machine drifts. Target
(issue 11): a preview well inside a fraction of a second, so marks follow typing.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tact import yamledit  # noqa: E402
from tact.engine import default_engine  # noqa: E402
from tact.studio.liveset import LiveSet  # noqa: E402
from tact.studio.preview import examine  # noqa: E402
from tact.studio.validate import validate  # noqa: E402

REQUEST = {"datapoint": {"key": "policy.auto", "value": "none", "provenance": "account_record"},
           "context": {"channel": "phone", "stage": "wrap_up", "issue_resolved": True, "receptiveness": "medium"}}


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    engine, live = default_engine(), LiveSet()
    topics = yamledit.topics(live.read()["insurance.yaml"], "insurance.yaml")
    examine(topics[0])
    changed = live.read()["insurance.yaml"].replace("Do you also have {{ label }}?", "Do you have {{ label }} yet?")
    figures = {"suggest": [], "preview": [], "validate": []}
    for i in range(args.rounds):
        figures["suggest"].append(timed(lambda: engine.suggest(REQUEST)))
        figures["preview"].append(timed(lambda: examine(topics[i % len(topics)])))
        if i < 5:
            figures["validate"].append(timed(lambda: validate(live, {"insurance.yaml": changed})))
    base = statistics.median(figures["suggest"])
    for name, values in figures.items():
        median = statistics.median(values)
        print(f"{name:<9} median {median:8.2f} ms   {median / base:8.1f}x suggest   (n={len(values)})")


if __name__ == "__main__":
    main()
