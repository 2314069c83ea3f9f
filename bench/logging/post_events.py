#!/usr/bin/env python3
"""Posts UBI events to `rerank serve`'s POST /_rerank/events for a fixed time and reports what was acknowledged.

    post_events.py URL --batch N --clients C --duration S [--procs P] [--tag T]

C clients (keep-alive http.client connections, one per thread, spread over P processes so the Python client is
not held to one core by the GIL) each post NDJSON bodies of N click events back to back for S seconds. Every
event is distinct (client_id, query_id and object_id vary). A request is counted when it was sent inside the
window; the rate is acknowledged events (items with status 201) divided by the time from the start until the
last client finished. Prints one JSON line: requests, acked, rejected (items not 201), http_errors,
events_per_s, requests_per_s, latency p50/p99/max (ms), elapsed_s. Standard library only.
"""

import argparse
import http.client
import json
import multiprocessing
import sys
import threading
import time
import urllib.parse


def make_body(batch, tag, client, serial):
    lines = []
    for i in range(batch):
        n = serial * batch + i
        lines.append(json.dumps({
            "action_name": "click",
            "client_id": f"{tag}-c{client}",
            "query_id": f"{tag}-c{client}-q{n}",
            "event_attributes": {"object": {"object_id": f"sku-{n % 600 + 1:05d}"}, "position": {"ordinal": n % 10}},
        }, separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode()


def client_thread(host, port, batch, tag, client, deadline, out):
    # A few pre-built bodies, rotated: building JSON per request would make the client the bottleneck.
    bodies = [make_body(batch, tag, client, s) for s in range(8)]
    conn = http.client.HTTPConnection(host, port, timeout=30)
    latencies, acked, rejected, errors, requests, k = [], 0, 0, 0, 0, 0
    headers = {"Content-Type": "application/x-ndjson"}
    while time.monotonic() < deadline:
        body = bodies[k % len(bodies)]
        k += 1
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/_rerank/events", body, headers)
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            continue
        latencies.append(time.perf_counter() - t0)
        requests += 1
        if response.status != 200:
            errors += 1
            rejected += batch
            continue
        items = json.loads(raw)["items"]
        ok = sum(1 for item in items if item.get("status") == 201)
        acked += ok
        rejected += len(items) - ok
    conn.close()
    out.append({"latencies": latencies, "acked": acked, "rejected": rejected, "errors": errors, "requests": requests})


def process_main(host, port, batch, tag, clients, start_at, duration, queue):
    while time.time() < start_at:
        time.sleep(0.001)
    deadline = time.monotonic() + duration
    out, threads = [], []
    for client in clients:
        t = threading.Thread(target=client_thread, args=(host, port, batch, tag, client, deadline, out))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    queue.put({
        "latencies": [x for r in out for x in r["latencies"]],
        "acked": sum(r["acked"] for r in out), "rejected": sum(r["rejected"] for r in out),
        "errors": sum(r["errors"] for r in out), "requests": sum(r["requests"] for r in out),
        "finished": time.time(),
    })


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--tag", default="bench")
    args = parser.parse_args()
    parsed = urllib.parse.urlparse(args.url)
    procs = max(1, min(args.procs, args.clients))
    groups = [list(range(args.clients))[i::procs] for i in range(procs)]
    queue = multiprocessing.Queue()
    start_at = time.time() + 0.5   # every process starts at the same moment, after all have been forked
    workers = [multiprocessing.Process(target=process_main, args=(parsed.hostname, parsed.port, args.batch,
                                                                   args.tag, g, start_at, args.duration, queue))
               for g in groups]
    for w in workers:
        w.start()
    results = [queue.get() for _ in workers]
    for w in workers:
        w.join()
    elapsed = max(r["finished"] for r in results) - start_at
    latencies = sorted(x for r in results for x in r["latencies"])
    acked = sum(r["acked"] for r in results)
    requests = sum(r["requests"] for r in results)
    print(json.dumps({
        "batch": args.batch, "clients": args.clients, "procs": procs, "duration_s": args.duration,
        "elapsed_s": round(elapsed, 3), "requests": requests, "acked": acked,
        "rejected": sum(r["rejected"] for r in results), "http_errors": sum(r["errors"] for r in results),
        "events_per_s": round(acked / elapsed, 1), "requests_per_s": round(requests / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 3) if latencies else None,
        "p99_ms": round(percentile(latencies, 99) * 1000, 3) if latencies else None,
        "max_ms": round(latencies[-1] * 1000, 3) if latencies else None,
    }))


if __name__ == "__main__":
    sys.exit(main())
