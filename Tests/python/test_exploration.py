"""Exploration through a real client: with `rerank.exploration.share` 1, every reranked search shows the ranking
the main sidecar (same rules, no exploration) shows, with one adjacent pair swapped; the response header and the
logged impression say which; and `rerank train` on the logs estimates position bias from those swaps."""

from __future__ import annotations

import json
import random
import re
import subprocess

import pytest
from opensearchpy import OpenSearch

from rerank_support import INDEX, MAIN_CONFIG, RERANK_BIN, call, ids, metric, ndjson, wait_for

WORDS = ["jacket", "black", "lamp", "shoes", "bag", "white", "kettle", "running"]
# Examination of position p (0-based) the simulated shoppers have: 1 / (p + 1).
PLANTED = [1 / (position + 1) for position in range(10)]


@pytest.fixture(scope="module")
def exploring(osmem_url, sidecars, tmp_path_factory):
    """A sidecar like the main one that explores every reranked search and logs to its own directory."""
    log_dir = tmp_path_factory.mktemp("exploration-logs")
    config = {
        **MAIN_CONFIG,
        "rerank": {**MAIN_CONFIG["rerank"], "exploration": {"share": 1, "max_move": 2, "depth": 10}},
        "log": {"dir": str(log_dir)},
    }
    return sidecars(osmem_url, config, "exploring"), log_dir


def logged_queries(log_dir) -> dict[str, dict]:
    """The impressions written so far, by query id."""
    records = {}
    for path in log_dir.glob("ubi_queries*.ndjson"):
        for line in path.read_text().splitlines():
            if line.strip():
                record = json.loads(line)
                records[record["query_id"]] = record
    return records


def test_explored_pages_are_the_ranking_with_one_adjacent_swap(proxied, exploring):
    sidecar, log_dir = exploring
    client = OpenSearch(hosts=[sidecar.url], timeout=15, max_retries=0)
    swaps = {}
    for word in WORDS:
        query = {"query": {"match": {"title": word}}, "size": 10}
        ranked = ids(proxied.search(index=INDEX, body=query))
        explored = client.search(index=INDEX, body={**query, "ext": {"rerank": {"return_query_id": True}}})
        shown = ids(explored)
        assert sorted(shown) == sorted(ranked)
        moved = [position for position in range(len(shown)) if shown[position] != ranked[position]]
        assert len(moved) == 2 and moved[1] == moved[0] + 1, (word, ranked, shown)
        assert shown[moved[0]] == ranked[moved[1]] and shown[moved[1]] == ranked[moved[0]]
        swaps[explored["ext"]["rerank"]["query_id"]] = moved

    def all_logged():
        logged = logged_queries(log_dir)
        return logged if set(swaps) <= set(logged) else None

    records = wait_for("the explored impressions logged", all_logged)
    for query_id, moved in swaps.items():
        exploration = records[query_id]["query_attributes"]["exploration"]
        assert exploration["swap"] == moved
        assert exploration["share"] == 1 and exploration["depth"] == 10


def test_the_response_says_what_was_swapped(exploring):
    sidecar, _ = exploring
    before = metric(call(sidecar.url, "GET", "/metrics").body.decode(), "rerank_exploration_searches_total")
    reply = call(sidecar.url, "POST", f"/{INDEX}/_search", {"query": {"match": {"title": "jacket"}}, "size": 10})
    assert reply.status == 200 and reply.rerank_status == "reranked"
    assert re.fullmatch(r"swap (\d)-(\d+)", reply.headers["x-rerank-exploration"])
    searches = ndjson([{"index": INDEX}, {"query": {"match": {"title": "lamp"}}, "size": 5},
                       {"index": INDEX}, {"query": {"match": {"title": "kettle"}}, "sort": [{"price": "asc"}]}])
    multi = call(sidecar.url, "POST", "/_msearch", searches, {"Content-Type": "application/x-ndjson"})
    assert multi.status == 200
    first, second = multi.headers["x-rerank-exploration"].split(", ")
    assert first.startswith("swap ") and second == "-", "a sorted search is not reranked, so not explored"
    after = metric(call(sidecar.url, "GET", "/metrics").body.decode(), "rerank_exploration_searches_total")
    assert after == before + 2


def test_training_estimates_position_bias_from_the_swaps(exploring, tmp_path):
    """Shoppers examine position p with probability PLANTED[p] and click what they examine with probability 0.7;
    `rerank train` on what the sidecar logged names the swaps as its estimate and recovers position 2's."""
    sidecar, log_dir = exploring
    rng = random.Random(3)
    events, query_ids = [], []
    for number in range(1500):
        word = WORDS[rng.randrange(len(WORDS))]
        user = f"explorer-{rng.randrange(200)}"
        reply = call(sidecar.url, "POST", f"/{INDEX}/_search", {"query": {"match": {"title": word}}, "size": 10},
                     {"X-Rerank-User": user})
        assert reply.status == 200
        query_id = reply.headers["x-rerank-query-id"]
        query_ids.append(query_id)
        for position, hit in enumerate(ids(reply.json())):
            if rng.random() < PLANTED[position] * 0.7:
                events.append({"action_name": "click", "query_id": query_id, "client_id": user,
                               "event_attributes": {"object": {"object_id": hit}, "position": {"ordinal": position}}})
        if len(events) >= 200 or number == 1499:
            posted = call(sidecar.url, "POST", "/_rerank/events", ndjson(events), {"Content-Type": "application/x-ndjson"})
            assert posted.status == 200 and not posted.json()["errors"]
            events = []
    wait_for("every search logged", lambda: set(query_ids) <= set(logged_queries(log_dir)), timeout=120)
    trained = subprocess.run(
        [RERANK_BIN, "train", "--logs", str(log_dir), "--output", str(tmp_path / "model.json"), "--trees", "5",
         "--early-stopping", "0", "--test-fraction", "0", "--quiet"],
        capture_output=True, text=True, timeout=600)
    assert trained.returncode == 0, trained.stderr
    line = next(line for line in trained.stdout.splitlines() if line.startswith("position bias"))
    assert line.startswith("position bias (randomized adjacent swaps through position "), line
    assert "regression EM alone: " in line
    estimated = float(re.search(r"relative to position 1\): 1: 1\.00, 2: (\d\.\d+)", line).group(1))
    assert abs(estimated - PLANTED[1]) < 0.15, line
