#!/usr/bin/env python3
"""Turns bench/logging/run.sh's raw results into the markdown of "## Interaction logs".

    report.py EVENTS.ndjson SEARCH.ndjson META.json [--results bench/RESULTS.md]

Prints the section; with --results, replaces the body of "## Interaction logs" in that file (appending the
section at the end when it is missing) and leaves every other section as it is.
"""

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from results import replace_section  # noqa: E402

HEADING = "## Interaction logs"
EVENT_TARGET = 20_000      # events/s acknowledged, with batches
LOGGING_COST_TARGET = 0.05  # at most 5% of search throughput


def read_ndjson(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def fmt(x, digits=0):
    return f"{x:,.{digits}f}"


def render(events, searches, meta):
    out = []
    out.append(
        f"Measured {meta['date']} by `{meta['command']}` (generated; rerun it to refresh this section). "
        f"rerank at commit `{meta['commit']}`{' plus uncommitted changes under Sources/' if meta['dirty'] else ''}, "
        f"release binary built {meta['binary_mtime']}; osmem-server {meta['osmem']}, wrk {meta['wrk']}. "
        f"Machine: `nproc` = {meta['nproc']} ({meta['cpu']}), {meta['memory_gib']} GiB, log directory on "
        f"{meta['filesystem']}.")
    out.append("")
    compiler_runs = sum(r["compiler"] for r in events + searches if r["phase"] == "timed")
    timed_runs = sum(1 for r in events + searches if r["phase"] == "timed")
    out.append(
        f"**The machine was shared**: another engineer was building on the same {meta['nproc']} cores. Load "
        f"average {meta['load_start']} at the start, {meta['load_end']} at the end; a Swift compiler "
        f"(`swift-frontend`) was {'running' if meta['compiler_at_start'] else 'not running'} at the start and was "
        f"running at the start of {compiler_runs} of the {timed_runs} timed runs. The load generator, the sidecar "
        f"and the engine share those cores too, so absolute figures are low and noisy; the off/on search "
        f"comparison alternates the order per repetition so both sides see similar load.")
    out.append("")

    timed = [r for r in events if r["phase"] == "timed"]
    searches_timed = [r for r in searches if r["phase"] == "timed"]
    by_mode = {m: [r for r in searches_timed if r["mode"] == m] for m in ("off", "on")}

    def rps(r):
        return r["wrk"]["requests"] / (r["wrk"]["duration_us"] / 1e6)

    median_rps = {m: statistics.median(rps(r) for r in rs) for m, rs in by_mode.items()}
    ratios = []
    for rep in sorted({r["rep"] for r in searches_timed}):
        pair = {r["mode"]: r for r in searches_timed if r["rep"] == rep}
        if "on" in pair and "off" in pair:
            ratios.append(rps(pair["on"]) / rps(pair["off"]))
    ratio = statistics.median(ratios) if ratios else float("nan")
    cost = 1 - ratio

    out.append("### Targets")
    out.append("")
    out.append("| measure | value | goal | |")
    out.append("|---|---:|---:|---|")
    for r in timed:
        res = r["result"]
        if res["batch"] > 1:
            met = res["events_per_s"] >= EVENT_TARGET
            out.append(f"| acknowledged (fsync'd) events/s, {res['batch']} events per request, {res['clients']} clients "
                       f"| {fmt(res['events_per_s'])} | ≥ {fmt(EVENT_TARGET)} | {'met' if met else '**missed**'} |")
    verdict = "met" if cost <= LOGGING_COST_TARGET else "**missed**"
    spread = (max(ratios) - min(ratios)) if ratios else 0
    if spread > LOGGING_COST_TARGET:
        # The noise between repetitions is larger than the effect to be measured: say so next to the verdict.
        verdict += (f" by the median, but **inconclusive**: the per-repetition ratios span {min(ratios):.2f}–"
                    f"{max(ratios):.2f}, wider than the 5% to be resolved")
    out.append(f"| search req/s with logging ÷ without (median of {len(ratios)} same-repetition ratios) "
               f"| {ratio:.3f}× ({cost * 100:+.1f}% cost) | ≥ 0.95× | {verdict} |")
    out.append("")

    out.append("### Durable event ingestion (`POST /_rerank/events`)")
    out.append("")
    out.append(f"{meta['clients']} clients (keep-alive `http.client` connections, threads over {meta['procs']} Python "
               f"processes, `bench/logging/post_events.py`) post NDJSON batches of distinct click events back to "
               f"back for {meta['event_duration']} s per batch size. An event counts when its item says status 201; "
               f"the sidecar answers only after the events are fsync'd (group commit). After each run the lines in "
               f"`ubi_events*.ndjson` are counted and compared with every event acknowledged so far (including a "
               f"{meta['warmup']} s warm-up at batch 100). The Python client runs on the same cores as the sidecar, "
               f"so these rates are lower bounds for the sidecar; at 1 event per request the client's own per-request "
               f"cost weighs most.")
    out.append("")
    out.append("| events per request | requests/s | acknowledged events/s | p50 ms | p99 ms | max ms | not 201 | HTTP errors | lines in ubi_events = acknowledged |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in timed:
        res = r["result"]
        check = "yes" if r["lines_after"] == r["acked_total"] else f"**no**: {r['lines_after']:,} lines, {r['acked_total']:,} acknowledged"
        if r["lines_after"] == r["acked_total"]:
            check += f" ({r['lines_after']:,})"
        out.append(f"| {res['batch']:,} | {fmt(res['requests_per_s'])} | {fmt(res['events_per_s'])} | {res['p50_ms']:.2f} | "
                   f"{res['p99_ms']:.2f} | {res['max_ms']:.1f} | {res['rejected']:,} | {res['http_errors']:,} | {check} |")
    out.append("")

    out.append("### Search throughput, logging off vs on")
    out.append("")
    out.append(f"`wrk -t1 -c{meta['connections']} -d{meta['search_duration']}s` POST `/products/_search` "
               "`{\"query\":{\"match\":{\"description\":\"range\"}},\"size\":100}` through a reranking sidecar "
               "(config `{\"rerank\": {\"signals\": [{\"field\": \"popularity\", \"weight\": 1, \"transform\": \"log1p\"}]}}`) "
               "in front of osmem-server with the 600-product sample catalog, without and with `--log-dir`. Every "
               f"run starts a fresh sidecar on the same port (checked: 200, 100 hits, `X-Rerank-Status: reranked`) "
               f"and warms it up for {meta['warmup']} s before timing. {meta['reps']} repetitions, order alternating "
               f"(off, on / on, off / ...); medians shown. \"ubi_queries written\" counts the records the "
               "logged sidecar appended during the run (read once the count stops growing: records are queued off "
               "the search path); wrk does not count requests still in flight when it stops, so it can be a few higher.")
    out.append("")
    out.append("| logging | req/s (median) | req/s per repetition | p50 ms | p99 ms | requests (median) | ubi_queries written (median) | errors |")
    out.append("|---|---:|---|---:|---:|---:|---:|---:|")
    for mode, label in (("off", "off (no `--log-dir`)"), ("on", "on (`--log-dir`)")):
        rs = sorted(by_mode[mode], key=lambda r: r["rep"])
        errors = sum(sum(r["wrk"]["errors"].values()) for r in rs)
        logged = statistics.median(r["queries_logged"] for r in rs) if mode == "on" else None
        out.append(
            f"| {label} | {fmt(median_rps[mode])} | {', '.join(fmt(rps(r)) for r in rs)} | "
            f"{statistics.median(r['wrk']['latency_us']['p50'] for r in rs) / 1000:.2f} | "
            f"{statistics.median(r['wrk']['latency_us']['p99'] for r in rs) / 1000:.2f} | "
            f"{fmt(statistics.median(r['wrk']['requests'] for r in rs))} | {fmt(logged) if logged is not None else '–'} | {errors} |")
    out.append("")
    per_rep = "; ".join(
        f"rep {r['rep']}: {r['wrk']['requests']:,} requests, {r['queries_logged']:,} records"
        for r in sorted(by_mode["on"], key=lambda r: r["rep"]))
    out.append(f"Ratio on ÷ off per repetition: {', '.join(f'{x:.3f}' for x in ratios)}; ratio of the medians "
               f"{median_rps['on'] / median_rps['off']:.3f}. Logged sidecar: {per_rep}; "
               f"`rerank_log_dropped_total` {meta['dropped']}, `rerank_log_write_failures_total` {meta['write_failures']}.")
    out.append("")
    out.append(f"The script ran {meta['elapsed_s']} s.")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("events")
    parser.add_argument("search")
    parser.add_argument("meta")
    parser.add_argument("--results")
    args = parser.parse_args()
    with open(args.meta) as f:
        meta = json.load(f)
    body = render(read_ndjson(args.events), read_ndjson(args.search), meta)
    print(HEADING + "\n\n" + body)
    if args.results:
        replace_section(args.results, HEADING[3:], body)
        print(f"updated {args.results}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
