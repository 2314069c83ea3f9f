#!/usr/bin/env bash
# The LETOR export round trip (issue 16): simulated storefront logs, `rerank train --export-letor`, LightGBM's
# lambdarank on the exported shards (the lightgbm package), `rerank import-model`, and `rerank evaluate --compare`
# of the two models on the same held-out searches. Writes its Markdown section to bench/scale/work/section.md;
# WRITE_RESULTS=1 also replaces the section in bench/RESULTS.md. RERANK_BIN=PATH skips the release build.
#
#   bench/scale/letor_roundtrip.sh [SEARCHES]      # default 20000 searches
set -euo pipefail
cd "$(dirname "$0")/../.."

searches=${1:-20000}
scripts/install-deps.sh
if [ -z "${RERANK_BIN:-}" ]; then
    swift build -c release --product rerank >&2
    RERANK_BIN="$(swift build -c release --show-bin-path)/rerank"
fi
mkdir -p bench/scale/work
python3 bench/scale/roundtrip.py --rerank-bin "$RERANK_BIN" --searches "$searches" --workers "${WORKERS:-2}" \
    --output bench/scale/work/section.md
if [ "${WRITE_RESULTS:-0}" = 1 ]; then
    python3 bench/results.py bench/scale/work/section.md
fi
