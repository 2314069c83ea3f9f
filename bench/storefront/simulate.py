#!/usr/bin/env python3
"""Simulates storefront traffic through the rerank sidecar, with known ground truth.

Users have latent tastes (two favourite categories, two favourite brands, a price sensitivity). Every shopper
prefers better-rated items (the catalog's `rating`, which the built-in features do not read: a declared item
feature has to find it). Context shifts
every shopper the same way, independently of who they are: phones favour cheaper items and electronics, evenings
favour pricier items and home and kitchen, weekends favour shoes and jackets. The device of a search is the user's
own with probability --device-loyalty and otherwise drawn afresh, so context effects are not hidden in users'
histories. Queries name a category (half), a category and a generic word, or only a generic word (lists that mix
categories). Each search goes through the sidecar with the opensearch-py client (the sidecar logs the impression)
and clicks, add-to-carts and purchases drawn from a position-biased cascade model are posted to the sidecar's
events API. --workers processes share the users and the searches; deterministic for a seed and a worker count.
--truth writes the planted truth as TREC qrels: for every search and shown item, the probability that this
shopper, in this context, acts on the item once they see it (for `rerank evaluate --run ... --qrels`).

    simulate.py --sidecar http://127.0.0.1:9250 --catalog sample/catalog.ndjson --searches 3000
"""
import argparse
import json
import math
import multiprocessing
import os
import random
import shutil
import sys
import urllib.request
import uuid
from datetime import datetime, timezone

from opensearchpy import OpenSearch

CATEGORY_WORDS = {
    "shoes": ["shoes", "boots", "sneakers", "sandals"],
    "jackets": ["jacket", "parka", "fleece"],
    "bags": ["bag", "backpack", "tote"],
    "electronics": ["headphones", "charger", "speaker", "earbuds", "watch"],
    "kitchen": ["kettle", "pan", "knife", "blender", "coffee"],
    "home": ["lamp", "blanket", "pillow", "towel", "rug", "candle"],
}
GENERIC_WORDS = ["black", "waterproof", "classic", "premium", "compact", "lightweight", "pro", "eco"]
BAND_RANK = {"budget": 0, "value": 1, "mid": 2, "premium": 3}
DEVICES = ["mobile", "desktop", "tablet"]
RATING_MEAN = 3.7


class User:
    def __init__(self, number, rng, categories, brands):
        self.id = f"user-{number:04d}"
        self.categories = rng.sample(categories, 2)
        self.brands = rng.sample(brands, 2)
        self.price_sensitivity = rng.uniform(0.0, 1.0)
        self.device = rng.choices(DEVICES, weights=[0.55, 0.35, 0.10])[0]
        self.session = None


def attractiveness(user, item, device, hour, weekday):
    """The planted truth: how much this user, in this context, wants this item (0..1)."""
    score = -2.6
    if item["category"] in user.categories:
        score += 1.6
    if item["brand"] in user.brands:
        score += 1.1
    band = BAND_RANK.get(item.get("price_band"), 1)
    score -= user.price_sensitivity * 0.5 * band
    # Context effects, the same for every shopper: what context features have to find.
    if device == "mobile":
        score -= 0.7 * band
        if item["category"] == "electronics":
            score += 1.2
    if hour >= 18:
        score += 0.5 * band
        if item["category"] in ("home", "kitchen"):
            score += 1.4
    if weekday >= 6 and item["category"] in ("shoes", "jackets"):
        score += 1.2
    # The catalog's rating (2.5 to 5, mean 3.7), the same for every shopper.
    score += 0.9 * (item.get("rating", RATING_MEAN) - RATING_MEAN)
    if not item.get("in_stock", True):
        score -= 1.5
    score += 0.1 * math.log1p(item.get("popularity", 0))
    return 1 / (1 + math.exp(-score))


def examination(position):
    return 1 / (1 + position) ** 0.8


def post_events(sidecar, events):
    body = "".join(json.dumps(e) + "\n" for e in events).encode()
    request = urllib.request.Request(sidecar + "/_rerank/events", data=body, method="POST",
                                     headers={"content-type": "application/x-ndjson"})
    with urllib.request.urlopen(request, timeout=30) as response:
        result = json.loads(response.read())
    if result.get("errors"):
        raise SystemExit(f"events rejected: {result}")


def query_words(rng, user, categories):
    category = rng.choice(user.categories) if rng.random() < 0.6 else rng.choice(categories)
    kind = rng.random()
    if kind < 0.5:
        return [rng.choice(CATEGORY_WORDS[category])]
    if kind < 0.75:
        return [rng.choice(CATEGORY_WORDS[category]), rng.choice(GENERIC_WORDS)]
    return [rng.choice(GENERIC_WORDS)]


def simulate(args, worker):
    """One worker's share: every --workers-th user and searches / workers searches. Returns the counts."""
    catalog = {}
    for line in open(args.catalog):
        item = json.loads(line)
        catalog[item["id"]] = item
    categories = sorted({i["category"] for i in catalog.values()})
    brands = sorted({i["brand"] for i in catalog.values()})
    rng = random.Random(args.seed)
    users = [User(n, rng, categories, brands) for n in range(args.users)][worker::args.workers]
    rng = random.Random(f"{args.seed if args.traffic_seed is None else args.traffic_seed}-{worker}")
    searches = args.searches // args.workers + (1 if worker < args.searches % args.workers else 0)
    client = OpenSearch(hosts=[args.sidecar], timeout=30)
    counts = {"searches": 0, "click": 0, "add_to_cart": 0, "purchase": 0}
    pending = []
    truth = open(f"{args.truth}.part{worker}", "w") if args.truth else None
    for search in range(searches):
        user = rng.choice(users)
        if user.session is None or rng.random() < 0.2:
            user.session = str(uuid.UUID(int=rng.getrandbits(128)))
        device = user.device if rng.random() < args.device_loyalty else rng.choices(DEVICES, weights=[0.5, 0.4, 0.1])[0]
        hour = rng.choice([8, 9, 12, 13, 19, 20, 21, 22])
        weekday = rng.randint(1, 7)
        body = {
            "query": {"match": {"title": " ".join(query_words(rng, user, categories))}},
            "size": 10,
            "_source": ["title"],
            "ext": {"rerank": {"user_id": user.id, "session_id": user.session, "return_query_id": True,
                               "context": {"device": device, "hour": hour, "weekday": weekday}}},
        }
        response = client.search(index=args.index, body=body)
        counts["searches"] += 1
        query_id = response.get("ext", {}).get("rerank", {}).get("query_id")
        hits = response["hits"]["hits"]
        wants = [attractiveness(user, catalog[hit["_id"]], device, hour, weekday) if hit["_id"] in catalog else 0
                 for hit in hits]
        if truth:
            truth.writelines(f"{query_id} 0 {hit['_id']} {want:.6f}\n" for hit, want in zip(hits, wants))
        for position, hit in enumerate(hits):
            if rng.random() > examination(position):
                continue
            if rng.random() > wants[position]:
                continue
            actions = ["click"]
            if rng.random() < 0.35:
                actions.append("add_to_cart")
                if rng.random() < 0.45:
                    actions.append("purchase")
            for action in actions:
                counts[action] += 1
                pending.append({
                    "action_name": action, "query_id": query_id, "client_id": user.id, "session_id": user.session,
                    "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                    "event_attributes": {"object": {"object_id": hit["_id"], "object_id_field": "_id"},
                                         "position": {"ordinal": position}},
                })
            if rng.random() < 0.6:
                break
        if len(pending) >= 50:
            post_events(args.sidecar, pending)
            pending = []
        if worker == 0 and (search + 1) % 1000 == 0:
            print(f"  worker 0: {search + 1} of {searches} searches, {counts['click']} clicks", file=sys.stderr)
    if pending:
        post_events(args.sidecar, pending)
    if truth:
        truth.close()
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sidecar", required=True)
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--searches", type=int, default=3000)
    parser.add_argument("--users", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--traffic-seed", type=int,
                        help="seed of the searches and clicks after the shoppers are drawn (default: --seed); the same "
                             "--seed with another --traffic-seed brings the same shoppers back for more traffic")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--device-loyalty", type=float, default=0.3,
                        help="probability that a search uses the user's own device (default 0.3)")
    parser.add_argument("--index", default="products")
    parser.add_argument("--truth", help="write the planted truth here as TREC qrels")
    args = parser.parse_args()
    if args.workers < 1 or args.workers > args.users:
        parser.error("--workers must be between 1 and --users")
    with multiprocessing.Pool(args.workers) as pool:
        results = pool.starmap(simulate, [(args, worker) for worker in range(args.workers)])
    counts = {name: sum(result[name] for result in results) for name in results[0]}
    if args.truth:
        with open(args.truth, "w") as truth:
            for worker in range(args.workers):
                part = f"{args.truth}.part{worker}"
                with open(part) as lines:
                    shutil.copyfileobj(lines, truth)
                os.remove(part)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
