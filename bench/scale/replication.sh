#!/usr/bin/env bash
# The replication bench (issue 16; see replication.py): two sidecars sharing their online state through
# osmem-server, a crowd of click events posted to A, steady searches and a probe shopper at B. Two runs: the crowd
# at a rate the cluster keeps up with (RATE, default 1,000 events/s, EVENTS_PACED events), and as fast as A
# acknowledges (EVENTS_BURST events). Writes its Markdown section to bench/scale/work/replication.md;
# WRITE_RESULTS=1 also replaces the section in bench/RESULTS.md. RERANK_BIN=PATH skips the release build.
#
#   bench/scale/replication.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
rate=${RATE:-1000}
paced=${EVENTS_PACED:-60000}
burst=${EVENTS_BURST:-100000}
scripts/install-deps.sh
if [ -z "${RERANK_BIN:-}" ]; then
    swift build -c release --product rerank >&2
    RERANK_BIN="$(swift build -c release --show-bin-path)/rerank"
fi
mkdir -p bench/scale/work
python3 bench/scale/replication.py --rerank "$RERANK_BIN" --events "$paced" --events-rate "$rate" --json bench/scale/work/replication-paced.json >&2
python3 bench/scale/replication.py --rerank "$RERANK_BIN" --events "$burst" --events-rate 0 --json bench/scale/work/replication-burst.json >&2
python3 - "$rate" <<'PY' > bench/scale/work/replication.md
import json, sys, time
runs = [("paced", f"{int(sys.argv[1]):,} events/s"), ("burst", "as fast as A acknowledges")]
data = {name: json.load(open(f"bench/scale/work/replication-{name}.json")) for name, _ in runs}
print("## Shared state between sidecars (replication)\n")
print(f"`bench/scale/replication.sh`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: osmem-server with the sample catalog, a model "
      "trained from 3,000 logged searches, sidecars A and B serving it with `log.cluster` (each its own log directory "
      "and spool, polling every 500 ms). A crowd of click events (each its own user, session and item) is posted to A "
      "only, while B serves 40 searches/s (100 hits, a different user, device and query each) and, once a second, a "
      "probe shopper's click is posted to A and B's rank API is asked until the click shows in that shopper's "
      "`user_item_interactions_log` (the lag a shopper sees).\n")
print("| | " + " | ".join(label for _, label in runs) + " |")
print("|---|" + "---:|" * len(runs))
rows = [
    ("events posted to A", lambda d: f"{d['acked_by_a']:,} in {d['posting_s']} s ({d['acked_events_per_s']:,}/s)"),
    ("cluster's own `_bulk` ingest rate (same run, before the sidecars)", lambda d: f"{d['cluster_ingest_ceiling_per_s']:,}/s"),
    ("events applied by B", lambda d: f"{d['applied_by_b']:,} ({d['replicated_events_per_s']:,}/s over the phase)"),
    ("B still behind after A's last acknowledgement", lambda d: f"{d['b_behind_at_last_ack_s']} s"),
    ("probe lag p50 / p90 / max (probes)", lambda d: f"{d['probe_lag_s']['p50']} / {d['probe_lag_s']['p90']} / {d['probe_lag_s']['max'] and round(d['probe_lag_s']['max'], 2)} s ({d['probe_lag_s']['probes']})"),
    ("numbers given up, failed polls", lambda d: f"{int(d['b_skipped'])}, {int(d['b_poll_failures'])}"),
    ("B search p50 / p99 quiet", lambda d: f"{d['b_searches_quiet']['p50_ms']} / {d['b_searches_quiet']['p99_ms']} ms"),
    ("B search p50 / p99 during the crowd", lambda d: f"{d['b_searches_crowd']['p50_ms']} / {d['b_searches_crowd']['p99_ms']} ms"),
    ("CPU s during the crowd, A / B", lambda d: f"{d['cpu_s_crowd']['a']} / {d['cpu_s_crowd']['b']}"),
    ("RSS MiB at the end, A / B / osmem-server", lambda d: f"{d['rss_mib']['a']} / {d['rss_mib']['b']} / {d['rss_mib']['osmem']:,}"),
    ("load average at the end (1 / 5 / 15 min)", lambda d: " / ".join(f"{x:.1f}" for x in d['load_average'])),
]
for label, value in rows:
    print(f"| {label} | " + " | ".join(value(data[name]) for name, _ in runs) + " |")
print()
for name, label in runs:
    d = data[name]
    print(f"{label}, every 10 s of the crowd phase: applied by B {d['applied_by_b_every_10s']}; in the cluster's ubi_events {d['in_cluster_every_10s']}.\n")
PY
cat bench/scale/work/replication.md
if [ "${WRITE_RESULTS:-0}" = 1 ]; then
    python3 bench/results.py bench/scale/work/replication.md
fi
