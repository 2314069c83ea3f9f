"""Searches the sidecar must not rerank are forwarded as they are: `X-Rerank-Status: skipped: <reason>` and the
engine's answer unchanged."""

from __future__ import annotations

import pytest

from rerank_support import INDEX, call, ids, without_took

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
    engine = call(osmem_url, "POST", f"/{INDEX}/_search{query_string}", body=body)
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
    assert without_took(proxied.search(index=INDEX, body=sort_body)) == without_took(direct.search(index=INDEX, body=sort_body))
    agg_body = {"size": 0, "aggs": {"stock": {"terms": {"field": "in_stock"}}}, "track_total_hits": True}
    assert without_took(proxied.search(index=INDEX, body=agg_body)) == without_took(direct.search(index=INDEX, body=agg_body))
    # Paging with search_after through the client walks the same sequence as the engine.
    walked = {}
    for name, client in (("proxied", proxied), ("direct", direct)):
        after, seen = None, []
        while True:
            body = {"query": BLACK, "size": 25, "sort": [{"price": "asc"}, {"id": "asc"}]}
            if after is not None:
                body["search_after"] = after
            hits = client.search(index=INDEX, body=body)["hits"]["hits"]
            if not hits:
                break
            seen += [hit["_id"] for hit in hits]
            after = hits[-1]["sort"]
        walked[name] = seen
    assert walked["proxied"] == walked["direct"]
    assert len(walked["proxied"]) == direct.count(index=INDEX, body={"query": BLACK})["count"]
