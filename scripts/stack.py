"""The local stack the demo and the benchmarks run: osmem-server with the sample catalog and rerank sidecars.

Every process is started with a handle the caller stops (`stop`), by its PID.
"""
import json
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import osmem_server
from opensearchpy import helpers

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "sample/catalog.ndjson"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_osmem():
    """Starts osmem-server on a free loopback port; returns the process and its URL."""
    process = subprocess.Popen(
        [osmem_server.resolve_binary(), "--addr", "127.0.0.1:0", "--no-stdin-watch"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    line = process.stdout.readline()
    if not line:
        process.wait()
        raise SystemExit(f"osmem-server exited ({process.returncode}) before printing its URL")
    return process, json.loads(line)["url"]


def start_sidecar(binary, upstream, *options):
    """Starts `rerank serve` in front of `upstream` on a free port; returns the process once it is healthy."""
    port = free_port()
    process = subprocess.Popen(
        [binary, "serve", "--upstream", upstream, "--port", str(port), *map(str, options)],
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/_rerank/health", timeout=1)
            return process, url
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise SystemExit("the sidecar did not start")


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def load_catalog(client, index="products"):
    """Creates the index from mappings/products.json and bulk-loads the sample catalog; returns id -> product."""
    client.indices.create(index=index, body=json.loads((ROOT / "mappings/products.json").read_text()))
    products = [json.loads(line) for line in CATALOG.read_text().splitlines()]
    helpers.bulk(client, ({"_index": index, "_id": p["id"], "_source": p} for p in products), refresh=True)
    return {p["id"]: p for p in products}
