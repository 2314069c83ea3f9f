"""The LETOR export round trip: `rerank train --export-letor` shards, a LightGBM lambdarank model trained on them
with the lightgbm package (bench/scale/lightgbm_export.py, as the scale bench does), `rerank import-model`, and the
sidecar ranking with it over `POST /_rerank/rank`; an XGBoost model where the xgboost package is installed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rerank_support import REPO_ROOT, call, start_osmem, start_sidecar
from test_judgments import rerank, write_log
from test_rank import ITEMS, rank_request

sys.path.insert(0, str(REPO_ROOT / "bench" / "scale"))


def export_log(directory):
    write_log(directory)
    export = directory / "export"
    result = rerank("train", "--logs", directory, "--export-letor", export, "--shard-rows", 4000, "--quiet")
    return export, result


def served_ranks(model):
    osmem, upstream = start_osmem()
    sidecar = start_sidecar(upstream, {"rerank": {"model": str(model)}})
    try:
        reply = call(sidecar.url, "POST", "/_rerank/rank", rank_request(request_id="external-1"))
        assert reply.status == 200, reply.body
        assert reply.rerank_status == "reranked"
        assert sorted(item["id"] for item in reply.json()["items"]) == sorted(ITEMS)
    finally:
        sidecar.stop()
        osmem.stop()


def test_a_lightgbm_model_trained_on_the_export_is_served(tmp_path):
    pytest.importorskip("lightgbm")
    export, result = export_log(tmp_path)
    assert "exported 39 features" in result.stdout
    schema = json.loads((export / "schema.json").read_text())
    assert [column["index"] for column in schema["features"]] == list(range(1, 40))
    assert schema["splits"]["valid"]["first_qid"] == schema["splits"]["train"]["searches"]
    assert (export / "train" / "part-00001.svm").exists(), "4000 rows per shard make several training shards"
    assert not (export / "model.json").exists(), "without --output the export is all"

    lightgbm_model = tmp_path / "lightgbm.txt"
    subprocess.run(
        [sys.executable, REPO_ROOT / "bench" / "scale" / "lightgbm_export.py", export, lightgbm_model,
         "--trees", "8", "--early-stopping", "0"],
        check=True, capture_output=True, text=True, timeout=300,
    )
    model = tmp_path / "model.json"
    imported = rerank("import-model", "--lightgbm", lightgbm_model, "--statistics", export / "statistics.json", "--output", model)
    assert "8 LightGBM trees over 39 features" in imported.stdout

    renamed = tmp_path / "renamed.txt"
    renamed.write_text(lightgbm_model.read_text().replace("search_score", "engine_score"))
    refused = rerank("import-model", "--lightgbm", renamed, "--statistics", export / "statistics.json", "--output", tmp_path / "x.json", check=False)
    assert refused.returncode != 0 and "not in the schema: engine_score" in refused.stderr

    served_ranks(model)


def test_an_xgboost_model_trained_on_dense_export_rows_is_served(tmp_path):
    xgboost = pytest.importorskip("xgboost")
    from lightgbm_export import read_shards

    export, _ = export_log(tmp_path)
    names = [column["name"] for column in json.loads((export / "schema.json").read_text())["features"]]
    rows, labels, groups, _ = read_shards(export / "train", len(names))
    data = xgboost.DMatrix(rows, labels, feature_names=names)
    data.set_group(groups)
    booster = xgboost.train({"objective": "rank:ndcg", "max_depth": 4, "eta": 0.3, "nthread": 2}, data, 6)
    xgboost_model = tmp_path / "xgboost.json"
    booster.save_model(str(xgboost_model))
    model = tmp_path / "model.json"
    imported = rerank("import-model", "--xgboost", xgboost_model, "--statistics", export / "statistics.json", "--output", model)
    assert "XGBoost trees over 39 features" in imported.stdout
    served_ranks(model)
