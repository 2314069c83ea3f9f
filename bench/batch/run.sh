#!/usr/bin/env bash
# The batch ranking bench (issue 17): trains a model on a synthetic log, then times `rerank batch` on rank requests
# of 100 items each. Writes its Markdown section to bench/batch/work/section.md; WRITE_RESULTS=1 also replaces the
# section in bench/RESULTS.md.
#
#   bench/batch/run.sh [REQUESTS]      # default 20000 requests of 100 items
set -euo pipefail
cd "$(dirname "$0")/../.."

requests=${1:-20000}
scripts/install-deps.sh
swift build -c release --product rerank >&2
python3 bench/batch/bench.py --rerank-bin "$(swift build -c release --show-bin-path)/rerank" \
    --requests "$requests" --output bench/batch/work/section.md
if [ "${WRITE_RESULTS:-0}" = 1 ]; then
    python3 bench/results.py bench/batch/work/section.md
fi
