#!/usr/bin/env python
"""HTTP benchmark: Tact's web app against a bare Flask JSON endpoint, both under gunicorn.

Both servers run the same way `tact serve` does (tact.serve: gunicorn, gthread
workers), on loopback, started in this run. The load comes from a separate
process: a Python load generator with a fixed number of keep-alive
connections (http.client, one thread each) sending a fixed number of
requests. Rounds alternate between the two targets, and the ratios are the
medians of the rounds' ratios. Reported: throughput ratio (target >= 0.70 of
bare) and p99 ratio (target <= 3x).

    .venv/bin/python bench/bench_http.py [--requests 3000] [--concurrency 8] [--rounds 7] [--json FILE]
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EXAMPLE = (ROOT / "examples" / "auto-insurance.json").read_bytes()
THROUGHPUT_TARGET = 0.70
P99_TARGET = 3.0


# ------------------------------------------------------------------ servers

def bare_app():
    """The baseline: Flask parsing a JSON body and answering JSON, nothing else."""
    from flask import Flask, jsonify, request
    app = Flask("bare")

    @app.post("/echo")
    def echo():
        body = request.get_json()
        return jsonify({"ok": True, "keys": sorted(body) if isinstance(body, dict) else []})

    return app


def tact_app():
    from tact.web import create_app
    app = create_app()
    from tact.web import get_engine
    with app.app_context():
        get_engine().suggest(json.loads(EXAMPLE))   # load NLTK/inflect before the clock starts
    return app


def serve(kind: str, port: int, workers: int, threads: int) -> None:
    from tact.serve import gunicorn_app, options_for
    factory = tact_app if kind == "tact" else bare_app
    gunicorn_app(factory, options_for("127.0.0.1", port, workers, threads, loglevel="error")).run()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(kind: str, workers: int, threads: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, __file__, "--serve", kind, "--port", str(port),
                             "--workers", str(workers), "--threads", str(threads)], cwd=ROOT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz" if kind == "tact" else "/nothing")
            conn.getresponse().read()
            return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"{kind} server did not start")


# ------------------------------------------------------------------ load

def _worker(port: int, path: str, body: bytes, count: int, latencies: list, failures: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
    for _ in range(count):
        started = time.perf_counter()
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies.append(time.perf_counter() - started)
        if not ok:
            failures.append(1)
    conn.close()


def drive(port: int, path: str, body: bytes, requests: int, concurrency: int) -> dict:
    """Fixed concurrency, fixed request count; runs in the load-generator process."""
    latencies: list[float] = []
    failures: list[int] = []
    per = [requests // concurrency + (1 if i < requests % concurrency else 0) for i in range(concurrency)]
    threads = [threading.Thread(target=_worker, args=(port, path, body, n, latencies, failures)) for n in per]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"requests": len(latencies), "failures": len(failures), "seconds": round(elapsed, 3),
            "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(latencies[len(latencies) // 2] * 1000, 3),
            "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 3)}


def _load_process(queue, port, path, body, requests, concurrency):
    queue.put(drive(port, path, body, requests, concurrency))


def load_from_other_process(port: int, path: str, body: bytes, requests: int, concurrency: int) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_load_process, args=(queue, port, path, body, requests, concurrency))
    proc.start()
    result = queue.get(timeout=600)
    proc.join()
    return result


# ------------------------------------------------------------------ main

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per round per target")
    parser.add_argument("--concurrency", type=int, default=8, help="keep-alive connections")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON")
    parser.add_argument("--serve", choices=["tact", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.workers, args.threads)
        return 0

    servers = {kind: start(kind, args.workers, args.threads) for kind in ("bare", "tact")}
    targets = {"bare": ("/echo", EXAMPLE), "tact": ("/api/v1/suggest", EXAMPLE)}
    rounds: dict[str, list[dict]] = {"bare": [], "tact": []}
    try:
        for kind, (path, body) in targets.items():   # warm-up: every worker, every thread
            load_from_other_process(servers[kind][1], path, body, max(200, args.requests // 10), args.concurrency)
        for _ in range(args.rounds):
            for kind, (path, body) in targets.items():
                result = load_from_other_process(servers[kind][1], path, body, args.requests, args.concurrency)
                rounds[kind].append(result)
                print(f"  {kind:<5} {result['rps']:>8.1f} req/s  p50 {result['p50_ms']:.2f} ms  "
                      f"p99 {result['p99_ms']:.2f} ms  failures {result['failures']}", file=sys.stderr)
    finally:
        for proc, _ in servers.values():
            proc.terminate()
        for proc, _ in servers.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    def median(kind: str, field: str) -> float:
        return statistics.median(r[field] for r in rounds[kind])

    summary = {
        "setup": {"workers": args.workers, "threads": args.threads, "worker_class": "gthread",
                  "concurrency": args.concurrency, "requests_per_round": args.requests, "rounds": args.rounds,
                  "cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "bare": {"endpoint": "POST /echo", "rps": median("bare", "rps"), "p50_ms": median("bare", "p50_ms"),
                 "p99_ms": median("bare", "p99_ms"), "rounds": rounds["bare"]},
        "tact": {"endpoint": "POST /api/v1/suggest (examples/auto-insurance.json)", "rps": median("tact", "rps"),
                 "p50_ms": median("tact", "p50_ms"), "p99_ms": median("tact", "p99_ms"), "rounds": rounds["tact"]},
    }
    # Rounds alternate between the two servers; each round's ratio compares like with like.
    summary["throughput_ratio"] = round(statistics.median(
        t["rps"] / b["rps"] for t, b in zip(rounds["tact"], rounds["bare"])), 3)
    summary["p99_ratio"] = round(statistics.median(
        t["p99_ms"] / b["p99_ms"] for t, b in zip(rounds["tact"], rounds["bare"])), 3)
    summary["targets"] = {"throughput_ratio_min": THROUGHPUT_TARGET, "p99_ratio_max": P99_TARGET}
    summary["met"] = summary["throughput_ratio"] >= THROUGHPUT_TARGET and summary["p99_ratio"] <= P99_TARGET
    failures = sum(r["failures"] for rs in rounds.values() for r in rs)
    summary["failures"] = failures
    print(f"bare  {summary['bare']['rps']:.1f} req/s, p99 {summary['bare']['p99_ms']:.2f} ms")
    print(f"tact  {summary['tact']['rps']:.1f} req/s, p99 {summary['tact']['p99_ms']:.2f} ms")
    print(f"throughput ratio {summary['throughput_ratio']:.2f} (target >= {THROUGHPUT_TARGET}); "
          f"p99 ratio {summary['p99_ratio']:.2f} (target <= {P99_TARGET}); "
          f"{'met' if summary['met'] else 'NOT met'}; failures {failures}")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2) + "\n")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
