"""Options real clients use on searches: source filtering (body and URL), filter_path, compressed request bodies,
index expressions. The ranking must not depend on what the client asks to get back, and the hits must come back
exactly as the engine shapes them."""

from __future__ import annotations

import json

import pytest
from opensearchpy import OpenSearch

from rerank_support import INDEX, call, ids, ndjson

BLACK = {"match": {"title": "black"}}
SIZE = 100  # the whole result of BLACK (78 matches), so the engine's hits and the sidecar's are the same set


def xfail(reason):
    return pytest.mark.xfail(strict=True, reason=reason)


SOURCE_VARIANTS = [
    pytest.param("", {"_source": ["title"]}, id="body_includes_list"),
    pytest.param("", {"_source": "title"}, id="body_includes_string"),
    pytest.param("", {"_source": False}, id="body_false"),
    pytest.param("", {"_source": {"includes": ["ti*"]}}, id="body_includes_trailing_wildcard"),
    pytest.param("", {"_source": {"includes": ["t*", "in_*"]}}, id="body_includes_two_wildcards"),
    pytest.param("", {"_source": {"excludes": ["popularity", "in_stock"]}}, id="body_excludes_ranking_fields"),
    pytest.param("", {"_source": {"includes": ["title", "popularity"], "excludes": ["rating"]}}, id="body_includes_excludes"),
    pytest.param("", {"_source": ["*"]}, id="body_includes_star"),
    pytest.param(
        "",
        {"version": True, "seq_no_primary_term": True, "explain": True, "docvalue_fields": ["price"],
         "highlight": {"fields": {"title": {}}}, "_source": ["title"]},
        id="hit_extras",
    ),
    pytest.param(
        "", {"_source": {"excludes": ["pop*"]}}, id="body_excludes_wildcard",
        marks=xfail("source filter widening ignores wildcard excludes: `\"_source\": {\"excludes\": [\"pop*\"]}` "
                    "hides `popularity` from the ranker, so the order differs from the unfiltered search"),
    ),
    pytest.param(
        "", {"_source": {"excludes": ["*ing"]}}, id="body_excludes_leading_wildcard",
        marks=xfail("source filter widening ignores wildcard excludes: `\"_source\": {\"excludes\": [\"*ing\"]}` "
                    "hides `rating` from the ranker, so the order differs from the unfiltered search"),
    ),
    pytest.param(
        "", {"_source": ["*le"]}, id="body_includes_leading_wildcard",
        marks=xfail("`\"_source\": [\"*le\"]`: the fields added for ranking (popularity, rating, in_stock) are not "
                    "stripped again because a client pattern starts with `*`; the hits' _source gains fields the "
                    "engine does not return"),
    ),
    pytest.param(
        "", {"_source": ["po*ty", "title"]}, id="body_includes_inner_wildcard",
        marks=xfail("`\"_source\": [\"po*ty\", \"title\"]`: SourceFilter.covered only knows trailing `*`, so "
                    "`popularity` is added for ranking and then stripped, although the client's pattern asked for "
                    "it; the engine returns popularity, the sidecar does not"),
    ),
    pytest.param(
        "", {"_source": {"includes": ["*"], "excludes": ["rating"]}}, id="body_star_minus_excluded",
        marks=xfail("`\"_source\": {\"includes\": [\"*\"], \"excludes\": [\"rating\"]}`: rating is un-excluded for "
                    "ranking and not stripped again (the `*` include blocks the removal); hits gain `rating`"),
    ),
    pytest.param(
        "?_source=false", {}, id="url_source_false",
        marks=xfail("URL source filters are not widened: `?_source=false` leaves the ranker without popularity, "
                    "rating and in_stock, so the order (bury rule included) differs from the unfiltered search"),
    ),
    pytest.param(
        "?_source=title", {}, id="url_source_fields",
        marks=xfail("URL source filters are not widened: `?_source=title` leaves the ranker without its fields"),
    ),
    pytest.param(
        "?_source_includes=title", {}, id="url_source_includes",
        marks=xfail("URL source filters are not widened: `?_source_includes=title` (opensearch-py's "
                    "`_source_includes=` argument) leaves the ranker without its fields"),
    ),
    pytest.param(
        "?_source_excludes=popularity,in_stock", {}, id="url_source_excludes",
        marks=xfail("URL source filters are not widened: `?_source_excludes=popularity,in_stock` hides ranking "
                    "fields, so the order (bury rule included) differs from the unfiltered search"),
    ),
]


@pytest.mark.parametrize("query_string,source", SOURCE_VARIANTS)
def test_source_filtering_keeps_ranking_and_engine_hits(sidecar_url, osmem_url, query_string, source):
    unfiltered = ids(call(sidecar_url, "POST", f"/{INDEX}/_search", body={"query": BLACK, "size": SIZE}).json())
    body = {"query": BLACK, "size": SIZE, **source}
    through = call(sidecar_url, "POST", f"/{INDEX}/_search{query_string}", body=body)
    engine = call(osmem_url, "POST", f"/{INDEX}/_search{query_string}", body=body)
    assert through.status == engine.status == 200
    assert through.rerank_status == "reranked"
    engine_hits = {hit["_id"]: hit for hit in engine.json()["hits"]["hits"]}
    for hit in through.json()["hits"]["hits"]:
        assert hit == engine_hits[hit["_id"]], "the hit differs from the engine's"
    # What the client asks to get back does not change the ranking.
    assert ids(through.json()) == unfiltered


def test_source_filtering_in_msearch(sidecar_url, osmem_url):
    searches = [{}, {"query": BLACK, "size": SIZE, "_source": ["title"]}, {}, {"query": BLACK, "size": SIZE, "_source": False}]
    through = call(sidecar_url, "POST", f"/{INDEX}/_msearch", body=ndjson(searches), headers={"Content-Type": "application/x-ndjson"})
    engine = call(osmem_url, "POST", f"/{INDEX}/_msearch", body=ndjson(searches), headers={"Content-Type": "application/x-ndjson"})
    unfiltered = ids(call(sidecar_url, "POST", f"/{INDEX}/_search", body={"query": BLACK, "size": SIZE}).json())
    for mine, theirs in zip(through.json()["responses"], engine.json()["responses"]):
        engine_hits = {hit["_id"]: hit for hit in theirs["hits"]["hits"]}
        assert all(hit == engine_hits[hit["_id"]] for hit in mine["hits"]["hits"])
        assert ids(mine) == unfiltered


def test_source_filtering_through_client_body(proxied, direct):
    through = proxied.search(index=INDEX, body={"query": BLACK, "size": SIZE, "_source": ["title", "price"]})
    assert ids(through) == ids(proxied.search(index=INDEX, body={"query": BLACK, "size": SIZE}))
    assert all(set(hit["_source"]) <= {"title", "price"} for hit in through["hits"]["hits"])


@pytest.mark.xfail(
    strict=True,
    reason="filter_path: `POST /products/_search?filter_path=hits.hits._id` is forwarded with the filter, so the "
    "ranker sees neither _score nor _source, yet the answer says `X-Rerank-Status: reranked` with an order that "
    "ignores the signals and the bury rule; expected the order of the unfiltered search (or an honest "
    "`skipped:`/`fallback:` status)",
)
def test_filter_path_keeps_ranking(sidecar_url):
    unfiltered = call(sidecar_url, "POST", f"/{INDEX}/_search", body={"query": BLACK, "size": 20})
    filtered = call(sidecar_url, "POST", f"/{INDEX}/_search?filter_path=hits.hits._id", body={"query": BLACK, "size": 20})
    assert filtered.status == 200
    assert set(filtered.json()) == {"hits"} and all(set(hit) == {"_id"} for hit in filtered.json()["hits"]["hits"])
    if filtered.rerank_status == "reranked":
        assert ids(filtered.json()) == ids(unfiltered.json())
    else:
        assert filtered.rerank_status.startswith(("skipped: ", "fallback: "))


def test_filter_path_shape_matches_engine(sidecar_url, osmem_url):
    path = f"/{INDEX}/_search?filter_path=hits.total,aggregations"
    body = {"query": BLACK, "size": 5, "aggs": {"b": {"terms": {"field": "brand"}}}}
    through = call(sidecar_url, "POST", path, body=body)
    engine = call(osmem_url, "POST", path, body=body)
    assert through.status == engine.status == 200
    assert through.json() == engine.json()


@pytest.mark.xfail(
    strict=True,
    reason="gzip request bodies: opensearch-py with `http_compress=True` sends searches with "
    "`Content-Encoding: gzip`; the sidecar parses the compressed bytes as JSON and answers 400 parsing_exception "
    "`unexpected character at byte 0` (the engine accepts them; passthrough requests work)",
)
def test_compressed_search_through_client(osmem_url, sidecar_url):
    compressed = OpenSearch(hosts=[sidecar_url], http_compress=True, timeout=15, max_retries=0)
    direct = OpenSearch(hosts=[osmem_url], http_compress=True, timeout=15)
    body = {"query": BLACK, "size": SIZE}
    assert set(ids(compressed.search(index=INDEX, body=body))) == set(ids(direct.search(index=INDEX, body=body))) - {"sku-00003"}


@pytest.mark.xfail(
    strict=True,
    reason="gzip request bodies: `_msearch` through opensearch-py with `http_compress=True` answers 400 "
    "parsing_exception (`found 1 lines`) instead of the engine's results",
)
def test_compressed_msearch_through_client(osmem_url, sidecar_url):
    compressed = OpenSearch(hosts=[sidecar_url], http_compress=True, timeout=15, max_retries=0)
    responses = compressed.msearch(index=INDEX, body=[{}, {"query": BLACK, "size": 5}])["responses"]
    assert len(ids(responses[0])) == 5


def test_compressed_passthrough_through_client(direct, sidecar_url):
    compressed = OpenSearch(hosts=[sidecar_url], http_compress=True, timeout=15, max_retries=0)
    assert compressed.count(index=INDEX, body={"query": BLACK}) == direct.count(index=INDEX, body={"query": BLACK})
    assert compressed.mget(index=INDEX, body={"ids": ["sku-00001"]}) == direct.mget(index=INDEX, body={"ids": ["sku-00001"]})


@pytest.mark.xfail(
    strict=True,
    reason="`/_all/_search` is not taken for a search because its index segment starts with `_`: "
    "`POST /_all/_search` (opensearch-py `search(index=\"_all\", body=...)`) is refused with 403 "
    "security_exception as a write, and `GET /_all/_search` passes through unreranked (no X-Rerank-Status)",
)
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_all_index_expression_is_reranked(sidecar_url, method):
    reply = call(sidecar_url, method, "/_all/_search", body={"query": BLACK, "size": SIZE})
    assert reply.status == 200, reply.body[:200]
    assert reply.rerank_status == "reranked"
    assert ids(reply.json()) == ids(call(sidecar_url, "POST", f"/{INDEX}/_search", body={"query": BLACK, "size": SIZE}).json())


@pytest.mark.xfail(
    strict=True,
    reason="`POST /_all/_count` (and other reads on `_all`) is refused with 403 security_exception: "
    "PassthroughPolicy.endpoint takes `_all` for the API name, so `_all/_count` matches no read endpoint",
)
def test_all_index_count_is_a_read(sidecar_url, osmem_url):
    through = call(sidecar_url, "POST", "/_all/_count", body={"query": BLACK})
    engine = call(osmem_url, "POST", "/_all/_count", body={"query": BLACK})
    assert through.status == engine.status == 200
    assert through.body == engine.body


@pytest.mark.parametrize("expression", [f"{INDEX}*", f"{INDEX},{INDEX}", "prod*"])
def test_index_expressions_are_reranked(sidecar_url, osmem_url, expression):
    reply = call(sidecar_url, "POST", f"/{expression}/_search", body={"query": BLACK, "size": SIZE})
    engine = call(osmem_url, "POST", f"/{expression}/_search", body={"query": BLACK, "size": SIZE})
    assert reply.status == engine.status == 200
    assert reply.rerank_status == "reranked"
    assert set(ids(reply.json())) == set(ids(engine.json())) - {"sku-00003"}


def test_accept_encoding_gzip_still_gives_a_readable_answer(sidecar_url, proxied):
    # urllib3 under opensearch-py decodes gzip; a raw client asking for gzip must get bytes it can decode.
    reply = call(sidecar_url, "POST", f"/{INDEX}/_search", body={"query": BLACK}, headers={"Accept-Encoding": "gzip"})
    assert reply.status == 200
    payload = reply.body
    if reply.headers.get("content-encoding") == "gzip":
        import gzip

        payload = gzip.decompress(payload)
    assert len(json.loads(payload)["hits"]["hits"]) == 10
