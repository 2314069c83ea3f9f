#!/usr/bin/env bash
# Training from logs, memory and time at scale (issue 16): `rerank train --logs` on synthetic storefront logs of
# 100,000 and 1,000,000 searches (bench/scale/make_logs.py: 50,000 items, 20,000 shoppers, 30 days, 20 hits per
# search, sidecar-format files rotated every 200,000 lines), the default time split (test fraction 0.2), 50 trees,
# 2 threads; then the same logs exported alone (`--export-letor` without `--output`: the replay without a learner).
# Peak RSS and wall time by /usr/bin/time. Writes its Markdown section to bench/scale/work/logs.md;
# WRITE_RESULTS=1 also replaces the section in bench/RESULTS.md. RERANK_BIN=PATH skips the release build;
# LOGS=DIR keeps the generated logs there.
#
#   bench/scale/log_training_scale.sh [SIZES]      # default "100 1000" (thousands of searches)
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/scale/common.sh

sizes=${1:-"100 1000"}
release_bin
scratch rerank-log-training-scale
logs=${LOGS:-$work/logs}
mkdir -p bench/scale/work

rows_table=""
for thousands in $sizes; do
    data="$logs/${thousands}k"
    [ -s "$data/catalog.ndjson" ] || python3 bench/scale/make_logs.py --searches "${thousands}000" --out "$data"
    bytes=$(du -sb "$data/logs" | cut -f1)
    peak_run "$work/time.txt" "$RERANK_BIN" train --logs "$data/logs" --items "$data/catalog.ndjson" \
        --output "$work/model.json" --trees 50 --threads 2 --quiet > "$work/train.txt" 2>&1 || { cat "$work/train.txt" >&2; exit 1; }
    groups=$(sed -n 's/.*: \([0-9]*\) searches with interactions.*/\1/p' "$work/train.txt")
    train="| ${wall} | $(( rss_kib / 1024 )) | $(( rss_kib * 1024 / (thousands * 1000) )) | ${load_before} / ${load_after} "
    rm -rf "$work/export"
    peak_run "$work/time.txt" "$RERANK_BIN" train --logs "$data/logs" --items "$data/catalog.ndjson" \
        --export-letor "$work/export" --threads 2 > "$work/export.txt" 2>&1 || { cat "$work/export.txt" >&2; exit 1; }
    rows_table+="| $(python3 -c "print(f'{${thousands}000:,}')") | $(( bytes / 1048576 )) | ${groups} ${train}| ${wall} | $(( rss_kib / 1024 )) | ${load_before} / ${load_after} |"$'\n'
    rm -rf "$work/export"
done

cat > bench/scale/work/logs.md <<MARKDOWN
## Training from logs: memory and time at scale

\`bench/scale/log_training_scale.sh "$sizes"\`, $(date -u +%Y-%m-%d), $(nproc) cores, 2 threads: \`rerank train --logs\` on
synthetic storefront logs (\`bench/scale/make_logs.py\`: 20 hits per search, about 2 events per search), the
default time split, 50 trees. Peak RSS and wall time by \`/usr/bin/time -v\`: reading the logs, the replay, the
position-bias estimate, training and writing the model. "Export alone" is \`--export-letor\` without \`--output\`:
the replay, the shards, the weights and statistics.json, no learner. The load average is the 1-minute figure
before and after.

| searches | logs MiB | searches with interactions | train wall s | train peak RSS MiB | train peak RSS bytes per search | load before / after | export alone wall s | export alone peak RSS MiB | load before / after |
|---:|---:|---:|---:|---:|---:|---|---:|---:|---|
${rows_table}
MARKDOWN
cat bench/scale/work/logs.md
if [ "${WRITE_RESULTS:-0}" = 1 ]; then
    python3 bench/results.py bench/scale/work/logs.md
fi
