#!/usr/bin/env bash
# MovieLens 100k as a search reranking task: `rerank validate`, `rerank train` and `rerank evaluate` on real
# users, items and timestamps, with context and user ablations.
#
#   bench/movielens/run.sh                    # prints the Markdown section, writes work/RESULTS-section.md
#   bench/movielens/run.sh --write-results    # also replaces "## Evaluation: MovieLens 100k" in bench/RESULTS.md
#   RERANK_BIN=/path/to/rerank SEED=2 bench/movielens/run.sh
#
# Downloads the recbole 1.2.1 wheel (it carries ml-100k) into the work directory unless it is there, turns the
# ratings into searches over an osmem-server movie index and UBI logs (make_logs.py: the task's design is in
# its docstring), then runs validate, train and evaluate on them, and train/evaluate again without the context
# and without the user features. The data stays in the work directory (gitignored): GroupLens' terms forbid
# redistributing it. Every process it starts is stopped before it exits.
#
# Environment (all optional):
#   RERANK_BIN=PATH        the rerank binary (default: .build/release/rerank, built with `swift build -c
#                          release --product rerank` if missing)
#   WORK=DIR               work directory (default: bench/movielens/work)
#   SEED=1                 seed of the search sampling
#   LEARNER_SEEDS="1 2 3"  `rerank train --seed` values; every model is trained and evaluated once per seed (the
#                          table shows the first, the spread over all is reported)
#   SEARCH_SHARE=0.2       share of the ratings that are search moments
#   SIZE=30                hits shown per search
#   WRITE_RESULTS=1        same as --write-results
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=${WORK:-$HERE/work}
SEED=${SEED:-1}
LEARNER_SEEDS=${LEARNER_SEEDS:-1 2 3}
SEARCH_SHARE=${SEARCH_SHARE:-0.2}
SIZE=${SIZE:-30}
WRITE_RESULTS=${WRITE_RESULTS:-0}
for arg in "$@"; do
    case "$arg" in
        --write-results) WRITE_RESULTS=1 ;;
        *) echo "usage: $0 [--write-results]" >&2; exit 2 ;;
    esac
done
WHEEL=recbole-1.2.1-py3-none-any.whl
STARTED=$(date +%s)

log() { printf '[movielens %3ds] %s\n' "$(($(date +%s) - STARTED))" "$*" >&2; }
die() { log "error: $*"; exit 1; }
# load: the load averages and the number of Swift compiler processes, as JSON.
load() { echo "{\"average\": [$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)], \"compilers\": $(pgrep -c -x swift-frontend || true)}"; }

RERANK_BIN=${RERANK_BIN:-$ROOT/.build/release/rerank}
if [ ! -x "$RERANK_BIN" ]; then
    log "building $RERANK_BIN"
    (cd "$ROOT" && swift build -c release --product rerank) || die "could not build rerank"
fi
if ! python3 -c 'import osmem_server, opensearchpy' 2>/dev/null; then
    log "installing osmem-server and opensearch-py"
    python3 -m pip install -q osmem-server opensearch-py || die "could not pip install osmem-server opensearch-py"
fi

mkdir -p "$WORK"
if [ ! -f "$WORK/$WHEEL" ]; then
    log "downloading $WHEEL (it carries MovieLens 100k)"
    python3 -m pip download -q --no-deps recbole==1.2.1 -d "$WORK" || die "could not download recbole 1.2.1 from PyPI"
fi
# A copy, so that a rebuild of RERANK_BIN during the run cannot mix two binaries.
BINARY_BUILT=$(date -u -r "$RERANK_BIN" '+%Y-%m-%d %H:%M UTC')
cp "$RERANK_BIN" "$WORK/rerank"
rm -f "$WORK"/timings.tsv "$WORK"/eval-*.json "$WORK"/model-*.json "$WORK"/RESULTS-section.md
LOAD_START=$(load)

# step NAME COMMAND...: runs COMMAND with its output in WORK/NAME.log, appends its wall seconds to timings.tsv.
step() {
    local name=$1 start end
    shift
    log "$name"
    start=$(date +%s.%N)
    "$@" >"$WORK/$name.log" 2>&1 || { tail -20 "$WORK/$name.log" >&2; die "$name failed (log: $WORK/$name.log)"; }
    end=$(date +%s.%N)
    printf '%s\t%s\n' "$name" "$(echo "$end - $start" | bc -l)" >>"$WORK/timings.tsv"
}

step logs python3 "$HERE/make_logs.py" --wheel "$WORK/$WHEEL" --out "$WORK" --seed "$SEED" \
    --search-share "$SEARCH_SHARE" --size "$SIZE"
step validate "$WORK/rerank" validate --logs "$WORK/logs"
for seed in $LEARNER_SEEDS; do
    for run in all no-context no-user; do
        case $run in
            all) without=() ;;
            no-context) without=(--without context) ;;
            no-user) without=(--without user) ;;
        esac
        step "train-$run-s$seed" "$WORK/rerank" train --logs "$WORK/logs" --items "$WORK/catalog.ndjson" \
            --output "$WORK/model-$run-s$seed.json" --seed "$seed" --quiet "${without[@]}"
        step "evaluate-$run-s$seed" "$WORK/rerank" evaluate --model "$WORK/model-$run-s$seed.json" \
            --logs "$WORK/logs" --items "$WORK/catalog.ndjson" --json "$WORK/eval-$run-s$seed.json"
    done
done

command_line="bench/movielens/run.sh"
[ "$WRITE_RESULTS" = 1 ] && command_line+=" --write-results"
for v in SIZE SEARCH_SHARE LEARNER_SEEDS SEED RERANK_BIN; do
    if printenv "$v" >/dev/null; then command_line="$v='$(printenv "$v")' $command_line"; fi
done
commit=$(git -C "$ROOT" rev-parse --short HEAD)
git -C "$ROOT" diff --quiet HEAD -- bench/movielens || commit+=" plus uncommitted changes under bench/movielens"
DATE=$(date -u '+%Y-%m-%d %H:%M UTC') COMMAND=$command_line COMMIT=$commit LEARNER_SEEDS=$LEARNER_SEEDS \
    BINARY=$RERANK_BIN BINARY_BUILT=$BINARY_BUILT CORES=$(nproc) \
    MEMORY="$(free -g | awk '/^Mem:/ {print $2}') GiB" LOAD_START=$LOAD_START LOAD_END=$(load) \
    ELAPSED_S=$(($(date +%s) - STARTED)) python3 -c '
import json, os, sys
json.dump({
    "date": os.environ["DATE"], "command": os.environ["COMMAND"], "commit": os.environ["COMMIT"],
    "learner_seeds": os.environ["LEARNER_SEEDS"].split(), "binary": os.environ["BINARY"],
    "binary_built": os.environ["BINARY_BUILT"], "cores": os.environ["CORES"], "memory": os.environ["MEMORY"],
    "load_start": json.loads(os.environ["LOAD_START"]), "load_end": json.loads(os.environ["LOAD_END"]),
    "elapsed_s": int(os.environ["ELAPSED_S"]),
}, open(sys.argv[1], "w"), indent=2)' "$WORK/meta.json"

args=("$WORK")
[ "$WRITE_RESULTS" = 1 ] && args+=(--results "$ROOT/bench/RESULTS.md")
python3 "$HERE/report.py" "${args[@]}"
log "done: $WORK/RESULTS-section.md"
