#!/usr/bin/env python3
"""Simulates storefront traffic through the rerank sidecar, with known ground truth.

Users have latent tastes (two favourite categories, two favourite brands, a price sensitivity); context shifts
them (phones favour cheaper items and electronics, evenings favour home and kitchen, weekends favour shoes and
jackets). Each simulated search goes through the sidecar with the opensearch-py client (impressions are logged
by the sidecar), and clicks, add-to-carts and purchases drawn from a position-biased cascade model are posted
to the sidecar's events API. Deterministic for a seed.

    simulate.py --sidecar http://127.0.0.1:9250 --catalog sample/catalog.ndjson --searches 3000
"""
import argparse
import json
import math
import random
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
    if hour >= 18 and item["category"] in ("home", "kitchen"):
        score += 1.4
    if weekday >= 6 and item["category"] in ("shoes", "jackets"):
        score += 1.2
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
    parser.add_argument("--index", default="products")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    catalog = {}
    for line in open(args.catalog):
        item = json.loads(line)
        catalog[item["id"]] = item
    categories = sorted({i["category"] for i in catalog.values()})
    brands = sorted({i["brand"] for i in catalog.values()})
    users = [User(n, rng, categories, brands) for n in range(args.users)]
    if args.traffic_seed is not None:
        rng = random.Random(args.traffic_seed)
    client = OpenSearch(hosts=[args.sidecar], timeout=30)
    counts = {"searches": 0, "click": 0, "add_to_cart": 0, "purchase": 0}
    pending = []
    for search in range(args.searches):
        user = rng.choice(users)
        if user.session is None or rng.random() < 0.2:
            user.session = str(uuid.UUID(int=rng.getrandbits(128)))
        device = user.device if rng.random() < 0.85 else rng.choice(DEVICES)
        hour = rng.choice([8, 9, 12, 13, 19, 20, 21, 22])
        weekday = rng.randint(1, 7)
        category = rng.choice(user.categories) if rng.random() < 0.6 else rng.choice(categories)
        words = [rng.choice(CATEGORY_WORDS[category])]
        if rng.random() < 0.3:
            words.append(rng.choice(GENERIC_WORDS))
        body = {
            "query": {"match": {"title": " ".join(words)}},
            "size": 10,
            "_source": ["title"],
            "ext": {"rerank": {"user_id": user.id, "session_id": user.session, "return_query_id": True,
                               "context": {"device": device, "hour": hour, "weekday": weekday}}},
        }
        response = client.search(index=args.index, body=body)
        counts["searches"] += 1
        query_id = response.get("ext", {}).get("rerank", {}).get("query_id")
        for position, hit in enumerate(response["hits"]["hits"]):
            if rng.random() > examination(position):
                continue
            item = catalog.get(hit["_id"])
            if item is None or rng.random() > attractiveness(user, item, device, hour, weekday):
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
        if (search + 1) % 500 == 0:
            print(f"  {search + 1} searches, {counts['click']} clicks, {counts['add_to_cart']} add-to-carts, "
                  f"{counts['purchase']} purchases", file=sys.stderr)
    if pending:
        post_events(args.sidecar, pending)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
