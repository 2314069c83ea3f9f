#!/usr/bin/env bash
# Installs what the demo and the tests need besides the Swift toolchain: the Python tools pinned in
# scripts/requirements.txt (the OpenSearch-compatible test server osmem-server, the real OpenSearch Python
# client, pytest, ranx, the peer implementation the metric cross-check compares with, and LightGBM and XGBoost,
# the external trainers the LETOR export's tests serve models of). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! output=$(python3 -m pip install --quiet --disable-pip-version-check -r scripts/requirements.txt 2>&1); then
    echo "$output" >&2
    echo "install-deps: pip could not install scripts/requirements.txt" >&2
    exit 1
fi
grep -v "Running pip as the 'root' user" <<<"$output" || true
python3 -c "import osmem_server, opensearchpy, pytest, ranx, lightgbm, xgboost; osmem_server.resolve_binary()" \
    || { echo "install-deps: Python packages did not install" >&2; exit 1; }
# curl for the scripts; zlib's headers for gzip request bodies (compress-nio links libz).
if ! command -v curl >/dev/null || [ ! -e /usr/include/zlib.h ]; then
    apt-get update -qq && apt-get install -y -qq curl zlib1g-dev >/dev/null
fi
