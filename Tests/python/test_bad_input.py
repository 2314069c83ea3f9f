"""Bad requests get a clear OpenSearch-shaped answer, change nothing in the cluster, and the sidecar keeps serving."""

from __future__ import annotations

import json
import socket

import pytest
from opensearchpy import AuthorizationException, NotFoundError, OpenSearch, RequestError, TransportError, helpers

from rerank_support import (
    INDEX,
    answers_health,
    assert_healthy,
    assert_opensearch_error,
    call,
    excluding_config,
    ids,
    ndjson,
    raw_connection,
    read_until_closed,
    split_responses,
    without_took,
)

pytestmark = pytest.mark.usefixtures("still_serving")

BLACK = {"match": {"title": "black"}}


@pytest.mark.parametrize(
    "body",
    ['{"query": {"match": {"title": "black"}', "not json at all", '{"size": 10,}', "[1, 2, 3]", '"a string"'],
    ids=["truncated", "text", "trailing_comma", "array", "string"],
)
def test_invalid_json_body_is_400(sidecar_url, body):
    reply = call(sidecar_url, "POST", f"/{INDEX}/_search", body=body, headers={"Content-Type": "application/json"})
    assert_opensearch_error(reply, 400, "parsing_exception")


def test_invalid_msearch_body_is_400(sidecar_url):
    reply = call(
        sidecar_url, "POST", f"/{INDEX}/_msearch", body='{"index": "products"}\n{"query": \n',
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert_opensearch_error(reply, 400)


def test_invalid_json_through_client_is_request_error(proxied):
    with pytest.raises(RequestError) as raised:
        proxied.transport.perform_request("POST", f"/{INDEX}/_search", body='{"query": ')
    assert raised.value.status_code == 400
    assert raised.value.info["error"]["type"] == "parsing_exception"


@pytest.mark.parametrize("path", [f"/{INDEX}/_search", f"/{INDEX}/_msearch"])
def test_text_plain_is_406(sidecar_url, path):
    reply = call(sidecar_url, "POST", path, body=json.dumps({"query": BLACK}), headers={"Content-Type": "text/plain"})
    error = assert_opensearch_error(reply, 406, "media_type_header_exception")
    assert "text/plain" in error["reason"]


@pytest.fixture(scope="module")
def small_limit_sidecar(osmem_url, sidecars):
    return sidecars(osmem_url, {"limits": {"max_request_body": 2048}}, "small-limit")


@pytest.mark.parametrize("path", [f"/{INDEX}/_search", f"/{INDEX}/_msearch", f"/{INDEX}/_count"])
def test_oversized_body_is_413(small_limit_sidecar, path):
    big = {"query": {"terms": {"id": [f"sku-{n:05d}" for n in range(600)]}}}
    payload = ndjson([{}, big]) if path.endswith("_msearch") else json.dumps(big)
    assert len(payload) > 2048
    content_type = "application/x-ndjson" if path.endswith("_msearch") else "application/json"
    reply = call(small_limit_sidecar.url, "POST", path, body=payload, headers={"Content-Type": content_type})
    error = assert_opensearch_error(reply, 413)
    assert "2048" in error["reason"]
    assert_healthy(small_limit_sidecar.url)
    # A body under the limit still works on the same sidecar.
    small = call(small_limit_sidecar.url, "POST", f"/{INDEX}/_search", body={"query": BLACK, "size": 3})
    assert small.status == 200 and len(ids(small.json())) == 3


@pytest.mark.parametrize("path", [f"/{INDEX}/_search", f"/{INDEX}/_count"])
def test_a_declared_length_over_the_limit_is_413_before_the_body_is_sent(small_limit_sidecar, path):
    # Only the head is sent: a sidecar that waited for the body would answer 408 after the body timeout (30 s).
    sock = raw_connection(small_limit_sidecar.port, timeout=90)
    try:
        head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
        sock.sendall(head.encode())
        answer = sock.recv(65536)
        sock.shutdown(socket.SHUT_WR)
        answer += read_until_closed(sock)
    finally:
        sock.close()
    status, _, payload = split_responses(answer)[0]
    assert status == 413, answer[:300]
    assert json.loads(payload)["error"]["type"] == "content_too_long_exception"
    assert_healthy(small_limit_sidecar.url)


def test_unknown_index_is_the_engines_404(sidecar_url, osmem_url, proxied):
    for method, path, body in (
        ("POST", "/no-such-index/_search", {"query": BLACK}),
        ("GET", "/no-such-index/_search", None),
        ("POST", "/no-such-index/_count", {"query": BLACK}),
        ("GET", "/no-such-index/_doc/1", None),
    ):
        through = call(sidecar_url, method, path, body=body)
        engine = call(osmem_url, method, path, body=body)
        assert through.status == engine.status == 404, (path, through.body)
        assert through.body == engine.body, path
    with pytest.raises(NotFoundError) as raised:
        proxied.search(index="no-such-index", body={"query": BLACK})
    assert raised.value.info["error"]["type"] == "index_not_found_exception"


@pytest.mark.parametrize(
    "ext,field",
    [
        ({"weight": 2}, "ext.rerank.weight"),
        ({"weight": "high"}, "ext.rerank.weight"),
        ({"unknown_key": 1}, "ext.rerank.unknown_key"),
        ({"context": {"device": "phone"}}, "ext.rerank.context.device"),
        ({"context": {"timezone": "Mars/Olympus"}}, "ext.rerank.context.timezone"),
        ({"context": {"hour": 24}}, "ext.rerank.context.hour"),
        ({"context": {"weekday": 9}}, "ext.rerank.context.weekday"),
        ({"explain": "yes"}, "ext.rerank.explain"),
        ({"exclude_ids": "sku-00001"}, "ext.rerank.exclude_ids"),
        ({"user_id": 17}, "ext.rerank.user_id"),
        ("not an object", "ext.rerank"),
    ],
    ids=lambda value: json.dumps(value) if not isinstance(value, str) else value,
)
def test_malformed_ext_rerank_is_400_naming_the_field(sidecar_url, proxied, ext, field):
    body = {"query": BLACK, "ext": {"rerank": ext}}
    reply = call(sidecar_url, "POST", f"/{INDEX}/_search", body=body)
    error = assert_opensearch_error(reply, 400, "illegal_argument_exception")
    assert error["reason"].startswith(f"[{field}]"), error["reason"]
    assert error["root_cause"][0]["reason"] == error["reason"]
    with pytest.raises(RequestError) as raised:
        proxied.search(index=INDEX, body=body)
    assert raised.value.status_code == 400
    assert f"[{field}]" in raised.value.info["error"]["reason"]


def test_malformed_ext_rerank_in_msearch_is_400(sidecar_url):
    body = ndjson([{}, {"query": BLACK}, {}, {"query": BLACK, "ext": {"rerank": {"weight": -1}}}])
    reply = call(sidecar_url, "POST", f"/{INDEX}/_msearch", body=body, headers={"Content-Type": "application/x-ndjson"})
    error = assert_opensearch_error(reply, 400)
    assert "[ext.rerank.weight]" in error["reason"]


@pytest.mark.parametrize(
    "header,value",
    [("X-Rerank-Device", "phone"), ("X-Rerank-Timezone", "Nowhere/Special")],
)
def test_malformed_context_header_is_400_naming_the_header(sidecar_url, header, value):
    reply = call(sidecar_url, "POST", f"/{INDEX}/_search", body={"query": BLACK}, headers={header: value})
    error = assert_opensearch_error(reply, 400)
    assert header in error["reason"]


def assert_forbidden(raised):
    error = raised.value
    assert error.status_code == 403
    assert error.info["status"] == 403
    assert error.info["error"]["type"] == "security_exception"
    assert "allow_writes" in error.info["error"]["reason"]


def test_writes_are_refused_with_403(direct, proxied, catalog):
    before = direct.get(index=INDEX, id="sku-00010")
    with pytest.raises(AuthorizationException) as raised:
        proxied.index(index=INDEX, id="sku-new", body={"id": "sku-new", "title": "new"})
    assert_forbidden(raised)
    with pytest.raises(AuthorizationException) as raised:
        proxied.index(index=INDEX, body={"id": "sku-auto", "title": "auto id"})  # POST /products/_doc
    assert_forbidden(raised)
    with pytest.raises(AuthorizationException) as raised:
        proxied.delete(index=INDEX, id="sku-00010")
    assert_forbidden(raised)
    with pytest.raises(AuthorizationException) as raised:
        proxied.update(index=INDEX, id="sku-00010", body={"doc": {"title": "changed"}})
    assert_forbidden(raised)
    with pytest.raises(AuthorizationException) as raised:
        proxied.bulk(body=[{"delete": {"_index": INDEX, "_id": "sku-00011"}}])
    assert_forbidden(raised)
    with pytest.raises(TransportError) as raised:
        helpers.bulk(proxied, [{"_index": INDEX, "_id": "sku-bulk", "_source": {"id": "sku-bulk"}}])
    assert raised.value.status_code == 403
    with pytest.raises(AuthorizationException) as raised:
        proxied.indices.create(index="scratch", body={})
    assert_forbidden(raised)
    with pytest.raises(AuthorizationException) as raised:
        proxied.indices.delete(index=INDEX)
    assert_forbidden(raised)
    with pytest.raises(AuthorizationException) as raised:
        proxied.indices.put_settings(index=INDEX, body={"index": {"number_of_replicas": 1}})
    assert_forbidden(raised)
    with pytest.raises(AuthorizationException) as raised:
        proxied.delete_by_query(index=INDEX, body={"query": {"match_all": {}}})
    assert_forbidden(raised)
    # Nothing changed in the cluster.
    assert direct.count(index=INDEX)["count"] == len(catalog)
    assert direct.get(index=INDEX, id="sku-00010") == before
    assert not direct.exists(index=INDEX, id="sku-new")
    assert not direct.indices.exists(index="scratch")


def test_writes_pass_when_allowed(osmem_url, sidecars, direct):
    sidecar = sidecars(osmem_url, {"passthrough": {"allow_writes": True}}, "allow-writes")
    client = OpenSearch(hosts=[sidecar.url], timeout=15, max_retries=0)
    try:
        client.indices.create(index="scratch-writes", body={"mappings": {"properties": {"n": {"type": "integer"}}}})
        client.index(index="scratch-writes", id="a", body={"n": 1}, refresh=True)
        helpers.bulk(client, [{"_index": "scratch-writes", "_id": "b", "_source": {"n": 2}}], refresh=True)
        assert direct.get(index="scratch-writes", id="a")["_source"] == {"n": 1}
        assert direct.count(index="scratch-writes")["count"] == 2
        client.delete(index="scratch-writes", id="a", refresh=True)
        assert not direct.exists(index="scratch-writes", id="a")
    finally:
        if direct.indices.exists(index="scratch-writes"):
            client.indices.delete(index="scratch-writes")
    assert not direct.indices.exists(index="scratch-writes")
    assert_healthy(sidecar.url)


@pytest.mark.parametrize(
    "body,query",
    [
        ({"from": -1, "size": 10}, ""),
        ({"size": -1}, ""),
        ({"size": 99999999999999999999}, ""),
        ({"size": 10.5}, ""),
        ({"query": {"match_all": {}}}, "?size=abc"),
    ],
    ids=["negative_from", "negative_size", "size_beyond_long", "fractional_size", "size_not_a_number"],
)
def test_odd_paging_values_get_the_engines_answer(sidecar_url, osmem_url, body, query):
    through = call(sidecar_url, "POST", f"/{INDEX}/_search{query}", body=body)
    # Not reranked, so forwarded with the configured exclusion.
    engine = call(osmem_url, "POST", f"/{INDEX}/_search{query}", body=excluding_config(body))
    assert through.status == engine.status
    assert through.rerank_status.startswith("skipped: ")
    if engine.status == 200:
        assert without_took(through.json()) == without_took(engine.json())
    else:
        # The engine's own error; where it points into the body differs, as the forwarded body is rewritten.
        assert through.json()["error"]["type"] == engine.json()["error"]["type"]


@pytest.fixture
def disposable_sidecar(osmem_url, sidecars):
    """A sidecar of its own for requests that may bring it down (no slow crash backtrace)."""
    return sidecars(osmem_url, {}, "disposable", env={"SWIFT_BACKTRACE": "enable=no"})


@pytest.mark.parametrize("style", ["body", "url"])
def test_huge_page_does_not_crash_the_sidecar(disposable_sidecar, osmem_url, style):
    huge = 9223372036854775807
    if style == "body":
        path, body = f"/{INDEX}/_search", {"from": 1, "size": huge}
    else:
        path, body = f"/{INDEX}/_search?from=1&size={huge}", None
    try:
        through = call(disposable_sidecar.url, "POST" if body else "GET", path, body=body)
    finally:
        # A health check answered after the request proves the sidecar survived it.
        alive = answers_health(disposable_sidecar.url) and disposable_sidecar.process.alive()
    engine = call(osmem_url, "POST" if body else "GET", path, body=body)
    assert alive
    assert through.status == engine.status
    assert_healthy(disposable_sidecar.url)
