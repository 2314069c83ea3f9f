#!/usr/bin/env bash
# In-process latency of the learned ranker: feature extraction from a live state filled with a crowd (default
# 1M users, 1M sessions, 1M items) plus scoring of 100 hits with a 300-tree, 31-leaf model. Release build.
#
#   bench/scoring/run.sh [RUNS] [--users N] [--items N] [--queries N] [--trees N] [--leaves N]   # 5000 runs, 300 trees, 31 leaves
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product rerank-bench-scoring
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "peak RSS %M KiB, %e s wall" .build/release/rerank-bench-scoring "${@:-5000}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
