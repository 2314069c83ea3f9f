"""Experiments through a real client: each user sticks to a variant, the control variant answers exactly as the
engine does, the treatment is reranked, searches outside the experiment get the control's behaviour, and the QA
override header forces a variant or is refused with a 400."""

from __future__ import annotations

import pytest
from opensearchpy import OpenSearch

from rerank_support import INDEX, MAIN_CONFIG, call, ids, without_volatile

QUERY = {"query": {"match": {"title": "black"}}, "size": 10}
CONFIG = {
    **MAIN_CONFIG,
    "experiments": [
        {
            "name": "py-ab",
            "salt": "py-ab-1",
            "variants": [{"name": "control", "share": 0.5, "rerank": False}, {"name": "treatment", "share": 0.5}],
        }
    ],
}


@pytest.fixture(scope="module")
def experiment_url(osmem_url, sidecars) -> str:
    return sidecars(osmem_url, CONFIG, "experiments").url


def test_users_stick_to_their_variant_and_control_is_the_engine(direct, experiment_url):
    client = OpenSearch(hosts=[experiment_url], timeout=15, max_retries=0)
    engine = direct.search(index=INDEX, body=QUERY)
    variants = {}
    for number in range(30):
        user = f"py-user-{number}"
        body = {**QUERY, "ext": {"rerank": {"user_id": user}}}
        first = call(experiment_url, "POST", f"/{INDEX}/_search", body)
        second = call(experiment_url, "POST", f"/{INDEX}/_search", body)
        assert first.status == second.status == 200
        assert first.headers["x-rerank-experiment"] == "py-ab"
        assert first.headers["x-rerank-variant"] == second.headers["x-rerank-variant"]
        variants[user] = first.headers["x-rerank-variant"]
        through = client.search(index=INDEX, body=body)
        if variants[user] == "control":
            assert first.rerank_status.startswith("skipped: reranking off in experiment py-ab")
            assert without_volatile(through) == without_volatile(engine)
        else:
            assert first.rerank_status == "reranked"
            assert set(ids(through)) <= set(ids(direct.search(index=INDEX, body={**QUERY, "size": 100})))
    assert set(variants.values()) == {"control", "treatment"}


def test_the_override_header_forces_a_variant(experiment_url):
    forced = call(experiment_url, "POST", f"/{INDEX}/_search", QUERY,
                  {"X-Rerank-User": "py-user-0", "X-Rerank-Variant-Override": "py-ab/treatment"})
    assert forced.status == 200
    assert forced.headers["x-rerank-variant"] == "treatment"
    refused = call(experiment_url, "POST", f"/{INDEX}/_search", QUERY, {"X-Rerank-Variant-Override": "py-ab/nope"})
    assert refused.status == 400
    error = refused.json()["error"]
    assert error["type"] == "illegal_argument_exception"
    assert "X-Rerank-Variant-Override" in error["reason"] and "control, treatment" in error["reason"]


def test_searches_outside_the_experiment_get_the_controls_behaviour(direct, experiment_url):
    reply = call(experiment_url, "POST", f"/{INDEX}/_search", QUERY)
    assert reply.headers["x-rerank-variant"] == "default"
    assert "x-rerank-experiment" not in reply.headers
    assert reply.rerank_status == "skipped: reranking off by default (the control of experiment py-ab)"
    assert without_volatile(reply.json()) == without_volatile(direct.search(index=INDEX, body=QUERY))
