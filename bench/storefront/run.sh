#!/usr/bin/env bash
# The synthetic storefront evaluation bench (issue 5): simulated shoppers through the sidecar over osmem-server,
# then train, ablations and `rerank evaluate`. Writes its Markdown section to bench/storefront/work/section.md;
# WRITE_RESULTS=1 also replaces the section in bench/RESULTS.md.
#
#   bench/storefront/run.sh [SEARCHES]      # default 100000 searches (10 hits each: 1,000,000 item impressions)
set -euo pipefail
cd "$(dirname "$0")/../.."

searches=${1:-100000}
scripts/install-deps.sh
swift build -c release --product rerank >&2
python3 bench/storefront/bench.py --rerank-bin "$(swift build -c release --show-bin-path)/rerank" \
    --searches "$searches" --workers "${WORKERS:-2}" --output bench/storefront/work/section.md
if [ "${WRITE_RESULTS:-0}" = 1 ]; then
    python3 bench/results.py bench/storefront/work/section.md
fi
