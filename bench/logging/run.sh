#!/usr/bin/env bash
# Interaction-log benchmark: how fast `rerank serve --log-dir` durably ingests UBI events, and what logging
# every search costs the search path.
#
#   bench/logging/run.sh                         # uses .build/release/rerank; prints the table, updates RESULTS.md
#   RERANK_BIN=/path/rerank WRITE_RESULTS=0 bench/logging/run.sh
#
# Does not build: build first with `swift build -c release --product rerank`. On loopback only. Starts
# osmem-server (loads sample/catalog.ndjson into `products`) and three sidecars on it: one with --log-dir for
# the event ingestion runs, and two reranking sidecars for the search runs, one without and one with --log-dir
# (all through scripts/stack.py, the one start-up helper).
#   1. Events: bench/logging/post_events.py posts NDJSON batches of 1, 100 and 1000 click events to
#      POST /_rerank/events from 16 keep-alive clients (threads over 4 processes) for EVENT_DURATION s each;
#      counts acknowledged events (items with status 201) and request latency, then checks that the lines in
#      ubi_events*.ndjson equal the events acknowledged so far.
#   2. Searches: wrk -t1 -c$CONNECTIONS -d${SEARCH_DURATION}s POST /products/_search (the bench/proxy body), against
#      the sidecar without and with --log-dir, REPS alternating repetitions, medians; checks that the logged
#      sidecar wrote one ubi_queries record per search served.
# Every process it starts is stopped on exit, by PID.
#
# Environment (all optional):
#   BATCHES="1 100 1000"  events per request     CLIENTS=16   PROCS=4   EVENT_DURATION=10
#   REPS=3   SEARCH_DURATION=8   CONNECTIONS=8   WARMUP=2
#   RERANK_BIN=PATH       default .build/release/rerank (copied first, so a rebuild cannot swap it mid-run)
#   WRITE_RESULTS=1       replace the body of "## Interaction logs" in bench/RESULTS.md (0: print only)
#   KEEP_WORK=0           1 keeps the scratch directory (logs, raw output) and prints its path
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BATCHES=${BATCHES:-"1 100 1000"}
CLIENTS=${CLIENTS:-16}
PROCS=${PROCS:-4}
EVENT_DURATION=${EVENT_DURATION:-10}
REPS=${REPS:-3}
SEARCH_DURATION=${SEARCH_DURATION:-8}
CONNECTIONS=${CONNECTIONS:-8}
WARMUP=${WARMUP:-2}
RERANK_BIN=${RERANK_BIN:-$ROOT/.build/release/rerank}
WRITE_RESULTS=${WRITE_RESULTS:-1}
KEEP_WORK=${KEEP_WORK:-0}
COMMAND_LINE=""
for v in BATCHES CLIENTS PROCS EVENT_DURATION REPS SEARCH_DURATION CONNECTIONS WARMUP RERANK_BIN; do
    if printenv "$v" >/dev/null; then COMMAND_LINE+="$v=\"$(printenv "$v")\" "; fi
done
COMMAND_LINE+="bench/logging/run.sh"
STARTED=$(date +%s)

log() { printf '[logging-bench %3ds] %s\n' "$(($(date +%s) - STARTED))" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for tool in wrk curl python3; do command -v "$tool" >/dev/null || die "$tool is required (Debian: apt-get install -y wrk curl)"; done
python3 -c 'import osmem_server' 2>/dev/null || die "osmem-server is required: python3 -m pip install osmem-server"
OSMEM=$(python3 -c 'import osmem_server; print(osmem_server.resolve_binary())')
[ -x "$RERANK_BIN" ] || die "no rerank binary at $RERANK_BIN; build it: swift build -c release --product rerank"

# --- scratch directory and cleanup ------------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/rerank-logging-bench.XXXXXX)
PIDS=()
cleanup() {
    local pid alive
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 50); do
        alive=0
        for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ $alive = 0 ] && break
        sleep 0.1
    done
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ "$KEEP_WORK" = 1 ]; then log "scratch directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cp "$RERANK_BIN" "$WORK/rerank"
BIN_MTIME=$(date -u -r "$RERANK_BIN" '+%Y-%m-%d %H:%M UTC')
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$([ -n "$(git -C "$ROOT" status --porcelain -- Sources Package.swift 2>/dev/null)" ] && echo true || echo false)
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
COMPILER_AT_START=$(pgrep -x swift-frontend >/dev/null && echo true || echo false)

# The one start-up helper (osmem-server, sidecars, free ports); it prints `PID URL` and leaves the process running.
stack() { python3 "$ROOT/scripts/stack.py" "$@"; }
count_lines() {   # lines in DIR/PREFIX*.ndjson (0 when none)
    local files=("$1"/"$2"*.ndjson)
    [ -e "${files[0]}" ] || { echo 0; return; }
    cat "${files[@]}" | wc -l
}
metric() {   # sum of a Prometheus counter (all label sets) from URL/metrics
    curl -s "$1/metrics" | awk -v name="$2" '$1 == name || index($1, name "{") == 1 { s += $2 } END { printf "%d\n", s }'
}
compiler_running() { pgrep -x swift-frontend >/dev/null && echo 1 || echo 0; }

# --- the search engine ------------------------------------------------------------------------------------------
STARTED_LINE=$(stack osmem --parent-pid $$ --stdout "$WORK/osmem.out" --stderr "$WORK/osmem.err") \
    || die "osmem-server did not start: $(cat "$WORK/osmem.err")"
read -r OSMEM_PID ENGINE_URL <<<"$STARTED_LINE"
PIDS+=("$OSMEM_PID")
log "osmem-server $("$OSMEM" -version 2>&1 | head -1) at $ENGINE_URL"
printf '%s' '{"query":{"match":{"description":"range"}},"size":100}' >"$WORK/body.json"
python3 "$ROOT/bench/proxy/load_catalog.py" "$ENGINE_URL" "$ROOT/mappings/products.json" "$ROOT/sample/catalog.ndjson" \
    "$WORK/body.json" "$WORK/engine-response.json" >&2

# --- the sidecars -----------------------------------------------------------------------------------------------
printf '%s\n' '{"rerank": {"signals": [{"field": "popularity", "weight": 1, "transform": "log1p"}]}}' >"$WORK/rerank.json"
SEARCH_PORT=$(stack ports 1)
mkdir -p "$WORK/events-logs"
start_rerank() {   # name port (0: a free one) [extra args...]; sets STARTED_PID and STARTED_URL once it is healthy
    local name=$1 port=()
    [ "$2" = 0 ] || port=(--port "$2")
    shift 2
    STARTED_LINE=$(stack sidecar --binary "$WORK/rerank" --upstream "$ENGINE_URL" --log "$WORK/$name.log" "${port[@]}" \
        -- --config "$WORK/rerank.json" --log-level warning "$@") \
        || die "rerank $name did not start: $(tail -5 "$WORK/$name.log")"
    read -r STARTED_PID STARTED_URL <<<"$STARTED_LINE"
    PIDS+=("$STARTED_PID")
}
start_rerank events 0 --log-dir "$WORK/events-logs"
EVENTS_URL=$STARTED_URL

# --- 1. durable event ingestion ---------------------------------------------------------------------------------
: >"$WORK/events.ndjson"
ACKED_TOTAL=0
post_events() {   # phase batch seconds
    local out lines
    local busy; busy=$(compiler_running)
    out=$(python3 "$HERE/post_events.py" "$EVENTS_URL" --batch "$2" --clients "$CLIENTS" --procs "$PROCS" \
        --duration "$3" --tag "$1-b$2") || die "post_events.py failed (batch $2)"
    ACKED_TOTAL=$((ACKED_TOTAL + $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["acked"])' "$out")))
    lines=$(count_lines "$WORK/events-logs" ubi_events)   # acknowledged means fsync'd: no waiting needed
    printf '{"phase": "%s", "result": %s, "lines_after": %d, "acked_total": %d, "compiler": %d}\n' \
        "$1" "$out" "$lines" "$ACKED_TOTAL" "$busy" >>"$WORK/events.ndjson"
    log "events $1 batch $2: $(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("%.0f events/s, p50 %s ms, p99 %s ms, %d not 201, %d HTTP errors" % (r["events_per_s"], r["p50_ms"], r["p99_ms"], r["rejected"], r["http_errors"]))' "$out"); ubi_events lines $lines, acknowledged so far $ACKED_TOTAL"
}
log "events: warm-up ${WARMUP}s (batch 100), then ${EVENT_DURATION}s per batch size ($BATCHES) from $CLIENTS clients"
post_events warmup 100 "$WARMUP"
for batch in $BATCHES; do post_events timed "$batch" "$EVENT_DURATION"; done

# --- 2. search throughput, logging off vs on --------------------------------------------------------------------
# Every run gets a fresh sidecar on the same port (logging: with its own empty --log-dir), so no difference between
# two long-lived processes (placement, allocator state, warm caches) can pass for the cost of logging. Each is
# checked (200, 100 hits, X-Rerank-Status: reranked) and warmed up for WARMUP s before it is timed.
SEARCH_URL="http://127.0.0.1:$SEARCH_PORT"
: >"$WORK/search.ndjson"
: >"$WORK/metrics.txt"
settled_queries() {   # ubi_queries lines in DIR once the count stops growing (records are queued off the search path)
    local previous=-1 now=0
    for _ in $(seq 50); do
        now=$(count_lines "$1" ubi_queries)
        [ "$now" = "$previous" ] && break
        previous=$now
        sleep 0.2
    done
    echo "$now"
}
wrk_run() {   # seconds
    wrk -t1 -c"$CONNECTIONS" -d"${1}s" --latency -s "$ROOT/bench/proxy/post.lua" "$SEARCH_URL/products/_search" \
        -- "$WORK/body.json"
}
search_run() {   # rep mode
    local rep=$1 mode=$2 dir="$WORK/search-logs-$1-$2" pid status hits before=0 after=0 out busy
    if [ "$mode" = on ]; then
        mkdir -p "$dir"
        start_rerank "search-$mode" "$SEARCH_PORT" --log-dir "$dir"
    else
        start_rerank "search-$mode" "$SEARCH_PORT"
    fi
    pid=$STARTED_PID
    status=$(curl -s -o "$WORK/check.json" -D "$WORK/check.headers" -w '%{http_code}' -H 'content-type: application/json' \
        --data-binary @"$WORK/body.json" "$SEARCH_URL/products/_search")
    [ "$status" = 200 ] || die "logging $mode: /products/_search answered $status: $(head -c 300 "$WORK/check.json")"
    grep -qi '^x-rerank-status: reranked' "$WORK/check.headers" \
        || die "logging $mode: not reranked: $(grep -i '^x-rerank-status' "$WORK/check.headers" || echo 'no X-Rerank-Status')"
    hits=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["hits"]["hits"]))' "$WORK/check.json")
    [ "$hits" = 100 ] || die "logging $mode: $hits hits, expected 100"
    wrk_run "$WARMUP" >/dev/null || die "wrk warm-up failed (logging $mode)"
    [ "$mode" = on ] && before=$(settled_queries "$dir")
    busy=$(compiler_running)
    out=$(wrk_run "$SEARCH_DURATION") || die "wrk failed (logging $mode)"
    [ "$mode" = on ] && after=$(settled_queries "$dir")
    printf '%s\n' "$out" >>"$WORK/wrk.txt"
    if [ "$mode" = on ]; then
        printf 'rep %s: dropped %s write_failures %s\n' "$rep" "$(metric "$SEARCH_URL" rerank_log_dropped_total)" \
            "$(metric "$SEARCH_URL" rerank_log_write_failures_total)" >>"$WORK/metrics.txt"
    fi
    printf '{"phase": "timed", "rep": %d, "mode": "%s", "queries_logged": %d, "compiler": %d, "wrk": %s}\n' "$rep" "$mode" \
        "$((after - before))" "$busy" "$(printf '%s\n' "$out" | sed -n 's/^WRK_JSON //p')" >>"$WORK/search.ndjson"
    log "search rep $rep logging $mode: $(printf '%s\n' "$out" | sed -n 's/^Requests\/sec: *//p') req/s$([ "$mode" = on ] && echo ", $((after - before)) ubi_queries records")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
log "search: $REPS alternating repetitions, each run a fresh sidecar, ${WARMUP}s warm-up, ${SEARCH_DURATION}s at $CONNECTIONS connections"
for rep in $(seq "$REPS"); do
    if [ $((rep % 2)) = 1 ]; then order="off on"; else order="on off"; fi
    for mode in $order; do search_run "$rep" "$mode"; done
done
DROPPED=$(awk '{ s += $4 } END { printf "%d\n", s }' "$WORK/metrics.txt")
WRITE_FAILURES=$(awk '{ s += $6 } END { printf "%d\n", s }' "$WORK/metrics.txt")
LOAD_AT_END=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report -----------------------------------------------------------------------------------------------------
cat >"$WORK/meta.json" <<JSON
{"date": "$(date -u '+%Y-%m-%d %H:%M UTC')", "nproc": $(nproc),
 "cpu": "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)",
 "memory_gib": $(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo),
 "command": "$(printf '%s' "$COMMAND_LINE" | sed 's/"/\\"/g')", "commit": "$COMMIT", "dirty": $DIRTY, "binary_mtime": "$BIN_MTIME",
 "load_start": "$LOAD_AT_START", "load_end": "$LOAD_AT_END", "compiler_at_start": $COMPILER_AT_START,
 "clients": $CLIENTS, "procs": $PROCS, "event_duration": $EVENT_DURATION, "reps": $REPS,
 "search_duration": $SEARCH_DURATION, "connections": $CONNECTIONS, "warmup": $WARMUP,
 "dropped": $DROPPED, "write_failures": $WRITE_FAILURES, "filesystem": "$(df -T "$WORK" | awk 'NR == 2 { print $2 }')",
 "wrk": "$(wrk -v 2>&1 | head -1 | cut -d' ' -f2)", "osmem": "$("$OSMEM" -version 2>&1 | head -1)",
 "elapsed_s": $(($(date +%s) - STARTED))}
JSON
args=("$WORK/events.ndjson" "$WORK/search.ndjson" "$WORK/meta.json")
[ "$WRITE_RESULTS" = 1 ] && args+=(--results "$ROOT/bench/RESULTS.md")
python3 "$HERE/report.py" "${args[@]}"
log "done in $(($(date +%s) - STARTED))s"
