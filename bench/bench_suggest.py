"""Benchmark suggest() against a bare sandboxed Jinja2 render measured in the same run.

    .venv/bin/python bench/bench_suggest.py [--rounds N] [--json FILE]

Reports medians and p99s, and every figure as a ratio to the baseline, since
shared machines drift in absolute speed: the two are timed in alternating
blocks and the ratio is the median of the blocks' ratios. Targets (issue 2): given receptiveness
<= 10x the bare render; estimated from three utterances <= 30x; a 10,000-topic
set within 1.5x of a 100-topic set; `tact suggest` cold start under 1 s.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tact.engine import Engine  # noqa: E402
from tact.moment import forget as forget_states  # noqa: E402
from tact.receptiveness import forget  # noqa: E402

CONTEXT = {"channel": "phone", "industry": "insurance", "reason": "billing_question", "stage": "wrap_up",
           "issue_resolved": True, "receptiveness": "medium"}
OPENERS = ["Right, okay", "Thanks", "Hmm", "Oh good", "Fine", "Honestly", "Well", "Great", "Sorry", "Okay then"]
MIDDLES = ["that's the bill sorted", "I was worried it would take ages", "I've got a few minutes",
           "it's been a long week", "that makes sense now", "I didn't expect that", "you've been really helpful",
           "I need to get going soon", "the last call went nowhere", "that's a relief"]
ENDINGS = [".", "!", ", thanks.", " to be fair.", ", I suppose.", ", really."]
# A conversation: every line distinct, each request carries the last three, so one is new per call.
LINES = [f"{o}, {m}{e}" for o in OPENERS for m in MIDDLES for e in ENDINGS]
MIXED = [
    {"key": "policy.auto", "value": "none", "label": "auto insurance", "provenance": "account_record",
     "consent": ["service", "marketing"]},
    {"key": "seat.preference", "value": "aisle", "provenance": "customer_stated"},
    {"key": "purchase.pattern", "value": "prenatal vitamins", "category": "pregnancy", "provenance": "inferred"},
    {"key": "loyalty.tier", "value": "gold", "provenance": "account_record"},
    {"key": "widget.warranty", "value": "none", "category": "product_holding", "label": "extended warranty",
     "provenance": "account_record"},
    {"key": "renewal.due", "value": "2026-12-01", "provenance": "account_record"},
    {"key": "household.new_driver", "value": True, "provenance": "inferred"},
    {"key": "plan.data_overage", "value": 3, "provenance": "account_record"},
]


def timings(fn, rounds: int) -> list[float]:
    for _ in range(max(10, rounds // 10)):
        fn()
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def paired(baseline, fn, rounds: int, blocks: int = 20) -> tuple[list[float], list[float], float]:
    """Time baseline and fn in alternating blocks, so both see the same machine; the median block ratio."""
    base_all, fn_all, ratios = [], [], []
    for _ in range(blocks):
        base = timings(baseline, max(1, rounds // blocks))
        mine = timings(fn, max(1, rounds // blocks))
        base_all += base
        fn_all += mine
        ratios.append(statistics.median(mine) / statistics.median(base))
    return base_all, fn_all, statistics.median(ratios)


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"median_us": statistics.median(ordered) * 1e6,
            "p99_us": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1e6}


def mixed_runner(engine: Engine, context: dict, window: int = 0):
    """Cycle through the mixed data points; with a window, each call adds the next conversation line."""
    state = {"i": 0}

    def run():
        i = state["i"] = state["i"] + 1
        ctx = context
        if window:
            start = i % (len(LINES) - window)
            ctx = {**context, "customer_utterances": LINES[start:start + window]}
            if FRESH[0]:
                forget()
                forget_states()
                engine.asks.cache_clear()
        engine.suggest({"datapoint": MIXED[i % len(MIXED)], "context": ctx})
    return run


FRESH = [False]


def synthetic_set(folder: Path, topics: int) -> None:
    """A phrasebook set of `topics` marketing topics over distinct keys, plus the bundled files."""
    for file in (ROOT / "phrasebooks").glob("*.yaml"):
        shutil.copy(file, folder / file.name)
    for start in range(0, topics, 1000):
        lines = ["topics:"]
        for i in range(start, min(topics, start + 1000)):
            lines += [f"  - id: synthetic.t{i}", f"    keys: [synthetic.k{i}]", "    category: product_holding",
                      "    purpose: marketing", f"    label: gadget cover {i}",
                      "    phrasings:",
                      "      low: [\"Gadget cover all sorted?\"]",
                      "      medium: [\"Do you also have {{ label }}?\"]",
                      "      high: [\"Out of interest, how do you cover your gadgets at the moment?\"]",
                      "    honest_answer: \"We can see which products you hold with us.\""]
        (folder / f"zz-synthetic-{start // 1000:02d}.yaml").write_text("\n".join(lines) + "\n")


def cold_start() -> float:
    tact = Path(sys.executable).parent / "tact"
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([str(tact), "suggest", str(ROOT / "examples/auto-insurance.json")], check=True,
                       capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4000)
    parser.add_argument("--json", help="write the figures here too")
    args = parser.parse_args()

    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    bare = env.from_string("Do you also have {{ label }}?")
    baseline = lambda: bare.render(label="auto insurance")  # noqa: E731

    engine = Engine()
    estimating = {k: v for k, v in CONTEXT.items() if k != "receptiveness"}
    runs = {"suggest_given": mixed_runner(engine, CONTEXT),
            "suggest_estimated": mixed_runner(engine, estimating, window=3)}
    figures: dict = {}
    base_samples: list[float] = []
    for name, fn in runs.items():
        base, mine, ratio = paired(baseline, fn, args.rounds)
        base_samples += base
        figures[name], figures[f"ratio_{name[8:]}_vs_bare"] = summary(mine), ratio
    FRESH[0] = True   # worst case: all three utterances unseen on every call
    base, mine, ratio = paired(baseline, mixed_runner(engine, estimating, window=3), args.rounds)
    base_samples += base
    figures["suggest_estimated_all_new"], figures["ratio_estimated_all_new_vs_bare"] = summary(mine), ratio
    figures["baseline_bare_render"] = summary(base_samples)

    engines = {}
    requests = {}
    folders = []
    for count in (100, 10_000):
        folder = tempfile.TemporaryDirectory()
        folders.append(folder)
        synthetic_set(Path(folder.name), count)
        engines[count] = Engine([folder.name])
        requests[count] = {"datapoint": {"key": f"synthetic.k{count // 2}", "value": "none",
                                         "provenance": "account_record"}, "context": CONTEXT}
    small, big, ratio = paired(lambda: engines[100].suggest(requests[100]),
                               lambda: engines[10_000].suggest(requests[10_000]), args.rounds)
    figures.update({"topics_100": summary(small), "topics_10000": summary(big), "ratio_10000_vs_100_topics": ratio,
                    "cold_start_s": cold_start()})
    for folder in folders:
        folder.cleanup()
    for name, value in figures.items():
        if isinstance(value, dict):
            print(f"{name:<28} median {value['median_us']:9.1f} us   p99 {value['p99_us']:9.1f} us")
        else:
            print(f"{name:<28} {value:9.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
