"""Declared features end to end: searches with a request context key go through a logging sidecar (opensearch-py),
shoppers click the best-rated hit, `rerank train --features` learns the catalog's rating and the context's channel
from those logs, and a sidecar serving the model reads the rating from the hits (asking the cluster for it) and from
a rank request's item fields. A sidecar whose config declares other features refuses the model.
"""

from __future__ import annotations

import json
import random
import subprocess
import tempfile
from pathlib import Path

import pytest
from opensearchpy import OpenSearch

from rerank_support import CATALOG, INDEX, RERANK_BIN, call, ndjson, start_sidecar
from test_judgments import rerank

DECLARED = {"features": [
    {"name": "rating", "source": "item", "field": "rating", "type": "numeric"},
    {"name": "age", "source": "item", "field": "created_at", "type": "age_days"},
    {"name": "channel", "source": "context", "field": "channel", "type": "categorical"},
]}
WORDS = ["shoes", "jacket", "bag", "kettle", "lamp", "headphones", "black", "classic"]


@pytest.fixture(scope="module")
def ratings() -> dict[str, float]:
    with open(CATALOG) as handle:
        return {item["id"]: item["rating"] for item in map(json.loads, handle)}


@pytest.fixture(scope="module")
def trained(osmem_url, ratings, tmp_path_factory) -> tuple[Path, Path, str]:
    """Logs of 400 searches in which shoppers click the best-rated hit, and the model trained on them."""
    work = tmp_path_factory.mktemp("declared")
    logs = work / "logs"
    logs.mkdir()
    sidecar = start_sidecar(osmem_url, {"rerank": {"enabled": False}, "log": {"dir": str(logs)}}, name="declared-logging")
    rng = random.Random(3)
    try:
        client = OpenSearch(hosts=[sidecar.url])
        for search in range(400):
            channel = "app" if search % 2 else "web"
            body = {"query": {"match": {"title": rng.choice(WORDS)}}, "size": 10, "_source": ["title"],
                    "ext": {"rerank": {"user_id": f"u{search % 40}", "return_query_id": True,
                                       "context": {"channel": channel, "device": "mobile"}}}}
            response = client.search(index=INDEX, body=body)
            hits = [hit["_id"] for hit in response["hits"]["hits"]]
            if not hits:
                continue
            best = max(hits, key=lambda item: ratings[item])
            event = {"action_name": "click", "query_id": response["ext"]["rerank"]["query_id"], "client_id": f"u{search % 40}",
                     "event_attributes": {"object": {"object_id": best, "object_id_field": "_id"},
                                          "position": {"ordinal": hits.index(best)}}}
            assert call(sidecar.url, "POST", "/_rerank/events", ndjson([event])).status == 200
    finally:
        sidecar.stop()
    queries = [json.loads(line) for path in logs.glob("ubi_queries*.ndjson") for line in path.read_text().splitlines()]
    assert {query["query_attributes"]["context"]["channel"] for query in queries} == {"app", "web"}, "the context key is logged"
    features = work / "rerank.json"
    features.write_text(json.dumps(DECLARED))
    model = work / "model.json"
    result = rerank("train", "--logs", logs, "--items", CATALOG, "--features", features, "--output", model,
                    "--trees", 30, "--test-fraction", 0, "--quiet")
    return model, features, result.stdout


def test_training_reports_what_the_declared_features_carried(trained):
    model, _, summary = trained
    line = next(line for line in summary.splitlines() if line.startswith("declared features' split gain"))
    shares = {name: float(share.rstrip("%")) for name, share in (part.rsplit(" ", 1) for part in line.split(": ", 1)[1].split(", "))}
    assert set(shares) == {"rating", "age", "item_ctr_by_channel"}
    # The clicked items' own click rates carry most of it (the same hits come back for the same words); the
    # rating, a column of zeros were it not read, must still have been split on.
    assert shares["rating"] > 0, f"shoppers click the best-rated hit: {line}"
    stored = json.loads(model.read_text())
    assert "rating" in json.dumps(stored), "the declaration is in the model file"


def test_the_served_model_reads_the_rating_from_hits_and_rank_requests(trained, osmem_url, ratings):
    model, _, _ = trained
    sidecar = start_sidecar(osmem_url, {**DECLARED, "rerank": {"model": str(model)}}, name="declared-serving")
    try:
        client = OpenSearch(hosts=[sidecar.url])
        response = client.search(index=INDEX, body={
            "query": {"match": {"title": "shoes"}}, "size": 10, "_source": ["title"],
            "ext": {"rerank": {"user_id": "u1", "explain": True, "context": {"channel": "app"}}}})
        hits = response["hits"]["hits"]
        assert hits
        for hit in hits:
            assert hit["_rerank"]["features"]["rating"] == pytest.approx(ratings[hit["_id"]], abs=1e-5)
            assert hit["_source"] == {"title": hit["_source"]["title"]}, "the rating was asked for, not returned"
            assert hit["_rerank"]["features"]["age"] > 0
        reply = call(sidecar.url, "POST", "/_rerank/rank", {
            "items": [{"id": "new-1", "fields": {"rating": 4.9}}, {"id": "new-2", "fields": {"rating": 2.6}}],
            "user_id": "u1", "context": {"channel": "web"}, "explain": True})
        assert reply.status == 200, reply.body
        features = {item["id"]: item["_rerank"]["features"] for item in reply.json()["items"]}
        assert features["new-1"]["rating"] == pytest.approx(4.9, abs=1e-5)
        assert features["new-2"]["rating"] == pytest.approx(2.6, abs=1e-5)
        bad = call(sidecar.url, "POST", "/_rerank/rank", {"items": ["a"], "context": {"channel": {"name": "app"}}})
        assert bad.status == 400 and "context.channel" in bad.json()["error"]["reason"]
    finally:
        sidecar.stop()


def test_a_sidecar_declaring_other_features_refuses_the_model(trained, osmem_url):
    model, _, _ = trained
    other = {"features": [{"name": "margin", "source": "item", "field": "margin", "type": "numeric"}],
             "rerank": {"model": str(model)}}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as config:
        json.dump(other, config)
    result = subprocess.run([RERANK_BIN, "serve", "--upstream", osmem_url, "--port", "0", "--config", config.name],
                            capture_output=True, text=True, timeout=60)
    Path(config.name).unlink()
    assert result.returncode != 0
    assert "declares the features rating" in result.stderr + result.stdout
    assert "the configuration declares margin" in result.stderr + result.stdout
    bad = subprocess.run([RERANK_BIN, "train", "--logs", str(model.parent / "logs"), "--features", str(model),
                          "--output", str(model.parent / "unused.json")], capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "--features" in bad.stderr
