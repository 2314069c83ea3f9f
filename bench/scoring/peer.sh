#!/usr/bin/env bash
# Scoring alone, rerank against LightGBM's own predictor, on one model and the same rows: the feature rows of the
# bench's 1,024 searches (100 hits each, from the crowd's live state), a 300-tree, 31-leaf LightGBM model learned
# from them (peer.py), LightGBM's C API timed by lightgbm_predict.c (one thread, no interpreter), and rerank's
# scorer on that model imported as `rerank import-model` does. Both time one list of 100 rows at a time.
#
#   bench/scoring/peer.sh [RUNS] [--users N] [--items N]     # RUNS default 5000
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5000}
shift || true
python3 -c "import lightgbm, numpy" 2>/dev/null || python3 -m pip install --quiet lightgbm numpy
work=$(mktemp -d "${TMPDIR:-/tmp}/rerank-scoring-peer.XXXXXX")
trap 'rm -rf "$work"' EXIT
swift build -c release --product rerank-bench-scoring
bench=.build/release/rerank-bench-scoring
library=$(python3 -c "import lightgbm, os; print(os.path.join(os.path.dirname(lightgbm.__file__), 'lib'))")
cc -O2 -o "$work/lightgbm_predict" bench/scoring/lightgbm_predict.c -L"$library" -l:lib_lightgbm.so -Wl,-rpath,"$library"
"$bench" --export-rows "$work" "$@"
python3 bench/scoring/peer.py "$work"
width=$(python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['width'])" "$work/meta.json")
echo "load average before timing: $(cut -d' ' -f1-3 /proc/loadavg)"
"$work/lightgbm_predict" "$work/lightgbm.txt" "$work/rows.f32" "$width" 100 "$runs" "$work/lightgbm_scores.f64"
"$bench" --lightgbm "$work" "$runs"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
