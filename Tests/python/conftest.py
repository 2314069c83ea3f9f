"""Session fixtures: a loaded osmem-server, the rerank sidecar in front of it, and opensearch-py clients for both.

The binary under test is `RERANK_BIN` (default `<repo>/.build/debug/rerank`; build it with
`swift build --product rerank`). Every process started here is stopped by its PID at teardown.
"""

from __future__ import annotations

import json
import os

import pytest
from opensearchpy import OpenSearch, helpers

from rerank_support import (
    CATALOG,
    INDEX,
    MAIN_CONFIG,
    MAPPINGS,
    Sidecar,
    assert_healthy,
    start_osmem,
    start_sidecar,
)


@pytest.fixture(scope="session")
def catalog() -> list[dict]:
    with open(CATALOG) as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="session")
def in_stock(catalog) -> dict[str, bool]:
    return {product["id"]: product["in_stock"] for product in catalog}


@pytest.fixture(scope="session")
def osmem_url(catalog):
    """osmem-server with `products` created from the committed mapping and the sample catalog loaded."""
    process, url = start_osmem()
    try:
        client = OpenSearch(hosts=[url])
        client.indices.create(index=INDEX, body=json.loads(MAPPINGS.read_text()))
        loaded, errors = helpers.bulk(
            client,
            ({"_index": INDEX, "_id": product["id"], "_source": product} for product in catalog),
            refresh=True,
        )
        assert loaded == len(catalog) and not errors
        assert client.count(index=INDEX)["count"] == len(catalog)
        yield url
    finally:
        process.stop()


@pytest.fixture(scope="session")
def sidecars():
    """Starts extra sidecars on demand: `sidecars(upstream_url, config_dict, name)`; all stopped at the end."""
    started: list[Sidecar] = []

    def start(upstream: str, config: dict | None = None, name: str = "sidecar", env: dict | None = None) -> Sidecar:
        sidecar = start_sidecar(upstream, config, name, env)
        started.append(sidecar)
        return sidecar

    yield start
    for sidecar in started:
        sidecar.stop()


@pytest.fixture(scope="session")
def sidecar(osmem_url, sidecars) -> Sidecar:
    """The sidecar under test: signals (popularity, rating), a bury rule and an exclude rule."""
    return sidecars(osmem_url, MAIN_CONFIG, "main")


@pytest.fixture(scope="session")
def sidecar_url(sidecar) -> str:
    return sidecar.url


@pytest.fixture(scope="session")
def direct(osmem_url) -> OpenSearch:
    return OpenSearch(hosts=[osmem_url], timeout=15)


@pytest.fixture(scope="session")
def proxied(sidecar_url) -> OpenSearch:
    return OpenSearch(hosts=[sidecar_url], timeout=15, max_retries=0)


@pytest.fixture
def still_serving(sidecar_url):
    """Checks after the test that the main sidecar still answers its health check."""
    yield
    assert_healthy(sidecar_url)


def pytest_sessionfinish(session, exitstatus):
    """In CI (`CI` set, as CI sets it), a skipped test fails the run: every test the README says CI runs must run
    there, and a missing tool or data set must not pass quietly as a skip."""
    if os.environ.get("CI", "").lower() in ("", "0", "false"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        for report in skipped:
            reporter.write_line(f"CI: skipped, which CI does not allow: {report.nodeid}: {report.longrepr}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
