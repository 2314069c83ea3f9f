"""The one start-up helper for osmem-server and rerank sidecars: the Python tests (Tests/python/rerank_support.py),
the demo and the benchmarks all start their processes here, with the same steps.

- osmem-server: `--addr 127.0.0.1:PORT --no-stdin-watch --parent-pid PID` (port 0 picks a free one; it exits
  when the process that owns it does); its first stdout line is a JSON announcement with its `url` (and `pid`);
  stdout goes to a file (never a pipe nobody drains).
- sidecar: `rerank serve --upstream URL --host 127.0.0.1 --port P` on a port that was free a moment ago (or the
  port asked for), ready once `GET /_rerank/health` answers 200; started again on a new port when the port was
  taken meanwhile.
- stop: SIGTERM by PID, wait, SIGKILL if it lingers (`stop`).

The Swift harness (Sources/RerankTesting/OsmemServer.swift) follows the same steps with the same flags. Shell
scripts (the proxy and logging benches) use the command line, which prints `PID URL` and leaves the process
running for the script to stop by PID:

    python3 scripts/stack.py osmem --parent-pid $$ --stdout FILE [--stderr FILE]
    python3 scripts/stack.py sidecar --binary RERANK --upstream URL [--port P] [--log FILE] [-- SERVE FLAGS...]
    python3 scripts/stack.py ports N        # N ports that were free a moment ago, on one line
"""
import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
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


def start_osmem(stdout=None, stderr=subprocess.DEVNULL, timeout=STARTUP_TIMEOUT_S, port=0, parent_pid=None):
    """Starts osmem-server on a loopback port; returns the process and its URL once it has announced it.

    `stdout` is a file opened for reading and writing in binary (default: an anonymous temporary file); the
    announcement is read from it. `port` 0 picks a free one. The server exits when `parent_pid` (default: this
    process) does. The announced PID, when it differs, is kept as `process.announced_pid` and stopped by `stop`
    too.
    """
    import osmem_server

    out = stdout if stdout is not None else tempfile.TemporaryFile()
    owner = parent_pid if parent_pid is not None else os.getpid()
    process = subprocess.Popen(
        [str(osmem_server.resolve_binary()), "--addr", f"127.0.0.1:{port}", "--no-stdin-watch",
         "--parent-pid", str(owner)],
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
                  timeout=STARTUP_TIMEOUT_S, attempts=3, port=None):
    """Starts `rerank serve` in front of `upstream` on a free port; returns the process and its URL once healthy.

    `options` are more `rerank serve` flags (`--config FILE`, `--model FILE`, ...). `prefix` runs it through a
    command that ends by exec'ing its arguments (so the PID is the sidecar's), e.g. `unshare`. `port` asks for
    that port instead of a free one (one attempt: it is not moved elsewhere).
    """
    tries = attempts if port is None else 1
    for _attempt in range(tries):  # a free port can be taken between probe and bind: retry on a new one
        chosen = port or free_port()
        process = subprocess.Popen(
            [*prefix, str(binary), "serve", "--upstream", upstream, "--host", "127.0.0.1", "--port", str(chosen),
             *map(str, options)],
            stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, env=env,
        )
        url = f"http://127.0.0.1:{chosen}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            if healthy(url):
                return process, url
            time.sleep(0.05)
        stop(process)
    raise RuntimeError(f"rerank serve did not become healthy after {tries} attempts")


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


def main(argv):
    """The command line for shell scripts: starts one process, prints `PID URL` (or free ports) and returns."""
    parser = argparse.ArgumentParser(prog="scripts/stack.py", description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    osmem = commands.add_parser("osmem", help="start osmem-server; it exits when --parent-pid does")
    osmem.add_argument("--parent-pid", type=int, required=True, help="the script's PID ($$)")
    osmem.add_argument("--stdout", required=True, help="file for its stdout (the announcement is read from it)")
    osmem.add_argument("--stderr", help="file for its stderr (default: discarded)")
    sidecar = commands.add_parser("sidecar", help="start `rerank serve` and wait until it is healthy")
    sidecar.add_argument("--binary", required=True, help="the rerank binary")
    sidecar.add_argument("--upstream", required=True, help="the cluster's URL")
    sidecar.add_argument("--port", type=int, help="this port instead of a free one")
    sidecar.add_argument("--log", help="file its stdout and stderr are appended to (default: discarded)")
    sidecar.add_argument("options", nargs=argparse.REMAINDER, help="-- then more `rerank serve` flags")
    ports = commands.add_parser("ports", help="print N ports that were free a moment ago")
    ports.add_argument("count", type=int)
    args = parser.parse_args(argv)
    if args.command == "ports":
        with contextlib.ExitStack() as stack:  # held open together, so the N ports differ
            sockets = [stack.enter_context(socket.socket()) for _ in range(args.count)]
            for sock in sockets:
                sock.bind(("127.0.0.1", 0))
            print(" ".join(str(sock.getsockname()[1]) for sock in sockets))
        return
    if args.command == "osmem":
        with open(args.stdout, "w+b") as out, open(args.stderr or os.devnull, "wb") as err:
            process, url = start_osmem(stdout=out, stderr=err, parent_pid=args.parent_pid)
    else:
        options = args.options[1:] if args.options[:1] == ["--"] else args.options
        with open(args.log or os.devnull, "ab") as log:
            process, url = start_sidecar(args.binary, args.upstream, *options, stdout=log, stderr=subprocess.STDOUT,
                                         port=args.port)
    print(process.pid, url)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except RuntimeError as error:
        sys.exit(f"stack.py: {error}")
