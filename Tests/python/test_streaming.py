"""Responses the sidecar does not read are handed on as they arrive: pass-through reads, and searches it neither
reranks nor logs. The client gets each part before the cluster sends the next, the body comes intact whatever its
framing, and a cluster that stalls or trickles past upstream.timeout_ms has its connection and the client's closed,
and is counted. (Bodies over max_response_body: test_upstream_faults.py.)"""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time

import pytest

from rerank_support import (
    INDEX,
    ScriptedSocketUpstream,
    assert_healthy,
    call,
    metric,
    request_cut_short,
    wait_for,
)

BLACK = {"match": {"title": "black"}}
FIRST = b'{"took":1,"hits":{"total":{"value":2,"relation":"eq"},"hits":['
REST = b'{"_id":"a","_score":2.0},{"_id":"b","_score":1.0}]}}'
# Where each kind of request goes: a pass-through read, and a search with reranking off.
REQUESTS = {
    "passthrough": ("GET", f"/{INDEX}/_doc/sku-00001", None),
    "search": ("POST", f"/{INDEX}/_search", {"query": BLACK}),
}


def head(framing: str, length: int) -> bytes:
    framing_header = f"Content-Length: {length}" if framing == "length" else "Transfer-Encoding: chunked"
    return f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{framing_header}\r\n\r\n".encode()


def part(framing: str, data: bytes) -> bytes:
    return data if framing == "length" else b"%x\r\n%s\r\n" % (len(data), data)


class HeldBack:
    """A cluster that sends the head and the first part, then holds the rest back until the test releases it: only
    a sidecar that hands parts on as they arrive lets the client see the first part in the meantime."""

    def __init__(self, framing: str):
        self.framing = framing
        self.released = threading.Event()
        self.upstream = ScriptedSocketUpstream(self.answer)

    def answer(self, connection):
        connection.sendall(head(self.framing, len(FIRST + REST)) + part(self.framing, FIRST))
        # A sidecar that waited for the whole body would wait past this, and pass on a broken body (or its error).
        if self.released.wait(timeout=60):
            connection.sendall(part(self.framing, REST) + (b"" if self.framing == "length" else b"0\r\n\r\n"))


@pytest.fixture(scope="module")
def held_back(sidecars):
    clusters = {framing: HeldBack(framing) for framing in ("length", "chunked")}
    config = {"rerank": {"enabled": False}, "upstream": {"timeout_ms": 120_000}}
    sidecar_of = {framing: sidecars(cluster.upstream.url, config, f"streaming-{framing}") for framing, cluster in clusters.items()}
    yield clusters, sidecar_of
    for cluster in clusters.values():
        cluster.released.set()
        cluster.upstream.stop()


@pytest.mark.parametrize("framing", ["length", "chunked"])
@pytest.mark.parametrize("kind", sorted(REQUESTS))
def test_each_part_reaches_the_client_before_the_cluster_sends_the_next(held_back, kind, framing):
    clusters, sidecar_of = held_back
    cluster, sidecar = clusters[framing], sidecar_of[framing]
    cluster.released.clear()
    method, path, body = REQUESTS[kind]
    connection = http.client.HTTPConnection("127.0.0.1", sidecar.port, timeout=90)
    try:
        payload = None if body is None else json.dumps(body)
        connection.request(method, path, body=payload, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        assert response.status == 200
        if framing == "length":
            assert response.getheader("content-length") == str(len(FIRST + REST))
        else:
            assert response.getheader("transfer-encoding") == "chunked"
        if kind == "search":
            assert response.getheader("x-rerank-status") == "skipped: reranking disabled"
            assert response.getheader("x-rerank-model") == "none"
            assert response.getheader("x-rerank-variant")
        assert response.read(len(FIRST)) == FIRST
        cluster.released.set()
        assert response.read() == REST
    finally:
        connection.close()
    metrics = call(sidecar.url, "GET", "/metrics").body.decode()
    if kind == "search":
        assert metric(metrics, "rerank_skips_total", 'reason="reranking disabled"') >= 1


class Stalling:
    """A cluster that sends the head and a first part, then stalls (sends nothing more) or trickles (a byte every
    0.1 s), until the sidecar closes the connection; `closed` is set when it has."""

    def __init__(self, pace: str):
        self.pace = pace
        self.closed = threading.Event()
        self.upstream = ScriptedSocketUpstream(self.answer)

    def answer(self, connection):
        connection.sendall(head("length", 100_000) + FIRST)
        connection.settimeout(0.1 if self.pace == "trickle" else 120)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if connection.recv(1) == b"":
                    self.closed.set()
                    return
            except socket.timeout:
                try:
                    connection.sendall(b" ")
                except OSError:
                    self.closed.set()
                    return
            except OSError:
                self.closed.set()
                return


@pytest.mark.parametrize("pace", ["stall", "trickle"])
@pytest.mark.parametrize("kind", sorted(REQUESTS))
def test_a_body_still_arriving_at_the_deadline_is_cut_short_and_counted(sidecars, kind, pace):
    cluster = Stalling(pace)
    try:
        config = {"rerank": {"enabled": False}, "upstream": {"timeout_ms": 2000}}
        sidecar = sidecars(cluster.upstream.url, config, f"stalling-{pace}")
        method, path, body = REQUESTS[kind]
        status, partial = request_cut_short(sidecar.url, method, path, body=body, timeout=90)
        assert status == 200
        assert partial.startswith(FIRST) and partial[len(FIRST):].strip() == b""
        wait_for("the sidecar to close its connection to the cluster", cluster.closed.is_set, timeout=90)
        metrics = call(sidecar.url, "GET", "/metrics").body.decode()
        labels = f'route="{"passthrough" if kind == "passthrough" else "search"}",reason="timeout"'
        assert metric(metrics, "rerank_upstream_cut_responses_total", labels) == 1
        assert_healthy(sidecar.url)
    finally:
        cluster.upstream.stop()


def test_a_skipped_search_without_logging_is_the_clusters_bytes(sidecar_url, osmem_url):
    # The main sidecar logs nothing, so a search it does not rerank is not read: the bytes go through untouched.
    body = {"query": BLACK, "size": 40, "sort": [{"price": "asc"}, {"id": "asc"}]}
    through = call(sidecar_url, "POST", f"/{INDEX}/_search", body=body)
    engine = call(osmem_url, "POST", f"/{INDEX}/_search", body=body)
    assert through.status == engine.status == 200
    assert through.rerank_status == "skipped: sort"
    assert "x-rerank-query-id" not in through.headers

    def without_took(raw: bytes) -> bytes:
        return re.sub(rb'"took":\d+', b'"took":0', raw, count=1)

    assert without_took(through.body) == without_took(engine.body)
    assert len(through.body) > 10_000


@pytest.mark.parametrize("kind", sorted(REQUESTS))
def test_a_client_that_goes_away_mid_body_frees_the_clusters_connection(sidecars, kind):
    # The cluster keeps sending (a byte every 0.1 s): the sidecar notices the client has gone when it passes the
    # next part on. (A cluster that sends nothing more holds its connection until the deadline, as before.)
    cluster = Stalling("trickle")
    try:
        # The deadline is far off: only the client going away can end the cluster's connection in time.
        config = {"rerank": {"enabled": False}, "upstream": {"timeout_ms": 600_000}}
        sidecar = sidecars(cluster.upstream.url, config, "abandoned")
        method, path, body = REQUESTS[kind]
        connection = http.client.HTTPConnection("127.0.0.1", sidecar.port, timeout=90)
        payload = None if body is None else json.dumps(body)
        connection.request(method, path, body=payload, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        assert response.read(len(FIRST)) == FIRST
        connection.close()
        wait_for("the sidecar to close its connection to the cluster", cluster.closed.is_set, timeout=90)
        assert_healthy(sidecar.url)
    finally:
        cluster.upstream.stop()
