#!/usr/bin/env bash
# In-process scoring latency of the learned ranker (100 hits, 300 trees of 31 leaves, feature extraction
# included). Release build; prints the distribution over N runs (default 5000).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product rerank-bench-scoring
.build/release/rerank-bench-scoring "${1:-5000}"
