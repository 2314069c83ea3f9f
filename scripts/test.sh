#!/usr/bin/env bash
# Runs every test: Swift unit and live tests (against osmem-server), then the opensearch-py client suite.
# Warnings are errors here.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
export RERANK_WARNINGS_AS_ERRORS=1
swift build --build-tests
swift test --skip-build
swift build --product rerank
RERANK_BIN="$PWD/.build/debug/rerank" python3 -m pytest Tests/python -q -p no:cacheprovider
