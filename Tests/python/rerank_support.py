"""Process, HTTP and comparison helpers for the end-to-end suite (no pytest fixtures here; see conftest.py)."""

from __future__ import annotations

import copy
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "scripts"))
import stack  # noqa: E402  (the one start-up helper for osmem-server and sidecars)

RERANK_BIN = os.environ.get("RERANK_BIN", str(REPO_ROOT / ".build" / "debug" / "rerank"))
MAPPINGS = REPO_ROOT / "mappings" / "products.json"
CATALOG = REPO_ROOT / "sample" / "catalog.ndjson"
INDEX = "products"

# The main sidecar's configuration: two signals, a bury rule and an exclude rule (the brief's example).
EXCLUDED_BY_CONFIG = {"sku-00003"}
MAIN_CONFIG = {
    "rerank": {
        "signals": [
            {"field": "popularity", "weight": 1, "transform": "log1p"},
            {"field": "rating", "weight": 0.5},
        ],
        "rules": [
            {"action": "bury", "field": "in_stock", "equals": False},
            {"action": "exclude", "ids": sorted(EXCLUDED_BY_CONFIG)},
        ],
        # A debug build on a busy machine can pass the 25 ms default budget and fall back to the engine's order
        # now and then; the tests compare orders, so they give ranking all the time it needs.
        "budget_ms": 10000,
    },
    "upstream": {"timeout_ms": 2000},
}
WINDOW = 100
STARTUP_TIMEOUT_S = stack.STARTUP_TIMEOUT_S
free_port = stack.free_port


# ---------------------------------------------------------------------------------------------- processes


@dataclass
class ManagedProcess:
    """A child process that is stopped by its PID: terminate, wait, kill if it lingers."""

    name: str
    process: subprocess.Popen
    log_path: Path
    # Temporary files to remove once stopped (set RERANK_E2E_KEEP_LOGS=1 to keep them).
    files: list[Path] = field(default_factory=list)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        stack.stop(self.process, timeout=5)
        if not os.environ.get("RERANK_E2E_KEEP_LOGS"):
            for path in [self.log_path, *self.files]:
                path.unlink(missing_ok=True)


def _log_file(prefix: str, suffix: str = ".log") -> Path:
    handle, path = tempfile.mkstemp(prefix=f"rerank-e2e-{prefix}-", suffix=suffix)
    os.close(handle)
    return Path(path)


def start_osmem() -> tuple[ManagedProcess, str]:
    """Starts osmem-server on a free port; returns the process and its base URL."""
    stdout_path = _log_file("osmem-stdout")
    stderr_path = _log_file("osmem-stderr")
    with open(stdout_path, "w+b") as out, open(stderr_path, "wb") as err:
        try:
            process, url = stack.start_osmem(stdout=out, stderr=err, timeout=STARTUP_TIMEOUT_S)
        except RuntimeError as error:
            raise RuntimeError(f"{error}: {stderr_path.read_text(errors='replace')[-4000:]}") from None
    return ManagedProcess("osmem", process, stderr_path, files=[stdout_path]), url


@dataclass
class Sidecar:
    url: str
    port: int
    process: ManagedProcess
    config_path: Path

    def stop(self) -> None:
        self.process.stop()


def start_sidecar(
    upstream: str,
    config: dict | None = None,
    name: str = "sidecar",
    env: dict[str, str] | None = None,
    prefix: list[str] | None = None,
) -> Sidecar:
    """Starts `rerank serve` on a free port and waits until `/_rerank/health` answers.

    `prefix` runs it through another command that must end by exec'ing its arguments (so the PID is the
    sidecar's), e.g. `unshare` to give it a mount namespace of its own.
    """
    if not Path(RERANK_BIN).exists():
        raise RuntimeError(f"rerank binary not found at {RERANK_BIN}; run `swift build --product rerank` or set RERANK_BIN")
    config_path = _log_file(f"{name}-config", ".json")
    config_path.write_text(json.dumps(config or {}))
    log_path = _log_file(name)
    with open(log_path, "wb") as log:
        try:
            process, url = stack.start_sidecar(
                RERANK_BIN, upstream, "--config", config_path, stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})}, prefix=prefix or [], timeout=STARTUP_TIMEOUT_S,
            )
        except RuntimeError as error:
            config_path.unlink(missing_ok=True)
            raise RuntimeError(f"{error}: {log_path.read_text(errors='replace')[-4000:]}") from None
    managed = ManagedProcess(name, process, log_path, files=[config_path])
    return Sidecar(url, int(url.rsplit(":", 1)[1]), managed, config_path)


# ---------------------------------------------------------------------------------------------- raw HTTP


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)

    @property
    def rerank_status(self) -> str | None:
        return self.headers.get("x-rerank-status")


def request(
    base_url: str,
    method: str,
    path: str,
    body: bytes | str | dict | list | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 15,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request with http.client: (status, lower-cased headers, body bytes)."""
    parsed = urllib.parse.urlsplit(base_url)
    headers = dict(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
        headers.setdefault("Content-Type", "application/json")
    if isinstance(body, str):
        body = body.encode()
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, payload
    finally:
        connection.close()


def request_cut_short(
    base_url: str, method: str, path: str, body: bytes | str | dict | None = None, timeout: float = 60
) -> tuple[int, bytes]:
    """A request whose response the sidecar is expected to cut short, its connection closed before the body's end:
    (status, the body bytes that came). Fails when the body comes whole, or when nothing closes the connection
    within `timeout` (a hung response)."""
    parsed = urllib.parse.urlsplit(base_url)
    headers = {}
    if isinstance(body, dict):
        body = json.dumps(body)
        headers["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        try:
            payload = response.read()
        except http.client.IncompleteRead as error:
            return response.status, error.partial
        raise AssertionError(f"the body came whole: {payload[:300]!r}")
    finally:
        connection.close()


def metric(text: str, name: str, labels: str = "") -> float:
    """The value of `name{labels}` (or of `name` without labels) in a Prometheus exposition, 0 when absent."""
    selector = re.escape(name) + (rf"\{{{re.escape(labels)}\}}" if labels else "")
    match = re.search(rf"^{selector} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def call(base_url: str, method: str, path: str, body=None, headers=None, timeout: float = 15) -> Reply:
    return Reply(*request(base_url, method, path, body=body, headers=headers, timeout=timeout))


def ndjson(lines: list[dict]) -> str:
    return "".join(json.dumps(line) + "\n" for line in lines)


def assert_healthy(sidecar_url: str) -> None:
    status, _, body = request(sidecar_url, "GET", "/_rerank/health", timeout=5)
    assert status == 200, f"sidecar at {sidecar_url} stopped serving: {status} {body!r}"
    assert json.loads(body) == {"status": "ok"}


def wait_for(what: str, condition, timeout: float = 60.0, interval: float = 0.02):
    """Polls `condition` until it returns something truthy, and returns that; fails naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"gave up waiting for {what} after {timeout} s"
        time.sleep(interval)


def answers_health(sidecar_url: str) -> bool:
    """Whether the sidecar answers a health check now (a crashed one cannot)."""
    try:
        return request(sidecar_url, "GET", "/_rerank/health", timeout=5)[0] == 200
    except OSError:
        return False


def assert_opensearch_error(reply: Reply, status: int, error_type: str | None = None) -> dict:
    """The reply is `{"error": {"root_cause": [...], "type": ..., "reason": ...}, "status": N}` with HTTP `status`."""
    assert reply.status == status, f"expected {status}, got {reply.status}: {reply.body[:500]!r}"
    assert reply.headers.get("content-type", "").startswith("application/json"), reply.headers
    body = reply.json()
    assert set(body) == {"error", "status"}, body
    assert body["status"] == status
    error = body["error"]
    assert isinstance(error["type"], str) and error["type"]
    assert isinstance(error["reason"], str) and error["reason"]
    assert isinstance(error["root_cause"], list) and error["root_cause"]
    for cause in error["root_cause"]:
        assert isinstance(cause["type"], str) and isinstance(cause["reason"], str)
    if error_type is not None:
        assert error["type"] == error_type, error
    return error


# ---------------------------------------------------------------------------------------------- comparisons


def excluding_config(body: dict | None) -> dict:
    """`body` as the main sidecar forwards a search it does not rerank: its query wrapped in a `bool` whose
    `must_not` leaves out what the configuration excludes, so totals, pages and aggregations stay right."""
    body = dict(body or {})
    wrapped = {"must_not": [{"ids": {"values": sorted(EXCLUDED_BY_CONFIG)}}]}
    if "query" in body:
        wrapped = {"must": [body["query"]], **wrapped}
    body["query"] = {"bool": wrapped}
    return body


def ids(response: dict) -> list[str]:
    return [hit["_id"] for hit in response["hits"]["hits"]]


def without_volatile(response: dict, max_score: bool = True) -> dict:
    """The response minus `took`, `_scroll_id` and the hit list (whose order the sidecar may change).

    `max_score=False` drops `hits.max_score` too: for `from > 0` OpenSearch reports the best score of all
    matches, which the sidecar (fetching from 0) does, while osmem-server reports the best score of the page.
    """
    stripped = copy.deepcopy(response)
    stripped.pop("took", None)
    stripped.pop("_scroll_id", None)
    if isinstance(stripped.get("hits"), dict):
        stripped["hits"]["hits"] = None
        if not max_score:
            stripped["hits"].pop("max_score", None)
    return stripped


def without_took(response: dict) -> dict:
    stripped = copy.deepcopy(response)
    stripped.pop("took", None)
    stripped.pop("_scroll_id", None)
    return stripped


def in_stock_first(hit_ids: list[str], in_stock: dict[str, bool]) -> list[str]:
    """Stable partition: what the bury rule does to an order."""
    return [i for i in hit_ids if in_stock[i]] + [i for i in hit_ids if not in_stock[i]]


# ---------------------------------------------------------------------------------------------- fake upstreams


class FakeUpstream:
    """A tiny HTTP server on 127.0.0.1 standing in for the cluster; `respond(handler)` decides each answer.

    `respond` gets (method, path, body bytes) and returns (status, body bytes, content type) after any delay it
    likes, optionally with a fourth element: extra response headers as a list of (name, value). Every request is
    recorded in `requests`, and its headers (name, value pairs as sent) in `headers`.
    """

    def __init__(self, respond: Callable[[str, str, bytes], tuple[int, bytes, str]], port: int = 0):
        self.requests: list[tuple[str, str, bytes]] = []
        self.headers: list[list[tuple[str, str]]] = []
        self._lock = threading.Lock()
        self._connections: list[socket.socket] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                with outer._lock:
                    outer._connections.append(self.connection)

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with outer._lock:
                    outer.requests.append((self.command, self.path, body))
                    outer.headers.append(list(self.headers.items()))
                try:
                    status, payload, content_type, *extra = respond(self.command, self.path, body)
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    for name, value in extra[0] if extra else []:
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sidecar gave up on us (timeout test): fine

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="fake-upstream", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stops listening and cuts every open connection, as a cluster that goes down would."""
        self.server.shutdown()
        self.server.server_close()
        with self._lock:
            for connection in self._connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self._thread.join(timeout=5)


class ScriptedSocketUpstream:
    """A loopback server that answers every connection with `script(connection)`, for faults below HTTP and for
    bodies sent a part at a time."""

    def __init__(self, script):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.script = script
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection):
        try:
            connection.recv(65536)
            self.script(connection)
        except OSError:
            pass
        finally:
            connection.close()

    def stop(self):
        self.listener.close()
        self.thread.join(timeout=5)


# ---------------------------------------------------------------------------------------------- raw sockets, resources


def open_fds(pid: int) -> int:
    """How many file descriptors the process holds (sockets, log files, ...)."""
    return len(os.listdir(f"/proc/{pid}/fd"))


def settled_fds(pid: int, at_most: int, timeout: float = 10.0) -> int:
    """The process's fd count once it is at most `at_most`, or the last count seen when `timeout` passes first."""
    deadline = time.monotonic() + timeout
    count = open_fds(pid)
    while count > at_most and time.monotonic() < deadline:
        time.sleep(0.1)
        count = open_fds(pid)
    return count


def raw_connection(port: int, timeout: float = 10.0) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def read_until_closed(sock: socket.socket, limit: int = 1 << 24) -> bytes:
    """Everything the peer sends until it closes (or resets) the connection."""
    chunks = []
    total = 0
    while total < limit:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def split_responses(data: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """Parses consecutive HTTP/1.1 responses (Content-Length or chunked bodies) out of raw bytes."""
    responses = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            length = int(headers["content-length"])
            body, data = rest[:length], rest[length:]
        elif headers.get("transfer-encoding") == "chunked":
            body = b""
            while True:
                size_line, _, rest = rest.partition(b"\r\n")
                size = int(size_line.split(b";")[0], 16)
                body, rest = body + rest[:size], rest[size + 2:]
                if size == 0:
                    break
            data = rest
        else:
            body, data = rest, b""
        responses.append((status, headers, body))
    return responses
