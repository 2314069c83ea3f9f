#!/usr/bin/env python3
"""Times `rerank batch` (ranking without a search, offline) against the issue's bar: 20,000 requests of 100 items a
minute on this machine.

A synthetic log (shoppers with a favourite category searching the sample catalog, position-biased clicks) trains a
model with `rerank train`; then every request names a different shopper, device, hour and 100 catalog items, a third
of them with query text. The batch runs once to warm the file cache and once timed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "sample" / "catalog.ndjson"
WORK = Path(__file__).resolve().parent / "work"
QUERIES = ["jacket", "shoes", "lamp", "blanket", "headphones", "backpack"]
DEVICES = ["mobile", "desktop", "tablet"]


def write_log(directory: Path, catalog: list[dict], searches: int, rng: random.Random) -> None:
    """Searches of 20 catalog items by 300 shoppers, each clicking its favourite category, examination 1/(1+k)."""
    directory.mkdir(parents=True, exist_ok=True)
    favourite = {f"u{user}": rng.choice(sorted({item["category"] for item in catalog})) for user in range(300)}
    start = datetime(2026, 10, 1, tzinfo=timezone.utc)
    stamp = lambda moment: moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")  # noqa: E731
    queries, events = [], []
    for search in range(searches):
        user, moment = f"u{rng.randrange(300)}", start + timedelta(minutes=search)
        shown = rng.sample(catalog, 20)
        query_id = f"s{search}"
        queries.append({"query_id": query_id, "client_id": user, "user_query": rng.choice(QUERIES), "timestamp": stamp(moment),
                        "query_response_hit_ids": [item["id"] for item in shown],
                        "query_attributes": {"device": rng.choice(DEVICES), "local_hour": rng.randrange(24)}})
        for position, item in enumerate(shown):
            liked = 0.6 if item["category"] == favourite[user] else 0.05
            if rng.random() < liked / (1 + position):
                events.append({"action_name": "click", "query_id": query_id, "client_id": user,
                               "timestamp": stamp(moment + timedelta(seconds=3 + position)),
                               "event_attributes": {"object": {"object_id": item["id"]}, "position": {"ordinal": position}}})
    (directory / "ubi_queries.ndjson").write_text("".join(json.dumps(line) + "\n" for line in queries))
    (directory / "ubi_events.ndjson").write_text("".join(json.dumps(line) + "\n" for line in events))


def write_requests(path: Path, catalog: list[dict], count: int, rng: random.Random) -> None:
    ids = [item["id"] for item in catalog]
    with path.open("w") as out:
        for number in range(count):
            request = {"request_id": f"r{number}", "user_id": f"u{rng.randrange(300)}",
                       "context": {"device": rng.choice(DEVICES), "hour": rng.randrange(24), "weekday": rng.randrange(1, 8)},
                       "items": rng.sample(ids, 100)}
            if number % 3 == 0:
                request["query"] = rng.choice(QUERIES)
            out.write(json.dumps(request) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rerank-bin", required=True)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    rng = random.Random(11)
    catalog = [json.loads(line) for line in CATALOG.read_text().splitlines() if line.strip()]
    WORK.mkdir(parents=True, exist_ok=True)
    logs, model = WORK / "logs", WORK / "model.json"
    write_log(logs, catalog, 20000, rng)
    subprocess.run([args.rerank_bin, "train", "--logs", logs, "--items", CATALOG, "--output", model, "--quiet"],
                   check=True, capture_output=True)
    requests, answers = WORK / "requests.ndjson", WORK / "ranked.ndjson"
    write_requests(requests, catalog, args.requests, rng)
    command = [args.rerank_bin, "batch", "--model", model, "--input", requests, "--output", answers, "--quiet"]
    subprocess.run(command, check=True, capture_output=True)
    load_before = os.getloadavg()
    started = time.monotonic()
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    seconds = time.monotonic() - started
    load_after = os.getloadavg()
    lines = answers.read_text().splitlines()
    failed = sum(1 for line in lines if "error" in json.loads(line))
    items = sum(len(json.loads(line).get("items", [])) for line in lines)
    rate = args.requests / seconds * 60
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    section = [
        "## Ranking without a search: batch",
        "",
        f"Measured {when} by `bench/batch/run.sh {args.requests}` (generated; rerun it to refresh this section) at commit "
        f"`{commit}`, release build, {os.cpu_count()} cores; load average {load_before[0]:.2f} before the timed run, "
        f"{load_after[0]:.2f} after.",
        "",
        f"A model trained by `rerank train` on a synthetic log (20,000 searches of 20 sample-catalog items by 300 "
        f"shoppers with a favourite category, position-biased clicks), then `rerank batch` on {args.requests:,} rank "
        f"requests of 100 catalog items each (every request a different shopper, device and hour; a third with query "
        f"text), run once to warm the caches and once timed.",
        "",
        "| requests | items ranked | failed | seconds | requests a minute | target |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {args.requests:,} | {items:,} | {failed} | {seconds:.1f} | **{rate:,.0f}** | ≥ 20,000 |",
        "",
        f"`rerank batch` said: {result.stdout.strip()}",
        "",
    ]
    Path(args.output).write_text("\n".join(section))
    print("\n".join(section))


if __name__ == "__main__":
    main()
