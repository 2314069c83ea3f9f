#!/usr/bin/env bash
# The crowd bench (see crowd.py): a sidecar serving a model it trained from its own logs takes a crowd of new
# users, sessions and items through POST /_rerank/events while steady searches run; then the same with 10x the
# crowd, to show memory stays within the configured tables.
#
#   bench/crowd/run.sh                        # 1M events, then 10M, posted at 50,000/s; .build/release/rerank
#   EVENTS=200000 TIMES=1 bench/crowd/run.sh  # a quicker look
#   EVENTS_RATE=0 bench/crowd/run.sh          # post as fast as the sidecar acknowledges
#
# Does not build: `swift build -c release --product rerank` first. Loopback only; stops what it starts.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EVENTS=${EVENTS:-1000000}
TIMES=${TIMES:-"1 10"}
EVENTS_RATE=${EVENTS_RATE:-50000}
RERANK_BIN=${RERANK_BIN:-$ROOT/.build/release/rerank}
OUT=${OUT:-$ROOT/bench/crowd/out}
[ -x "$RERANK_BIN" ] || { echo "no rerank binary at $RERANK_BIN; build it: swift build -c release --product rerank" >&2; exit 1; }
mkdir -p "$OUT"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for times in $TIMES; do
    python3 "$ROOT/bench/crowd/crowd.py" --rerank "$RERANK_BIN" --events $((EVENTS * times)) --events-rate "$EVENTS_RATE" --json "$OUT/crowd-${times}x-rate${EVENTS_RATE}.json"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
