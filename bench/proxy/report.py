#!/usr/bin/env python3
"""Turns run.sh's raw measurements into the markdown for bench/RESULTS.md.

    report.py RUNS.ndjson RESPONSES.ndjson META.json [--profile PROFILE.txt] [--results RESULTS.md]

Prints the section; with --results, replaces the body of its "## Search path (proxy)" section and leaves the
other sections as they are. Ratios are taken within one repetition (the same minute, the same machine state)
and the median of those per-repetition ratios is reported.
"""

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from results import replace_section  # noqa: E402

SECTION = "## Search path (proxy)"
TARGETS = ["direct", "nginx", "rerank-passthrough", "rerank-reranking"]
UPSTREAMS = {"engine": "real engine (osmem-server)", "canned": "canned upstream (nginx, recorded response)"}
LABELS = {
    "direct": "direct (no proxy)",
    "nginx": "nginx reverse proxy",
    "rerank-passthrough": "rerank, reranking disabled",
    "rerank-reranking": "rerank, reranking (signals + rules)",
}
GOALS = {"throughput": 0.85, "cpu_ms": 0.8, "added_p50_ms": 1.0}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=2):
    return "–" if value is None else f"{value:,.{digits}f}"


class Runs:
    def __init__(self, runs, clk_tck):
        self.by_key = {}
        for run in runs:
            wrk = run["wrk"]
            requests = wrk["requests"]
            seconds = wrk["duration_us"] / 1e6
            tick_ms = 1000.0 / clk_tck
            run["rps"] = requests / seconds
            run["p50"] = wrk["latency_us"]["p50"] / 1000
            run["p99"] = wrk["latency_us"]["p99"] / 1000
            run["errors"] = sum(wrk["errors"].values())
            run["proxy_cpu"] = None if run["proxy_ticks"] is None else run["proxy_ticks"] * tick_ms / requests
            run["upstream_cpu"] = run["upstream_ticks"] * tick_ms / requests
            self.by_key.setdefault((run["phase"], run["upstream"], run["target"]), {})[run["rep"]] = run

    def get(self, phase, upstream, target):
        return self.by_key.get((phase, upstream, target), {})

    def median(self, phase, upstream, target, field):
        return median([run[field] for run in self.get(phase, upstream, target).values()])

    def paired(self, phase, upstream, a, b, combine):
        """Median over repetitions of combine(run of a, run of b) within the same repetition."""
        runs_a, runs_b = self.get(phase, upstream, a), self.get(phase, upstream, b)
        return median([combine(runs_a[rep], runs_b[rep]) for rep in runs_a if rep in runs_b])


def build(runs, responses, meta, profile):
    r = Runs(runs, meta["clk_tck"])
    sizes = {(x["upstream"], x["target"]): x["bytes"] for x in responses}
    out = []
    dirty = " plus uncommitted changes under Sources/" if meta["dirty"] else ""
    out.append(
        f"Measured {meta['date']} by `{meta['command']}` (generated; rerun it to refresh this section). "
        f"Machine: {meta['nproc']} cores ({meta['cpu']}), {meta['memory_gib']} GiB; rerank at commit "
        f"`{meta['commit']}`{dirty}, release build; nginx {meta['nginx']}, wrk {meta['wrk']}, {meta['osmem']}."
    )
    out.append("")
    body_kb = sizes.get(("engine", "direct"), 0) / 1024
    out.append(
        f"Every path gets the same POST `/products/_search` `{json.dumps(meta['body'], separators=(',', ':'))}` "
        f"(100 of the 600 sample products, a {body_kb:.0f} KB response; the reranking sidecar fetches its "
        f"100-hit window and returns 100 hits, so every path returns the same bytes). Throughput and loaded "
        f"latency: `wrk -t1 -c{meta['connections']} -d{meta['duration']}s`; unloaded latency: `wrk -t1 -c1 "
        f"-d{meta['lat_duration']}s`. {meta['reps']} repetitions, every target once per repetition, medians shown; "
        f"ratios are taken within a repetition. CPU per request: utime+stime from `/proc/PID/stat` (all threads; "
        f"nginx: master and workers) over a run, divided by the requests wrk completed. wrk, the proxy and the "
        f"upstream share the {meta['nproc']} cores."
    )
    out.append("")
    if meta["not_quiet_at_start"] or meta["busy_samples"]:
        out.append(
            f"**The machine was not quiet**: {meta['not_quiet_at_start'] or 'quiet at the start'}; a Swift compiler "
            f"was running at the start of {meta['busy_samples']} of the {len(runs)} timed runs; load average {meta['load_start']} at "
            f"the start, {meta['load_end']} at the end. Absolute figures are skewed; the same-run ratios less so."
        )
    else:
        out.append(
            f"The machine was quiet (load average {meta['load_start']} at the start, {meta['load_end']} at the end, "
            f"no compiler running during any measurement)."
        )
    out.append("")

    # Targets from the issue.
    rows = []
    def verdict(value, goal, higher_is_better):
        if value is None:
            return "–"
        return "met" if (value >= goal if higher_is_better else value <= goal) else "**missed**"
    for upstream in ("engine", "canned"):
        ratio = r.paired("load", upstream, "rerank-reranking", "nginx", lambda a, b: a["rps"] / b["rps"])
        rows.append((f"reranking req/s ÷ nginx req/s, {UPSTREAMS[upstream]}", f"{fmt(ratio)}×", "≥ 0.85×",
                     verdict(ratio, GOALS["throughput"], True)))
    for upstream in ("canned", "engine"):
        cpu = r.median("load", upstream, "rerank-reranking", "proxy_cpu")
        rows.append((f"sidecar CPU per reranked 100-hit request, {UPSTREAMS[upstream]}", f"{fmt(cpu, 3)} ms",
                     "≤ 0.8 ms", verdict(cpu, GOALS["cpu_ms"], False)))
    for phase, what in (("latency", "1 connection"), ("load", f"{meta['connections']} connections")):
        added = r.paired(phase, "engine", "rerank-reranking", "direct", lambda a, b: a["p50"] - b["p50"])
        rows.append((f"p50 added by reranking over direct, real engine, {what}", f"{fmt(added)} ms", "≤ 1 ms",
                     verdict(added, GOALS["added_p50_ms"], False)))
    out.append("### Targets")
    out.append("")
    out.append("| measure | value | goal | |")
    out.append("|---|---:|---:|---|")
    out.extend(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows)
    out.append("")

    # Context ratios.
    ctx = []
    for upstream in ("engine", "canned"):
        for target in ("rerank-passthrough", "rerank-reranking"):
            ratio = r.paired("load", upstream, target, "nginx", lambda a, b: a["rps"] / b["rps"])
            added_nginx = r.paired("latency", upstream, target, "nginx", lambda a, b: a["p50"] - b["p50"])
            added_direct = r.paired("latency", upstream, target, "direct", lambda a, b: a["p50"] - b["p50"])
            cpu = r.paired("load", upstream, target, "nginx", lambda a, b: (a["proxy_cpu"] - b["proxy_cpu"]))
            ctx.append(f"| {UPSTREAMS[upstream]} | {LABELS[target]} | {fmt(ratio)}× | {fmt(added_direct, 3)} | "
                       f"{fmt(added_nginx, 3)} | {fmt(cpu, 3)} |")
    out.append("### The sidecar against nginx, same run")
    out.append("")
    out.append("| upstream | sidecar mode | req/s ÷ nginx | p50 added over direct, 1 conn (ms) | "
               "p50 added over nginx, 1 conn (ms) | CPU/request over nginx's (ms) |")
    out.append("|---|---|---:|---:|---:|---:|")
    out.extend(ctx)
    out.append("")

    # Everything measured.
    out.append("### All paths (medians)")
    out.append("")
    c = meta["connections"]
    out.append(f"| upstream | path | req/s ({c} conn) | p50 ms ({c} conn) | p99 ms ({c} conn) | p50 ms (1 conn) | "
               f"p99 ms (1 conn) | proxy CPU ms/req | upstream CPU ms/req | response bytes | errors |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for upstream in ("engine", "canned"):
        for target in TARGETS:
            errors = sum(run["errors"] for phase in ("load", "latency")
                         for run in r.get(phase, upstream, target).values())
            out.append(
                f"| {upstream} | {LABELS[target]} | {fmt(r.median('load', upstream, target, 'rps'), 0)} | "
                f"{fmt(r.median('load', upstream, target, 'p50'))} | {fmt(r.median('load', upstream, target, 'p99'))} | "
                f"{fmt(r.median('latency', upstream, target, 'p50'), 3)} | "
                f"{fmt(r.median('latency', upstream, target, 'p99'), 3)} | "
                f"{fmt(r.median('load', upstream, target, 'proxy_cpu'), 3)} | "
                f"{fmt(r.median('load', upstream, target, 'upstream_cpu'), 3)} | "
                f"{sizes.get((upstream, target), 0):,} | {errors} |"
            )
    out.append("")
    out.append(
        "Checked before timing: every path answers 200 with 100 hits; the reranking sidecar says "
        "`X-Rerank-Status: reranked` and changes the engine's order, the passthrough sidecar says "
        "`skipped: reranking disabled` and keeps it. \"errors\" counts wrk's socket errors and non-2xx answers "
        f"over all runs. The script ran {meta['elapsed_s']} s: {meta.get('build_s', 0)} s building, "
        f"{meta.get('wait_s', 0)} s waiting for a quiet machine, the rest starting servers and measuring."
    )
    if profile:
        out.append("")
        out.append("### Profile of the reranking sidecar (canned upstream)")
        out.append("")
        out.append(f"`perf record -e cpu-clock -F 999 -g` on the sidecar process under `wrk -c{c}`; self time by "
                   "symbol, top entries:")
        out.append("")
        out.append("```")
        out.extend(line.rstrip() for line in profile.splitlines()[:60])
        out.append("```")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs")
    parser.add_argument("responses")
    parser.add_argument("meta")
    parser.add_argument("--profile")
    parser.add_argument("--results")
    args = parser.parse_args()
    runs = [json.loads(line) for line in open(args.runs) if line.strip()]
    responses = [json.loads(line) for line in open(args.responses) if line.strip()]
    meta = json.load(open(args.meta))
    profile = open(args.profile).read() if args.profile else None
    body = build(runs, responses, meta, profile)
    print(body)
    if args.results:
        replace_section(args.results, SECTION[3:], body)


if __name__ == "__main__":
    main()
