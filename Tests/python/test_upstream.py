"""The sidecar against misbehaving or scripted upstreams: down (502), slow (504), garbage, errors, and a canned
response with fields the sidecar does not know, which must come back untouched."""

from __future__ import annotations

import json
import threading
import time

import pytest
from opensearchpy import OpenSearch, TransportError

from rerank_support import (
    INDEX,
    MAIN_CONFIG,
    FakeUpstream,
    assert_healthy,
    assert_opensearch_error,
    call,
    free_port,
    metric,
    ndjson,
    request_cut_short,
)

BLACK = {"match": {"title": "black"}}


@pytest.fixture(scope="module")
def down_sidecar(sidecars):
    return sidecars(f"http://127.0.0.1:{free_port()}", MAIN_CONFIG, "upstream-down")


@pytest.mark.parametrize(
    "method,path,body",
    [
        ("POST", f"/{INDEX}/_search", {"query": BLACK}),
        ("POST", f"/{INDEX}/_msearch", [{}, {"query": BLACK}]),
        ("POST", f"/{INDEX}/_count", {"query": BLACK}),
        ("GET", f"/{INDEX}/_doc/sku-00001", None),
        ("GET", "/", None),
    ],
    ids=["search", "msearch", "count", "get", "root"],
)
def test_upstream_down_is_502(down_sidecar, method, path, body):
    headers = {}
    if isinstance(body, list):
        body, headers = ndjson(body), {"Content-Type": "application/x-ndjson"}
    started = time.monotonic()
    reply = call(down_sidecar.url, method, path, body=body, headers=headers)
    assert time.monotonic() - started < 10
    error = assert_opensearch_error(reply, 502, "rerank_upstream_unreachable_exception")
    assert "unreachable" in error["reason"]
    assert_healthy(down_sidecar.url)


def test_upstream_down_through_client_and_ready(down_sidecar):
    client = OpenSearch(hosts=[down_sidecar.url], timeout=15, max_retries=0)
    with pytest.raises(TransportError) as raised:
        client.search(index=INDEX, body={"query": BLACK})
    assert raised.value.status_code == 502
    assert raised.value.info["error"]["type"] == "rerank_upstream_unreachable_exception"
    ready = call(down_sidecar.url, "GET", "/_rerank/ready")
    assert ready.status == 503 and ready.json()["ready"] is False
    assert_healthy(down_sidecar.url)


SLOW_S = 3.0


@pytest.fixture(scope="module")
def slow_sidecar(sidecars):
    def respond(method, path, body):
        if path.startswith("/_rerank") or path == "/":
            return 200, b'{"ok":true}', "application/json"
        sidecar.upstream_busy.set()
        time.sleep(SLOW_S)  # the fault under test: an engine that answers after the sidecar's timeout
        return 200, json.dumps({"took": 1, "timed_out": False, "hits": {"hits": []}}).encode(), "application/json"

    upstream = FakeUpstream(respond)
    sidecar = sidecars(upstream.url, {"upstream": {"timeout_ms": 500}}, "upstream-slow")
    sidecar.upstream_busy = threading.Event()  # set when a request reaches the slow engine
    yield sidecar
    upstream.stop()


@pytest.mark.parametrize("path", [f"/{INDEX}/_search", f"/{INDEX}/_count"])
def test_slow_upstream_is_504(slow_sidecar, path):
    started = time.monotonic()
    reply = call(slow_sidecar.url, "POST", path, body={"query": BLACK})
    elapsed = time.monotonic() - started
    error = assert_opensearch_error(reply, 504, "rerank_upstream_timeout_exception")
    assert "0.5" in error["reason"]
    assert elapsed < SLOW_S, "the sidecar waited for the upstream instead of timing out"
    assert_healthy(slow_sidecar.url)


def test_slow_upstream_does_not_block_other_requests(slow_sidecar):
    results = []
    worker = threading.Thread(
        target=lambda: results.append(call(slow_sidecar.url, "POST", f"/{INDEX}/_search", body={"query": BLACK}))
    )
    slow_sidecar.upstream_busy.clear()
    worker.start()
    assert slow_sidecar.upstream_busy.wait(timeout=10), "the search never reached the engine"
    started = time.monotonic()
    assert_healthy(slow_sidecar.url)
    assert time.monotonic() - started < 0.4
    worker.join(timeout=10)
    assert results and results[0].status == 504


GARBAGE = {
    "not_json": b"not json",
    "truncated": b'{"took":1,"hits":{"total":{"value":2},"hits":[{"_id":"a","_score":1.0,"_source":{"popularity":',
    "empty_object": b"{}",
    "array": b"[1,2,3]",
    "hits_not_array": b'{"hits":{"hits":"nope"}}',
    "empty": b"",
}


@pytest.fixture(scope="module")
def garbage_upstream():
    state = {"payload": b"not json", "status": 200}
    upstream = FakeUpstream(lambda method, path, body: (state["status"], state["payload"], "application/json"))
    upstream.state = state
    yield upstream
    upstream.stop()


@pytest.fixture(scope="module")
def garbage_sidecar(garbage_upstream, sidecars):
    return sidecars(garbage_upstream.url, MAIN_CONFIG, "upstream-garbage")


@pytest.mark.parametrize("name", sorted(GARBAGE), ids=sorted(GARBAGE))
def test_garbage_search_response_fails_open(garbage_upstream, garbage_sidecar, name):
    garbage_upstream.state.update(payload=GARBAGE[name], status=200)
    reply = call(garbage_sidecar.url, "POST", f"/{INDEX}/_search", body={"query": BLACK, "size": 5})
    # What the sidecar does: pass the engine's bytes through unchanged and say it fell back.
    assert reply.status == 200
    assert reply.body == GARBAGE[name]
    assert reply.rerank_status is not None and reply.rerank_status.startswith("fallback: "), reply.rerank_status
    assert_healthy(garbage_sidecar.url)


def test_garbage_msearch_response_fails_open(garbage_upstream, garbage_sidecar):
    garbage_upstream.state.update(payload=b"not json", status=200)
    reply = call(
        garbage_sidecar.url, "POST", f"/{INDEX}/_msearch", body=ndjson([{}, {"query": BLACK}]),
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert reply.status == 200 and reply.body == b"not json"
    assert reply.rerank_status.startswith("fallback: ")
    assert_healthy(garbage_sidecar.url)


def test_garbage_passthrough_is_passed_through(garbage_upstream, garbage_sidecar):
    garbage_upstream.state.update(payload=b"not json", status=200)
    reply = call(garbage_sidecar.url, "GET", f"/{INDEX}/_doc/sku-00001")
    assert reply.status == 200 and reply.body == b"not json"
    assert_healthy(garbage_sidecar.url)


@pytest.mark.parametrize("status", [400, 429, 500, 503])
def test_upstream_error_is_returned_as_is(garbage_upstream, garbage_sidecar, status):
    error = {
        "error": {"root_cause": [{"type": "x", "reason": "y"}], "type": "search_phase_execution_exception", "reason": "boom"},
        "status": status,
    }
    payload = json.dumps(error, separators=(",", ":")).encode()
    garbage_upstream.state.update(payload=payload, status=status)
    reply = call(garbage_sidecar.url, "POST", f"/{INDEX}/_search", body={"query": BLACK})
    assert reply.status == status
    assert reply.body == payload
    assert_healthy(garbage_sidecar.url)


# A canned engine response with fields the sidecar has no reason to know, odd escapes and number spellings.
POPULARITY = [1, 50, 5, 500, 10]


def canned_hit(n: int, popularity: int) -> bytes:
    return (
        '{"_index":"products","_id":"doc-%d","_score":2.5,"_ignored":["x"],"matched_queries":["q1"],'
        '"highlight":{"title":["<em>t\\u00e9 %d</em>"]},"fields":{"v":[%d]},'
        '"_source":{"popularity":%d,"rating":4,"in_stock":true,"title":"caf\\u00e9 \\"%d\\"","n":1e3,"z":-0.0}}'
        % (n, n, n, popularity, n)
    ).encode()


CANNED_HEAD = (
    b'{"took":3,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},'
    b'"_clusters":{"total":1,"successful":1,"skipped":0},"x_vendor":{"nested":[1,2.50,{"a":"\\u2603"}],"flag":null},'
    b'"hits":{"total":{"value":5,"relation":"eq"},"max_score":2.5,"hits":['
)
CANNED_TAIL = b']},"aggregations":{"t":{"buckets":[]}},"pit_id":"abc=="}'


def canned_bytes(order=range(len(POPULARITY))) -> bytes:
    return CANNED_HEAD + b",".join(canned_hit(n, POPULARITY[n]) for n in order) + CANNED_TAIL


@pytest.fixture(scope="module")
def canned_upstream():
    payload = canned_bytes()
    json.loads(payload)  # the canned response itself is valid JSON
    upstream = FakeUpstream(lambda method, path, body: (200, payload, "application/json"))
    yield upstream
    upstream.stop()


@pytest.fixture(scope="module")
def canned_sidecar(canned_upstream, sidecars):
    return sidecars(canned_upstream.url, MAIN_CONFIG, "upstream-canned")


def test_unknown_fields_and_hit_bytes_are_untouched(canned_upstream, canned_sidecar):
    reply = call(canned_sidecar.url, "POST", f"/{INDEX}/_search", body={"query": BLACK, "size": 3})
    assert reply.status == 200 and reply.rerank_status == "reranked"
    # Equal search scores, so the popularity signal decides (500, 50, 10). Everything outside the hit list,
    # unknown fields included, and every hit are the engine's bytes, unchanged.
    assert reply.body == canned_bytes([3, 1, 4])


def test_explain_appends_to_original_hit_bytes(canned_sidecar):
    body = {"query": BLACK, "from": 1, "size": 2, "ext": {"rerank": {"explain": True}}}
    reply = call(canned_sidecar.url, "POST", f"/{INDEX}/_search", body=body)
    assert reply.status == 200
    hits = reply.json()["hits"]["hits"]
    assert [hit["_id"] for hit in hits] == ["doc-1", "doc-4"]
    assert [hit["_rerank"]["original_rank"] for hit in hits] == [1, 4]
    for hit, n in zip(hits, (1, 4)):
        assert canned_hit(n, POPULARITY[n])[:-1] in reply.body  # the original bytes, `_rerank` appended


def test_rewrite_over_fetches_window_and_strips_ext(canned_upstream, canned_sidecar):
    cases = [
        ({"query": BLACK, "from": 20, "size": 10, "ext": {"rerank": {"user_id": "u"}}}, "", 100),
        ({"query": BLACK, "from": 95, "size": 10}, "", 105),
        ({"query": BLACK}, "?from=30&size=5&request_cache=true", 100),
        ({"query": BLACK, "ext": {"rerank": {"weight": 0.2}, "other": {"k": 1}}}, "", 100),
    ]
    for body, query_string, expected_size in cases:
        canned_upstream.requests.clear()
        reply = call(canned_sidecar.url, "POST", f"/{INDEX}/_search{query_string}", body=body)
        assert reply.status == 200
        method, path, sent = canned_upstream.requests[-1]
        forwarded = json.loads(sent)
        assert forwarded["from"] == 0 and forwarded["size"] == expected_size, forwarded
        assert forwarded["query"] == BLACK
        assert "rerank" not in forwarded.get("ext", {})
        if "other" in body.get("ext", {}):
            assert forwarded["ext"] == {"other": {"k": 1}}  # other ext sections are kept
        elif "ext" in body:
            assert "ext" not in forwarded
        assert "from=" not in path and "size=" not in path, path
        if "request_cache" in query_string:
            assert "request_cache=true" in path


@pytest.mark.parametrize("name", ["deep_nesting", "hit_not_object", "trailing_data", "hits_null", "byte_order_mark"])
def test_malformed_search_json_fails_open(garbage_upstream, garbage_sidecar, name):
    payload = {
        "deep_nesting": b'{"hits":{"hits":[' + b"[" * 100000 + b"]" * 100000 + b"]}}",
        "hit_not_object": b'{"hits":{"hits":[1,"x",null]}}',
        "trailing_data": b'{"hits":{"hits":[]}} trailing',
        "hits_null": b'{"hits":null}',
        "byte_order_mark": b'\xef\xbb\xbf{"hits":{"hits":[{"_id":"a","_score":1}]}}',
    }[name]
    garbage_upstream.state.update(payload=payload, status=200)
    reply = call(garbage_sidecar.url, "POST", f"/{INDEX}/_search", body={"query": BLACK, "ext": {"rerank": {"explain": True}}})
    assert reply.status == 200 and reply.body == payload
    assert reply.rerank_status.startswith("fallback: ")
    assert_healthy(garbage_sidecar.url)


def test_odd_but_valid_hits_are_reranked(garbage_upstream, garbage_sidecar):
    # Whitespace everywhere, a hit without _source, one without _id, null and string values where numbers belong.
    payload = (
        b'  {  "hits" : { "hits" : [ { "_id" : "a" , "_score" : 1 } , { "_score" : 3, "_source": {"popularity": 5} } ,'
        b' { "_id" : "c" , "_score" : null , "_source" : { "popularity" : "lots", "rating": [1, 2], "in_stock": "no" } } ] } }  '
    )
    garbage_upstream.state.update(payload=payload, status=200)
    reply = call(garbage_sidecar.url, "POST", f"/{INDEX}/_search", body={"size": 2, "ext": {"rerank": {"explain": True}}})
    assert reply.status == 200 and reply.rerank_status == "reranked"
    hits = reply.json()["hits"]["hits"]
    assert len(hits) == 2 and all("_rerank" in hit for hit in hits)
    assert_healthy(garbage_sidecar.url)


def test_upstream_closing_mid_response_is_502_or_cut_short(sidecars):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)

    def serve():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"hits\":")
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        sidecar = sidecars(f"http://127.0.0.1:{listener.getsockname()[1]}", MAIN_CONFIG, "upstream-cut")
        # A search is read whole: the cut is a 502.
        reply = call(sidecar.url, "POST", f"/{INDEX}/_search", body={"query": BLACK})
        assert_opensearch_error(reply, 502, "rerank_upstream_unreachable_exception")
        assert_healthy(sidecar.url)
        # A count is handed on as it arrives: the client gets what came, on a connection closed before the end.
        status, partial = request_cut_short(sidecar.url, "POST", f"/{INDEX}/_count", body={"query": BLACK})
        assert (status, partial) == (200, b'{"hits":')
        metrics = call(sidecar.url, "GET", "/metrics").body.decode()
        assert metric(metrics, "rerank_upstream_cut_responses_total", 'route="passthrough",reason="error"') == 1
        assert_healthy(sidecar.url)
    finally:
        listener.close()
        thread.join(timeout=5)


def test_upstream_that_comes_up_later_is_used(sidecars):
    port = free_port()
    sidecar = sidecars(f"http://127.0.0.1:{port}", MAIN_CONFIG, "upstream-late")
    assert call(sidecar.url, "POST", f"/{INDEX}/_search", body={"query": BLACK}).status == 502
    late = FakeUpstream(lambda method, path, body: (200, b'{"hits":{"hits":[{"_id":"a","_score":1}]}}', "application/json"), port=port)
    try:
        reply = call(sidecar.url, "POST", f"/{INDEX}/_search", body={"query": BLACK})
        assert reply.status == 200 and reply.rerank_status == "reranked"
        assert reply.json() == {"hits": {"hits": [{"_id": "a", "_score": 1}]}}
    finally:
        late.stop()


def test_upstream_response_over_limit_is_502(osmem_url, sidecars):
    sidecar = sidecars(osmem_url, {"limits": {"max_response_body": 5000}}, "small-response")
    reply = call(sidecar.url, "POST", f"/{INDEX}/_search", body={"query": BLACK, "size": 50})
    error = assert_opensearch_error(reply, 502, "rerank_upstream_response_too_large_exception")
    assert "5000" in error["reason"]
    small = call(sidecar.url, "POST", f"/{INDEX}/_count", body={"query": BLACK})
    assert small.status == 200 and small.json()["count"] == 78
    assert_healthy(sidecar.url)
