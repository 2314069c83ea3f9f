"""The one start-up helper for osmem-server and rerank sidecars: the Python tests (Tests/python/rerank_support.py),
the demo and the benchmarks all start their processes here, with the same steps.

- osmem-server: `--addr 127.0.0.1:0 --no-stdin-watch`; its first stdout line is a JSON announcement with its `url`
  (and `pid`); stdout goes to a file (never a pipe nobody drains).
- sidecar: `rerank serve --upstream URL --host 127.0.0.1 --port P` on a port that was free a moment ago, ready
  once `GET /_rerank/health` answers 200; started again on a new port when the port was taken meanwhile.
- stop: SIGTERM by PID, wait, SIGKILL if it lingers (`stop`).

The Swift harness (Sources/RerankTesting/OsmemServer.swift) follows the same steps.
"""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "sample/catalog.ndjson"
STARTUP_TIMEOUT_S = 20.0


def free_port():
    """A port that was free a moment ago on 127.0.0.1 (bound, read, closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_osmem(stdout=None, stderr=subprocess.DEVNULL, timeout=STARTUP_TIMEOUT_S):
    """Starts osmem-server on a free loopback port; returns the process and its URL once it has announced it.

    `stdout` is a file opened for reading and writing in binary (default: an anonymous temporary file); the
    announcement is read from it. The announced PID, when it differs, is kept as `process.announced_pid` and
    stopped by `stop` too.
    """
    import osmem_server

    out = stdout if stdout is not None else tempfile.TemporaryFile()
    process = subprocess.Popen(
        [str(osmem_server.resolve_binary()), "--addr", "127.0.0.1:0", "--no-stdin-watch"],
        stdin=subprocess.DEVNULL, stdout=out, stderr=stderr,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        head = os.pread(out.fileno(), 1 << 16, 0).split(b"\n", 1)
        if len(head) == 2 and head[0].strip():
            announced = json.loads(head[0])
            process.announced_pid = int(announced.get("pid", process.pid))
            return process, announced["url"].rstrip("/")
        if process.poll() is not None:
            break
        time.sleep(0.05)
    stop(process)
    raise RuntimeError(f"osmem-server did not announce its URL (exit status {process.returncode})")


def healthy(url, timeout=1.0):
    """True when `GET url/_rerank/health` answers 200."""
    try:
        with urllib.request.urlopen(url + "/_rerank/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def start_sidecar(binary, upstream, *options, stdout=None, stderr=subprocess.DEVNULL, env=None, prefix=(),
                  timeout=STARTUP_TIMEOUT_S, attempts=3):
    """Starts `rerank serve` in front of `upstream` on a free port; returns the process and its URL once healthy.

    `options` are more `rerank serve` flags (`--config FILE`, `--model FILE`, ...). `prefix` runs it through a
    command that ends by exec'ing its arguments (so the PID is the sidecar's), e.g. `unshare`.
    """
    for _attempt in range(attempts):  # the free port can be taken between probe and bind: retry on a new one
        port = free_port()
        process = subprocess.Popen(
            [*prefix, str(binary), "serve", "--upstream", upstream, "--host", "127.0.0.1", "--port", str(port),
             *map(str, options)],
            stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, env=env,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            if healthy(url):
                return process, url
            time.sleep(0.05)
        stop(process)
    raise RuntimeError(f"rerank serve did not become healthy after {attempts} attempts")


def stop(process, timeout=15):
    """Stops a process started here by its PID: SIGTERM, wait, SIGKILL if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    announced = getattr(process, "announced_pid", process.pid)
    if announced != process.pid:
        try:
            os.kill(announced, signal.SIGTERM)
        except ProcessLookupError:
            pass


def load_catalog(client, index="products"):
    """Creates the index from mappings/products.json and bulk-loads the sample catalog; returns id -> product."""
    from opensearchpy import helpers

    client.indices.create(index=index, body=json.loads((ROOT / "mappings/products.json").read_text()))
    products = [json.loads(line) for line in CATALOG.read_text().splitlines()]
    helpers.bulk(client, ({"_index": index, "_id": p["id"], "_source": p} for p in products), refresh=True)
    return {p["id"]: p for p in products}
