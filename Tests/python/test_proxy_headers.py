"""Headers both ways through a recording fake cluster: hop-by-hop headers (and those a Connection header names)
stay on their own connection, the sidecar's own X-Rerank-* headers and ext.rerank never reach the cluster, and
X-Rerank-* headers the cluster sends never reach the client as if the sidecar had set them."""

from __future__ import annotations

import json

import pytest

from rerank_support import INDEX, FakeUpstream, call, ndjson

HIT = b'{"hits":{"hits":[{"_id":"a","_score":1,"_source":{"popularity":2}},{"_id":"b","_score":2,"_source":{"popularity":1}}]}}'
UPSTREAM_HEADERS = [
    ("Connection", "X-Upstream-Private"),
    ("X-Upstream-Private", "secret"),
    ("Keep-Alive", "timeout=5"),
    ("Proxy-Authenticate", "Basic"),
    ("Trailer", "X-Checksum"),
    ("Upgrade", "h2c"),
    ("X-Rerank-Status", "spoofed"),
    ("X-Rerank-Query-Id", "spoofed"),
    ("X-Opaque-Id", "kept"),
    ("X-Elastic-Product", "Elasticsearch"),
]


@pytest.fixture(scope="module")
def recording():
    upstream = FakeUpstream(lambda method, path, body: (200, HIT, "application/json", UPSTREAM_HEADERS))
    yield upstream
    upstream.stop()


@pytest.fixture(scope="module")
def recording_sidecar(recording, sidecars):
    return sidecars(recording.url, {"rerank": {"signals": [{"field": "popularity"}], "budget_ms": 10000}}, "recording-headers")


CLIENT_HEADERS = {
    "Connection": "keep-alive, X-Client-Private",
    "X-Client-Private": "secret",
    "Keep-Alive": "timeout=5",
    "TE": "trailers",
    "Proxy-Authorization": "Basic c2VjcmV0",
    "Proxy-Connection": "keep-alive",
    "X-Rerank-User": "alice",
    "X-Rerank-Session": "s-1",
    "X-Rerank-Device": "mobile",
    "X-Rerank-Timezone": "Europe/Berlin",
    "X-Rerank-Anything-New": "1",
    "X-Opaque-Id": "trace-7",
    "X-Custom": "kept",
}
DROPPED_UPSTREAM = {"x-client-private", "keep-alive", "te", "proxy-authorization", "proxy-connection"}


@pytest.mark.parametrize(
    "method,path,body",
    [
        ("POST", f"/{INDEX}/_search", {"query": {"match_all": {}}, "ext": {"rerank": {"user_id": "alice", "explain": True}}}),
        ("GET", f"/{INDEX}/_search", {"ext": {"rerank": {"weight": 0.3}}}),
        ("POST", f"/{INDEX}/_msearch", [{}, {"query": {"match_all": {}}, "ext": {"rerank": {"user_id": "alice"}}}]),
        ("GET", f"/{INDEX}/_doc/a", None),
        ("POST", f"/{INDEX}/_count", {"query": {"match_all": {}}}),
    ],
    ids=["search", "get_search", "msearch", "get_doc", "count"],
)
def test_headers_are_filtered_both_ways(recording, recording_sidecar, method, path, body):
    recording.requests.clear()
    recording.headers.clear()
    headers = dict(CLIENT_HEADERS)
    if isinstance(body, list):
        body, headers["Content-Type"] = ndjson(body), "application/x-ndjson"
    reply = call(recording_sidecar.url, method, path, body=body, headers=headers)
    assert reply.status == 200, reply.body[:300]

    forwarded = {}
    for name, value in recording.headers[-1]:
        forwarded.setdefault(name.lower(), []).append(value)
    assert not DROPPED_UPSTREAM & set(forwarded), forwarded
    assert not [name for name in forwarded if name.startswith("x-rerank-")], forwarded
    assert forwarded.get("connection", ["keep-alive"]) in (["keep-alive"], ["close"])
    assert forwarded["x-opaque-id"] == ["trace-7"] and forwarded["x-custom"] == ["kept"]
    _, _, sent = recording.requests[-1]
    assert b"rerank" not in sent, "the sidecar's ext.rerank reached the cluster"

    for name in ("x-upstream-private", "keep-alive", "proxy-authenticate", "trailer", "upgrade"):
        assert name not in reply.headers, name
    assert reply.headers.get("connection", "keep-alive").lower() in ("keep-alive", "close")
    assert reply.headers["x-opaque-id"] == "kept" and reply.headers["x-elastic-product"] == "Elasticsearch"
    assert reply.headers.get("x-rerank-query-id") != "spoofed"
    if path.endswith(("_search", "_msearch")):
        assert reply.headers["x-rerank-status"] != "spoofed"
    else:
        assert "x-rerank-status" not in reply.headers, "a passthrough answer must not carry the cluster's X-Rerank-* headers"
