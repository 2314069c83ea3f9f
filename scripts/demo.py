#!/usr/bin/env python3
"""Drives the demo: starts osmem-server and the sidecar, loads the catalog, searches through the sidecar."""
import argparse
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


def show(title, response, catalog):
    print(f"\n{title}")
    print(f"  {'#':>2}  {'id':<10} {'title':<40} {'category':<11} {'band':<8} {'stock':<5}  why")
    for number, hit in enumerate(response["hits"]["hits"], 1):
        item = catalog[hit["_id"]]
        explain = hit.get("_rerank", {})
        why = ""
        if explain:
            why = f"engine #{explain['original_rank'] + 1}, final {explain['final_score']:.2f}"
            features = explain.get("features", {})
            for name in ("user_category_share", "user_brand_share", "category_device_ctr", "category_daypart_ctr"):
                if name in features:
                    why += f", {name} {features[name]:.2f}"
            if explain.get("rules"):
                why += f", rules {','.join(explain['rules'])}"
        print(f"  {number:>2}  {hit['_id']:<10} {item['title'][:40]:<40} {item['category']:<11} {item['price_band']:<8} "
              f"{str(item['in_stock']):<5}  {why}")


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
            "--catalog", CATALOG, "--searches", args.searches)
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
        show("The cluster's own order (BM25), straight from osmem-server:", direct.search(index="products", body=query), catalog)
        for user, device, hour, weekday in [("user-0007", "mobile", 8, 2), ("user-0042", "desktop", 21, 6)]:
            body = dict(query, ext={"rerank": {"user_id": user, "explain": True,
                                               "context": {"device": device, "hour": hour, "weekday": weekday}}})
            show(f"Through the sidecar for {user} on {device} at {hour}:00, weekday {weekday}:",
                 proxied.search(index="products", body=body), catalog)
        page2 = proxied.search(index="products", body=dict(query, **{"from": 6}))
        print(f"\nPage 2 through the sidecar: {[h['_id'] for h in page2['hits']['hits']]} (no repeats from page 1); "
              f"hits.total {page2['hits']['total']} as the cluster says")
        metrics = urllib.request.urlopen(sidecar_url + "/metrics").read().decode()
        searches = [line for line in metrics.splitlines() if line.startswith("rerank_searches_total")]
        print("Sidecar metrics:", "; ".join(searches))
        print(f"\nEvaluation report: {work / 'evaluation.html'}  (JSON: {work / 'evaluation.json'})")
    finally:
        for process in reversed(processes):
            stop(process)


if __name__ == "__main__":
    sys.exit(main())
