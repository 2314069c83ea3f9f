#!/usr/bin/env bash
# Experiments benchmark: an A/B and a team-draft interleaving experiment through the real sidecar, then
# `rerank report` on the logs it wrote.
#
#   bench/experiments/run.sh                     # uses .build/release/rerank; prints the report, updates RESULTS.md
#   RERANK_BIN=/path/rerank WRITE_RESULTS=0 bench/experiments/run.sh
#
# Does not build: build first with `swift build -c release --product rerank`. On loopback only. Starts
# osmem-server (sample catalog in `products`) and, one after the other, two sidecars on it, and stops both:
#   1. training traffic: the sidecar with sample/rerank.json and --log-dir serves TRAIN_SEARCHES simulated
#      searches (bench/storefront/simulate.py, seed 1); `rerank train` learns a model from those logs;
#   2. the experiments: the sidecar with the model and bench/experiments/experiments.json (model-ab: half the
#      users, engine order vs the model; model-il: the other half, team-draft interleaving of the engine order
#      and the model) serves SEARCHES simulated searches by the same USERS shoppers (simulate.py --seed 1
#      --traffic-seed 2), their clicks, add-to-carts and purchases posted as events;
#   3. `rerank report --logs ... --config ... --json ... --html ...`.
#
# Environment (all optional): TRAIN_SEARCHES=3000 SEARCHES=6000 USERS=400 RERANK_BIN=PATH WRITE_RESULTS=1 KEEP_WORK=0
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RERANK_BIN=${RERANK_BIN:-$ROOT/.build/release/rerank}
[ -x "$RERANK_BIN" ] || { echo "no rerank binary at $RERANK_BIN; build it: swift build -c release --product rerank" >&2; exit 1; }
python3 -c 'import osmem_server, opensearchpy' 2>/dev/null \
    || { echo "osmem-server and opensearch-py are required: scripts/install-deps.sh" >&2; exit 1; }
COMMAND_LINE=""
for v in TRAIN_SEARCHES SEARCHES USERS RERANK_BIN; do
    if printenv "$v" >/dev/null; then COMMAND_LINE+="$v=\"$(printenv "$v")\" "; fi
done
args=(--rerank-bin "$RERANK_BIN" --train-searches "${TRAIN_SEARCHES:-3000}" --searches "${SEARCHES:-6000}"
      --users "${USERS:-400}" --command "${COMMAND_LINE}bench/experiments/run.sh")
[ "${WRITE_RESULTS:-1}" = 1 ] && args+=(--results "$ROOT/bench/RESULTS.md")
[ "${KEEP_WORK:-0}" = 1 ] && args+=(--keep-work)
exec python3 "$HERE/run.py" "${args[@]}"
