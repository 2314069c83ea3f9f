#!/usr/bin/env bash
# Training memory and time at scale (issue 16): `rerank train --format letor` on synthetic sets of 1M, 5M and 10M
# rows x 50 features (bench/ltr/make_synthetic.py, 20,000 queries x 50 rows per million, seeds 1, 2, ...;
# the sets are concatenations of those parts), with LightGBM's lambdarank example parameters (100 trees,
# learning rate 0.1, 31 leaves, bagging 0.9, 255 bins), 2 threads. Peak RSS and wall time by /usr/bin/time.
# Writes its Markdown section to bench/scale/work/training.md; WRITE_RESULTS=1 also replaces the section in
# bench/RESULTS.md. RERANK_BIN=PATH skips the release build; PARTS=DIR keeps the generated parts there.
#
#   bench/scale/training_scale.sh [SIZES]      # default "1 5 10" (millions of rows)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
source bench/scale/common.sh

sizes=${1:-"1 5 10"}
largest=$(printf '%s\n' $sizes | sort -n | tail -1)
python3 -c "import numpy" 2>/dev/null || python3 -m pip install --quiet numpy
release_bin
scratch rerank-training-scale
parts=${PARTS:-$work/parts}
mkdir -p "$parts" bench/scale/work
for seed in $(seq 1 "$largest"); do
    [ -s "$parts/part-$seed.txt" ] || python3 bench/ltr/make_synthetic.py --queries 20000 --docs 50 --features 50 \
        --seed "$seed" "$parts/part-$seed.txt"
done

rows_table=""
for millions in $sizes; do
    data="$work/train-${millions}m.txt"
    cat $(seq -f "$parts/part-%g.txt" 1 "$millions") > "$data"
    cat $(seq -f "$parts/part-%g.txt.query" 1 "$millions") > "$data.query"
    bytes=$(stat -c %s "$data")
    peak_run "$work/time.txt" "$RERANK_BIN" train --format letor --data "$data" --output "$work/model.json" \
        --trees 100 --learning-rate 0.1 --num-leaves 31 --min-data-in-leaf 50 --min-sum-hessian-in-leaf 5 \
        --bagging-fraction 0.9 --bagging-freq 1 --feature-fraction 1 --max-bin 255 --threads 2 --quiet
    rows_table+="| ${millions},000,000 | $(( bytes / 1048576 )) | ${wall} | $(( rss_kib / 1024 )) | $(python3 -c "print(f'{$rss_kib * 1024 / ($millions * 1e6 * 50):.1f}')") | ${load_before} / ${load_after} |"$'\n'
    rm -f "$data" "$data.query"
done

cat > bench/scale/work/training.md <<MARKDOWN
## Training memory and time at scale

\`bench/scale/training_scale.sh "$sizes"\`, $(date -u +%Y-%m-%d), $(nproc) cores, 2 threads: \`rerank train --format letor\` on synthetic
sets of 50 features (20,000 queries x 50 rows per million; every fourth feature sparse), 100 trees with the
lambdarank example's parameters. Peak RSS and wall time by \`/usr/bin/time -v\`, reading, binning, training and writing
the model included. The load average is the 1-minute figure before and after each run.

| rows | file MiB | wall s | peak RSS MiB | peak RSS bytes per value | load before / after |
|---:|---:|---:|---:|---:|---|
${rows_table}
MARKDOWN
cat bench/scale/work/training.md
if [ "${WRITE_RESULTS:-0}" = 1 ]; then
    python3 bench/results.py bench/scale/work/training.md
fi
