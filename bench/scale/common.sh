# Sourced by the bench/scale scripts.
#
# `release_bin` sets RERANK_BIN to a release build of rerank, building it, unless RERANK_BIN is set.
release_bin() {
    if [ -z "${RERANK_BIN:-}" ]; then
        swift build -c release --product rerank >&2
        RERANK_BIN="$(swift build -c release --show-bin-path)/rerank"
    fi
}

# `scratch NAME` sets `work` to a new temporary directory, removed when the script exits.
scratch() {
    work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    trap 'rm -rf "$work"' EXIT
}

# `peak_run FILE COMMAND...` runs COMMAND under /usr/bin/time -v (its output to standard error) and sets `wall`
# (seconds), `rss_kib` (peak RSS) and `load_before` / `load_after` (the 1-minute load average around it).
peak_run() {
    local report=$1
    shift
    load_before=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -v -o "$report" "$@" >&2
    load_after=$(cut -d' ' -f1 /proc/loadavg)
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$report")
    rss_kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$report")
}
