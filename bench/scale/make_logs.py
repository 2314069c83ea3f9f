#!/usr/bin/env python3
"""Writes a storefront's UBI logs at scale, in the shape `rerank serve --log-dir` writes them, for the training
memory bench (bench/scale/log_training_scale.sh).

A catalog of --items items over 200 categories and 500 brands; --users shoppers, each with a favourite category
and a session per day; --searches searches spread over --days days, each for one of 2,000 queries, showing 20
of the query's 200 candidate items in the engine's order (a noisy planted relevance, 5 random adjacent swaps per
search); position-biased clicks on
relevant items (examination 1/(position+1)^0.7), some followed by an add-to-cart or a purchase. Query lines go
to ubi_queries-NNNN.ndjson and event lines to ubi_events-NNNN.ndjson, a new file every 200,000 lines, as the
sidecar's writer rotates them; the catalog to catalog.ndjson. Seeded: the same arguments give the same files.

    make_logs.py --searches 1000000 --out DIR
"""
import argparse
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

CATEGORIES = 200
BRANDS = 500
QUERIES = 2_000
CANDIDATES = 200
SHOWN = 20
LINES_PER_FILE = 200_000
DEVICES = ["mobile", "desktop", "tablet"]


class RotatingWriter:
    """NDJSON lines to PREFIX-0000.ndjson, PREFIX-0001.ndjson, ..., LINES_PER_FILE lines each."""

    def __init__(self, directory, prefix):
        self.directory, self.prefix, self.count, self.number, self.file = directory, prefix, 0, 0, None

    def write(self, record):
        if self.file is None or self.count == LINES_PER_FILE:
            if self.file:
                self.file.close()
            self.file = open(self.directory / f"{self.prefix}-{self.number:04d}.ndjson", "w")
            self.number, self.count = self.number + 1, 0
        self.file.write(json.dumps(record, separators=(",", ":")) + "\n")
        self.count += 1

    def close(self):
        if self.file:
            self.file.close()


def stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--searches", type=int, required=True)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = Path(args.out)
    (out / "logs").mkdir(parents=True, exist_ok=True)

    category_of = [rng.randrange(CATEGORIES) for _ in range(args.items)]
    with open(out / "catalog.ndjson", "w") as catalog:
        for item in range(args.items):
            catalog.write(json.dumps({"id": f"p{item}", "category": f"c{category_of[item]}",
                                      "brand": f"b{rng.randrange(BRANDS)}",
                                      "price": round(rng.uniform(5, 500), 2)}) + "\n")
    candidates = [rng.sample(range(args.items), CANDIDATES) for _ in range(QUERIES)]
    relevance = [[rng.random() ** 3 for _ in range(CANDIDATES)] for _ in range(QUERIES)]
    engine_order = [sorted(range(CANDIDATES), key=lambda c: -(relevance[query][c] + 0.5 * rng.random()))
                    for query in range(QUERIES)]
    favourite = [rng.randrange(CATEGORIES) for _ in range(args.users)]

    queries, events = RotatingWriter(out / "logs", "ubi_queries"), RotatingWriter(out / "logs", "ubi_events")
    start = datetime(2026, 10, 1, tzinfo=timezone.utc)
    step = timedelta(days=args.days) / args.searches
    for search in range(args.searches):
        moment = start + step * search
        user = rng.randrange(args.users)
        query = rng.randrange(QUERIES)
        noisy = engine_order[query][:SHOWN]
        for _ in range(5):
            swap = rng.randrange(SHOWN - 1)
            noisy[swap], noisy[swap + 1] = noisy[swap + 1], noisy[swap]
        shown = [candidates[query][c] for c in noisy]
        device = rng.choice(DEVICES)
        session = f"u{user}-d{(moment - start).days}"
        query_id = f"q{search}"
        queries.write({
            "query_id": query_id, "client_id": f"u{user}", "user_query": f"query {query}",
            "timestamp": stamp(moment), "query_response_hit_ids": [f"p{item}" for item in shown],
            "query_attributes": {"device": device, "local_hour": moment.hour, "weekday": moment.isoweekday() % 7,
                                 "session_id": session, "original_ranks": list(range(SHOWN))},
        })
        for position, (candidate, item) in enumerate(zip(noisy, shown)):
            appeal = 0.3 * relevance[query][candidate] * (2.0 if category_of[item] == favourite[user] else 1.0)
            if rng.random() >= (1 / (position + 1)) ** 0.7 or rng.random() >= appeal:
                continue
            for offset, action in enumerate(["click", "add_to_cart", "purchase"]):
                if action != "click" and rng.random() >= 0.3:
                    break
                events.write({
                    "action_name": action, "query_id": query_id, "client_id": f"u{user}", "session_id": session,
                    "timestamp": stamp(moment + timedelta(seconds=5 + position + 20 * offset)),
                    "event_attributes": {"object": {"object_id": f"p{item}"}, "position": {"ordinal": position}},
                })
    queries.close()
    events.close()


if __name__ == "__main__":
    main()
