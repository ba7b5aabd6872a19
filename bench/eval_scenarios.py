"""Run a scenario set through suggest and score what can be scored without judgement.

Each scenario line: {"id", "request", "accept": [decisions], "must_not_say": [...], "good_line", "why"}.
Writes one result line per scenario (request, response, objective verdicts) for a judge to read, and
prints the objective figures: decision acceptable, leaks (a must-not-say term in any line to say), and
requests refused by the contract.

    .venv/bin/python bench/eval_scenarios.py SCENARIOS.jsonl --out results.jsonl
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tact import RequestError, suggest  # noqa: E402


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def spoken_lines(response: dict) -> list[str]:
    """Every line the response offers to say, at any tone (actions are for staff and not counted)."""
    if "results" in response:
        return [line for result in response["results"] for line in spoken_lines(result)]
    lines = [s["text"] for s in response.get("suggestions", [])]
    for others in response.get("alternatives", {}).values():
        lines.extend(s["text"] for s in others)
    return lines


def decisions(response: dict) -> list[str]:
    """The response's decision, or each data point's when the request held several."""
    return [r["decision"] for r in response["results"]] if "results" in response else [response["decision"]]


def score(scenario: dict) -> dict:
    out = {"id": scenario["id"], "request": scenario["request"], "accept": scenario.get("accept", []),
           "good_line": scenario.get("good_line"), "must_not_say": scenario.get("must_not_say", [])}
    try:
        response = suggest(scenario["request"])
    except RequestError as exc:
        # A malformed request the scenario expects refused (a typo'd field, a stage the contract doesn't know) is right.
        out.update(refused=True, error={"field": exc.field, "message": exc.message},
                   decision_ok=bool({"refused", "refuse"} & set(out["accept"])))
        return out
    lines = spoken_lines(response)
    leaks = [term for term in out["must_not_say"] if term and any(_fold(term) in _fold(line) for line in lines)]
    results = response.get("results", [response])
    out.update(refused=False, response=response, leaks=leaks,
               decision_ok=all(decision in out["accept"] for decision in decisions(response)),
               empty_ask=any(r["decision"] in ("ask", "offer") and not r["suggestions"] for r in results))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    scenarios = [json.loads(line) for line in Path(args.scenarios).read_text().splitlines() if line.strip()]
    results = [score(s) for s in scenarios]
    Path(args.out).write_text("".join(json.dumps(r) + "\n" for r in results))  # escaped: a hostile request may hold a lone surrogate
    n = len(results)
    refused = sum(r["refused"] for r in results)
    wrongly = sum(r["refused"] and not r["decision_ok"] for r in results)
    ok = sum(bool(r.get("decision_ok")) for r in results)
    leaked = sum(bool(r.get("leaks")) for r in results)
    empty = sum(bool(r.get("empty_ask")) for r in results)
    print(f"scenarios {n}: decision acceptable {ok}/{n}, leaks {leaked}, refused by the contract {refused} ({wrongly} not expected), "
          f"ask/offer with no line {empty}")


if __name__ == "__main__":
    main()
