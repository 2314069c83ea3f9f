#!/usr/bin/env python3
"""Replication bench: two sidecars share their online state through the cluster (`log.cluster`).

    replication.py --rerank BIN [--events N] [--events-rate E] [--rate R] [--quiet-s S] [--posters P] [--json OUT]

1. osmem-server with sample/catalog.ndjson; a model trained from 3,000 logged searches (scripts/shoppers.py).
2. Sidecars A and B serve it, each with its own log directory and spool, `log.cluster` on, polling every 500 ms.
3. Quiet phase: steady searches on B (a different user, device and query each, 100 hits) for S seconds.
4. Crowd phase: P processes post N click events to A only (the crowd of the online-state bench: every event its
   own user, session and item), while the same searches go on at B, and once a second a probe shopper's click is
   posted to A and B's rank API is asked until that click shows in the shopper's features (the lag a shopper
   sees). The phase ends when B has applied all N events (or 120 s after posting ended).
5. Reported: events/s acknowledged by A, events/s applied by B (from B's rerank_shared_state_records_total), the
   time from the last acknowledgement to B having them all, the probe lags, B's search p50/p99 in each phase,
   both sidecars' CPU and RSS, and osmem-server's RSS.

Loopback only; every process started is stopped by PID.
"""
import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench" / "crowd"))
import stack  # noqa: E402
from crowd import cpu_seconds, emit, percentiles, post_crowd, rss_kib, steady_searches  # noqa: E402
from shoppers import train_model  # noqa: E402
from opensearchpy import OpenSearch  # noqa: E402


def metric(url, name, labels=""):
    text = urllib.request.urlopen(url + "/metrics", timeout=10).read().decode()
    prefix = name + ("{" + labels + "}" if labels else "") + " "
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line.split()[-1])
    return 0.0


def post(url, path, body):
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def probe_lags(a, b, stop, out, posted_count):
    """Once a second: a click by a new probe shopper posted to A, then B's rank API asked until it shows."""
    number = 0
    while not stop.wait(1.0):
        number += 1
        user, item = f"probe-{number}", f"sku-{number % 500:05d}"
        posted = time.monotonic()
        post(a, "/_rerank/events", {"action_name": "click", "client_id": user, "event_attributes": {"object": {"object_id": item}}})
        posted_count[0] = number
        while time.monotonic() - posted < 60:
            answer = post(b, "/_rerank/rank", {"items": [item], "user_id": user, "explain": True})
            if answer["items"][0]["_rerank"]["features"]["user_item_interactions_log"] > 0:
                out.append(time.monotonic() - posted)
                break
            time.sleep(0.02)


def ingest_ceiling(upstream, events=30_000, batch=1000):
    """Events/s the cluster itself indexes: `_bulk` batches of crowd events straight into an index of its own
    (`ceiling_events`, the ubi_events mapping), one request at a time, as a sidecar's shipper sends them."""
    mapping = (ROOT / "mappings" / "ubi_events.json").read_bytes()
    urllib.request.urlopen(urllib.request.Request(upstream + "/ceiling_events", data=mapping, method="PUT",
                                                  headers={"content-type": "application/json"}), timeout=60).read()
    started = time.monotonic()
    for first in range(0, events, batch):
        lines = []
        for n in range(first, first + batch):
            lines.append(json.dumps({"create": {"_index": "ceiling_events", "_id": f"c{n}"}}))
            lines.append(json.dumps({"action_name": "click", "client_id": f"crowd-u{n}", "session_id": f"crowd-s{n}",
                                     "query_id": f"crowd-q{n}", "event_id": f"c{n}", "timestamp": "2026-11-29T10:00:00.000Z",
                                     "event_attributes": {"object": {"object_id": f"crowd-x{n}"}, "position": {"ordinal": n % 10}},
                                     "rerank_instance": "ceiling", "rerank_seq": n + 1, "rerank_logged_at": "2026-11-29T10:00:00.000Z"}))
        request = urllib.request.Request(upstream + "/_bulk", data=("\n".join(lines) + "\n").encode(),
                                         headers={"content-type": "application/x-ndjson"})
        urllib.request.urlopen(request, timeout=120).read()
    rate = events / (time.monotonic() - started)
    urllib.request.urlopen(urllib.request.Request(upstream + "/ceiling_events", method="DELETE"), timeout=60).read()
    return round(rate)


def in_cluster(upstream):
    """Documents in the cluster's ubi_events: what A has shipped so far."""
    try:
        return json.loads(urllib.request.urlopen(upstream + "/ubi_events/_count", timeout=30).read())["count"]
    except OSError:
        return 0


def every_10s(samples, column):
    """`column` of the first (seconds, ...) sample at or after each 10 s mark."""
    return [int(next(sample[column] for sample in samples if sample[0] >= mark))
            for mark in range(0, int(samples[-1][0]) + 1, 10)]


def caught_up(url):
    return metric(url, "rerank_shared_state_caught_up") == 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rerank", required=True)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--events-rate", type=float, default=0, help="events per second posted to A (0: as fast as acknowledged)")
    parser.add_argument("--rate", type=float, default=40, help="searches per second at B")
    parser.add_argument("--quiet-s", type=float, default=15)
    parser.add_argument("--posters", type=int, default=2)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--json")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="rerank-replication-"))
    osmem, upstream = stack.start_osmem()
    sidecars = []
    try:
        stack.load_catalog(OpenSearch(upstream, timeout=60))
        ceiling = ingest_ceiling(upstream)
        model = train_model(args.rerank, upstream, work)
        urls = []
        for name in ("a", "b"):
            config = work / f"{name}.json"
            config.write_text(json.dumps({"log": {"cluster": True, "dir": str(work / f"logs-{name}"), "share_poll_ms": 500}}))
            process, url = stack.start_sidecar(args.rerank, upstream, "--model", model, "--config", config)
            sidecars.append(process)
            urls.append(url)
        a, b = urls
        deadline = time.monotonic() + 120
        while not (caught_up(a) and caught_up(b)) and time.monotonic() < deadline:
            time.sleep(0.2)
        samples, stop = [], threading.Event()
        searchers = [threading.Thread(target=steady_searches, args=(b, args.rate / 2, stop, samples, seed)) for seed in (1, 2)]
        for thread in searchers:
            thread.start()
        cpu = {name: cpu_seconds(p.pid) for name, p in zip("ab", sidecars)}
        time.sleep(args.quiet_s)
        quiet_end = time.monotonic()
        base = metric(b, "rerank_shared_state_records_total", 'index="ubi_events"')
        probes, probes_posted, stop_probes = [], [0], threading.Event()
        prober = threading.Thread(target=probe_lags, args=(a, b, stop_probes, probes, probes_posted))
        prober.start()
        started = time.monotonic()
        per = (args.events + args.posters - 1) // args.posters
        share = args.events_rate / args.posters if args.events_rate else 0
        chunks = [(a, i * per, min(args.events, (i + 1) * per), args.batch, share) for i in range(args.posters)]
        applied_by_time = []
        with multiprocessing.Pool(args.posters) as pool:
            pending = pool.map_async(post_crowd, chunks)
            while not pending.ready():
                applied_by_time.append((time.monotonic() - started, metric(b, "rerank_shared_state_records_total", 'index="ubi_events"') - base,
                                        in_cluster(upstream)))
                pending.wait(1.0)
            results = pending.get()
        posted_end = time.monotonic()
        acked = sum(r[0] for r in results)
        stop_probes.set()
        prober.join()
        target = acked + probes_posted[0]  # the probes' clicks come through A too
        while time.monotonic() - posted_end < 120:
            applied = metric(b, "rerank_shared_state_records_total", 'index="ubi_events"') - base
            applied_by_time.append((time.monotonic() - started, applied, in_cluster(upstream)))
            if applied >= target:
                break
            time.sleep(0.25)
        replicated_end = time.monotonic()
        stop.set()
        for thread in searchers:
            thread.join()
        applied = metric(b, "rerank_shared_state_records_total", 'index="ubi_events"') - base
        lags = sorted(probes)
        pick = lambda p: round(lags[min(len(lags) - 1, int(len(lags) * p))], 2) if lags else None
        report = {
            "events": args.events,
            "cluster_ingest_ceiling_per_s": ceiling,
            "acked_by_a": acked,
            "rejected": sum(r[1] for r in results),
            "posting_s": round(posted_end - started, 1),
            "acked_events_per_s": round(acked / (posted_end - started)),
            "applied_by_b": int(applied),
            "applied_target": target,
            "replicated_events_per_s": round(applied / (replicated_end - started)),
            "b_behind_at_last_ack_s": round(replicated_end - posted_end, 1),
            "probe_lag_s": {"probes": len(lags), "p50": pick(0.5), "p90": pick(0.9), "max": lags[-1] if lags else None},
            "b_lag_gauge_s": metric(b, "rerank_shared_state_lag_seconds"),
            "b_skipped": metric(b, "rerank_shared_state_skipped_total", 'index="ubi_events"'),
            "b_poll_failures": metric(b, "rerank_shared_state_failures_total", 'phase="poll"'),
            "b_searches_quiet": percentiles([s for s in samples if s[0] < quiet_end]),
            "b_searches_crowd": percentiles([s for s in samples if started <= s[0] < replicated_end]),
            "cpu_s_crowd": {name: round(cpu_seconds(p.pid) - cpu[name], 1) for name, p in zip("ab", sidecars)},
            "rss_mib": {"a": round(rss_kib(sidecars[0].pid) / 1024), "b": round(rss_kib(sidecars[1].pid) / 1024),
                        "osmem": round(rss_kib(osmem.pid) / 1024)},
            # Every 10 s of the crowd phase: events B has applied, and events in the cluster's ubi_events (shipped by A).
            "applied_by_b_every_10s": every_10s(applied_by_time, 1),
            "in_cluster_every_10s": every_10s(applied_by_time, 2),
            "load_average": os.getloadavg(),
        }
        emit(report, args.json)
    finally:
        for process in sidecars:
            stack.stop(process)
        stack.stop(osmem)
        subprocess.run(["rm", "-rf", str(work)])


if __name__ == "__main__":
    main()
