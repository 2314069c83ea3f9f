#!/usr/bin/env bash
# Proxy benchmark for the search path in production: what the sidecar costs, reranking with a model it trained and
# logging, next to nginx proxying the same bytes, in one run.
#
#   bench/proxy/run.sh                      # build release, bench, print the tables, update bench/RESULTS.md
#   REPS=5 DURATION=10 bench/proxy/run.sh   # more/longer repetitions
#
# On loopback only. Starts osmem-server (loads sample/catalog.ndjson); trains a model on 3,000 searches and the
# clicks of 300 simulated shoppers served by a logging sidecar (scripts/shoppers.py train); starts nginx as a
# plain reverse proxy and as a canned upstream (one recorded 100-hit response), and `rerank serve` in front of
# them: in front of osmem-server passing through (`rerank.enabled: false`), reranking with signals and rules
# (sample/rerank.json) and reranking with the model and --log-dir; in front of the canned upstream passing
# through and with the model and --log-dir (osmem-server and the sidecars through scripts/stack.py, the one
# start-up helper). wrk drives every path with the same requests (shoppers.lua: each request another user of
# 100,000, session, device and query word; always 100 hits) and the proxies' CPU time is read from /proc. Before
# timing, check.py sends the same searches to every path and compares each answer with direct's; after it, the
# sidecars' /metrics counts (searches reranked or skipped, log records written or dropped) go in the report.
# Every process it starts is stopped on exit, by PID.
#
# Environment (all optional):
#   REPS=3            repetitions of every measurement (medians are reported)
#   DURATION=8        seconds per throughput run (wrk -t$THREADS -c$CONNECTIONS)
#   LAT_DURATION=5    seconds per single-connection latency run (wrk -t1 -c1)
#   PACED_DURATION=6  seconds per paced run: $CONNECTIONS connections, each waiting a random time of mean THINK_MS
#   THINK_MS=40       after every answer (paced.lua), so the engine runs below its capacity and the latency a
#                     proxy adds shows
#   THREADS=2         wrk threads for the throughput runs
#   CONNECTIONS=16    connections for the throughput runs
#   WARMUP=2          seconds of unrecorded load per target before the first repetition
#   WAIT_QUIET=300    wait up to this many seconds for load average < 0.5 and no swift-frontend before timing
#   RERANK_BIN=PATH   use this binary instead of building `swift build -c release --product rerank`
#   WRITE_RESULTS=1   replace the body of "## Search path (proxy)" in bench/RESULTS.md (0: print only)
#   KEEP_WORK=0       1 keeps the scratch directory (logs, raw wrk output) and prints its path
#   PROFILE=0         1 also records a `perf record -e cpu-clock` profile of the model + logging sidecar in
#                     front of osmem-server under the throughput load and prints its top functions
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
REPS=${REPS:-3}
DURATION=${DURATION:-8}
LAT_DURATION=${LAT_DURATION:-5}
PACED_DURATION=${PACED_DURATION:-6}
THINK_MS=${THINK_MS:-40}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
WARMUP=${WARMUP:-2}
WAIT_QUIET=${WAIT_QUIET:-300}
WRITE_RESULTS=${WRITE_RESULTS:-1}
KEEP_WORK=${KEEP_WORK:-0}
PROFILE=${PROFILE:-0}
COMMAND_LINE=""
for v in REPS DURATION LAT_DURATION THREADS CONNECTIONS WARMUP WAIT_QUIET PROFILE RERANK_BIN; do
    if printenv "$v" >/dev/null; then COMMAND_LINE+="$v=$(printenv "$v") "; fi
done
COMMAND_LINE+="bench/proxy/run.sh"
STARTED=$(date +%s)

log() { printf '[proxy-bench %3ds] %s\n' "$(($(date +%s) - STARTED))" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- tools ------------------------------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || missing+=(nginx-light)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" \
        || die "could not install ${missing[*]}; install them (Debian: apt-get install -y wrk nginx-light curl)"
fi
if ! python3 -c 'import osmem_server' 2>/dev/null; then
    log "installing osmem-server"
    python3 -m pip install -q osmem-server || die "could not pip install osmem-server"
fi
OSMEM=$(python3 -c 'import osmem_server; print(osmem_server.resolve_binary())')
if [ "$PROFILE" = 1 ] && ! command -v perf >/dev/null; then
    log "installing linux-perf for PROFILE=1"
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-perf || die "no perf"
fi

# --- scratch directory and cleanup ------------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/rerank-proxy-bench.XXXXXX)
PIDS=()
cleanup() {
    local pid children=() alive
    # nginx workers are children of their master: collect them too, in case the master has to be killed hard.
    for pid in "${PIDS[@]}"; do
        children+=($(cat /proc/"$pid"/task/*/children 2>/dev/null || true))
    done
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 50); do
        alive=0
        for pid in "${PIDS[@]}" "${children[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ $alive = 0 ] && break
        sleep 0.1
    done
    for pid in "${PIDS[@]}" "${children[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ "$KEEP_WORK" = 1 ]; then log "scratch directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the sidecar binary -----------------------------------------------------------------------------------------
BUILD_STARTED=$(date +%s)
if [ -z "${RERANK_BIN:-}" ]; then
    log "building rerank (release)"
    (cd "$ROOT" && swift build -c release --product rerank >"$WORK/build.log" 2>&1) \
        || { tail -30 "$WORK/build.log" >&2; die "release build failed"; }
    RERANK_BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/rerank"
fi
[ -x "$RERANK_BIN" ] || die "no rerank binary at $RERANK_BIN"
BUILD_S=$(($(date +%s) - BUILD_STARTED))
# What was built: the commit, and whether Sources/ had uncommitted changes at that moment.
BUILT_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
BUILT_DIRTY=$([ -n "$(git -C "$ROOT" status --porcelain -- Sources Package.swift 2>/dev/null)" ] && echo true || echo false)
# A private copy, so a rebuild during the run cannot swap the binary under the benchmark.
cp "$RERANK_BIN" "$WORK/rerank"

# --- helpers ----------------------------------------------------------------------------------------------------
# The one start-up helper (osmem-server, sidecars, free ports); it prints `PID URL` and leaves the process running.
stack() { python3 "$ROOT/scripts/stack.py" "$@"; }

# Waits until URL answers HTTP at all (any status).
wait_http() {
    local url=$1 name=$2
    for _ in $(seq 200); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)" != 000 ] && return 0
        sleep 0.05
    done
    die "$name did not answer on $url"
}

# The process and, for an nginx master, its workers.
process_tree() {
    local pid
    for pid in "$@"; do
        echo "$pid"
        cat /proc/"$pid"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -v '^$' || true
    done
}

# utime + stime, in clock ticks, summed over the processes (all threads of each).
cpu_ticks() {
    local total=0 pid line fields
    for pid in $(process_tree "$@"); do
        line=$(cat /proc/"$pid"/stat 2>/dev/null) || continue
        read -r -a fields <<<"${line##*) }"   # fields after "(comm) ": state is [0], utime [11], stime [12]
        total=$((total + fields[11] + fields[12]))
    done
    echo "$total"
}

# --- the search engine ------------------------------------------------------------------------------------------
STARTED_LINE=$(stack osmem --parent-pid $$ --stdout "$WORK/osmem.out" --stderr "$WORK/osmem.err") \
    || die "osmem-server did not start: $(cat "$WORK/osmem.err")"
read -r OSMEM_PID ENGINE_URL <<<"$STARTED_LINE"
PIDS+=("$OSMEM_PID")
ENGINE_PORT=${ENGINE_URL##*:}
ENGINE_PORT=${ENGINE_PORT%%/*}
log "osmem-server $("$OSMEM" -version 2>&1 | head -1) at $ENGINE_URL (pid $OSMEM_PID)"

# The requests: every description ends "... part of our <category> range.", so the second clause matches the
# whole catalog (a full 100-hit window for every word) while the word, matched in title and description, changes
# the order. shoppers.lua puts a word of WORDS in @WORD@ for every request, with a user of USERS and a device.
TEMPLATE='{"query":{"bool":{"should":[{"multi_match":{"query":"@WORD@","fields":["title","description"]}},{"match":{"description":"range"}}]}},"size":100}'
WORDS=$(python3 "$ROOT/scripts/shoppers.py" words)
DEVICES=$(python3 "$ROOT/scripts/shoppers.py" devices)
USERS=100000
# The canned upstream answers every request with the engine's answer to the first word.
printf '%s' "${TEMPLATE//@WORD@/${WORDS%%,*}}" >"$WORK/body.json"
python3 "$HERE/load_catalog.py" "$ENGINE_URL" "$ROOT/mappings/products.json" "$ROOT/sample/catalog.ndjson" \
    "$WORK/body.json" "$WORK/canned.json" >&2

# --- the model --------------------------------------------------------------------------------------------------
TRAIN_STARTED=$(date +%s)
log "training a model: 300 shoppers' 3,000 searches and clicks through a logging sidecar, then rerank train"
MODEL=$(python3 "$ROOT/scripts/shoppers.py" train --binary "$WORK/rerank" --upstream "$ENGINE_URL" \
    --work "$WORK/training" 2>"$WORK/train.log") || { tail -20 "$WORK/train.log" >&2; die "training failed"; }
TRAIN_S=$(($(date +%s) - TRAIN_STARTED))
log "model $MODEL trained in ${TRAIN_S}s"

# --- nginx: canned upstream and plain reverse proxy -------------------------------------------------------------
read -r CANNED_PORT PROXY_ENGINE_PORT PROXY_CANNED_PORT <<<"$(stack ports 3)"
USER_LINE=""
[ "$(id -u)" = 0 ] && USER_LINE="user root;"   # workers read the scratch directory, which only its owner can
start_nginx() {
    local name=$1 dir="$WORK/$1"
    mkdir -p "$dir"
    sed -e "s|@USER@|$USER_LINE|; s|@DIR@|$dir|g; s|@ENGINE_PORT@|$ENGINE_PORT|g; s|@CANNED_PORT@|$CANNED_PORT|g" \
        -e "s|@PROXY_ENGINE_PORT@|$PROXY_ENGINE_PORT|g; s|@PROXY_CANNED_PORT@|$PROXY_CANNED_PORT|g" \
        -e "s|@RESPONSE@|$WORK/canned.json|g" "$HERE/$name.conf.in" >"$dir/nginx.conf"
    nginx -t -q -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" || die "bad nginx config $dir/nginx.conf"
    nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >"$dir/stdout.log" 2>&1 &
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
}
start_nginx nginx-canned
CANNED_PID=$STARTED_PID
start_nginx nginx-proxy
PROXY_PID=$STARTED_PID
CANNED_URL="http://127.0.0.1:$CANNED_PORT"
wait_http "$CANNED_URL/" "canned nginx"
wait_http "http://127.0.0.1:$PROXY_ENGINE_PORT/" "nginx proxy"

# --- the sidecars -----------------------------------------------------------------------------------------------
printf '%s\n' '{"rerank": {"enabled": false}}' >"$WORK/passthrough.json"
start_rerank() {   # name upstream-url [serve flags]; sets STARTED_PID and STARTED_URL once the sidecar is healthy
    local name=$1 upstream=$2
    shift 2
    STARTED_LINE=$(stack sidecar --binary "$WORK/rerank" --upstream "$upstream" --log "$WORK/$name.log" \
        -- "$@" --log-level warning) || die "$name did not start: $(tail -5 "$WORK/$name.log")"
    read -r STARTED_PID STARTED_URL <<<"$STARTED_LINE"
    PIDS+=("$STARTED_PID")
}
start_rerank rerank-pass-engine "$ENGINE_URL" --config "$WORK/passthrough.json"
PASS_ENGINE_PID=$STARTED_PID PASS_ENGINE_URL=$STARTED_URL
start_rerank rerank-signals-engine "$ENGINE_URL" --config "$ROOT/sample/rerank.json"
SIGNALS_ENGINE_PID=$STARTED_PID SIGNALS_ENGINE_URL=$STARTED_URL
start_rerank rerank-model-engine "$ENGINE_URL" --model "$MODEL" --log-dir "$WORK/logs-engine"
MODEL_ENGINE_PID=$STARTED_PID MODEL_ENGINE_URL=$STARTED_URL
start_rerank rerank-pass-canned "$CANNED_URL" --config "$WORK/passthrough.json"
PASS_CANNED_PID=$STARTED_PID PASS_CANNED_URL=$STARTED_URL
start_rerank rerank-model-canned "$CANNED_URL" --model "$MODEL" --log-dir "$WORK/logs-canned"
MODEL_CANNED_PID=$STARTED_PID MODEL_CANNED_URL=$STARTED_URL

# --- targets ----------------------------------------------------------------------------------------------------
# name | upstream kind | URL | proxy PID (CPU measured) | upstream PID
TARGETS=(
    "direct|engine|$ENGINE_URL|-|$OSMEM_PID"
    "nginx|engine|http://127.0.0.1:$PROXY_ENGINE_PORT|$PROXY_PID|$OSMEM_PID"
    "rerank-passthrough|engine|$PASS_ENGINE_URL|$PASS_ENGINE_PID|$OSMEM_PID"
    "rerank-signals|engine|$SIGNALS_ENGINE_URL|$SIGNALS_ENGINE_PID|$OSMEM_PID"
    "rerank-model|engine|$MODEL_ENGINE_URL|$MODEL_ENGINE_PID|$OSMEM_PID"
    "direct|canned|$CANNED_URL|-|$CANNED_PID"
    "nginx|canned|http://127.0.0.1:$PROXY_CANNED_PORT|$PROXY_PID|$CANNED_PID"
    "rerank-passthrough|canned|$PASS_CANNED_URL|$PASS_CANNED_PID|$CANNED_PID"
    "rerank-model|canned|$MODEL_CANNED_URL|$MODEL_CANNED_PID|$CANNED_PID"
)

# --- correctness before timing ----------------------------------------------------------------------------------
checked=()
for target in "${TARGETS[@]}"; do checked+=("$(cut -d'|' -f1-3 <<<"$target")"); done
python3 "$HERE/check.py" "$TEMPLATE" "${checked[@]}" >"$WORK/responses.ndjson" || die "a path answered wrongly"

# --- a quiet machine --------------------------------------------------------------------------------------------
busy() {   # prints why the machine is not quiet, nothing when it is
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    pgrep -x swift-frontend >/dev/null && { echo "swift-frontend running (load $load)"; return; }
    awk -v l="$load" 'BEGIN { exit !(l >= 0.5) }' && echo "load average $load"
    return 0
}
waited=0
while [ -n "$(busy)" ] && [ "$waited" -lt "$WAIT_QUIET" ]; do
    [ $((waited % 30)) = 0 ] && log "waiting for a quiet machine: $(busy)"
    sleep 5
    waited=$((waited + 5))
done
QUIET_AT_START=$(busy)
[ -n "$QUIET_AT_START" ] && log "machine not quiet, timing anyway: $QUIET_AT_START"
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)

# --- measurements -----------------------------------------------------------------------------------------------
: >"$WORK/runs.ndjson"
BUSY_SAMPLES=0
shoppers() {   # threads connections seconds url: wrk with every request another shopper's search
    wrk -t"$1" -c"$2" -d"${3}s" --latency -s "$HERE/shoppers.lua" "$4/products/_search" \
        -- "$TEMPLATE" "$WORDS" "$DEVICES" "$USERS"
}
paced() {   # threads connections seconds url: the same searches, each connection waiting ~THINK_MS between them
    wrk -t"$1" -c"$2" -d"${3}s" --latency -s "$HERE/paced.lua" "$4/products/_search" \
        -- "$TEMPLATE" "$WORDS" "$DEVICES" "$USERS" "$THINK_MS"
}
measure() {   # phase rep target threads connections seconds
    local phase=$1 rep=$2 target=$3 threads=$4 connections=$5 seconds=$6 name upstream url proxy_pid upstream_pid
    IFS='|' read -r name upstream url proxy_pid upstream_pid <<<"$target"
    local proxy_before=0 proxy_after=0 upstream_before upstream_after out
    if [ "$phase" != warmup ] && pgrep -x swift-frontend >/dev/null; then BUSY_SAMPLES=$((BUSY_SAMPLES + 1)); fi
    [ "$proxy_pid" != - ] && proxy_before=$(cpu_ticks "$proxy_pid")
    upstream_before=$(cpu_ticks "$upstream_pid")
    local load=shoppers
    [ "$phase" = paced ] && load=paced
    out=$($load "$threads" "$connections" "$seconds" "$url") || die "wrk failed against $name ($upstream)"
    [ "$proxy_pid" != - ] && proxy_after=$(cpu_ticks "$proxy_pid")
    upstream_after=$(cpu_ticks "$upstream_pid")
    printf '%s\n' "$out" >>"$WORK/wrk.txt"
    [ "$phase" = warmup ] && return 0
    printf '{"phase": "%s", "rep": %d, "target": "%s", "upstream": "%s", "proxy_ticks": %s, "upstream_ticks": %s, "wrk": %s}\n' \
        "$phase" "$rep" "$name" "$upstream" \
        "$([ "$proxy_pid" = - ] && echo null || echo $((proxy_after - proxy_before)))" \
        "$((upstream_after - upstream_before))" "$(printf '%s\n' "$out" | sed -n 's/^WRK_JSON //p')" \
        >>"$WORK/runs.ndjson"
}

log "warm-up: ${WARMUP}s per target"
for target in "${TARGETS[@]}"; do measure warmup 0 "$target" "$THREADS" "$CONNECTIONS" "$WARMUP"; done
for rep in $(seq "$REPS"); do
    log "repetition $rep/$REPS: ${#TARGETS[@]} targets x (${DURATION}s at $CONNECTIONS connections + ${PACED_DURATION}s paced + ${LAT_DURATION}s at 1)"
    for target in "${TARGETS[@]}"; do measure load "$rep" "$target" "$THREADS" "$CONNECTIONS" "$DURATION"; done
    for target in "${TARGETS[@]}"; do measure paced "$rep" "$target" "$THREADS" "$CONNECTIONS" "$PACED_DURATION"; done
    for target in "${TARGETS[@]}"; do measure latency "$rep" "$target" 1 1 "$LAT_DURATION"; done
done
LOAD_AT_END=$(cut -d' ' -f1-3 /proc/loadavg)
# The sidecars' own counts since they started (check, warm-up and timed runs): searches by outcome (reranked, or
# why not) and log records written or dropped. Lines: upstream target metric value.
for target in "${TARGETS[@]}"; do
    IFS='|' read -r name upstream url _ _ <<<"$target"
    [[ $name = rerank-* ]] || continue
    curl -s "$url/metrics" | grep -E '^rerank_(searches_total|log_records_written_total|log_dropped_total)' \
        | sed "s/^/$upstream $name /" || true
done >"$WORK/counters.txt"

# --- optional profile of the model + logging sidecar -------------------------------------------------------------
if [ "$PROFILE" = 1 ]; then
    log "profiling the model + logging sidecar in front of osmem-server (perf record -e cpu-clock, ${DURATION}s)"
    perf record -q -e cpu-clock -F 999 -g -p "$MODEL_ENGINE_PID" -o "$WORK/perf.data" -- sleep "$DURATION" \
        >/dev/null 2>&1 &
    PERF_PID=$!
    sleep 0.5
    shoppers "$THREADS" "$CONNECTIONS" "$((DURATION - 1))" "$MODEL_ENGINE_URL" >/dev/null
    wait "$PERF_PID" || true
    demangle() { if command -v swift >/dev/null; then swift demangle --simplified; else cat; fi; }
    {
        echo "self time, top symbols (% of the sidecar's samples):"
        perf report -i "$WORK/perf.data" --no-children --sort symbol -g none --stdio --percent-limit 0.7 2>/dev/null \
            | grep -E '^ +[0-9.]+%' | sed -n 1,25p | sed -E 's/[[:space:]-]+$//' | demangle
        echo
        echo "inclusive time (children, self) of the sidecar's own code (modules RerankServer, RerankJSON, Ranking,"
        echo "RerankCore, Personalization, Features, LTRModel, EventLog):"
        perf report -i "$WORK/perf.data" --children --sort symbol -g none --stdio --percent-limit 1 2>/dev/null \
            | grep -E '^ +[0-9.]+%' \
            | grep -E '(12RerankServer|10RerankJSON|7Ranking|10RerankCore|15Personalization|8Features|8LTRModel|8EventLog)' \
            | sed -n 1,30p \
            | sed -E 's/[[:space:]-]+$//' | demangle
    } >"$WORK/profile.txt"
    cat "$WORK/profile.txt" >&2
fi

# --- report -----------------------------------------------------------------------------------------------------
cat >"$WORK/meta.json" <<JSON
{"date": "$(date -u '+%Y-%m-%d %H:%M UTC')", "nproc": $(nproc), "cpu": "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)",
 "memory_gib": $(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo),
 "command": "$COMMAND_LINE", "commit": "$BUILT_COMMIT", "dirty": $BUILT_DIRTY,
 "reps": $REPS, "duration": $DURATION, "lat_duration": $LAT_DURATION, "paced_duration": $PACED_DURATION, "think_ms": $THINK_MS, "threads": $THREADS, "connections": $CONNECTIONS,
 "clk_tck": $(getconf CLK_TCK), "nginx": "$(nginx -v 2>&1 | sed 's|.*/||')", "wrk": "$(wrk -v 2>&1 | head -1 | cut -d' ' -f2)",
 "osmem": "$("$OSMEM" -version 2>&1 | head -1)", "load_start": "$LOAD_AT_START", "load_end": "$LOAD_AT_END",
 "not_quiet_at_start": "$QUIET_AT_START", "busy_samples": $BUSY_SAMPLES,
 "template": $TEMPLATE, "words": "$WORDS", "devices": "$DEVICES", "users": $USERS,
 "elapsed_s": $(($(date +%s) - STARTED)), "build_s": $BUILD_S, "train_s": $TRAIN_S, "wait_s": $waited}
JSON
args=("$WORK/runs.ndjson" "$WORK/responses.ndjson" "$WORK/meta.json" "$WORK/counters.txt")
[ "$PROFILE" = 1 ] && args+=(--profile "$WORK/profile.txt")
[ "$WRITE_RESULTS" = 1 ] && args+=(--results "$ROOT/bench/RESULTS.md")
python3 "$HERE/report.py" "${args[@]}"
log "done in $(($(date +%s) - STARTED))s"
