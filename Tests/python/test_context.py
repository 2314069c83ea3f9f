"""Personalization and rules: ext.rerank is stripped, explain annotates hits, exclude_ids and the bury rule apply,
weight 0 keeps the engine's order."""

from __future__ import annotations

import pytest
from opensearchpy import RequestError

from rerank_support import EXCLUDED_BY_CONFIG, INDEX, MAIN_CONFIG, WINDOW, call, ids, in_stock_first, metric, without_volatile

BLACK = {"match": {"title": "black"}}
PREMIUM = {"match": {"description": "premium range"}}
FULL_EXT = {
    "user_id": "user-17",
    "session_id": "session-4",
    "context": {"device": "mobile", "timezone": "Europe/Berlin", "hour": 20, "weekday": 6},
    "weight": 0.7,
}


def engine_window(direct, query, size=WINDOW):
    return ids(direct.search(index=INDEX, body={"query": query, "size": size}))


def test_ext_rerank_is_stripped_before_forwarding(direct, proxied):
    body = {"query": BLACK, "size": 10, "ext": {"rerank": FULL_EXT}}
    # The engine itself refuses an unknown ext section, so a 200 proves the sidecar removed it.
    with pytest.raises(RequestError) as refused:
        direct.search(index=INDEX, body=body)
    assert refused.value.status_code == 400
    through = proxied.search(index=INDEX, body=body)
    assert len(ids(through)) == 10
    assert without_volatile(through) == without_volatile(direct.search(index=INDEX, body={"query": BLACK, "size": 10}))
    assert set(ids(through)) <= set(engine_window(direct, BLACK))


def test_explain_adds_rerank_object(direct, proxied, in_stock):
    engine_order = engine_window(direct, PREMIUM)
    for start in (0, 10):
        body = {"query": PREMIUM, "from": start, "size": 10, "ext": {"rerank": {"explain": True}}}
        through = proxied.search(index=INDEX, body=body)
        plain = proxied.search(index=INDEX, body={"query": PREMIUM, "from": start, "size": 10})
        assert ids(through) == ids(plain)  # explaining does not change the ranking
        assert all("_rerank" not in hit for hit in plain["hits"]["hits"])
        previous = None
        for position, hit in enumerate(through["hits"]["hits"]):
            explained = hit["_rerank"]
            assert explained["original_rank"] == engine_order.index(hit["_id"])
            assert explained["rank"] == start + position
            assert isinstance(explained["final_score"], (int, float))
            assert explained["search_score"] == pytest.approx(hit["_score"])
            assert set(explained.get("features", {})) == {"popularity", "rating"}
            if not in_stock[hit["_id"]]:
                assert "bury" in explained.get("rules", [])
            # Within the same bury group the list is sorted by final score.
            key = in_stock[hit["_id"]]
            if previous is not None and previous[0] == key:
                assert explained["final_score"] <= previous[1] + 1e-9
            previous = (key, explained["final_score"])
            # Apart from _rerank the hit is the engine's hit.
            rest = {k: v for k, v in hit.items() if k != "_rerank"}
            assert rest == next(h for h in plain["hits"]["hits"] if h["_id"] == hit["_id"])


def test_exclude_ids_removes_documents(proxied):
    window = ids(proxied.search(index=INDEX, body={"query": BLACK, "size": WINDOW}))
    banned = window[:3] + ["sku-00123"]
    body = {"query": BLACK, "size": 10, "ext": {"rerank": {"exclude_ids": banned}}}
    page = ids(proxied.search(index=INDEX, body=body))
    assert not set(page) & set(banned)
    assert page == [i for i in window if i not in banned][:10]


def test_header_personalization_is_accepted(sidecar_url, direct):
    headers = {
        "X-Rerank-User": "user-17",
        "X-Rerank-Session": "session-4",
        "X-Rerank-Device": "tablet",
        "X-Rerank-Timezone": "America/New_York",
        "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)",
    }
    reply = call(sidecar_url, "POST", f"/{INDEX}/_search", body={"query": BLACK, "size": 100}, headers=headers)
    assert reply.status == 200 and reply.rerank_status == "reranked"
    assert set(ids(reply.json())) == set(engine_window(direct, BLACK)) - EXCLUDED_BY_CONFIG


def test_header_personalization_through_client(proxied, direct):
    headers = {"X-Rerank-User": "user-17", "X-Rerank-Device": "desktop", "X-Rerank-Timezone": "Asia/Tokyo"}
    through = proxied.search(index=INDEX, body={"query": PREMIUM, "size": 10}, headers=headers)
    assert len(ids(through)) == 10
    assert set(ids(through)) <= set(engine_window(direct, PREMIUM))


@pytest.mark.parametrize("query", [BLACK, PREMIUM, {"match_all": {}}], ids=["black", "premium", "match_all"])
def test_bury_rule_puts_out_of_stock_last(proxied, in_stock, query):
    page = ids(proxied.search(index=INDEX, body={"query": query, "size": WINDOW}))
    flags = [in_stock[i] for i in page]
    assert False in flags and True in flags, "the query should return both in- and out-of-stock items"
    assert flags == sorted(flags, reverse=True), "an out-of-stock item comes before an in-stock one"


@pytest.mark.parametrize("start,size", [(0, 10), (10, 10), (0, 100), (37, 20)])
def test_weight_zero_keeps_engine_order_with_rules_applied(direct, proxied, in_stock, start, size):
    # The ranker is switched off; the configured business rules (bury out-of-stock, exclude sku-00003) still apply.
    for query in (BLACK, PREMIUM):
        body = {"query": query, "from": start, "size": size, "ext": {"rerank": {"weight": 0}}}
        through = ids(proxied.search(index=INDEX, body=body))
        engine = [i for i in engine_window(direct, query, max(WINDOW, start + size)) if i not in EXCLUDED_BY_CONFIG]
        assert through == in_stock_first(engine, in_stock)[start : start + size]


@pytest.fixture(scope="module")
def rules_free(osmem_url, sidecars):
    """A sidecar with the same signals and no business rules."""
    config = {"rerank": {"signals": MAIN_CONFIG["rerank"]["signals"], "budget_ms": 10000}}
    sidecar = sidecars(osmem_url, config, "signals-only")
    from opensearchpy import OpenSearch

    return OpenSearch(hosts=[sidecar.url], timeout=15, max_retries=0)


@pytest.mark.parametrize("start,size", [(0, 10), (10, 10), (0, 100), (37, 20), (90, 30)])
def test_weight_zero_without_rules_is_the_engines_page(direct, rules_free, start, size):
    for query in (BLACK, PREMIUM, {"match_all": {}}):
        body = {"query": query, "from": start, "size": size}
        through = rules_free.search(index=INDEX, body={**body, "ext": {"rerank": {"weight": 0}}})
        engine = direct.search(index=INDEX, body=body)
        assert ids(through) == ids(engine)
        assert without_volatile(through, max_score=False) == without_volatile(engine, max_score=False)
        top = direct.search(index=INDEX, body={"query": query, "size": 1})["hits"]["max_score"]
        assert through["hits"]["max_score"] == top  # the best score of all matches, as OpenSearch reports it
        # And with the ranker on, the same documents in the window come back (only the order may differ).
        reranked_window = ids(rules_free.search(index=INDEX, body={"query": query, "size": max(WINDOW, start + size)}))
        assert set(reranked_window) == set(engine_window(direct, query, max(WINDOW, start + size)))


def test_budget_exceeded_falls_back_to_the_engines_order_under_the_rules(osmem_url, sidecars, direct, in_stock):
    sidecar = sidecars(osmem_url, {"rerank": {**MAIN_CONFIG["rerank"], "budget_ms": 0}}, "no-budget")
    for start, size in ((0, 10), (10, 10), (0, 100)):
        body = {"query": PREMIUM, "from": start, "size": size}
        reply = call(sidecar.url, "POST", f"/{INDEX}/_search", body=body)
        assert reply.status == 200
        assert reply.rerank_status == "fallback: budget exceeded"
        # Fail open: the engine's order, but the rules still hold: the excluded hit never comes back, the
        # out-of-stock ones are buried.
        window = ids(direct.search(index=INDEX, body={"query": PREMIUM, "size": max(WINDOW, start + size)}))
        expected = in_stock_first([hit for hit in window if hit not in EXCLUDED_BY_CONFIG], in_stock)
        assert ids(reply.json()) == expected[start:start + size]
    metrics = call(sidecar.url, "GET", "/metrics").body.decode()
    assert metric(metrics, "rerank_fallbacks_total", 'reason="budget exceeded"') == 3
