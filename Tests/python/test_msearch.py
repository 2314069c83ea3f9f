"""`_msearch` through the sidecar: each sub-search is planned and reranked on its own, the envelope is the engine's."""

from __future__ import annotations

from rerank_support import EXCLUDED_BY_CONFIG, INDEX, call, excluding_config, ids, ndjson, without_volatile

BLACK = {"match": {"title": "black"}}
PREMIUM = {"match": {"description": "premium range"}}
BAGS = {"match": {"title": "bag"}}

SEARCHES = [
    ({"index": INDEX}, {"query": BLACK, "size": 100}),  # full result (78 matches)
    ({}, {"query": PREMIUM, "size": 10}),  # index from the path, first page
    ({"index": INDEX}, {"query": PREMIUM, "from": 10, "size": 10}),  # second page of the same search
    ({}, {"query": BAGS, "size": 100, "aggs": {"brands": {"terms": {"field": "brand"}}}}),
    ({}, {"size": 0, "aggs": {"categories": {"terms": {"field": "category"}}}}),  # size 0: skipped
]


def msearch_body(as_forwarded: bool = False):
    """The sub-searches; `as_forwarded`: the skipped one (size 0) with the configured exclusion, as the sidecar
    forwards it."""
    lines = []
    for header, body in SEARCHES:
        lines += [header, excluding_config(body) if as_forwarded and body["size"] == 0 else body]
    return lines


def test_each_sub_search_matches_direct(direct, proxied):
    through = proxied.msearch(index=INDEX, body=msearch_body())
    engine = direct.msearch(index=INDEX, body=msearch_body(as_forwarded=True))
    assert len(through["responses"]) == len(engine["responses"]) == len(SEARCHES)
    assert set(through) == set(engine)
    for (_, body), mine, theirs in zip(SEARCHES, through["responses"], engine["responses"]):
        assert without_volatile(mine) == without_volatile(theirs)
        assert len(ids(mine)) == len(set(ids(mine)))
        if body["size"] >= theirs["hits"]["total"]["value"]:
            # The sub-search returned every match: the same documents as the engine, minus the exclusion.
            assert set(ids(mine)) == set(ids(theirs)) - EXCLUDED_BY_CONFIG


def test_each_sub_search_is_reranked_like_a_single_search(proxied):
    through = proxied.msearch(index=INDEX, body=msearch_body())
    for (_, body), mine in zip(SEARCHES, through["responses"]):
        alone = proxied.search(index=INDEX, body=body)
        assert ids(mine) == ids(alone)
    first_page, second_page = ids(through["responses"][1]), ids(through["responses"][2])
    assert not set(first_page) & set(second_page)
    window = ids(proxied.search(index=INDEX, body={"query": PREMIUM, "size": 100}))
    assert first_page + second_page == window[:20]


def test_status_header_lists_each_sub_search(sidecar_url, osmem_url):
    reply = call(
        sidecar_url, "POST", f"/{INDEX}/_msearch", body=ndjson(msearch_body()),
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert reply.status == 200
    assert reply.rerank_status == "reranked, reranked, reranked, reranked, skipped: size 0"
    engine = call(
        osmem_url, "POST", f"/{INDEX}/_msearch", body=ndjson(msearch_body(as_forwarded=True)),
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert [without_volatile(r) for r in reply.json()["responses"]] == [
        without_volatile(r) for r in engine.json()["responses"]
    ]


def test_msearch_without_index_in_path(direct, proxied):
    body = [{"index": INDEX}, {"query": BLACK, "size": 100}, {"index": INDEX}, {"query": BAGS, "size": 3}]
    through = proxied.msearch(body=body)
    engine = direct.msearch(body=body)
    assert set(ids(through["responses"][0])) == set(ids(engine["responses"][0])) - EXCLUDED_BY_CONFIG
    assert len(ids(through["responses"][1])) == 3
    for mine, theirs in zip(through["responses"], engine["responses"]):
        assert without_volatile(mine) == without_volatile(theirs)


def test_sub_search_error_is_passed_through(direct, proxied):
    # One sub-search targets a missing index: the engine answers an error item, and the others still work.
    body = [{"index": "no-such-index"}, {"query": BLACK}, {"index": INDEX}, {"query": BLACK, "size": 100}]
    through = proxied.msearch(body=body)
    engine = direct.msearch(body=body)
    assert through["responses"][0] == engine["responses"][0]
    assert through["responses"][0]["status"] == 404
    assert set(ids(through["responses"][1])) == set(ids(engine["responses"][1])) - EXCLUDED_BY_CONFIG
