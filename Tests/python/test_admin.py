"""The admin endpoints through the real binary: the token comes from RERANK_ADMIN_TOKEN as well as the config
file, and without one the endpoints are off."""

from __future__ import annotations

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
