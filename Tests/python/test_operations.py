"""The sidecar's own endpoints: health, readiness against the live engine, Prometheus metrics."""

from __future__ import annotations

import re

from rerank_support import INDEX, call, metric


def test_health_and_ready(sidecar_url):
    health = call(sidecar_url, "GET", "/_rerank/health")
    assert health.status == 200 and health.json() == {"status": "ok"}
    ready = call(sidecar_url, "GET", "/_rerank/ready")
    assert ready.status == 200 and ready.json()["ready"] is True


def test_metrics_count_outcomes(sidecar_url):
    before = call(sidecar_url, "GET", "/metrics")
    assert before.status == 200 and before.headers["content-type"].startswith("text/plain")
    call(sidecar_url, "POST", f"/{INDEX}/_search", body={"query": {"match": {"title": "black"}}})
    call(sidecar_url, "POST", f"/{INDEX}/_search", body={"size": 0})
    after = call(sidecar_url, "GET", "/metrics").body.decode()
    for line in after.splitlines():
        assert line.startswith("#") or re.match(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? \S+$", line), line
    old = before.body.decode()
    assert metric(after, "rerank_searches_total", 'outcome="reranked"') >= metric(old, "rerank_searches_total", 'outcome="reranked"') + 1
    assert metric(after, "rerank_searches_total", 'outcome="skipped"') >= metric(old, "rerank_searches_total", 'outcome="skipped"') + 1


def test_metrics_show_the_process_memory(sidecar_url):
    text = call(sidecar_url, "GET", "/metrics").body.decode()
    resident = metric(text, "process_resident_memory_bytes")
    in_use = metric(text, "rerank_heap_in_use_bytes")
    assert 1 << 20 < resident < 64 << 30
    # Linux runs glibc: the heap figures are there.
    assert 0 < in_use
    assert re.search(r"^rerank_heap_free_bytes \S+$", text, re.MULTILINE)
