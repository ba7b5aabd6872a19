"""Turn scored scenario results (from eval_scenarios.py) into blind judging packs, and read the verdicts back.

Results from several runs (e.g. before and after a change) are mixed and shuffled under opaque ids, so a
judge cannot tell which run an answer came from; the key that maps ids back stays with whoever ran them.

    .venv/bin/python bench/judge_pack.py make --seed 7 --judges 3 --out DIR before.jsonl after.jsonl
    .venv/bin/python bench/judge_pack.py read DIR    # after the judges wrote DIR/verdicts-N.jsonl
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections import defaultdict
from pathlib import Path

CRITERIA = ("nothing_revealing", "top_line_fits", "tones_differ", "reasons_clear")


def _view(result: dict) -> dict:
    """What a judge sees: the request and the answer, nothing about where it came from."""
    view = {"request": result["request"]}
    if result.get("refused"):
        view["answer"] = {"refused": result["error"]}
        return view
    response = result["response"]
    view["answer"] = ({"results": [_answer(r) for r in response["results"]]} if "results" in response
                      else _answer(response))
    return view


def _answer(r: dict) -> dict:
    """One data point's answer as a judge reads it."""
    first = lambda items: items[0]["text"] if items else None  # noqa: E731
    return {
        "decision": r["decision"],
        "reasons": [x["message"] for x in r["reasons"]],
        "receptiveness_used": r["receptiveness"]["level"],
        "say_now": first(r["suggestions"]),
        "other_lines_at_this_tone": [s["text"] for s in r["suggestions"][1:]],
        "at_other_tones": {level: first(items) for level, items in r["alternatives"].items()},
        "staff_action": r.get("action"),
        **{k: r[k] for k in ("guidance",) if k in r},
    }


def make(runs: list[str], out: Path, judges: int, seed: int) -> None:
    items, key = [], {}
    for run in runs:
        for line in Path(run).read_text().splitlines():
            result = json.loads(line)
            opaque = hashlib.sha256(f"{seed}:{run}:{result['id']}".encode()).hexdigest()[:10]
            key[opaque] = {"run": run, "scenario": result["id"]}
            items.append({"item": opaque, **_view(result)})
    random.Random(seed).shuffle(items)
    out.mkdir(parents=True, exist_ok=True)
    for j in range(judges):
        part = items[j::judges]
        # A hostile request may hold a lone surrogate: written as its JSON escape, the rest left readable.
        (out / f"pack-{j + 1}.jsonl").write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in part),
                                                 errors="backslashreplace")
    (out / "key.json").write_text(json.dumps(key, indent=1))
    print(f"{len(items)} items in {judges} packs under {out}")


def read(out: Path) -> None:
    key = json.loads((out / "key.json").read_text())
    tally: dict = defaultdict(lambda: defaultdict(int))
    counts: dict = defaultdict(int)
    for path in sorted(out.glob("verdicts-*.jsonl")):
        for line in path.read_text().splitlines():
            verdict = json.loads(line)
            run = key[verdict["item"]]["run"]
            counts[run] += 1
            for c in CRITERIA:
                tally[run][c] += bool(verdict.get(c))
    for run, n in counts.items():
        print(run + ": " + ", ".join(f"{c} {tally[run][c]}/{n}" for c in CRITERIA))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    mk = sub.add_parser("make")
    mk.add_argument("runs", nargs="+")
    mk.add_argument("--out", type=Path, required=True)
    mk.add_argument("--judges", type=int, default=2)
    mk.add_argument("--seed", type=int, default=7)
    rd = sub.add_parser("read")
    rd.add_argument("out", type=Path)
    args = parser.parse_args()
    if args.command == "make":
        make(args.runs, args.out, args.judges, args.seed)
    else:
        read(args.out)


if __name__ == "__main__":
    main()
