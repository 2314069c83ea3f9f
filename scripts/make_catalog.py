#!/usr/bin/env python3
"""Writes a deterministic sample product catalog as NDJSON (one product per line).

Usage: make_catalog.py [--count N] [--seed S] > catalog.ndjson

Products have a category, brand, price (and price band), stock flag, rating and popularity, so every
feature family and business rule has something to read. The text is generated here: the catalog is ours.
"""
import argparse
import json
import random

CATEGORIES = {
    "shoes": ["running shoes", "trail shoes", "sneakers", "boots", "sandals", "hiking boots"],
    "jackets": ["rain jacket", "down jacket", "fleece jacket", "softshell jacket", "parka"],
    "bags": ["backpack", "duffel bag", "messenger bag", "tote bag", "laptop bag"],
    "electronics": ["headphones", "phone charger", "power bank", "smart watch", "earbuds", "speaker"],
    "kitchen": ["coffee maker", "kettle", "frying pan", "chef knife", "blender", "toaster"],
    "home": ["desk lamp", "throw blanket", "pillow", "towel set", "rug", "candle"],
}
BRANDS = ["acme", "globex", "initech", "umbrella", "stark", "wayne", "hooli", "vandelay", "tyrell", "cyberdyne"]
COLORS = ["black", "white", "red", "blue", "green", "grey", "navy", "orange"]
ADJECTIVES = ["lightweight", "waterproof", "classic", "premium", "compact", "durable", "ultra", "everyday", "pro", "eco"]
PRICE_RANGES = {"shoes": (30, 220), "jackets": (40, 400), "bags": (20, 250), "electronics": (10, 500),
                "kitchen": (8, 300), "home": (5, 200)}


def price_band(price):
    if price < 25:
        return "budget"
    if price < 75:
        return "value"
    if price < 200:
        return "mid"
    return "premium"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    for number in range(args.count):
        category = rng.choice(sorted(CATEGORIES))
        kind = rng.choice(CATEGORIES[category])
        brand = rng.choice(BRANDS)
        color = rng.choice(COLORS)
        adjective = rng.choice(ADJECTIVES)
        low, high = PRICE_RANGES[category]
        price = round(rng.uniform(low, high) * (0.6 if adjective in ("compact", "everyday") else 1.0), 2)
        product = {
            "id": f"sku-{number:05d}",
            "title": f"{brand.title()} {adjective} {color} {kind}",
            "description": f"A {adjective} {kind} in {color} by {brand.title()}, part of our {category} range.",
            "category": category,
            "brand": brand,
            "color": color,
            "price": price,
            "price_band": price_band(price),
            "in_stock": rng.random() > 0.12,
            "rating": round(rng.uniform(2.5, 5.0), 1),
            "popularity": int(rng.paretovariate(1.2) * 10),
            "created_at": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        }
        print(json.dumps(product, separators=(",", ":")))


if __name__ == "__main__":
    main()
