#!/usr/bin/env bash
# Format and ingest check on ../shared/data/ubi-esci-sample: validate, train and evaluate it as shipped.
# Writes bench/ubi_sample/work/section.md; WRITE_RESULTS=1 also replaces its section in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

swift build -c release --product rerank >&2
mkdir -p bench/ubi_sample/work
python3 bench/ubi_sample/bench.py --rerank-bin "$(swift build -c release --show-bin-path)/rerank" \
    --output bench/ubi_sample/work/section.md
if [ "${WRITE_RESULTS:-0}" = 1 ]; then python3 bench/results.py bench/ubi_sample/work/section.md; fi
