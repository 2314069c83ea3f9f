#!/usr/bin/env python3
"""Crowd bench: a sidecar serving a model while a crowd of new users, sessions and items posts events.

    crowd.py --rerank BIN [--events N] [--events-rate E] [--rate R] [--quiet-s S] [--posters P] [--batch B]
             [--reload-every T] [--json OUT]

1. osmem-server with sample/catalog.ndjson; a logging sidecar serves 3,000 searches by 300 shoppers (varying
   user, device, query) and their clicks; `rerank train` learns a model from those logs (scripts/shoppers.py).
2. A sidecar serves that model with --log-dir and the default `state` limits.
3. Quiet phase: searches at a steady R/s (100 hits, a different user, device and query each) for S seconds.
4. Crowd phase: P processes post N click events in NDJSON batches of B, every event with its own user, session
   and item id (N distinct of each), at E events/s (0: as fast as they are acknowledged), while the same steady
   searches go on; the phase ends when every event is acknowledged.
   With --reload-every T (a soak), the model file and the config file's experiments are rewritten every T seconds
   throughout the crowd phase, so the sidecar reloads both (`rerank_*_reloads_total` counts them).
5. The sidecar's RSS (VmRSS, sampled every 0.5 s) and its /metrics online-state tables, at the end; once a minute,
   its RSS beside malloc's heap in use and held free and the tables' bytes (/metrics), to tell growth of live
   data from memory the allocator keeps.

Prints one JSON object (and writes it to OUT): ingestion events/s, search p50/p99 in each phase, RSS, tables.
Loopback only; every process started is stopped by PID.
"""
import argparse
import http.client
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import stack  # noqa: E402
from shoppers import DEVICES, WORDS, search, train_model  # noqa: E402
from opensearchpy import OpenSearch  # noqa: E402


def steady_searches(url, rate, stop, out, seed):
    """Searches at `rate` per second until `stop` is set; appends (start time, latency s, status) to `out`."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    rng = random.Random(seed)
    next_at = time.monotonic()
    while not stop.is_set():
        now = time.monotonic()
        if now < next_at:
            time.sleep(next_at - now)
        started = time.monotonic()
        user = f"visitor-{rng.randrange(1_000_000)}"
        status, _, _ = search(conn, WORDS[rng.randrange(len(WORDS))], user, DEVICES[rng.randrange(3)])
        out.append((started, time.monotonic() - started, status))
        next_at += 1.0 / rate


def post_crowd(args):
    """One poster process: events [first, last) in batches; returns (acked, rejected, http errors)."""
    url, first, last, batch, rate = args
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    acked = rejected = errors = 0
    began = time.monotonic()
    for start in range(first, last, batch):
        if rate:  # this poster's share of the target rate: wait until the batch is due
            # The wait read once: read twice, the clock can pass `due` between the test and the sleep (a
            # negative sleep is an error).
            wait = began + (start - first) / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        lines = []
        for n in range(start, min(last, start + batch)):
            lines.append('{"action_name":"click","client_id":"crowd-u%d","session_id":"crowd-s%d","query_id":"crowd-q%d",'
                         '"event_attributes":{"object":{"object_id":"crowd-x%d"},"position":{"ordinal":%d}}}' % (n, n, n, n, n % 10))
        conn.request("POST", "/_rerank/events", body="\n".join(lines) + "\n", headers={"content-type": "application/x-ndjson"})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            errors += 1
            continue
        for item in json.loads(body)["items"]:
            if item["status"] == 201:
                acked += 1
            else:
                rejected += 1
    conn.close()
    return acked, rejected, errors


def cpu_seconds(pid):
    """User + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def percentiles(samples):
    latencies = sorted(s[1] * 1000 for s in samples)
    if not latencies:
        return {"searches": 0}
    pick = lambda p: round(latencies[min(len(latencies) - 1, int(len(latencies) * p))], 2)
    return {"searches": len(latencies), "p50_ms": pick(0.5), "p99_ms": pick(0.99), "max_ms": round(latencies[-1], 2),
            "failed": sum(1 for s in samples if s[2] != 200)}


def online_state(url):
    text = urllib.request.urlopen(url + "/metrics", timeout=10).read().decode()
    tables = {}
    for line in text.splitlines():
        if line.startswith("rerank_online_state_") and "{table=" in line:
            name, value = line.rsplit(" ", 1)
            metric = name.split("{")[0].removeprefix("rerank_online_state_")
            table = name.split('table="')[1].split('"')[0]
            tables.setdefault(table, {})[metric] = int(float(value))
    return tables


def memory_mib(url, pid):
    """The sidecar's RSS, malloc's heap in use and held free, and the online-state tables' bytes, in MiB."""
    text = urllib.request.urlopen(url + "/metrics", timeout=10).read().decode()
    values = {}
    for line in text.splitlines():
        for name in ("rerank_heap_in_use_bytes", "rerank_heap_free_bytes"):
            if line.startswith(name + " "):
                values[name] = float(line.split()[1])
    tables = sum(table.get("bytes", 0) for table in online_state(url).values())
    return {"rss": round(rss_kib(pid) / 1024), "heap_in_use": round(values.get("rerank_heap_in_use_bytes", 0) / 2**20),
            "heap_free": round(values.get("rerank_heap_free_bytes", 0) / 2**20), "tables": round(tables / 2**20)}


def write_experiments(path, share):
    """An A/B experiment between the model and the engine's order, `share` of users on the model."""
    variants = [{"name": "model", "share": share}, {"name": "engine", "share": round(1 - share, 2), "rerank": False}]
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"experiments": [{"name": "soak", "variants": variants}]}))
    os.replace(temporary, path)


def rewrite_files(model, config, every, stop):
    """Every `every` seconds until `stop`: the model file written anew (same model, new file) and the experiment's
    shares changed, so the sidecar reloads both."""
    turn = 0
    while not stop.wait(every):
        turn += 1
        temporary = model.with_suffix(".tmp")
        temporary.write_bytes(model.read_bytes())
        os.replace(temporary, model)
        write_experiments(config, 0.5 if turn % 2 == 0 else 0.6)


def reloads(url):
    """The sidecar's model and experiment reload counters, by result."""
    text = urllib.request.urlopen(url + "/metrics", timeout=10).read().decode()
    return {line.split(" ")[0]: float(line.split(" ")[1]) for line in text.splitlines()
            if line.startswith(("rerank_model_reloads_total", "rerank_experiment_reloads_total"))}


def emit(report, path):
    """Prints the report as indented JSON, and writes it to `path` too when given."""
    text = json.dumps(report, indent=1)
    print(text)
    if path:
        Path(path).write_text(text + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rerank", required=True)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=40)
    parser.add_argument("--quiet-s", type=float, default=20)
    parser.add_argument("--posters", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--events-rate", type=float, default=0, help="events per second to post at (0: as fast as acknowledged)")
    parser.add_argument("--reload-every", type=float, default=0, help="seconds between model and experiment rewrites (0: none)")
    parser.add_argument("--json")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="rerank-crowd-"))
    osmem, upstream = stack.start_osmem()
    sidecar = None
    try:
        stack.load_catalog(OpenSearch(upstream, timeout=60))
        model = train_model(args.rerank, upstream, work)
        config = work / "rerank.json"
        write_experiments(config, 0.5)
        sidecar, url = stack.start_sidecar(
            args.rerank, upstream, "--model", model, "--log-dir", work / "serve-logs", "--config", config)
        rss = []
        stop_sampling = threading.Event()

        def sample():
            while not stop_sampling.is_set():
                rss.append((time.monotonic(), rss_kib(sidecar.pid)))
                time.sleep(0.5)

        threading.Thread(target=sample, daemon=True).start()
        memory = []

        def sample_memory():
            while not stop_sampling.wait(60):
                memory.append((time.monotonic(), memory_mib(url, sidecar.pid)))

        threading.Thread(target=sample_memory, daemon=True).start()
        samples = []
        stop = threading.Event()
        searchers = [threading.Thread(target=steady_searches, args=(url, args.rate / 2, stop, samples, seed)) for seed in (1, 2)]
        for thread in searchers:
            thread.start()
        cpu_start = cpu_seconds(sidecar.pid)
        time.sleep(args.quiet_s)
        quiet_end = time.monotonic()
        cpu_quiet = cpu_seconds(sidecar.pid) - cpu_start
        rss_before = rss_kib(sidecar.pid)
        per = (args.events + args.posters - 1) // args.posters
        share = args.events_rate / args.posters if args.events_rate else 0
        chunks = [(url, i * per, min(args.events, (i + 1) * per), args.batch, share) for i in range(args.posters)]
        started = time.monotonic()
        reloading = threading.Thread(target=rewrite_files, args=(model, config, args.reload_every, stop), daemon=True)
        if args.reload_every > 0:
            reloading.start()
        with multiprocessing.Pool(args.posters) as pool:
            results = pool.map(post_crowd, chunks)
        crowd_end = time.monotonic()
        cpu_crowd = cpu_seconds(sidecar.pid) - cpu_start - cpu_quiet
        stop.set()
        for thread in searchers:
            thread.join()
        stop_sampling.set()
        acked = sum(r[0] for r in results)
        quiet = percentiles([s for s in samples if s[0] < quiet_end])
        crowd = percentiles([s for s in samples if started <= s[0] < crowd_end])
        # Let the metrics catch up (the model watcher publishes the tables every model_check_ms).
        time.sleep(2.5)
        report = {
            "events": args.events,
            "acked": acked,
            "rejected": sum(r[1] for r in results),
            "http_errors": sum(r[2] for r in results),
            "ingest_s": round(crowd_end - started, 1),
            "events_rate_target": args.events_rate or None,
            "events_per_s": round(acked / (crowd_end - started)),
            "search_rate": args.rate,
            "quiet": quiet,
            "crowd": crowd,
            # Sidecar CPU: per search while quiet; per 1,000 events while the crowd posts (searches included).
            "sidecar_cpu_ms_per_search_quiet": round(1000 * cpu_quiet / max(1, quiet["searches"]), 2),
            "sidecar_cpu_s_crowd": round(cpu_crowd, 2),
            "sidecar_cpu_ms_per_1000_events": round(1000 * cpu_crowd / max(1, acked) * 1000, 2),
            "rss_mib": {"before_crowd": round(rss_before / 1024), "max": round(max(r[1] for r in rss) / 1024),
                        "end": round(rss_kib(sidecar.pid) / 1024)},
            # RSS once a minute from the start of the crowd phase, for soaks.
            "rss_mib_by_minute": [round(kib / 1024) for at, kib in rss if at >= started][::120],
            # Once a minute from the sidecar's start: RSS, heap in use and free (glibc), tables' bytes.
            "memory_mib_by_minute": [sampled for _, sampled in memory],
            "reloads": reloads(url),
            "tables": online_state(url),
            "load_average": os.getloadavg(),
        }
        emit(report, args.json)
    finally:
        if sidecar is not None:
            stack.stop(sidecar)
        stack.stop(osmem)
        subprocess.run(["rm", "-rf", str(work)])


if __name__ == "__main__":
    main()
