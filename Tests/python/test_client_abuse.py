"""Hostile and clumsy clients: slow headers and bodies, half-closed and pipelined connections, crowds of idle
keep-alive connections, a connection limit, invalid UTF-8, deep nesting, huge _msearch bodies, CRLF and
percent-encoded line breaks. Each gets a bounded, clear answer, and other clients are served meanwhile."""

from __future__ import annotations

import json
import os
import resource
import socket
import tempfile
import threading
import time

import pytest

from rerank_support import (
    INDEX,
    FakeUpstream,
    assert_healthy,
    assert_opensearch_error,
    call,
    open_fds,
    raw_connection,
    read_until_closed,
    settled_fds,
    split_responses,
)

BLACK = {"match": {"title": "black"}}
IDLE_TIMEOUT_S = 2
BODY_TIMEOUT_MS = 1500


@pytest.fixture(scope="module")
def guarded(osmem_url, sidecars):
    """A sidecar with short client timeouts, so the tests can watch them fire."""
    config = {
        "limits": {"idle_timeout_s": IDLE_TIMEOUT_S, "request_body_timeout_ms": BODY_TIMEOUT_MS},
        "rerank": {"budget_ms": 10000},
        "log": {"dir": tempfile.mkdtemp(prefix="rerank-guarded-")},
    }
    return sidecars(osmem_url, config, "guarded")


def request_bytes(method: str, path: str, body: bytes = b"", headers: dict | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_slow_headers_are_cut_by_the_idle_timeout_while_others_are_served(guarded):
    slow = [raw_connection(guarded.port) for _ in range(50)]
    try:
        for sock in slow:
            sock.sendall(b"GET /_rerank/health HTTP/1.1\r\nHost: x\r\n")
        stop = threading.Event()

        def drip():
            while not stop.is_set():
                for sock in slow:
                    try:
                        sock.sendall(b"X-A: b\r\n")  # never the blank line that ends the headers
                    except OSError:
                        pass
                time.sleep(0.5)

        dripper = threading.Thread(target=drip, daemon=True)
        dripper.start()
        for _ in range(20):
            assert call(guarded.url, "POST", f"/{INDEX}/_search", body={"query": BLACK, "size": 3}, timeout=5).status == 200
        started = time.monotonic()
        for sock in slow:
            sock.settimeout(IDLE_TIMEOUT_S * 5)
            assert read_until_closed(sock) == b"", "a connection that never finished its headers got an answer"
        stop.set()
        dripper.join(timeout=5)
        assert time.monotonic() - started < IDLE_TIMEOUT_S * 5
    finally:
        for sock in slow:
            sock.close()
    assert_healthy(guarded.url)


@pytest.mark.parametrize("path", [f"/{INDEX}/_search", "/_rerank/events", f"/{INDEX}/_count"])
def test_slow_body_gets_a_408_within_the_body_timeout(guarded, path):
    body = json.dumps({"query": BLACK}).encode().ljust(2000)
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    sock = raw_connection(guarded.port)
    answer = b""
    try:
        sock.sendall(head.encode())
        sock.settimeout(0.1)
        started = time.monotonic()
        for index in range(len(body)):  # a byte per 0.1 s: the whole body would take 200 s
            try:
                sock.sendall(body[index:index + 1])
                answer = sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                pass
            break
        elapsed = time.monotonic() - started
        sock.settimeout(5)
        answer += read_until_closed(sock)
    finally:
        sock.close()
    status, _, payload = split_responses(answer)[0]
    assert status == 408, answer[:300]
    assert json.loads(payload)["error"]["type"] == "rerank_request_timeout_exception"
    assert elapsed < BODY_TIMEOUT_MS / 1000 + 3
    assert_healthy(guarded.url)


def test_half_closed_connection_still_gets_its_answer(guarded):
    sock = raw_connection(guarded.port)
    try:
        body = json.dumps({"query": BLACK, "size": 2}).encode()
        sock.sendall(request_bytes("POST", f"/{INDEX}/_search", body, {"Content-Type": "application/json"}))
        sock.shutdown(socket.SHUT_WR)
        responses = split_responses(read_until_closed(sock))
    finally:
        sock.close()
    assert [status for status, _, _ in responses] == [200]
    assert len(json.loads(responses[0][2])["hits"]["hits"]) == 2


def test_pipelined_requests_are_answered_in_order(guarded, catalog):
    requests = b""
    for size in (1, 2, 3):
        body = json.dumps({"query": BLACK, "size": size}).encode()
        requests += request_bytes("POST", f"/{INDEX}/_search", body, {"Content-Type": "application/json"})
    requests += request_bytes("GET", "/_rerank/health")
    requests += request_bytes("GET", f"/{INDEX}/_count", headers={"Connection": "close"})
    sock = raw_connection(guarded.port)
    try:
        sock.sendall(requests)  # all five in one write, before any answer
        responses = split_responses(read_until_closed(sock))
    finally:
        sock.close()
    assert [status for status, _, _ in responses] == [200] * 5
    assert [len(json.loads(body)["hits"]["hits"]) for _, _, body in responses[:3]] == [1, 2, 3]
    assert json.loads(responses[3][2]) == {"status": "ok"}
    assert json.loads(responses[4][2])["count"] == len(catalog)


# CI holds 1,000; bench/connections/run.sh sets RERANK_IDLE_CONNECTIONS=10000.
IDLE_CROWD = int(os.environ.get("RERANK_IDLE_CONNECTIONS", "1000"))


def test_a_crowd_of_idle_keep_alive_connections_is_held_and_released(osmem_url, sidecars):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert hard >= IDLE_CROWD + 200, f"the fd limit ({hard}) is too low for {IDLE_CROWD} connections"
    if soft < hard:  # the sidecar inherits the raised limit
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    # The default idle timeout (60 s) outlasts opening the crowd on a loaded machine.
    sidecar = sidecars(osmem_url, {"limits": {"max_connections": IDLE_CROWD + 500}}, "idle-crowd")
    pid = sidecar.process.process.pid
    baseline = open_fds(pid)
    crowd = []
    try:
        for _ in range(IDLE_CROWD):
            sock = raw_connection(sidecar.port)
            sock.sendall(request_bytes("GET", "/_rerank/health"))
            crowd.append(sock)
        for sock in crowd:
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        assert open_fds(pid) >= baseline + IDLE_CROWD - 5, "the sidecar should hold every idle connection open"
        for _ in range(10):
            assert call(sidecar.url, "POST", f"/{INDEX}/_search", body={"query": BLACK, "size": 3}, timeout=10).status == 200
        for sock in crowd:  # every one of them is still served
            sock.sendall(request_bytes("GET", "/_rerank/health"))
        for sock in crowd:
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    finally:
        for sock in crowd:
            sock.close()
    assert settled_fds(pid, baseline + 5, timeout=30) <= baseline + 5, "closed connections leak descriptors"
    assert_healthy(sidecar.url)


def test_idle_keep_alive_connections_are_closed_by_the_idle_timeout(guarded):
    pid = guarded.process.process.pid
    baseline = open_fds(pid)
    idle = []
    try:
        for _ in range(50):
            sock = raw_connection(guarded.port, timeout=IDLE_TIMEOUT_S * 5)
            sock.sendall(request_bytes("GET", "/_rerank/health"))
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
            idle.append(sock)
        for sock in idle:
            assert read_until_closed(sock) == b"", "the sidecar closed an idle connection with something unasked"
    finally:
        for sock in idle:
            sock.close()
    assert settled_fds(pid, baseline + 5) <= baseline + 5


def test_connections_over_the_limit_wait_for_a_free_slot(osmem_url, sidecars):
    sidecar = sidecars(osmem_url, {"limits": {"max_connections": 20}}, "connection-limit")
    held = []
    try:
        for _ in range(20):
            sock = raw_connection(sidecar.port)
            sock.sendall(request_bytes("GET", "/_rerank/health"))
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
            held.append(sock)
        waiting = raw_connection(sidecar.port)  # the kernel accepts it into the backlog
        waiting.sendall(request_bytes("GET", "/_rerank/health", headers={"Connection": "close"}))
        waiting.settimeout(1.0)
        with pytest.raises(socket.timeout):
            waiting.recv(65536)
        held.pop().close()
        waiting.settimeout(10)
        assert split_responses(read_until_closed(waiting))[0][0] == 200
        waiting.close()
    finally:
        for sock in held:
            sock.close()
    assert_healthy(sidecar.url)


@pytest.mark.parametrize(
    "body",
    [b'{"query": {"match": {"title": "\xff\xfe"}}}', b'{"query": {"match": {"title": "\xed\xa0\x80"}}}', b'{"size": 1, "\xc3": 1}'],
    ids=["ff_fe", "surrogate_half", "truncated_sequence"],
)
def test_invalid_utf8_body_is_400(guarded, body):
    raw = body
    for path in (f"/{INDEX}/_search", f"/{INDEX}/_msearch"):
        payload = raw if path.endswith("_search") else b"{}\n" + raw + b"\n"
        reply = call(guarded.url, "POST", path, body=payload, headers={"Content-Type": "application/json"})
        error = assert_opensearch_error(reply, 400, "parsing_exception")
        assert "UTF-8" in error["reason"]
    assert_healthy(guarded.url)


@pytest.mark.parametrize("target", [f"/{INDEX}/_search?q=%ff%fe", f"/{INDEX}/_search?q=\xff", "/\xff/_search", f"/{INDEX}/_doc/%ff"])
def test_invalid_utf8_in_the_url_gets_an_answer(guarded, target):
    sock = raw_connection(guarded.port)
    try:
        sock.sendall(target.encode("latin-1").join([b"GET ", b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"]))
        responses = split_responses(read_until_closed(sock))
    finally:
        sock.close()
    assert len(responses) == 1 and 200 <= responses[0][0] < 500
    assert_healthy(guarded.url)


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_deeply_nested_body_is_a_quick_400(guarded, opener):
    body = opener * 100_000
    for path, content_type in ((f"/{INDEX}/_search", "application/json"), ("/_rerank/events", "application/x-ndjson")):
        started = time.monotonic()
        reply = call(guarded.url, "POST", path, body=body, headers={"Content-Type": content_type})
        assert time.monotonic() - started < 5
        if path == "/_rerank/events":  # refused as an event line of its own, in _bulk style
            assert reply.status == 200 and reply.json()["errors"] is True
            assert "deeper than 128" in reply.json()["items"][0]["error"]["reason"]
        else:
            assert "deeper than 128" in assert_opensearch_error(reply, 400, "parsing_exception")["reason"]
    assert_healthy(guarded.url)


def test_thousands_of_msearch_lines(guarded):
    searches = 2000
    lines = []
    for number in range(searches):
        lines += [{"index": INDEX}, {"query": BLACK, "size": 0 if number % 200 else 3}]
    body = "".join(json.dumps(line) + "\n" for line in lines)
    reply = call(guarded.url, "POST", "/_msearch", body=body, headers={"Content-Type": "application/x-ndjson"}, timeout=60)
    assert reply.status == 200
    responses = reply.json()["responses"]
    assert len(responses) == searches
    assert all(response["hits"]["total"]["value"] == 78 for response in responses)
    # Per-search headers stop short of what HTTP clients accept on one header line (this one is http.client's).
    for name in ("x-rerank-status", "x-rerank-query-id"):
        assert len(reply.headers[name]) <= 8192 + 32 and reply.headers[name].endswith(" more"), name
    assert_healthy(guarded.url)


@pytest.fixture(scope="module")
def recording():
    upstream = FakeUpstream(lambda method, path, body: (200, b'{"hits":{"hits":[]}}', "application/json"))
    yield upstream
    upstream.stop()


@pytest.fixture(scope="module")
def recording_sidecar(recording, sidecars):
    return sidecars(recording.url, {}, "recording-abuse")


@pytest.mark.parametrize(
    "header_block",
    [
        b"X-Rerank-User: alice\r\nX-Injected: yes",  # a CRLF in a value is just another header line
        b"X-Custom: a\nX-Injected: yes",  # bare LF
        b"X-Custom: a\rX-Injected: yes",  # bare CR
        b"X-Custom: a\x00X-Injected: yes",  # NUL
        b" X-Injected: yes",  # obsolete line folding
    ],
    ids=["crlf", "bare_lf", "bare_cr", "nul", "obs_fold"],
)
def test_line_breaks_in_headers_never_reach_the_cluster_as_headers(recording, recording_sidecar, header_block):
    recording.headers.clear()
    sock = raw_connection(recording_sidecar.port)
    try:
        sock.sendall(b"GET /products/_doc/1 HTTP/1.1\r\nHost: x\r\n" + header_block + b"\r\nConnection: close\r\n\r\n")
        responses = split_responses(read_until_closed(sock))
    finally:
        sock.close()
    assert len(responses) <= 1
    if responses and responses[0][0] == 200:
        # Whatever the parser made of the line break (a header of its own, or part of a value), nothing the
        # sidecar forwards can carry one: no value or name can split the upstream request.
        for name, value in recording.headers[-1]:
            assert not set("\r\n\x00") & set(name + value), (name, value)
    else:
        assert responses and responses[0][0] == 400
    assert_healthy(recording_sidecar.url)


@pytest.mark.parametrize("path", ["/products/_doc/a%0d%0aX-Injected:%20yes", "/products/_search%0d%0aX-Injected:%20yes", "/%0d%0a/_search"])
def test_encoded_line_breaks_in_paths_stay_encoded(recording, recording_sidecar, path):
    recording.requests.clear()
    recording.headers.clear()
    reply = call(recording_sidecar.url, "GET", path)
    assert reply.status < 500
    if recording.requests:
        _, forwarded_path, _ = recording.requests[-1]
        assert "\r" not in forwarded_path and "\n" not in forwarded_path
        assert "%0d%0a" in forwarded_path.lower()
        assert "x-injected" not in {name.lower() for name, _ in recording.headers[-1]}
    assert_healthy(recording_sidecar.url)
