"""Upstream faults beyond test_upstream.py: connection resets mid-response, HTML error pages, 429/503 with their
headers, a body ten times over the limit, a body that trickles past the deadline, an upstream that goes down and
comes back twice. Each answer is an OpenSearch-shaped error, the upstream's own, or (for a response handed on as it
arrived) a body cut short on a closed connection; and no connection leaks."""

from __future__ import annotations

import http.client
import socket
import struct
import time

import pytest

from rerank_support import (
    INDEX,
    MAIN_CONFIG,
    FakeUpstream,
    ScriptedSocketUpstream,
    assert_healthy,
    assert_opensearch_error,
    call,
    free_port,
    metric,
    open_fds,
    request_cut_short,
    settled_fds,
)

BLACK = {"match": {"title": "black"}}
SEARCH = f"/{INDEX}/_search"


def reset_mid_response(connection):
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"hits\":{\"hits\":[")
    # SO_LINGER 0: close() sends a TCP RST instead of a FIN.
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_reset_mid_response_is_502_or_cut_short_and_leaks_nothing(sidecars):
    upstream = ScriptedSocketUpstream(reset_mid_response)
    try:
        sidecar = sidecars(upstream.url, MAIN_CONFIG, "upstream-reset")
        pid = sidecar.process.process.pid
        assert_opensearch_error(call(sidecar.url, "POST", SEARCH, body={"query": BLACK}), 502, "rerank_upstream_unreachable_exception")
        baseline = open_fds(pid)
        for _ in range(50):
            # A search is read whole: the reset is a 502.
            assert_opensearch_error(call(sidecar.url, "POST", SEARCH, body={"query": BLACK}), 502, "rerank_upstream_unreachable_exception")
            # A count is handed on as it arrives: its head has gone out, so the body is cut short instead (or a 502
            # when the reset overtakes the head).
            try:
                reply = call(sidecar.url, "POST", f"/{INDEX}/_count", body={"query": BLACK})
            except http.client.IncompleteRead as error:
                assert error.partial == b'{"hits":{"hits":['
            else:
                assert_opensearch_error(reply, 502, "rerank_upstream_unreachable_exception")
        assert settled_fds(pid, baseline + 5) <= baseline + 5, "connections to a resetting upstream leak"
        assert_healthy(sidecar.url)
    finally:
        upstream.stop()


HTML = b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n"


@pytest.fixture(scope="module")
def scripted():
    state = {"status": 200, "payload": b"{}", "type": "application/json", "headers": []}
    upstream = FakeUpstream(lambda method, path, body: (state["status"], state["payload"], state["type"], state["headers"]))
    upstream.state = state
    yield upstream
    upstream.stop()


@pytest.fixture(scope="module")
def scripted_sidecar(scripted, sidecars):
    return sidecars(scripted.url, {**MAIN_CONFIG, "limits": {"max_response_body": 100_000}}, "upstream-scripted")


@pytest.mark.parametrize("status", [502, 503, 500])
@pytest.mark.parametrize("path", [SEARCH, f"/{INDEX}/_msearch", f"/{INDEX}/_count"])
def test_html_error_page_is_returned_as_is(scripted, scripted_sidecar, status, path):
    scripted.state.update(status=status, payload=HTML, type="text/html", headers=[])
    body, headers = {"query": BLACK}, {}
    if path.endswith("_msearch"):
        body, headers = '{}\n{"query": {"match_all": {}}}\n', {"Content-Type": "application/x-ndjson"}
    reply = call(scripted_sidecar.url, "POST", path, body=body, headers=headers)
    assert reply.status == status
    assert reply.body == HTML
    assert reply.headers["content-type"] == "text/html"
    assert_healthy(scripted_sidecar.url)


@pytest.mark.parametrize(
    "status,extra",
    [(429, [("Retry-After", "7")]), (503, [("Retry-After", "30")])],
)
def test_429_and_503_keep_status_body_and_retry_after(scripted, scripted_sidecar, status, extra):
    payload = (
        b'{"error":{"root_cause":[{"type":"rejected_execution_exception","reason":"queue full"}],'
        b'"type":"rejected_execution_exception","reason":"queue full"},"status":%d}' % status
    )
    scripted.state.update(status=status, payload=payload, type="application/json", headers=extra)
    for method, path in (("POST", SEARCH), ("GET", f"/{INDEX}/_doc/sku-00001")):
        reply = call(scripted_sidecar.url, method, path, body={"query": BLACK} if method == "POST" else None)
        assert (reply.status, reply.body) == (status, payload)
        assert reply.headers["retry-after"] == extra[0][1]


def test_body_ten_times_over_the_limit_is_502_for_a_search_and_handed_on_for_a_read(scripted, scripted_sidecar):
    huge = b'{"hits":{"hits":[' + b",".join(b'{"_id":"%d","_score":1,"_source":{"pad":"%s"}}' % (n, b"x" * 900) for n in range(1100)) + b"]}}"
    assert len(huge) > 10 * 100_000
    scripted.state.update(status=200, payload=huge, type="application/json", headers=[])
    pid = scripted_sidecar.process.process.pid
    baseline = open_fds(pid)
    for _ in range(10):
        # A search is read whole, so max_response_body bounds it.
        reply = call(scripted_sidecar.url, "POST", SEARCH, body={"query": BLACK})
        error = assert_opensearch_error(reply, 502, "rerank_upstream_response_too_large_exception")
        assert "100000" in error["reason"]
        # A pass-through read is handed on as it arrives, never held, so the limit does not apply.
        reply = call(scripted_sidecar.url, "GET", f"/{INDEX}/_doc/1")
        assert (reply.status, reply.body) == (200, huge)
        assert reply.headers["content-length"] == str(len(huge))
    assert settled_fds(pid, baseline + 5) <= baseline + 5
    scripted.state.update(status=200, payload=b'{"hits":{"hits":[{"_id":"a","_score":1}]}}')
    assert call(scripted_sidecar.url, "POST", SEARCH, body={"query": BLACK}).status == 200


def trickle_body(connection):
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
    for _ in range(40):
        time.sleep(0.1)
        connection.sendall(b" ")


def test_body_trickling_past_the_deadline_is_504(sidecars):
    upstream = ScriptedSocketUpstream(trickle_body)
    try:
        sidecar = sidecars(upstream.url, {"upstream": {"timeout_ms": 1000}}, "upstream-trickle")
        started = time.monotonic()
        reply = call(sidecar.url, "POST", SEARCH, body={"query": BLACK})
        assert_opensearch_error(reply, 504, "rerank_upstream_timeout_exception")
        assert time.monotonic() - started < 3.5, "the deadline must cover the whole response, not only its head"
        assert_healthy(sidecar.url)
    finally:
        upstream.stop()


def test_upstream_down_and_back_twice_without_restart(sidecars):
    port = free_port()
    sidecar = sidecars(f"http://127.0.0.1:{port}", MAIN_CONFIG, "upstream-flapping")
    answer = b'{"hits":{"hits":[{"_id":"a","_score":1,"_source":{"popularity":3}}]}}'
    for _round in range(2):
        for _ in range(5):
            reply = call(sidecar.url, "POST", SEARCH, body={"query": BLACK})
            assert_opensearch_error(reply, 502, "rerank_upstream_unreachable_exception")
        assert call(sidecar.url, "GET", "/_rerank/ready").status == 503
        upstream = FakeUpstream(lambda method, path, body: (200, answer, "application/json"), port=port)
        try:
            for _ in range(5):
                reply = call(sidecar.url, "POST", SEARCH, body={"query": BLACK})
                assert reply.status == 200 and reply.rerank_status == "reranked"
            assert call(sidecar.url, "GET", "/_rerank/ready").status == 200
        finally:
            upstream.stop()
    assert_healthy(sidecar.url)
