#!/usr/bin/env python
"""Feedback under load: 10,000 events from 8 concurrent clients through `tact serve` (two workers).

For each database (SQLite, then a private PostgreSQL from Debian's package),
the server is started as users start it (`tact serve --workers 2`, with
TACT_DATABASE_URL). Rounds alternate between two phases of equal length:
suggest alone (a client sending suggest requests that name a conversation, so
the call's memory is read from the store), and the same suggest client while 8
feedback clients send their share of the 10,000 events in batches, resending
every 10th batch as a client would after a lost answer; the order of the two
phases alternates from round to round. Each phase's clients
run in their own process. Reported, per database: events lost and doubled
(stored vs sent, read back from the database; the server's accepted and
duplicate counts), and suggest p99 under load as a ratio of suggest p99 alone
(median over the rounds' ratios; target <= 1.5).

    .venv/bin/python bench/bench_feedback.py [--events 10000] [--clients 8] [--rounds 5]
        [--batch 10] [--rate 400] [--databases sqlite,postgresql] [--json FILE]

`--rate` is the feedback clients' combined pace in events a second (0: as fast as they can).
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
EXAMPLE = json.loads((ROOT / "examples" / "auto-insurance.json").read_text())
P99_TARGET = 1.5


# ------------------------------------------------------------------ clients (each phase in its own process)

def _post(conn: http.client.HTTPConnection, path: str, body: bytes) -> tuple[int, bytes]:
    conn.request("POST", path, body=body, headers={"Content-Type": "application/json", "Connection": "keep-alive"})
    response = conn.getresponse()
    return response.status, response.read()


def suggest_client(port: int, stop, seconds: float, queue) -> None:
    """Suggest requests one after another (each names a conversation) until told to stop; latencies out."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, failures, n = [], 0, 0
    deadline = time.perf_counter() + seconds if seconds else None
    while not stop.is_set() and (deadline is None or time.perf_counter() < deadline):
        n += 1
        body = json.dumps({**EXAMPLE, "context": {**EXAMPLE["context"], "conversation_id": f"bench-{n % 50}"}})
        started = time.perf_counter()
        try:
            status, _ = _post(conn, "/api/v1/suggest", body.encode())
            failures += status != 200
        except (OSError, http.client.HTTPException):
            failures += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies.append(time.perf_counter() - started)
    queue.put({"latencies": latencies, "failures": failures})


def feedback_clients(port: int, events: list[dict], clients: int, batch: int, rate: float, queue) -> None:
    """`clients` threads share the events, in batches, paced to `rate` events a second in all."""
    shares = [events[i::clients] for i in range(clients)]
    results = [None] * clients
    interval = (batch * clients / rate) if rate else 0.0     # seconds between one client's batches

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        accepted = duplicates = sent = retries = errors = 0
        started = time.perf_counter()
        mine = shares[i]
        for b, start in enumerate(range(0, len(mine), batch)):
            if interval:
                delay = started + b * interval - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            body = json.dumps({"events": mine[start:start + batch]}).encode()
            resend = b % 10 == 9       # as after a lost answer: the same events again
            for attempt in range(2 if resend else 1):
                while True:
                    try:
                        status, raw = _post(conn, "/api/v1/feedback", body)
                    except (OSError, http.client.HTTPException):
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                        retries += 1
                        continue
                    if status == 202:
                        answer = json.loads(raw)
                        accepted += answer["accepted"]
                        duplicates += answer["duplicates"]
                        sent += len(mine[start:start + batch])
                        break
                    errors += 1
                    retries += 1
                    time.sleep(0.2)
        results[i] = {"accepted": accepted, "duplicates": duplicates, "sent": sent, "retries": retries,
                      "errors": errors}

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put({"seconds": time.perf_counter() - started,
               **{k: sum(r[k] for r in results) for k in ("accepted", "duplicates", "sent", "retries", "errors")}})


def collect(queue, proc):
    """What a client process reports; fails loudly (instead of waiting forever) if it died."""
    import queue as queues
    while True:
        try:
            return queue.get(timeout=1)
        except queues.Empty:
            if not proc.is_alive():
                raise SystemExit(f"a client process died (exit code {proc.exitcode})")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


# ------------------------------------------------------------------ one database

def make_events(total: int) -> list[dict]:
    from tact.engine import default_engine
    from tact.feedback import phrasing_catalogue
    catalogue = [(sid, topic) for sid, (topic, _, _) in sorted(phrasing_catalogue(default_engine().book).items())
                 if topic]
    kinds = ("shown", "shown", "shown", "used", "edited", "declined")
    out = []
    for i in range(total):
        sid, topic = catalogue[i % len(catalogue)]
        event = {"id": f"bench-{i}", "conversation_id": f"bench-{i % 500}", "topic": topic, "suggestion_id": sid,
                 "event": kinds[i % len(kinds)], "channel": ("phone", "chat", "cabin")[i % 3],
                 "industry": "insurance"}
        if event["event"] == "declined":
            event["reason"] = "wrong_moment"
        out.append(event)
    return out


def start_server(url: str, workers: int) -> tuple[subprocess.Popen, int]:
    from pgcluster import free_port
    port = free_port()
    tact = Path(sys.executable).parent / "tact"
    env = {**os.environ, "TACT_DATABASE_URL": url}
    proc = subprocess.Popen([str(tact), "serve", "--port", str(port), "--workers", str(workers)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"tact serve did not start: {proc.stderr.read()[-500:]}")


def run_database(name: str, url: str, args) -> dict:
    from tact.store import Store
    from tact.store import feedback as stored
    ctx = mp.get_context("spawn")
    events = make_events(args.events)
    per_round = [events[r::args.rounds] for r in range(args.rounds)]
    proc, port = start_server(url, args.workers)
    rounds = []
    totals = {"accepted": 0, "duplicates": 0, "sent": 0, "retries": 0, "errors": 0}
    try:
        warm = ctx.Queue()
        suggest_client(port, ctx.Event(), 3.0, warm)     # in this process: load NLTK etc. in every worker
        for r in range(args.rounds):
            # ABBA: even rounds measure under load first, odd rounds alone first, so drift cancels out.
            share = per_round[r]
            phases = ("loaded", "alone") if r % 2 == 0 else ("alone", "loaded")
            seconds = len(share) / args.rate if args.rate else (rounds[-1]["feedback_seconds"] if rounds else 5.0)
            for phase in phases:
                if phase == "loaded":
                    # The suggest client runs while the feedback clients send this round's share.
                    stop, out_s, out_f = ctx.Event(), ctx.Queue(), ctx.Queue()
                    sp = ctx.Process(target=suggest_client, args=(port, stop, 0, out_s))
                    fp = ctx.Process(target=feedback_clients, args=(port, share, args.clients, args.batch,
                                                                    args.rate, out_f))
                    sp.start()
                    fp.start()
                    load = collect(out_f, fp)
                    stop.set()
                    loaded = collect(out_s, sp)
                    sp.join()
                    fp.join()
                    seconds = load["seconds"]
                    for k in totals:
                        totals[k] += load[k]
                else:
                    # Alone: the same suggest client, for as long as the feedback takes.
                    out_a, never = ctx.Queue(), ctx.Event()
                    ap = ctx.Process(target=suggest_client, args=(port, never, seconds, out_a))
                    ap.start()
                    alone = collect(out_a, ap)
                    ap.join()
            row = {"events": len(share), "order": "/".join(phases), "feedback_seconds": round(load["seconds"], 2),
                   "events_per_second": round(load["sent"] / load["seconds"], 1),
                   "suggest_alone": {"requests": len(alone["latencies"]),
                                     "p50_ms": round(percentile(alone["latencies"], 0.5) * 1000, 2),
                                     "p99_ms": round(percentile(alone["latencies"], 0.99) * 1000, 2),
                                     "failures": alone["failures"]},
                   "suggest_loaded": {"requests": len(loaded["latencies"]),
                                      "p50_ms": round(percentile(loaded["latencies"], 0.5) * 1000, 2),
                                      "p99_ms": round(percentile(loaded["latencies"], 0.99) * 1000, 2),
                                      "failures": loaded["failures"]}}
            row["p99_ratio"] = round(row["suggest_loaded"]["p99_ms"] / row["suggest_alone"]["p99_ms"], 3)
            rounds.append(row)
            print(f"  {name:<10} round {r + 1}: {row['events_per_second']:.0f} events/s; suggest p99 "
                  f"{row['suggest_alone']['p99_ms']:.1f} ms alone, {row['suggest_loaded']['p99_ms']:.1f} ms "
                  f"under load (x{row['p99_ratio']:.2f})", file=sys.stderr)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    store = Store(url)
    in_database = stored.total(store)
    store.dispose()
    expected_duplicates = totals["sent"] - args.events
    summary = {
        "database": name, "events": args.events, "stored": in_database,
        "lost": args.events - min(in_database, args.events), "doubled": max(0, in_database - args.events),
        "server_accepted": totals["accepted"], "server_duplicates": totals["duplicates"],
        "resent": expected_duplicates, "client_retries": totals["retries"],
        "p99_ratio": round(statistics.median(r["p99_ratio"] for r in rounds), 3),
        "p99_ratio_range": [min(r["p99_ratio"] for r in rounds), max(r["p99_ratio"] for r in rounds)],
        "events_per_second": round(statistics.median(r["events_per_second"] for r in rounds), 1),
        "rounds": rounds,
    }
    summary["met"] = (summary["lost"] == 0 and summary["doubled"] == 0 and totals["accepted"] == args.events
                      and totals["duplicates"] == expected_duplicates and summary["p99_ratio"] <= P99_TARGET)
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--batch", type=int, default=10, help="events a request")
    parser.add_argument("--rate", type=float, default=400, help="events a second, all clients together; 0: flat out")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    results = []
    for name in args.databases.split(","):
        if name == "sqlite":
            folder = tempfile.mkdtemp(prefix="tact-bench-")
            results.append(run_database(name, f"sqlite:///{folder}/bench.sqlite3", args))
        elif name == "postgresql":
            from pgcluster import Cluster
            cluster = Cluster().start()
            try:
                results.append(run_database(name, cluster.database(), args))
            finally:
                cluster.destroy()
        else:
            raise SystemExit(f"unknown database {name!r}; expected sqlite or postgresql")
    for r in results:
        print(f"{r['database']:<10} {r['events']} events sent ({r['resent']} resent): {r['stored']} stored, "
              f"{r['lost']} lost, {r['doubled']} doubled; server counted {r['server_accepted']} accepted, "
              f"{r['server_duplicates']} duplicates; {r['events_per_second']:.0f} events/s; suggest p99 under load "
              f"{r['p99_ratio']:.2f}x alone (rounds {r['p99_ratio_range'][0]:.2f}-{r['p99_ratio_range'][1]:.2f}; "
              f"target <= {P99_TARGET}); {'met' if r['met'] else 'NOT met'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"setup": vars(args), "cpus": os.cpu_count(), "results": results},
                                              indent=2) + "\n")
    return 0 if all(r["lost"] == 0 and r["doubled"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
