"""A search nothing is done to goes to the cluster without its body being read: reranking off for it, no
impression logged, no filter applied unnamed, no exclude rule, and no `ext` in its body. It reaches the cluster
byte for byte, a malformed one included (the cluster answers it). Any of those things makes the sidecar plan the
search as before: `ext.rerank` is stripped, exclusions go into the query."""

from __future__ import annotations

import json

import pytest

from rerank_support import INDEX, FakeUpstream, call

ANSWER = b'{"took":1,"timed_out":false,"hits":{"total":{"value":1,"relation":"eq"},"max_score":1.0,"hits":[{"_id":"a","_score":1.0}]}}'
OFF = {"rerank": {"enabled": False}, "upstream": {"timeout_ms": 2000}}
OFF_WITH_RULE = {
    "rerank": {"enabled": False, "rules": [{"action": "exclude", "ids": ["sku-00003"]}]},
    "upstream": {"timeout_ms": 2000},
}


@pytest.fixture(scope="module")
def cluster():
    upstream = FakeUpstream(lambda method, path, body: (200, ANSWER, "application/json"))
    yield upstream
    upstream.stop()


@pytest.fixture(scope="module")
def off(cluster, sidecars):
    return sidecars(cluster.url, OFF, "unread-off")


@pytest.fixture(scope="module")
def off_with_rule(cluster, sidecars):
    return sidecars(cluster.url, OFF_WITH_RULE, "unread-rule")


def forwarded(cluster, sidecar, body: bytes, path: str = f"/{INDEX}/_search") -> bytes:
    cluster.requests.clear()
    reply = call(sidecar.url, "POST", path, body=body, headers={"Content-Type": "application/json"})
    assert reply.status == 200, reply.body
    assert reply.body == ANSWER
    assert reply.rerank_status == "skipped: reranking disabled"
    (method, sent_path, sent), = cluster.requests
    assert (method, sent_path) == ("POST", path)
    return sent


@pytest.mark.parametrize(
    "body",
    [
        b'{ "query" : {"match":{"title":"black"}},  "size":3 }',
        b'{"query": not json',  # the cluster's to answer
        b'{"query":{"match":{"title":"next"}}} trailing',  # the letters, not the key
    ],
)
def test_a_search_nothing_is_done_to_reaches_the_cluster_as_sent(cluster, off, body):
    assert forwarded(cluster, off, body) == body


@pytest.mark.parametrize(
    "body",
    [
        b'{"query":{"match_all":{}},"ext":{"rerank":{"user_id":"u1"}}}',
        b'{"query":{"match_all":{}},"\\u0065xt":{"rerank":{"user_id":"u1"}}}',  # the key spelled with an escape
    ],
)
def test_ext_rerank_is_still_stripped(cluster, off, body):
    sent = json.loads(forwarded(cluster, off, body))
    assert sent == {"query": {"match_all": {}}}


def test_a_malformed_body_with_ext_is_still_refused_by_the_sidecar(cluster, off):
    cluster.requests.clear()
    reply = call(off.url, "POST", f"/{INDEX}/_search", body=b'{"ext":{"rerank":', headers={"Content-Type": "application/json"})
    assert reply.status == 400
    assert cluster.requests == []


def test_an_exclude_rule_still_goes_into_the_query(cluster, off_with_rule):
    sent = json.loads(forwarded(cluster, off_with_rule, b'{"query":{"match":{"title":"black"}}}'))
    assert "must_not" in json.dumps(sent) and "sku-00003" in json.dumps(sent)
