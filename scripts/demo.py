#!/usr/bin/env python3
"""Drives the demo: starts osmem-server and the sidecar, loads the catalog, searches through the sidecar."""
import argparse
import json
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

from opensearchpy import OpenSearch

from stack import CATALOG, ROOT, load_catalog, start_osmem, start_sidecar, stop


def run(step, *command):
    print(f"\n$ {' '.join(str(part) for part in command)}", flush=True)
    subprocess.run([str(part) for part in command], check=True)


# Features worth showing as reasons, with short labels: the searcher's tastes and the context's effects.
REASONS = [("user_category_share", "their category"), ("user_brand_share", "their brand"),
           ("user_price_band_share", "their price"), ("price_band_device_ctr", "price×device"),
           ("category_daypart_ctr", "category×hour"), ("category_weekend_ctr", "category×weekend")]


def describe(hit, catalog):
    """Two lines for a hit: what it is, and why it is where it is."""
    item = catalog[hit["_id"]]
    what = f"{item['title'][:30]:<30} {item['category'][:8]:<8} {item['price_band'][:7]:<7}"
    explain = hit.get("_rerank")
    if not explain:
        return what, ""
    features = explain.get("features", {})
    reasons = sorted(((features[name], label) for name, label in REASONS if features.get(name, 0) > 0), reverse=True)
    why = f"engine #{explain['original_rank'] + 1}: " + ", ".join(f"{label} {value:.2f}" for value, label in reasons[:2])
    if explain.get("rules"):
        why += f"; rules {','.join(explain['rules'])}"
    return what, why


def side_by_side(columns, catalog):
    """Prints result lists next to each other: (title, response) per column."""
    width = 56
    print("\n    " + "".join(f"{title[:width]:<{width}}  " for title, _ in columns))
    lists = [response["hits"]["hits"] for _, response in columns]
    for rank in range(max(len(hits) for hits in lists)):
        cells = [describe(hits[rank], catalog) if rank < len(hits) else ("", "") for hits in lists]
        print(f"{rank + 1:>2}. " + "".join(f"{what[:width]:<{width}}  " for what, _ in cells))
        if any(why for _, why in cells):
            print("    " + "".join(f"{why[:width]:<{width}}  " for _, why in cells))


def summarize(evaluation):
    """The evaluation's headline from `rerank evaluate --json`."""
    ndcg = {name: evaluation[name]["ndcg@10"] for name in ("original", "random", "baseline", "coec", "model", "served")}
    uplift = evaluation["served_uplift_ndcg@10"]
    print(f"\nEvaluation on {evaluation['held_out_searches']} held-out searches, NDCG@10: "
          + ", ".join(f"{name} {value:.3f}" for name, value in ndcg.items())
          + f"; served (model blended in at weight {evaluation['served_weight']:.1f}, chosen in training: "
          + f"{evaluation.get('served_weight_reason', 'the best on validation')}) − original "
          + f"{uplift['mean']:+.3f} (95% interval {uplift['low']:+.3f} to {uplift['high']:+.3f})")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rerank-bin", required=True)
    parser.add_argument("--searches", type=int, default=5000)
    parser.add_argument("--work-dir", default=str(ROOT / "demo-data"))
    args = parser.parse_args()
    work = Path(args.work_dir)
    if work.exists():
        shutil.rmtree(work)
    logs = work / "logs"
    logs.mkdir(parents=True)
    model = work / "model.json"
    processes = []
    try:
        osmem, cluster_url = start_osmem()
        processes.append(osmem)
        direct = OpenSearch(hosts=[cluster_url])
        catalog = load_catalog(direct)
        print(f"osmem-server at {cluster_url}: indexed {len(catalog)} products from sample/catalog.ndjson")

        print("\n1. Traffic: the sidecar serves searches with the signal ranker of sample/rerank.json and logs them "
              f"(UBI) in {logs}; simulated shoppers with planted tastes click, add to cart and buy.")
        sidecar, sidecar_url = start_sidecar(args.rerank_bin, cluster_url, "--config", ROOT / "sample/rerank.json",
                                             "--log-dir", logs)
        processes.append(sidecar)
        run("simulate", sys.executable, ROOT / "bench/storefront/simulate.py", "--sidecar", sidecar_url,
            "--catalog", CATALOG, "--searches", args.searches, "--workers", 2)
        stop(sidecar)
        processes.remove(sidecar)

        print("\n2. Check, train on the logs, evaluate on the latest 20% of searches (time split).")
        run("validate", args.rerank_bin, "validate", "--logs", logs)
        run("train", args.rerank_bin, "train", "--logs", logs, "--items", CATALOG,
            "--output", model)
        run("evaluate", args.rerank_bin, "evaluate", "--model", model, "--logs", logs,
            "--items", CATALOG, "--json", work / "evaluation.json",
            "--report", work / "evaluation.html")

        print("\n3. Serving the model: the same query for two shoppers, on two devices, at two times of day.")
        sidecar, sidecar_url = start_sidecar(args.rerank_bin, cluster_url, "--config", ROOT / "sample/rerank.json",
                                             "--model", model, "--log-dir", logs)
        processes.append(sidecar)
        proxied = OpenSearch(hosts=[sidecar_url])
        query = {"query": {"match": {"title": "black"}}, "size": 6}
        side_by_side([("The cluster's own order (BM25)", direct.search(index="products", body=query))], catalog)
        columns = []
        for user, device, hour, weekday in [("user-0007", "mobile", 8, 2), ("user-0042", "desktop", 21, 6)]:
            body = dict(query, ext={"rerank": {"user_id": user, "explain": True,
                                               "context": {"device": device, "hour": hour, "weekday": weekday}}})
            columns.append((f"{user}, {device}, {hour}:00, weekday {weekday}", proxied.search(index="products", body=body)))
        side_by_side(columns, catalog)
        page2 = proxied.search(index="products", body=dict(query, **{"from": 6}))
        print(f"\nPage 2 through the sidecar: {[h['_id'] for h in page2['hits']['hits']]} (no repeats from page 1); "
              f"hits.total {page2['hits']['total']} as the cluster says")
        metrics = urllib.request.urlopen(sidecar_url + "/metrics").read().decode()
        searches = [line for line in metrics.splitlines() if line.startswith("rerank_searches_total")]
        print("Sidecar metrics:", "; ".join(searches))
        summarize(json.loads((work / "evaluation.json").read_text()))
        print(f"Evaluation report: {work / 'evaluation.html'}  (JSON: {work / 'evaluation.json'})")
    finally:
        for process in reversed(processes):
            stop(process)


if __name__ == "__main__":
    sys.exit(main())
