#!/usr/bin/env bash
# Long-form fuzzing of the request-body parser, search planner, hit scanner, field selector, splicer and response
# reranker (Tests/RerankServerTests/FuzzTests.swift): each property runs for SECONDS (default 300) from SEED
# (default: the current time; every run prints its seed, and RERANK_FUZZ_SEED=SEED reproduces it).
#
#   bench/fuzz/run.sh [SECONDS] [SEED]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export RERANK_WARNINGS_AS_ERRORS=1   # the same build settings as scripts/test.sh, so its build is reused
swift build --build-tests
RERANK_FUZZ_SECONDS=${1:-300} RERANK_FUZZ_SEED=${2:-$(date +%s)} swift test --skip-build --filter FuzzTests
