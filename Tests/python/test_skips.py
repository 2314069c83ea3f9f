"""Searches the sidecar must not rerank are forwarded as they are but for what must never be returned:
`X-Rerank-Status: skipped: <reason>` and the engine's answer to the search with the configured exclusion."""

from __future__ import annotations

import pytest
from opensearchpy import OpenSearch

from rerank_support import EXCLUDED_BY_CONFIG, INDEX, call, excluding_config, ids, without_took

BLACK = {"match": {"title": "black"}}

SKIPPED = {
    "size_0_aggregations": (
        "", {"query": BLACK, "size": 0, "aggs": {"brands": {"terms": {"field": "brand"}}}}, "skipped: size 0",
    ),
    "sort_price": ("", {"query": BLACK, "size": 20, "sort": [{"price": "asc"}, {"id": "asc"}]}, "skipped: sort"),
    "sort_price_url": ("?sort=price:desc", {"query": BLACK, "size": 20}, "skipped: sort"),
    "search_after": (
        "",
        {"query": BLACK, "size": 10, "sort": [{"price": "asc"}, {"id": "asc"}], "search_after": [100, "sku-00000"]},
        "skipped: search_after",
    ),
    "collapse": ("", {"query": BLACK, "size": 10, "collapse": {"field": "category"}}, "skipped: collapse"),
    "scroll": ("?scroll=1m", {"query": BLACK, "size": 10}, "skipped: scroll"),
    "beyond_max_window": ("", {"query": {"match_all": {}}, "from": 995, "size": 10}, "skipped: page beyond max_window 1000"),
}


@pytest.mark.parametrize("case", sorted(SKIPPED), ids=sorted(SKIPPED))
def test_skipped_search_is_identical_to_direct(sidecar_url, osmem_url, case):
    query_string, body, status = SKIPPED[case]
    through = call(sidecar_url, "POST", f"/{INDEX}/_search{query_string}", body=body)
    engine = call(osmem_url, "POST", f"/{INDEX}/_search{query_string}", body=excluding_config(body))
    assert through.status == engine.status == 200, through.body[:300]
    assert through.rerank_status == status
    assert without_took(through.json()) == without_took(engine.json())
    assert ids(through.json()) == ids(engine.json())


def test_score_sort_is_still_reranked(sidecar_url):
    for sort in (["_score"], [{"_score": "desc"}], [{"_score": {"order": "desc"}}]):
        reply = call(sidecar_url, "POST", f"/{INDEX}/_search", body={"query": BLACK, "sort": sort})
        assert reply.status == 200 and reply.rerank_status == "reranked", (sort, reply.rerank_status)


def test_skipped_searches_through_the_client(direct, proxied):
    sort_body = {"query": BLACK, "size": 30, "sort": [{"price": "desc"}, {"id": "asc"}]}
    assert without_took(proxied.search(index=INDEX, body=sort_body)) == without_took(
        direct.search(index=INDEX, body=excluding_config(sort_body)))
    agg_body = {"size": 0, "aggs": {"stock": {"terms": {"field": "in_stock"}}}, "track_total_hits": True}
    assert without_took(proxied.search(index=INDEX, body=agg_body)) == without_took(
        direct.search(index=INDEX, body=excluding_config(agg_body)))
    # Paging with search_after through the client walks the same sequence as the engine.
    walked = {}
    for name, client in (("proxied", proxied), ("direct", direct)):
        after, seen = None, []
        while True:
            body = {"query": BLACK, "size": 25, "sort": [{"price": "asc"}, {"id": "asc"}]}
            if after is not None:
                body["search_after"] = after
            hits = client.search(index=INDEX, body=body if name == "proxied" else excluding_config(body))["hits"]["hits"]
            if not hits:
                break
            seen += [hit["_id"] for hit in hits]
            after = hits[-1]["sort"]
        walked[name] = seen
    assert walked["proxied"] == walked["direct"]
    assert len(walked["proxied"]) == direct.count(index=INDEX, body=excluding_config({"query": BLACK}))["count"]


def test_a_requests_excluded_ids_never_come_back_on_any_path(osmem_url, sidecars, proxied, direct):
    everything = ids(direct.search(index=INDEX, body={"query": BLACK, "size": 100, "sort": [{"price": "asc"}, {"id": "asc"}]}))
    excluded = everything[:3]
    ext = {"ext": {"rerank": {"exclude_ids": excluded}}}
    paths = {
        "reranked": {"query": BLACK, "size": 100},
        "sorted": {"query": BLACK, "size": 100, "sort": [{"price": "asc"}, {"id": "asc"}]},
        "size 0": {"query": BLACK, "size": 0, "track_total_hits": True},
        "beyond max_window": {"query": BLACK, "from": 0, "size": 2000},
    }
    off = sidecars(osmem_url, {"rerank": {"enabled": False}}, "reranking-off")
    for name, client in (("main", proxied), ("reranking off", OpenSearch(hosts=[off.url], timeout=15, max_retries=0))):
        for path, body in paths.items():
            answer = client.search(index=INDEX, body={**body, **ext})
            assert not set(ids(answer)) & set(excluded), (name, path)
            if path in ("sorted", "size 0", "beyond max_window") or name == "reranking off":
                # Forwarded with the exclusion: the cluster's own count leaves them out.
                assert answer["hits"]["total"]["value"] == len(everything) - len(excluded) - (
                    len(EXCLUDED_BY_CONFIG & set(everything)) if name == "main" else 0), (name, path)
    through = call(off.url, "GET", f"/{INDEX}/_search?q=title:black&size=100", headers={"X-Rerank-User": "u"})
    assert through.rerank_status == "skipped: reranking disabled"
    assert len(ids(through.json())) == len(everything), "a q search without exclusions is the cluster's own"


def test_a_q_search_not_reranked_keeps_its_query_and_the_exclusion(sidecar_url, osmem_url):
    through = call(sidecar_url, "GET", f"/{INDEX}/_search?q=title:black&sort=price:asc&size=100")
    engine = call(osmem_url, "GET", f"/{INDEX}/_search?q=title:black&sort=price:asc&size=100")
    assert through.status == engine.status == 200
    assert through.rerank_status == "skipped: sort"
    assert ids(through.json()) == [hit for hit in ids(engine.json()) if hit not in EXCLUDED_BY_CONFIG]
    assert ids(through.json()), "the q query still selects"
