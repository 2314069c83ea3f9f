"""Several indices through one sidecar (`indices`): each entry's rules, window and model rank its indices, the
`rerank` section the rest; an entry's own model keeps statistics of its own, fed by its searches and by events
joined to them by `query_id`, and rebuilt from its part of the log at start. Through opensearch-py and plain HTTP,
against osmem-server, with models the built binary trains.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from opensearchpy import OpenSearch, helpers

from rerank_support import call, ids, metric, start_osmem, start_sidecar, wait_for
from test_judgments import rerank, write_log

TOKEN = "indices-admin-token-0123456789"
QUERY = "Query 3"
ITEMS = [f"q3-i{index}" for index in range(8)]
RECIPES = [f"r-{number}" for number in range(1, 6)]


def recipe_documents() -> list[tuple[str, dict]]:
    """Five recipes whose titles say "soup" among 0, 1, ... 4 other words: BM25 ranks r-1 first, r-5 last."""
    return [(name, {"title": " ".join(["soup"] + [f"word{n}" for n in range(number)]), "in_stock": True})
            for number, name in enumerate(RECIPES)]


def catalog_documents() -> list[tuple[str, dict]]:
    """The items of the synthetic log's "Query 3", titled with the query so every one matches it."""
    return [(name, {"title": f"{QUERY} {name}", "in_stock": True}) for name in ITEMS]


@pytest.fixture(scope="module")
def cluster():
    """A fresh osmem-server with `recipes` and `recipes-eu-1` (the same five recipes), `shop-a` and `shop-b` (the same
    eight items)."""
    process, url = start_osmem()
    try:
        client = OpenSearch(hosts=[url])
        actions = [{"_index": index, "_id": name, "_source": source}
                   for index in ("recipes", "recipes-eu-1") for name, source in recipe_documents()]
        actions += [{"_index": index, "_id": name, "_source": source}
                    for index in ("shop-a", "shop-b") for name, source in catalog_documents()]
        loaded, errors = helpers.bulk(client, actions, refresh=True)
        assert loaded == len(actions) and not errors
        yield url
    finally:
        process.stop()


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    """Two models from logs of shoppers with different tastes (planted attractiveness from different seeds)."""
    trained = {}
    for name, seed in (("a", 5), ("b", 11)):
        directory = tmp_path_factory.mktemp(f"indices-logs-{name}")
        write_log(directory, seed=seed)
        path = directory / "model.json"
        rerank("train", "--logs", directory, "--output", path, "--trees", 10, "--quiet")
        trained[name] = path
    return trained


def search_ids(client: OpenSearch, index: str, query: str, size: int, **rerank_extension) -> list[str]:
    body = {"query": {"match": {"title": query}}, "size": size}
    if rerank_extension:
        body["ext"] = {"rerank": rerank_extension}
    return ids(client.search(index=index, body=body))


def test_two_indices_are_ranked_by_their_own_rules_and_windows(cluster):
    pin_last = {"action": "pin", "ids": ["r-5"], "position": 0}
    config = {
        "rerank": {"budget_ms": 10000, "rules": [{"action": "bury", "ids": ["r-1"]}]},
        "indices": [
            {"pattern": "recipes", "window": 3, "rules": [pin_last]},
            {"pattern": "recipes-eu-*", "name": "recipes-eu", "window": 10, "rules": [pin_last, {"action": "bury", "ids": ["r-2"]}]},
        ],
    }
    sidecar = start_sidecar(cluster, config, "indices-rules")
    try:
        client = OpenSearch(hosts=[sidecar.url], timeout=15, max_retries=0)
        direct = OpenSearch(hosts=[cluster], timeout=15)
        assert search_ids(direct, "recipes", "soup", 3) == ["r-1", "r-2", "r-3"]
        # A window of 3 never fetches r-5, so its pin finds nothing: the engine's top three, r-1 not buried.
        assert search_ids(client, "recipes", "soup", 3) == ["r-1", "r-2", "r-3"]
        # The same documents in recipes-eu-1: a window of 10 fetches r-5 and pins it; r-2 buried.
        assert search_ids(client, "recipes-eu-1", "soup", 5) == ["r-5", "r-1", "r-3", "r-4", "r-2"]
        # Both indices at once: no single entry matches both, so the rerank section serves (r-1 buried).
        assert search_ids(client, "recipes,recipes-eu-1", "soup", 10)[-2:] == ["r-1", "r-1"]

        models = {index: call(sidecar.url, "POST", f"/{index}/_search", {"query": {"match": {"title": "soup"}}})
                  .headers.get("x-rerank-model") for index in ("recipes", "recipes-eu-1", "shop-a")}
        assert models == {"recipes": "rules-1@recipes", "recipes-eu-1": "rules-2@recipes-eu", "shop-a": "rules-1"}
        impression = call(sidecar.url, "POST", "/recipes/_msearch",
                          "\n".join(json.dumps(line) for line in [{}, {"query": {"match": {"title": "soup"}}, "size": 3},
                                                                  {"index": "recipes-eu-1"}, {"query": {"match": {"title": "soup"}}, "size": 5}]) + "\n",
                          headers={"content-type": "application/x-ndjson"})
        assert impression.status == 200
        assert impression.headers["x-rerank-model"] == "rules-1@recipes, rules-2@recipes-eu"
        first = [response["hits"]["hits"][0]["_id"] for response in impression.json()["responses"]]
        assert first == ["r-1", "r-5"]

        metrics = call(sidecar.url, "GET", "/metrics").body.decode()
        assert metric(metrics, "rerank_index_searches_total", 'index_config="recipes",outcome="reranked"') == 3
        assert metric(metrics, "rerank_index_searches_total", 'index_config="recipes-eu",outcome="reranked"') == 3
        assert metric(metrics, "rerank_index_searches_total", 'index_config="default",outcome="reranked"') == 2
    finally:
        sidecar.stop()


def test_a_bad_entry_is_refused_at_start_naming_the_key(cluster):
    with pytest.raises(RuntimeError, match=r"unknown configuration key 'indices\[0\]\.max_window'"):
        start_sidecar(cluster, {"indices": [{"pattern": "recipes", "max_window": 5}]}, "indices-bad")
    with pytest.raises(RuntimeError, match=r"configuration key 'indices\[0\]\.window' must be an integer"):
        start_sidecar(cluster, {"indices": [{"pattern": "recipes", "window": "3"}]}, "indices-bad-type")


def stats(url: str) -> dict:
    reply = call(url, "GET", "/_rerank/stats", headers={"Authorization": f"Bearer {TOKEN}"})
    assert reply.status == 200, reply.body[:400]
    return {entry["name"]: entry for entry in reply.json()["indices"]}


def test_each_index_is_ranked_by_its_own_model_with_statistics_of_its_own(cluster, models, tmp_path):
    logs = tmp_path / "logs"
    config = {
        "rerank": {"budget_ms": 10000},
        "indices": [{"pattern": "shop-a", "model": str(models["a"]), "weight": 1},
                    {"pattern": "shop-b", "model": str(models["b"]), "weight": 1}],
        "log": {"dir": str(logs)},
        "admin": {"token": TOKEN},
    }
    sidecar = start_sidecar(cluster, config, "indices-models")
    try:
        client = OpenSearch(hosts=[sidecar.url], timeout=15, max_retries=0)
        shop_a = search_ids(client, "shop-a", QUERY, 8, context={"device": "desktop", "hour": 10})
        shop_b = search_ids(client, "shop-b", QUERY, 8, context={"device": "desktop", "hour": 10})
        assert sorted(shop_a) == sorted(shop_b) == sorted(ITEMS)
        assert shop_a != shop_b, "the same items, ranked by two models trained on different tastes"

        versions = {index: call(sidecar.url, "POST", f"/{index}/_search", {"query": {"match": {"title": QUERY}}})
                    for index in ("shop-a", "shop-b", "recipes")}
        model_a, model_b = (versions[index].headers["x-rerank-model"] for index in ("shop-a", "shop-b"))
        assert model_a.endswith("@shop-a") and model_b.endswith("@shop-b") and model_a != model_b
        assert versions["recipes"].headers["x-rerank-model"] == "none", "no entry and no model: the section's engine order"
        ranked = call(sidecar.url, "POST", "/_rerank/rank", {"items": ITEMS, "query": QUERY, "index": "shop-b", "weight": 1,
                                                             "context": {"device": "desktop", "hour": 10}})
        assert ranked.status == 200 and ranked.json()["model"] == model_b, "a rank request naming an index: its entry's model"

        # Each entry's statistics remember its own searches; an event joins the search its query_id names.
        searches = lambda name: stats(sidecar.url)[name]["online_state"]["searches"]  # noqa: E731
        wait_for("both entries' searches applied", lambda: searches("shop-a") == 2 and searches("shop-b") == 3)
        users = lambda name: stats(sidecar.url)[name]["online_state"]["users"]  # noqa: E731
        before = {name: users(name) for name in ("shop-a", "shop-b")}
        query_id = versions["shop-a"].headers["x-rerank-query-id"]
        click = {"action_name": "click", "query_id": query_id, "client_id": "shopper-from-an-event",
                 "event_attributes": {"object": {"object_id": ITEMS[0]}, "position": {"ordinal": 0}}}
        reply = call(sidecar.url, "POST", "/_rerank/events", click)
        assert reply.status == 200 and reply.json()["errors"] is False
        wait_for("the click applied to shop-a's statistics", lambda: users("shop-a") == before["shop-a"] + 1)
        assert users("shop-b") == before["shop-b"]

        metrics = call(sidecar.url, "GET", "/metrics").body.decode()
        assert metric(metrics, "rerank_index_model_reloads_total", 'index_config="shop-a",result="loaded"') == 1
        assert metric(metrics, "rerank_model_reloads_total", 'result="loaded"') == 0
        reload = call(sidecar.url, "POST", "/_rerank/model/reload?index_config=shop-b", headers={"Authorization": f"Bearer {TOKEN}"})
        assert reload.status == 200 and reload.json()["version"] == model_b.removesuffix("@shop-b")
    finally:
        sidecar.stop()

    logged = [json.loads(line) for path in logs.glob("ubi_queries*.ndjson") for line in path.read_text().splitlines()]
    assert sorted(record["query_attributes"].get("index_config", "-") for record in logged) == ["-", "shop-a", "shop-a", "shop-b", "shop-b", "shop-b"]

    # A restart rebuilds each entry's statistics from its part of the log.
    sidecar = start_sidecar(cluster, config, "indices-models-restart")
    try:
        wait_for("the log replayed", lambda: searches("shop-a") == 2 and searches("shop-b") == 3)
    finally:
        sidecar.stop()

    # Training an entry's model learns from that entry's searches only.
    trained = rerank("train", "--logs", logs, "--index-config", "shop-a", "--output", tmp_path / "shop-a.json", "--trees", 2, check=False)
    assert "--index-config shop-a: 2 of 6 searches" in trained.stderr


def test_events_of_an_entry_ranked_by_signals_stay_out_of_the_sections_statistics(cluster, models, tmp_path):
    config = {
        "rerank": {"budget_ms": 10000, "model": str(models["a"])},
        "indices": [{"pattern": "recipes", "signals": []}],
        "log": {"dir": str(tmp_path / "logs")},
        "admin": {"token": TOKEN},
    }
    sidecar = start_sidecar(cluster, config, "indices-signals")
    try:
        def section_users() -> int:
            reply = call(sidecar.url, "GET", "/_rerank/stats", headers={"Authorization": f"Bearer {TOKEN}"})
            return reply.json()["online_state"]["users"]

        recipes = call(sidecar.url, "POST", "/recipes/_search", {"query": {"match": {"title": "soup"}}})
        shop = call(sidecar.url, "POST", "/shop-a/_search", {"query": {"match": {"title": QUERY}}})
        assert recipes.headers["x-rerank-model"] == "none@recipes"
        assert "@" not in shop.headers["x-rerank-model"]
        before = section_users()

        def click(reply, client: str) -> dict:
            return {"action_name": "click", "query_id": reply.headers["x-rerank-query-id"], "client_id": client,
                    "event_attributes": {"object": {"object_id": ids(reply.json())[0]}, "position": {"ordinal": 0}}}

        # An event of a search the sidecar does not know counts for the section's model (its user is new to it);
        # one of a recipes search does not: that search was ranked by the entry's signals, not by this model.
        unknown = dict(click(shop, "stranger"), query_id="a-search-no-one-served")
        answer = call(sidecar.url, "POST", "/_rerank/events", [click(recipes, "recipe-reader"), click(shop, "shopper"), unknown])
        assert answer.status == 200 and answer.json()["errors"] is False
        wait_for("the shop click and the unknown search's click applied", lambda: section_users() == before + 2)
        assert section_users() == before + 2
    finally:
        sidecar.stop()
