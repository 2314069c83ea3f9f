"""Read APIs other than search pass through untouched: count, get, mget, scroll, helpers.scan, cluster info."""

from __future__ import annotations

import http.client
import json
import urllib.parse

import pytest
from opensearchpy import NotFoundError, helpers

from rerank_support import EXCLUDED_BY_CONFIG, INDEX, call, excluding_config, ids, without_took


def test_count(direct, proxied, catalog):
    assert proxied.count(index=INDEX) == direct.count(index=INDEX)
    assert proxied.count(index=INDEX)["count"] == len(catalog)
    query = {"query": {"bool": {"filter": [{"term": {"in_stock": False}}, {"range": {"price": {"gte": 100}}}]}}}
    assert proxied.count(index=INDEX, body=query) == direct.count(index=INDEX, body=query)


def test_get_and_missing_document(direct, proxied):
    assert proxied.get(index=INDEX, id="sku-00042") == direct.get(index=INDEX, id="sku-00042")
    assert proxied.get_source(index=INDEX, id="sku-00042") == direct.get_source(index=INDEX, id="sku-00042")
    assert proxied.exists(index=INDEX, id="sku-00042") and not proxied.exists(index=INDEX, id="sku-99999")
    with pytest.raises(NotFoundError) as through:
        proxied.get(index=INDEX, id="sku-99999")
    with pytest.raises(NotFoundError) as engine:
        direct.get(index=INDEX, id="sku-99999")
    assert through.value.info == engine.value.info


def test_mget(direct, proxied):
    body = {"ids": ["sku-00001", "sku-00003", "sku-00599", "sku-99999"]}
    assert proxied.mget(index=INDEX, body=body) == direct.mget(index=INDEX, body=body)
    docs = {"docs": [{"_index": INDEX, "_id": "sku-00010"}, {"_index": INDEX, "_id": "sku-00020", "_source": ["title"]}]}
    assert proxied.mget(body=docs) == direct.mget(body=docs)


@pytest.mark.parametrize(
    "path",
    ["/", f"/{INDEX}/_mapping", f"/{INDEX}/_doc/sku-00007", f"/{INDEX}/_settings", "/_cat/indices/products?h=index,docs.count"],
)
def test_reads_are_byte_for_byte(sidecar_url, osmem_url, path):
    through = call(sidecar_url, "GET", path)
    engine = call(osmem_url, "GET", path)
    assert through.status == engine.status == 200
    assert through.body == engine.body
    assert "x-rerank-status" not in through.headers


def test_a_body_sent_chunked_is_read_and_forwarded(sidecar_url, osmem_url):
    # No Content-Length: the sidecar reads the body to its end before forwarding it.
    body = json.dumps({"query": {"term": {"in_stock": False}}}).encode()
    answers = []
    for url in (sidecar_url, osmem_url):
        parsed = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        try:
            connection.request("POST", f"/{INDEX}/_count", body=iter([body[:10], body[10:]]),
                               headers={"Content-Type": "application/json"}, encode_chunked=True)
            response = connection.getresponse()
            answers.append((response.status, response.read()))
        finally:
            connection.close()
    through, engine = answers
    assert through == engine and through[0] == 200


def scroll_all(client, size, body=None):
    page = client.search(index=INDEX, body=body or {"query": {"match_all": {}}, "size": size}, scroll="1m")
    first = without_took(page)
    seen = ids(page)
    scroll_id = page["_scroll_id"]
    while page["hits"]["hits"]:
        page = client.scroll(scroll_id=scroll_id, scroll="1m")
        scroll_id = page["_scroll_id"]
        seen += ids(page)
    client.clear_scroll(scroll_id=scroll_id)
    return first, seen


def test_scroll_returns_every_document_but_the_excluded(direct, proxied, catalog):
    first_through, through = scroll_all(proxied, 70)
    # A scroll search is not reranked: it is forwarded with the configured exclusion.
    first_engine, engine = scroll_all(direct, 70, excluding_config({"query": {"match_all": {}}, "size": 70}))
    assert first_through == first_engine
    assert len(through) == len(set(through)) == len(catalog) - len(EXCLUDED_BY_CONFIG)
    assert through == engine
    assert set(through) == {product["id"] for product in catalog} - EXCLUDED_BY_CONFIG


def test_helpers_scan_returns_every_document_but_the_excluded(direct, proxied, catalog):
    query = {"query": {"match_all": {}}}
    through = [hit["_id"] for hit in helpers.scan(proxied, index=INDEX, query=query, size=100)]
    engine = [hit["_id"] for hit in helpers.scan(direct, index=INDEX, query=query, size=100)]
    assert len(through) == len(set(through)) == len(catalog) - len(EXCLUDED_BY_CONFIG)
    assert set(through) == set(engine) - EXCLUDED_BY_CONFIG
    filtered = {"query": {"term": {"in_stock": True}}}
    through_filtered = {hit["_id"] for hit in helpers.scan(proxied, index=INDEX, query=filtered, size=64)}
    assert through_filtered == {hit["_id"] for hit in helpers.scan(direct, index=INDEX, query=filtered, size=64)} - EXCLUDED_BY_CONFIG
    assert through_filtered == {product["id"] for product in catalog if product["in_stock"]} - EXCLUDED_BY_CONFIG


def test_cluster_info_and_index_apis(direct, proxied):
    assert proxied.info() == direct.info()
    assert proxied.indices.get_mapping(index=INDEX) == direct.indices.get_mapping(index=INDEX)
    assert proxied.indices.exists(index=INDEX) and not proxied.indices.exists(index="no-such-index")
