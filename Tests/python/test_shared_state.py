"""Two sidecars share their online state through the cluster (`log.cluster`): shoppers' clicks posted to one
change what the other serves them, a restarted sidecar catches up from the cluster alone, and `rerank train`,
`validate` and `report` read the logs from the cluster (`--logs http://...`).

The cluster is an osmem-server of this module's own (it fills `ubi_queries` and `ubi_events`). Phase one: a
logging sidecar with reranking off serves 360 searches in which each of 30 shoppers clicks a favorite item of
their word; a model is trained from the cluster's copy of those logs. Phase two: sidecars A and B serve that
model; a new shopper's clicks are posted to A only.
"""

from __future__ import annotations

import json
import math
import random
import time

import pytest
from opensearchpy import OpenSearch, helpers

from rerank_support import (
    CATALOG,
    INDEX,
    MAPPINGS,
    call,
    metric,
    ndjson,
    start_osmem,
    start_sidecar,
    wait_for,
)
from test_judgments import rerank

WORDS = ["shoes", "jacket", "bag", "lamp"]
SHOPPERS = 30
SEARCHES = 360


@pytest.fixture(scope="module")
def cluster():
    process, url = start_osmem()
    try:
        client = OpenSearch(hosts=[url])
        client.indices.create(index=INDEX, body=json.loads(MAPPINGS.read_text()))
        with open(CATALOG) as handle:
            products = [json.loads(line) for line in handle if line.strip()]
        helpers.bulk(client, ({"_index": INDEX, "_id": p["id"], "_source": p} for p in products), refresh=True)
        yield url
    finally:
        process.stop()


def search(url: str, user: str, word: str, explain: bool = False) -> dict:
    body = {"query": {"match": {"title": word}}, "size": 10, "_source": ["title"],
            "ext": {"rerank": {"user_id": user, "return_query_id": True, "explain": explain,
                               "context": {"device": "mobile"}}}}
    reply = call(url, "POST", f"/{INDEX}/_search", body)
    assert reply.status == 200, reply.body
    return reply.json()


def click(url: str, user: str, item: str, query_id: str | None = None, position: int | None = None) -> None:
    event = {"action_name": "click", "client_id": user, "event_attributes": {"object": {"object_id": item, "object_id_field": "_id"}}}
    if query_id:
        event["query_id"] = query_id
    if position is not None:
        event["event_attributes"]["position"] = {"ordinal": position}
    reply = call(url, "POST", "/_rerank/events", ndjson([event]))
    assert reply.status == 200 and not reply.json()["errors"], reply.body


def count(url: str, index: str) -> int:
    reply = call(url, "GET", f"/{index}/_count")
    return reply.json()["count"] if reply.status == 200 else 0


@pytest.fixture(scope="module")
def model(cluster, tmp_path_factory):
    """A model trained from the cluster's UBI indices after phase one."""
    work = tmp_path_factory.mktemp("shared")
    logging = start_sidecar(cluster, {"rerank": {"enabled": False},
                                      "log": {"cluster": True, "spool_dir": str(work / "spool-logging")}}, name="shared-logging")
    rng = random.Random(11)
    try:
        favorites = {}
        for shopper in range(SHOPPERS):
            user, word = f"s{shopper}", WORDS[shopper % len(WORDS)]
            hits = [hit["_id"] for hit in search(logging.url, user, word)["hits"]["hits"]]
            favorites[user] = (word, rng.choice(hits[2:]))
        for number in range(SEARCHES):
            user = f"s{number % SHOPPERS}"
            word, favorite = favorites[user]
            response = search(logging.url, user, word)
            hits = [hit["_id"] for hit in response["hits"]["hits"]]
            if favorite in hits:
                click(logging.url, user, favorite, response["ext"]["rerank"]["query_id"], hits.index(favorite))
        wait_for("the searches in the cluster", lambda: count(cluster, "ubi_queries") >= SEARCHES + SHOPPERS, timeout=60)
    finally:
        logging.stop()
    output = work / "model.json"
    trained = rerank("train", "--logs", cluster, "--output", output, "--trees", 40, "--test-fraction", 0, "--quiet")
    assert f"from {cluster}/ubi_queries and {cluster}/ubi_events" in trained.stderr, trained.stderr
    assert f"read {SEARCHES + SHOPPERS} searches" in trained.stderr, trained.stderr
    return output


def serving(cluster: str, model, work, name: str) -> dict:
    # A generous budget: a debug build on a loaded machine can miss the default 25 ms, and a fallback's explain
    # answer has no features to compare.
    return {"rerank": {"model": str(model), "budget_ms": 10000},
            "log": {"cluster": True, "dir": str(work / f"logs-{name}"), "share_poll_ms": 200}}


def rank_of(url: str, user: str, word: str, item: str) -> int:
    hits = [hit["_id"] for hit in search(url, user, word)["hits"]["hits"]]
    return hits.index(item) if item in hits else len(hits)


def interactions(url: str, user: str, item: str) -> float:
    reply = call(url, "POST", "/_rerank/rank", {"items": [item], "user_id": user, "explain": True})
    assert reply.status == 200, reply.body
    return reply.json()["items"][0]["_rerank"]["features"]["user_item_interactions_log"]


def caught_up(url: str) -> bool:
    """Ready once the catch-up from the cluster is done, and the metric says so."""
    if call(url, "GET", "/_rerank/ready").status != 200:
        return False
    assert metric(call(url, "GET", "/metrics").body.decode(), "rerank_shared_state_caught_up") == 1
    return True


def test_a_click_posted_to_one_sidecar_reranks_the_other_and_a_restart_catches_up(cluster, model, tmp_path):
    a = start_sidecar(cluster, serving(cluster, model, tmp_path, "a"), name="shared-a")
    b = start_sidecar(cluster, serving(cluster, model, tmp_path, "b"), name="shared-b")
    try:
        wait_for("both sidecars caught up", lambda: caught_up(a.url) and caught_up(b.url), timeout=60)
        user, word = "newcomer", WORDS[0]
        hits = [hit["_id"] for hit in search(b.url, user, word)["hits"]["hits"]]
        item = hits[-1]
        before = len(hits) - 1
        assert interactions(a.url, user, item) == 0 and interactions(b.url, user, item) == 0
        posted = time.monotonic()
        for _ in range(3):
            click(a.url, user, item)
        wait_for("B to see the clicks posted to A", lambda: interactions(b.url, user, item) > 0, timeout=30)
        seen = time.monotonic() - posted
        print(f"B saw A's clicks after {seen:.2f} s")
        # A applies the clicks posted to it off the request path, and B may have seen only some of them yet:
        # wait until both have all three, then they must agree (A counting its own records twice never would).
        wait_for("A and B to count the three clicks", lambda: interactions(a.url, user, item) == pytest.approx(
            interactions(b.url, user, item), rel=1e-4) and interactions(a.url, user, item) >= math.log1p(3) - 1e-4, timeout=30)
        assert interactions(b.url, user, item) == pytest.approx(interactions(a.url, user, item), rel=1e-4), \
            "A counts its own clicks once: it never reads its own records back"
        assert rank_of(b.url, user, word, item) < before, "B ranks the clicked item higher for that shopper"
        metrics = call(b.url, "GET", "/metrics").body.decode()
        assert metric(metrics, "rerank_shared_state_records_total", 'index="ubi_events"') >= 3
        assert metric(metrics, "rerank_shared_state_lag_seconds") >= 0

        expected = interactions(a.url, user, item)
        b.stop()
        b = start_sidecar(cluster, serving(cluster, model, tmp_path, "b-restarted"), name="shared-b-restarted")
        wait_for("the restarted B caught up", lambda: caught_up(b.url), timeout=60)
        assert interactions(b.url, user, item) == pytest.approx(expected, rel=1e-4), \
            "a restart with an empty log directory catches up from the cluster"
        assert rank_of(b.url, user, word, item) < before
    finally:
        a.stop()
        b.stop()


def test_a_sidecar_without_sharing_keeps_its_own_state(cluster, model, tmp_path):
    config = serving(cluster, model, tmp_path, "alone")
    config["log"]["share_state"] = False
    alone = start_sidecar(cluster, config, name="shared-off")
    other = start_sidecar(cluster, serving(cluster, model, tmp_path, "other"), name="shared-other")
    try:
        wait_for("the sharing sidecar caught up", lambda: caught_up(other.url), timeout=60)
        click(other.url, "loner", "sku-00001")
        wait_for("the click in the cluster", lambda: call(cluster, "POST", "/ubi_events/_search", {
            "query": {"term": {"client_id": "loner"}}}).json()["hits"]["total"]["value"] == 1, timeout=30)
        time.sleep(1)
        assert interactions(alone.url, "loner", "sku-00001") == 0
        assert "rerank_shared_state_caught_up" not in call(alone.url, "GET", "/metrics").body.decode()
    finally:
        alone.stop()
        other.stop()


def test_validate_and_report_read_the_cluster(cluster, model):
    validated = rerank("validate", "--logs", cluster, check=False)
    assert validated.returncode in (0, 1), validated.stderr
    assert "searches" in validated.stdout.lower() or "queries" in validated.stdout.lower(), validated.stdout
    reported = rerank("report", "--logs", cluster)
    assert reported.returncode == 0, reported.stderr


def test_a_cluster_url_that_cannot_be_read_is_a_clear_error(tmp_path):
    result = rerank("train", "--logs", "http://127.0.0.1:9", "--output", tmp_path / "m.json", check=False)
    assert result.returncode != 0
    assert "cannot reach the cluster at http://127.0.0.1:9" in result.stderr, result.stderr
    bad = rerank("train", "--logs", "ftp://example", "--output", tmp_path / "m.json", check=False)
    assert bad.returncode != 0 and "http(s)://host:port" in bad.stderr, bad.stderr
