"""The admin endpoints through the real binary: the token comes from RERANK_ADMIN_TOKEN as well as the config
file, and without one the endpoints are off."""

from __future__ import annotations

import json

from rerank_support import assert_opensearch_error, call

TOKEN = "environment-token-0123456789"


def test_token_from_the_environment(osmem_url, sidecars):
    sidecar = sidecars(osmem_url, {}, "admin-env", env={"RERANK_ADMIN_TOKEN": TOKEN})
    assert_opensearch_error(call(sidecar.url, "GET", "/_rerank/stats"), 401, "security_exception")
    wrong = call(sidecar.url, "GET", "/_rerank/stats", headers={"Authorization": f"Bearer {TOKEN[:-1]}"})
    assert_opensearch_error(wrong, 401, "security_exception")
    reply = call(sidecar.url, "GET", "/_rerank/stats", headers={"Authorization": f"Bearer {TOKEN}"})
    assert reply.status == 200
    assert reply.json()["model"]["version"]
    reload = call(sidecar.url, "POST", "/_rerank/model/reload", headers={"Authorization": f"Bearer {TOKEN}"})
    assert_opensearch_error(reload, 404)


def test_without_a_token_admin_endpoints_are_off(sidecar_url):
    for method, path in (("GET", "/_rerank/stats"), ("POST", "/_rerank/model/reload")):
        error = assert_opensearch_error(call(sidecar_url, method, path, headers={"Authorization": f"Bearer {TOKEN}"}), 403, "security_exception")
        assert "admin.token" in error["reason"]


def test_experiments_reload_on_demand(osmem_url, sidecars):
    """`POST /_rerank/experiments/reload` applies the config file's experiments now (the file is otherwise only
    polled, here every 10 minutes); a file that does not load is refused with a 400 and the old ones go on."""
    experiment = {"name": "admin-ab", "salt": "s1", "variants": [{"name": "control", "rerank": False}, {"name": "treatment"}]}
    config = {"admin": {"token": TOKEN}, "experiments_check_ms": 600_000, "experiments": [experiment]}
    sidecar = sidecars(osmem_url, config, "admin-experiments")
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert_opensearch_error(call(sidecar.url, "POST", "/_rerank/experiments/reload"), 401, "security_exception")

    renamed = dict(experiment, name="admin-ab-2")
    sidecar.config_path.write_text(json.dumps(dict(config, experiments=[renamed])))
    reply = call(sidecar.url, "POST", "/_rerank/experiments/reload", headers=bearer)
    assert reply.status == 200 and reply.json() == {"reloaded": True, "experiments": ["admin-ab-2"]}
    search = call(sidecar.url, "POST", "/products/_search", {"query": {"match_all": {}}},
                  headers={"X-Rerank-User": "someone"})
    assert search.headers.get("x-rerank-experiment") == "admin-ab-2"

    broken = dict(renamed, variants=[{"name": "control", "share": 0.7}, {"name": "treatment", "share": 0.7}])
    sidecar.config_path.write_text(json.dumps(dict(config, experiments=[broken])))
    error = assert_opensearch_error(call(sidecar.url, "POST", "/_rerank/experiments/reload", headers=bearer),
                                    400, "rerank_config_refused_exception")
    assert "shares" in error["reason"]
    search = call(sidecar.url, "POST", "/products/_search", {"query": {"match_all": {}}},
                  headers={"X-Rerank-User": "someone"})
    assert search.headers.get("x-rerank-experiment") == "admin-ab-2"
