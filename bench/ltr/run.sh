#!/usr/bin/env bash
# Learning-to-rank trainer bench: `rerank train` against LightGBM (python package), same parameters (LightGBM's
# examples/lambdarank/train.conf: 100 trees, learning rate 0.1, 31 leaves, min_data_in_leaf 50,
# min_sum_hessian_in_leaf 5, bagging 0.9 every iteration, max_bin 255) and the same thread count.
#
#   1. the lambdarank example (../shared/data/lambdarank-example): wall time and test NDCG@10, median of RUNS;
#   2. a synthetic set (QUERIES x DOCS rows x FEATURES features, written by make_synthetic.py into a temporary
#      directory that is removed at exit): wall time and rows/s, median of LARGE_RUNS.
#
# Wall time covers reading the files, binning, training and writing the model, for both trainers (LightGBM's
# is timed inside python, so interpreter start-up is not counted against it).
#
#   bench/ltr/run.sh                       # defaults: THREADS=2 RUNS=3 LARGE_RUNS=3 QUERIES=20000 DOCS=50 FEATURES=50
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$(pwd)
threads=${THREADS:-2}
runs=${RUNS:-3}
large_runs=${LARGE_RUNS:-3}
queries=${QUERIES:-20000}
docs=${DOCS:-50}
features=${FEATURES:-50}
example=${EXAMPLE:-$root/../shared/data/lambdarank-example}
work=$(mktemp -d "${TMPDIR:-/tmp}/rerank-ltr-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

python3 -c "import lightgbm, numpy" 2>/dev/null || python3 -m pip install --quiet lightgbm numpy
swift build -c release --product rerank >&2
rerank="$(swift build -c release --show-bin-path)/rerank"

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# ours DATA [VALID]: prints wall seconds of one `rerank train` run.
ours() {
    local start end
    start=$(date +%s.%N)
    "$rerank" train --format letor --data "$1" ${2:+--valid "$2"} --output "$work/model.json" \
        --trees 100 --learning-rate 0.1 --num-leaves 31 --min-data-in-leaf 50 --min-sum-hessian-in-leaf 5 \
        --bagging-fraction 0.9 --bagging-freq 1 --feature-fraction 1 --max-bin 255 --eval-at 10 \
        --threads "$threads" --quiet >/dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}

# lightgbm DATA [VALID]: prints LightGBM's JSON line.
lightgbm() {
    python3 "$root/bench/ltr/lightgbm_train.py" --data "$1" ${2:+--valid "$2"} --threads "$threads" --trees 100
}

json() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }

echo "== lambdarank example, $runs runs each" >&2
ours_small=$(for _ in $(seq "$runs"); do ours "$example/rank.train" "$example/rank.test"; done | median)
"$rerank" evaluate --format letor --model "$work/model.json" --data "$example/rank.test" --json "$work/eval.json" >/dev/null
ours_ndcg=$(json "['model']['ndcg@10']" <"$work/eval.json")
for _ in $(seq "$runs"); do lightgbm "$example/rank.train" "$example/rank.test"; done >"$work/lgb-small.jsonl"
lgb_small=$(python3 -c "
import json, statistics
print(statistics.median(json.loads(line)['seconds'] for line in open('$work/lgb-small.jsonl')))")
lgb_ndcg=$(head -1 "$work/lgb-small.jsonl" | json "['ndcg@10']")
lgb_version=$(head -1 "$work/lgb-small.jsonl" | json "['version']")

echo "== synthetic: $queries queries x $docs docs x $features features" >&2
python3 "$root/bench/ltr/make_synthetic.py" --queries "$queries" --docs "$docs" --features "$features" "$work/synthetic.train"
rows=$((queries * docs))
ours_large=$(for _ in $(seq "$large_runs"); do ours "$work/synthetic.train"; done | median)
lgb_large=$(for _ in $(seq "$large_runs"); do lightgbm "$work/synthetic.train" | json "['seconds']"; done | median)

rate() { python3 -c "print(f'{$rows / $1:,.0f}')"; }
fmt() { printf '%.3f' "$1"; }
cat <<TABLE

Date: $(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), threads: $threads, LightGBM $lgb_version
Command: bench/ltr/run.sh (RUNS=$runs LARGE_RUNS=$large_runs QUERIES=$queries DOCS=$docs FEATURES=$features)

| Data | Trainer | Wall time (s, median) | Test NDCG@10 | Rows/s |
|---|---|---|---|---|
| lambdarank example (3,005 rows) | rerank | $(fmt "$ours_small") | $(fmt "$ours_ndcg") | |
| lambdarank example (3,005 rows) | LightGBM | $(fmt "$lgb_small") | $(fmt "$lgb_ndcg") | |
| synthetic ($rows rows x $features features) | rerank | $(fmt "$ours_large") | | $(rate "$ours_large") |
| synthetic ($rows rows x $features features) | LightGBM | $(fmt "$lgb_large") | | $(rate "$lgb_large") |
TABLE
