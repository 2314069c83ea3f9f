"""Searches through the sidecar answer like the engine, through the real client: same shape, same totals and
aggregations, same documents; only the order of hits changes, and pages are cut from one reranked window."""

from __future__ import annotations

import pytest

from rerank_support import EXCLUDED_BY_CONFIG, INDEX, WINDOW, call, ids, without_volatile

QUERIES = {
    "match_title": {"match": {"title": "black"}},  # 78 matches: the whole result fits in the window
    "match_description": {"match": {"description": "premium range"}},  # more matches than the window
    "bool_filter": {
        "bool": {"must": [{"match": {"title": "bag"}}], "filter": [{"range": {"price": {"lte": 200}}}]}
    },
    "match_all": {"match_all": {}},  # 600 equal scores: tie order comes from the engine
    "multi_match": {"multi_match": {"query": "acme waterproof", "fields": ["title^2", "description"]}},
}


@pytest.fixture(params=sorted(QUERIES), ids=sorted(QUERIES))
def query(request):
    return QUERIES[request.param]


def window_ids(client, query, size=WINDOW):
    return ids(client.search(index=INDEX, body={"query": query, "from": 0, "size": size}))


def test_page_has_engine_shape_and_engine_hits(direct, proxied, query):
    body = {"query": query, "size": 10}
    through = proxied.search(index=INDEX, body=body)
    engine = direct.search(index=INDEX, body=body)
    assert without_volatile(through) == without_volatile(engine)

    # Every hit is one of the engine's window hits, byte-for-byte equal as JSON (score and source included).
    engine_window = {hit["_id"]: hit for hit in direct.search(index=INDEX, body={"query": query, "size": WINDOW})["hits"]["hits"]}
    expected_count = min(10, len(set(engine_window) - EXCLUDED_BY_CONFIG))
    assert len(through["hits"]["hits"]) == expected_count
    for hit in through["hits"]["hits"]:
        assert hit == engine_window[hit["_id"]]
    assert not EXCLUDED_BY_CONFIG & set(ids(through))


@pytest.mark.parametrize("style", ["body", "url"])
def test_pages_are_cut_from_one_reranked_window(direct, proxied, query, style):
    def page(start, size):
        if style == "body":
            return ids(proxied.search(index=INDEX, body={"query": query, "from": start, "size": size}))
        return ids(proxied.search(index=INDEX, body={"query": query}, from_=start, size=size))

    window = window_ids(proxied, query)
    first, second = page(0, 10), page(10, 10)
    assert not set(first) & set(second)
    assert first + second == window[:20]
    # The reranked window holds the engine's window minus what the exclude rule removes.
    assert set(window) == set(window_ids(direct, query)) - EXCLUDED_BY_CONFIG
    assert len(window) == len(set(window))


def test_page_straddling_window_end_over_fetches(direct, proxied, query):
    # from + size > window: the sidecar fetches from + size hits, so the page is still cut from one ranking.
    whole = window_ids(proxied, query, size=120)
    assert ids(proxied.search(index=INDEX, body={"query": query, "from": 95, "size": 25})) == whole[95:120]
    assert set(whole) == set(window_ids(direct, query, size=120)) - EXCLUDED_BY_CONFIG


def test_full_window_returns_the_engines_documents(direct, proxied, query):
    # size >= matches or size == window: same set as the engine (minus the configured exclusion).
    total = direct.count(index=INDEX, body={"query": query})["count"]
    size = total if total <= WINDOW else WINDOW
    through = proxied.search(index=INDEX, body={"query": query, "size": max(size, 1)})
    engine = direct.search(index=INDEX, body={"query": query, "size": max(size, 1)})
    assert set(ids(through)) == set(ids(engine)) - EXCLUDED_BY_CONFIG
    assert without_volatile(through) == without_volatile(engine)


def test_size_beyond_matches_returns_all_matches(direct, proxied):
    query = QUERIES["match_title"]
    total = direct.count(index=INDEX, body={"query": query})["count"]
    through = proxied.search(index=INDEX, body={"query": query, "size": 500})
    engine = direct.search(index=INDEX, body={"query": query, "size": 500})
    assert len(ids(engine)) == total
    assert set(ids(through)) == set(ids(engine)) - EXCLUDED_BY_CONFIG


@pytest.mark.parametrize("track_total_hits", [True, 10, False])
def test_aggregations_and_total_hits_identical(direct, proxied, track_total_hits):
    body = {
        "query": QUERIES["match_description"],
        "size": 10,
        "track_total_hits": track_total_hits,
        "aggs": {
            "categories": {"terms": {"field": "category", "size": 20}},
            "price": {"stats": {"field": "price"}},
            "bands": {"range": {"field": "price", "ranges": [{"to": 50}, {"from": 50, "to": 200}, {"from": 200}]}},
            "in_stock": {"terms": {"field": "in_stock"}, "aggs": {"rating": {"avg": {"field": "rating"}}}},
        },
    }
    through = proxied.search(index=INDEX, body=body)
    engine = direct.search(index=INDEX, body=body)
    assert through["aggregations"] == engine["aggregations"]
    assert through["hits"].get("total") == engine["hits"].get("total")
    assert without_volatile(through) == without_volatile(engine)


def test_rest_total_hits_as_int_passes_through(direct, proxied):
    body = {"query": QUERIES["match_title"], "size": 5}
    through = proxied.search(index=INDEX, body=body, params={"rest_total_hits_as_int": "true"})
    engine = direct.search(index=INDEX, body=body, params={"rest_total_hits_as_int": "true"})
    assert through["hits"]["total"] == engine["hits"]["total"]
    assert without_volatile(through) == without_volatile(engine)


def test_search_without_index_and_with_get(direct, proxied, sidecar_url, osmem_url):
    body = {"query": QUERIES["match_title"], "size": 100}
    through = proxied.search(body=body)  # POST /_search
    engine = direct.search(body=body)
    assert set(ids(through)) == set(ids(engine)) - EXCLUDED_BY_CONFIG
    assert without_volatile(through) == without_volatile(engine)

    # GET with a body, and GET with only URL parameters, are searches too.
    got = call(sidecar_url, "GET", f"/{INDEX}/_search", body=body)
    assert got.status == 200 and got.rerank_status == "reranked"
    assert set(ids(got.json())) == set(ids(engine)) - EXCLUDED_BY_CONFIG
    by_url = call(sidecar_url, "GET", f"/{INDEX}/_search?q=title:black&size=10")
    engine_by_url = call(osmem_url, "GET", f"/{INDEX}/_search?q=title:black&size=100").json()
    assert by_url.status == 200 and by_url.rerank_status == "reranked"
    assert set(ids(by_url.json())) <= set(ids(engine_by_url))
    assert len(ids(by_url.json())) == 10


def test_response_headers_name_status_and_model(sidecar_url):
    reply = call(sidecar_url, "POST", f"/{INDEX}/_search", body={"query": QUERIES["match_title"]})
    assert reply.status == 200
    assert reply.rerank_status == "reranked"
    assert "signals" in reply.headers.get("x-rerank-model", "")  # names the configured ranker
    assert reply.headers["content-type"].startswith("application/json")


def test_concurrent_searches_through_one_client(proxied):
    from concurrent.futures import ThreadPoolExecutor

    requests = [
        (name, start) for name in sorted(QUERIES) for start in (0, 10, 20, 50)
    ] * 4
    expected = {
        (name, start): ids(proxied.search(index=INDEX, body={"query": QUERIES[name], "from": start, "size": 10}))
        for name, start in set(requests)
    }

    def run(key):
        name, start = key
        return key, ids(proxied.search(index=INDEX, body={"query": QUERIES[name], "from": start, "size": 10}))

    with ThreadPoolExecutor(max_workers=16) as pool:
        for key, got in pool.map(run, requests):
            assert got == expected[key], key
