"""The LETOR export round trip: `rerank train --export-letor` shards, a LightGBM lambdarank model trained on them
with the lightgbm package (bench/scale/lightgbm_export.py, as the scale bench does), `rerank import-model`, and the
sidecar ranking with it over `POST /_rerank/rank`.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rerank_support import REPO_ROOT, call, start_osmem, start_sidecar
from test_judgments import rerank, write_log
from test_rank import ITEMS, rank_request

pytest.importorskip("lightgbm")


def test_a_lightgbm_model_trained_on_the_export_is_served(tmp_path):
    write_log(tmp_path)
    export = tmp_path / "export"
    result = rerank("train", "--logs", tmp_path, "--export-letor", export, "--shard-rows", 4000, "--quiet")
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

    osmem, upstream = start_osmem()
    sidecar = start_sidecar(upstream, {"rerank": {"model": str(model)}})
    try:
        reply = call(sidecar.url, "POST", "/_rerank/rank", rank_request(request_id="lightgbm-1"))
        assert reply.status == 200, reply.body
        assert reply.rerank_status == "reranked"
        assert sorted(item["id"] for item in reply.json()["items"]) == sorted(ITEMS)
    finally:
        sidecar.stop()
        osmem.stop()
