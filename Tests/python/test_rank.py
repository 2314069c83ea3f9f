"""Ranking without a search: `POST /_rerank/rank` over plain HTTP and `rerank batch` offline, with a model trained by
the built binary on a synthetic log. The batch answers as the service would, line by line and in order.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rerank_support import call, start_osmem, start_sidecar
from test_judgments import rerank, write_log


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("rank-logs")
    write_log(directory)
    path = directory / "model.json"
    rerank("train", "--logs", directory, "--output", path, "--trees", 10, "--quiet")
    return path


ITEMS = [f"q3-i{index}" for index in range(8)]


def rank_request(**extra) -> dict:
    return {"items": ITEMS, "query": "Query 3", "user_id": "u1", "weight": 1, "context": {"device": "mobile", "hour": 9}, **extra}


def ranked_ids(answer: dict) -> list[str]:
    return [item["id"] for item in answer["items"]]


def test_the_service_ranks_a_list_and_never_returns_an_excluded_item(model):
    osmem, upstream = start_osmem()
    sidecar = start_sidecar(upstream, {"rerank": {"model": str(model)}})
    try:
        reply = call(sidecar.url, "POST", "/_rerank/rank", rank_request(request_id="home-1", exclude_ids=[ITEMS[2]], explain=True))
        assert reply.status == 200, reply.body
        assert reply.rerank_status == "reranked"
        answer = reply.json()
        assert answer["request_id"] == "home-1"
        assert answer["query_id"] == reply.headers["x-rerank-query-id"]
        assert sorted(ranked_ids(answer)) == sorted(item for item in ITEMS if item != ITEMS[2])
        scores = [item["score"] for item in answer["items"]]
        assert scores == sorted(scores, reverse=True)
        assert all("features" in item["_rerank"] for item in answer["items"]), "explain says why"
        bad = call(sidecar.url, "POST", "/_rerank/rank", {"items": [{"id": "a", "price": 3}]})
        assert bad.status == 400
        assert "items[0].price" in bad.json()["error"]["reason"]
        metrics = call(sidecar.url, "GET", "/metrics").body.decode()
        assert 'rerank_rank_requests_total{outcome="reranked"} 1' in metrics
    finally:
        sidecar.stop()
        osmem.stop()


def test_a_batch_answers_every_line_in_order_as_the_service_would(model, tmp_path):
    requests = [
        rank_request(request_id="r0"),
        rank_request(request_id="r1", user_id="u7", exclude_ids=[ITEMS[0]]),
        {"request_id": "r2", "items": "not a list"},
        rank_request(request_id="r3", items=[{"id": item, "score": float(index)} for index, item in enumerate(ITEMS)]),
    ]
    source = tmp_path / "requests.ndjson"
    source.write_text("".join(json.dumps(line) + "\n" for line in requests) + "\nnot json\n")
    target = tmp_path / "ranked.ndjson"
    result = rerank("batch", "--model", model, "--input", source, "--output", target, "--quiet")
    assert "ranked 3 of 5 requests" in result.stdout
    answers = [json.loads(line) for line in target.read_text().splitlines()]
    assert [answer.get("request_id") for answer in answers] == ["r0", "r1", "r2", "r3", None]
    assert "items" in answers[2]["error"] and "not valid JSON" in answers[4]["error"]
    assert sorted(ranked_ids(answers[0])) == sorted(ITEMS)
    assert ITEMS[0] not in ranked_ids(answers[1])

    osmem, upstream = start_osmem()
    sidecar = start_sidecar(upstream, {"rerank": {"model": str(model)}})
    try:
        served = call(sidecar.url, "POST", "/_rerank/rank", requests[0]).json()
    finally:
        sidecar.stop()
        osmem.stop()
    assert ranked_ids(served) == ranked_ids(answers[0]), "the same model and statistics give the same order"


def test_a_batch_refuses_bad_arguments_clearly(model, tmp_path):
    missing = rerank("batch", "--model", model, "--input", tmp_path / "none.ndjson", "--output", tmp_path / "out", check=False)
    assert missing.returncode != 0 and "not a readable file" in missing.stderr
    source = tmp_path / "requests.ndjson"
    source.write_text(json.dumps(rank_request()) + "\n")
    weight = rerank("batch", "--model", model, "--input", source, "--output", tmp_path / "out", "--weight", "2", check=False)
    assert weight.returncode != 0 and "--weight must be between 0 and 1" in weight.stderr
    assert not (tmp_path / "out").exists()


def test_a_batch_applies_the_configured_filters(model, tmp_path):
    config = tmp_path / "rerank.json"
    config.write_text(json.dumps({"rerank": {"filters": [
        {"name": "cheap", "range": {"field": "price", "lte": "$max_price"}, "apply": "on_request"},
        {"name": "no_repurchase", "exclude": "history", "event": "purchase"},
    ]}}))
    items = [{"id": item, "fields": {"price": 10 * index}} for index, item in enumerate(ITEMS)]
    source = tmp_path / "requests.ndjson"
    source.write_text("".join(json.dumps(line) + "\n" for line in [
        rank_request(request_id="f0", items=items, filters=["cheap"], filter_values={"max_price": 30}),
        rank_request(request_id="f1", items=items, filters=["cheap"]),
    ]))
    target = tmp_path / "ranked.ndjson"
    rerank("batch", "--model", model, "--input", source, "--output", target, "--config", config, "--quiet")
    answers = [json.loads(line) for line in target.read_text().splitlines()]
    assert sorted(ranked_ids(answers[0])) == sorted(ITEMS[:4]), "history filters hold nothing in a batch"
    assert "filter_values.max_price" in answers[1]["error"]
