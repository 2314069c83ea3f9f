"""Filters (`rerank.filters`): history and session exclusions, include-only and range filters with `$placeholder`
values from `ext.rerank.filter_values`. A filtered document is never returned, on any path: reranked searches,
sorted searches and scrolls (forwarded with the filter in the query), reranking off, and `POST /_rerank/rank`;
through opensearch-py and plain HTTP."""

from __future__ import annotations

import pytest
from opensearchpy import OpenSearch

from rerank_support import INDEX, call, ids, start_sidecar

FILTERS = [
    {"name": "no_repurchase", "exclude": "history", "event": "purchase", "within": "30d"},
    {"name": "not_again", "exclude": "session", "event": "click"},
    {"name": "in_category", "include": {"field": "category", "in": "$categories"}, "apply": "on_request"},
    {"name": "affordable", "range": {"field": "price", "gte": 10, "lte": "$max_price"}},
]
SIGNALS = [{"field": "popularity", "weight": 1, "transform": "log1p"}]
ALL = {"match_all": {}}


def filter_config(tmp_path, enabled: bool = True) -> dict:
    return {
        "rerank": {"signals": SIGNALS, "filters": FILTERS, "budget_ms": 10000, "enabled": enabled},
        "log": {"dir": str(tmp_path / "logs")},
        "upstream": {"timeout_ms": 2000},
    }


@pytest.fixture(scope="module")
def filtered(osmem_url, tmp_path_factory):
    """A sidecar with the four filters, an event log (for the events API) and reranking on."""
    sidecar = start_sidecar(osmem_url, filter_config(tmp_path_factory.mktemp("filters")), "filters")
    yield sidecar
    sidecar.stop()


@pytest.fixture(scope="module")
def unreranked(osmem_url, tmp_path_factory):
    """The same filters with reranking off: every search is forwarded with the filters in its query."""
    sidecar = start_sidecar(osmem_url, filter_config(tmp_path_factory.mktemp("filters-off"), enabled=False), "filters-off")
    yield sidecar
    sidecar.stop()


def search(url: str, body: dict, query: str = "", **rerank) -> tuple[list[dict], dict, str | None]:
    reply = call(url, "POST", f"/{INDEX}/_search{query}", body={**body, "ext": {"rerank": rerank}} if rerank else body)
    assert reply.status == 200, reply.body[:400]
    answer = reply.json()
    return [hit["_source"] for hit in answer["hits"]["hits"]], answer, reply.rerank_status


def post_events(url: str, events: list[dict]) -> None:
    reply = call(url, "POST", "/_rerank/events", events)
    assert reply.status == 200 and reply.json()["errors"] is False, reply.body[:400]


def event(action: str, item: str, user: str, session: str = "s-0") -> dict:
    return {"action_name": action, "client_id": user, "session_id": session,
            "event_attributes": {"object": {"object_id": item}}}


@pytest.mark.parametrize("path", ["reranked", "sorted", "scroll"])
def test_include_and_range_filters_hold_on_every_search_path(filtered, catalog, path):
    query = {"reranked": "", "sorted": "", "scroll": "?scroll=1m"}[path]
    body = {"query": ALL, "size": 50}
    if path == "sorted":
        body["sort"] = [{"price": "asc"}, {"id": "asc"}]
    hits, answer, status = search(
        filtered.url, body, query, filters=["in_category"], filter_values={"categories": ["bags", "shoes"], "max_price": 60})
    assert status == ("reranked" if path == "reranked" else f"skipped: {path.replace('sorted', 'sort')}")
    expected = [p for p in catalog if p["category"] in ("bags", "shoes") and 10 <= p["price"] <= 60]
    assert hits and all(h["category"] in ("bags", "shoes") and 10 <= h["price"] <= 60 for h in hits)
    assert answer["hits"]["total"]["value"] == len(expected), "the filters are in the forwarded query: totals are right"
    if path == "sorted":
        assert [h["id"] for h in hits] == [p["id"] for p in sorted(expected, key=lambda p: (p["price"], p["id"]))][:50]


def test_an_always_range_filter_keeps_its_literal_bound_without_a_value(filtered, catalog):
    hits, answer, _ = search(filtered.url, {"query": ALL, "size": 100})
    assert all(h["price"] >= 10 for h in hits)
    assert answer["hits"]["total"]["value"] == sum(1 for p in catalog if p["price"] >= 10)


def test_filters_hold_with_reranking_off_through_the_client(unreranked, catalog):
    client = OpenSearch(hosts=[unreranked.url], timeout=15, max_retries=0)
    body = {"query": ALL, "size": 100, "ext": {"rerank": {"filters": ["in_category"], "filter_values": {"categories": "home"}}}}
    answer = client.search(index=INDEX, body=body)
    expected = {p["id"] for p in catalog if p["category"] == "home" and p["price"] >= 10}
    assert {hit["_id"] for hit in answer["hits"]["hits"]} <= expected
    assert answer["hits"]["total"]["value"] == len(expected)


def test_a_purchase_hides_the_item_from_that_user_only(filtered):
    first, _, _ = search(filtered.url, {"query": ALL, "size": 20}, user_id="alice-1")
    bought = first[0]["id"]
    post_events(filtered.url, [event("purchase", bought, "alice-1")])
    client = OpenSearch(hosts=[filtered.url], timeout=15, max_retries=0)
    for body in ({"query": ALL, "size": 20}, {"query": ALL, "size": 20, "sort": [{"price": "asc"}]}):
        alice = client.search(index=INDEX, body={**body, "ext": {"rerank": {"user_id": "alice-1"}}})
        assert bought not in ids(alice), "a purchase within 30 days hides the item from the buyer"
    bob, _, _ = search(filtered.url, {"query": ALL, "size": 20}, user_id="bob-1")
    assert bought in [h["id"] for h in bob], "another user still sees it"
    scrolled = call(filtered.url, "POST", f"/{INDEX}/_search?scroll=1m",
                    body={"query": {"ids": {"values": [bought]}}, "ext": {"rerank": {"user_id": "alice-1"}}}).json()
    assert scrolled["hits"]["total"]["value"] == 0


def test_the_history_is_rebuilt_from_the_log_at_start(osmem_url, tmp_path):
    config = filter_config(tmp_path)
    first = start_sidecar(osmem_url, config, "filters-before")
    try:
        post_events(first.url, [event("purchase", "sku-00001", "erin-1")])
    finally:
        first.stop()
    second = start_sidecar(osmem_url, config, "filters-after")
    try:
        hits, answer, _ = search(second.url, {"query": {"ids": {"values": ["sku-00001", "sku-00002"]}}}, user_id="erin-1")
        assert [h["id"] for h in hits] == ["sku-00002"] and answer["hits"]["total"]["value"] == 1
    finally:
        second.stop()


def test_a_click_hides_the_item_for_the_rest_of_the_session(filtered):
    hits, _, _ = search(filtered.url, {"query": ALL, "size": 10}, session_id="sess-9")
    clicked = hits[0]["id"]
    post_events(filtered.url, [event("click", clicked, "carol-1", session="sess-9")])
    again, _, _ = search(filtered.url, {"query": ALL, "size": 10}, session_id="sess-9")
    assert clicked not in [h["id"] for h in again]
    other, _, _ = search(filtered.url, {"query": ALL, "size": 10}, session_id="sess-10")
    assert clicked in [h["id"] for h in other]


def test_the_rank_api_applies_filters_and_explains_them(filtered, catalog):
    items = [{"id": p["id"], "fields": {"category": p["category"], "price": p["price"]}} for p in catalog[:30]]
    post_events(filtered.url, [event("purchase", items[0]["id"], "dave-1")])
    reply = call(filtered.url, "POST", "/_rerank/rank", {
        "items": items, "user_id": "dave-1", "explain": True, "filters": ["in_category"],
        "filter_values": {"categories": ["bags", "home"], "max_price": 100}})
    assert reply.status == 200, reply.body[:400]
    answer = reply.json()
    kept = {p["id"] for p in catalog[:30] if p["category"] in ("bags", "home") and 10 <= p["price"] <= 100} - {items[0]["id"]}
    assert {item["id"] for item in answer["items"]} == kept
    reasons = {entry["id"]: entry["rules"] for entry in answer["excluded"]}
    assert "filter(no_repurchase)" in reasons[items[0]["id"]]
    assert all(any(rule.startswith("filter(") for rule in rules) for rules in reasons.values())


def test_the_rank_api_with_reranking_off_still_filters(unreranked, catalog):
    items = [{"id": p["id"], "fields": {"price": p["price"]}} for p in catalog[:30]]
    reply = call(unreranked.url, "POST", "/_rerank/rank", {"items": items, "filter_values": {"max_price": 50}})
    assert reply.status == 200 and reply.rerank_status == "skipped: reranking disabled"
    assert {item["id"] for item in reply.json()["items"]} == {p["id"] for p in catalog[:30] if 10 <= p["price"] <= 50}


@pytest.mark.parametrize("rerank, field, words", [
    ({"filters": ["in_category"]}, "ext.rerank.filter_values.categories", "missing"),
    ({"filters": ["no_such"]}, "ext.rerank.filters[0]", "unknown filter 'no_such'"),
    ({"filter_values": {"max_prise": 3}}, "ext.rerank.filter_values.max_prise", "no configured filter reads"),
    ({"filter_values": {"max_price": "cheap"}}, "ext.rerank.filter_values.max_price", "must be a number"),
    ({"filters": "in_category"}, "ext.rerank.filters", "must be an array"),
])
def test_bad_filter_requests_get_a_400_naming_the_field(filtered, rerank, field, words):
    reply = call(filtered.url, "POST", f"/{INDEX}/_search", body={"query": ALL, "ext": {"rerank": rerank}})
    assert reply.status == 400, reply.body[:300]
    reason = reply.json()["error"]["reason"]
    assert field in reason and words in reason, reason


def test_history_tables_are_in_metrics(filtered):
    text = call(filtered.url, "GET", "/metrics").body.decode()
    assert 'rerank_online_state_entries{table="filter_users"}' in text
    assert 'rerank_online_state_bytes{table="filter_sessions"}' in text
