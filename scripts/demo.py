#!/usr/bin/env python3
"""Drives the demo: starts osmem-server and the sidecar, loads the catalog, searches through the sidecar."""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import osmem_server
from opensearchpy import OpenSearch, helpers

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_osmem():
    process = subprocess.Popen(
        [osmem_server.resolve_binary(), "--addr", "127.0.0.1:0", "--no-stdin-watch"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    return process, json.loads(process.stdout.readline())["url"]


def start_sidecar(binary, upstream, config):
    port = free_port()
    process = subprocess.Popen(
        [binary, "serve", "--upstream", upstream, "--port", str(port), "--config", str(config)],
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/_rerank/health", timeout=1)
            return process, url
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the sidecar did not start")


def load_catalog(client):
    client.indices.create(index="products", body=json.loads((ROOT / "mappings/products.json").read_text()))
    products = [json.loads(line) for line in (ROOT / "sample/catalog.ndjson").read_text().splitlines()]
    helpers.bulk(client, ({"_index": "products", "_id": p["id"], "_source": p} for p in products), refresh=True)
    return len(products)


def show(title, response):
    print(f"\n{title}")
    print(f"  {'#':>2}  {'id':<10} {'title':<44} {'stock':<5} {'pop':>4} {'rating':>6}  explain")
    for number, hit in enumerate(response["hits"]["hits"], 1):
        source = hit["_source"]
        explain = hit.get("_rerank", {})
        why = ""
        if explain:
            why = f"was #{explain['original_rank'] + 1}, final {explain['final_score']:.2f}"
            if explain.get("rules"):
                why += f", rules {','.join(explain['rules'])}"
        print(f"  {number:>2}  {hit['_id']:<10} {source['title'][:44]:<44} {str(source['in_stock']):<5} "
              f"{source['popularity']:>4} {source['rating']:>6}  {why}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rerank-bin", required=True)
    args = parser.parse_args()
    processes = []
    try:
        osmem, cluster_url = start_osmem()
        processes.append(osmem)
        direct = OpenSearch(hosts=[cluster_url])
        count = load_catalog(direct)
        print(f"osmem-server at {cluster_url}: indexed {count} products from sample/catalog.ndjson")

        sidecar, sidecar_url = start_sidecar(args.rerank_bin, cluster_url, ROOT / "sample/rerank.json")
        processes.append(sidecar)
        print(f"rerank sidecar at {sidecar_url} (config sample/rerank.json), in front of the cluster")
        proxied = OpenSearch(hosts=[sidecar_url])

        query = {"query": {"match": {"title": "jacket"}}, "size": 8}
        show("The cluster's own order (BM25), straight from osmem-server:", direct.search(index="products", body=query))
        for user, device, hour in [("alice", "mobile", 8), ("bob", "desktop", 21)]:
            body = dict(query, ext={"rerank": {"user_id": user, "explain": True,
                                               "context": {"device": device, "hour": hour}}})
            show(f"Through the sidecar for {user} on {device} at {hour}:00 (same client, same query):",
                 proxied.search(index="products", body=body))
        page2 = proxied.search(index="products", body=dict(query, **{"from": 8}))
        print(f"\nPage 2 through the sidecar: {[h['_id'] for h in page2['hits']['hits']]} (no repeats from page 1)")
        print(f"hits.total through the sidecar: {page2['hits']['total']} (as the cluster says)")
        metrics = urllib.request.urlopen(sidecar_url + "/metrics").read().decode()
        searches = [line for line in metrics.splitlines() if line.startswith("rerank_searches_total")]
        print("\nSidecar metrics:", "; ".join(searches))
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
