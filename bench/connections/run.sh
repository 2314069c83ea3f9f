#!/usr/bin/env bash
# Many idle keep-alive connections: opens N (default 10000) to one sidecar, checks it holds them all, serves each
# a second time and serves searches meanwhile, then that closing them leaks no descriptor. CI runs it with 1,000.
#
#   bench/connections/run.sh [N]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# Both ends hold N sockets: raise the soft limit to the hard one.
ulimit -n "$(ulimit -Hn)"
echo "fd limit $(ulimit -n)"
[ -n "${RERANK_BIN:-}" ] || swift build --product rerank
RERANK_IDLE_CONNECTIONS=${1:-10000} RERANK_BIN=${RERANK_BIN:-$PWD/.build/debug/rerank} \
    python3 -m pytest Tests/python/test_client_abuse.py -q -p no:cacheprovider -k crowd
