#!/usr/bin/env bash
# The demo: an OpenSearch-compatible server (osmem-server) with the sample catalog, the rerank sidecar in
# front of it, and real searches through the sidecar with the opensearch-py client. Stops what it starts.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
swift build -c release --product rerank
python3 scripts/demo.py --rerank-bin "$PWD/.build/release/rerank"
