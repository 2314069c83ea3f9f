#!/usr/bin/env python3
"""Turns run.sh's raw measurements into the markdown for bench/RESULTS.md.

    report.py RUNS.ndjson RESPONSES.ndjson META.json COUNTERS.txt [--profile PROFILE.txt] [--results RESULTS.md]

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
PATHS = {
    "engine": ["direct", "nginx", "rerank-passthrough", "rerank-signals", "rerank-model"],
    "canned": ["direct", "nginx", "rerank-passthrough", "rerank-model"],
}
UPSTREAMS = {"engine": "osmem-server", "canned": "canned upstream"}
LABELS = {
    "direct": "direct (no proxy)",
    "nginx": "nginx reverse proxy",
    "rerank-passthrough": "rerank, `rerank.enabled: false`",
    "rerank-signals": "rerank, signals + rules (`sample/rerank.json`)",
    "rerank-model": "rerank, model + `--log-dir`",
}
GOALS = {"passthrough_cpu_ms": 0.3, "model_cpu_ms": 0.8, "throughput": 0.85, "added_p99_ms": 5.0}


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


def verdict(value, goal, higher_is_better):
    if value is None:
        return "–"
    return "met" if (value >= goal if higher_is_better else value <= goal) else "**missed**"


def added(field):
    """combine() for Runs.paired: how much higher a path's latency percentile is than direct's."""
    return lambda a, b: a[field] - b[field]


def counted(counters):
    """One clause per sidecar: its searches by outcome and its log records, as its /metrics counted them."""
    by_sidecar = {}
    for upstream, target, line in counters:
        metric, value = line.rsplit(" ", 1)
        name = metric.split("{")[0].removeprefix("rerank_")
        label = metric.split('"')[1] if '"' in metric else None
        by_sidecar.setdefault((upstream, target), []).append((name, label, float(value)))
    clauses = []
    for (upstream, target), values in by_sidecar.items():
        outcomes = ", ".join(f"{v:,.0f} {label}" for name, label, v in values if name == "searches_total")
        logged = {name: v for name, _, v in values if name.startswith("log_")}
        log = (f"; {logged.get('log_records_written_total', 0):,.0f} log records written, "
               f"{logged.get('log_dropped_total', 0):,.0f} dropped") if logged else ""
        clauses.append(f"{LABELS[target]} ({UPSTREAMS[upstream]}): searches {outcomes or 'none counted'}{log}")
    return "; ".join(clauses)


def build(runs, responses, meta, counters, profile):
    r = Runs(runs, meta["clk_tck"])
    checked = {(x["upstream"], x["target"]): x for x in responses}
    c = meta["connections"]
    out = []
    dirty = " plus uncommitted changes under Sources/" if meta["dirty"] else ""
    out.append(
        f"Measured {meta['date']} by `{meta['command']}` (generated; rerun it to refresh this section). "
        f"Machine: {meta['nproc']} cores ({meta['cpu']}), {meta['memory_gib']} GiB; rerank at commit "
        f"`{meta['commit']}`{dirty}, release build; nginx {meta['nginx']}, wrk {meta['wrk']}, {meta['osmem']}."
    )
    out.append("")
    out.append(
        f"Every path gets the same requests (`bench/proxy/shoppers.lua`): each is another shopper's POST "
        f"`/products/_search` `{json.dumps(meta['template'], separators=(',', ':'))}`, with `@WORD@` one of "
        f"{meta['words'].replace(',', ', ')} (scripts/shoppers.py), `X-Rerank-User` one of {meta['users']:,} users "
        f"with their `X-Rerank-Session`, and `X-Rerank-Device` one of {meta['devices'].replace(',', ', ')}; every "
        f"request matches all 600 sample products, so every path returns 100 hits, in an order the word changes. "
        f"The model was trained by the script ({meta['train_s']} s): a logging sidecar served 3,000 searches by 300 "
        f"simulated shoppers, who clicked with a position bias, then `rerank train --test-fraction 0`. The model "
        f"sidecars serve it with `--log-dir`, logging the impressions of what they serve. The canned upstream (nginx) "
        f"answers every request with the engine's recorded answer to the first word, so in front of it what differs "
        f"between paths is the proxy's own cost. Throughput and loaded latency: `wrk -t{meta['threads']} -c{c} "
        f"-d{meta['duration']}s`, every connection sending its next search as soon as the last is answered, which "
        f"saturates the engine; paced latency: the same {c} connections, each waiting a random time (exponential, "
        f"mean {meta['think_ms']} ms) after every answer (`bench/proxy/paced.lua`, {meta['paced_duration']} s), "
        f"which keeps the engine below its capacity and makes the arrivals close to a Poisson stream; unloaded latency: `wrk -t1 -c1 -d{meta['lat_duration']}s`. {meta['reps']} "
        f"repetitions, every path once per repetition, medians shown; ratios and differences are taken within a "
        f"repetition. CPU per request: utime+stime from `/proc/PID/stat` (all threads; nginx: master and workers) "
        f"over a run, divided by the requests wrk completed. wrk, the proxy and the upstream share the "
        f"{meta['nproc']} cores."
    )
    out.append("")
    if meta["not_quiet_at_start"] or meta["busy_samples"]:
        out.append(
            f"**The machine was not quiet**: {meta['not_quiet_at_start'] or 'quiet at the start'}; a Swift compiler "
            f"was running at the start of {meta['busy_samples']} of the {len(runs)} timed runs; load average "
            f"{meta['load_start']} at the start, {meta['load_end']} at the end. Absolute figures are skewed; the "
            f"same-run ratios less so."
        )
    else:
        out.append(
            f"The machine was quiet (load average {meta['load_start']} at the start, {meta['load_end']} at the end, "
            f"no compiler running during any measurement)."
        )
    out.append("")

    # The targets; the real engine's figure is the target figure, the canned upstream's a second row.
    def cpu(upstream, target):
        return r.median("load", upstream, target, "proxy_cpu")

    throughput = r.paired("load", "engine", "rerank-model", "nginx", lambda a, b: a["rps"] / b["rps"])
    added_p99 = r.paired("paced", "engine", "rerank-model", "direct", added("p99"))
    saturated_p99 = r.paired("load", "engine", "rerank-model", "direct", added("p99"))
    paced_rps = r.median("paced", "engine", "rerank-model", "rps")
    rows = []
    for target, goal, what in (("rerank-passthrough", "passthrough_cpu_ms", "passing through"),
                               ("rerank-model", "model_cpu_ms", "reranking with the model and logging")):
        value = cpu("engine", target)
        rows.append((f"sidecar CPU per 100-hit search, {what}, in front of osmem-server", f"{fmt(value, 3)} ms",
                     f"≤ {GOALS[goal]} ms", verdict(value, GOALS[goal], False)))
        value = cpu("canned", target)
        mark = verdict(value, GOALS[goal], False).strip("*")
        rows.append(("the same, in front of the canned upstream (second row, not the target figure)",
                     f"{fmt(value, 3)} ms", f"≤ {GOALS[goal]} ms", "–" if value is None else f"({mark})"))
    rows.append(("throughput with the model ÷ nginx's, in front of osmem-server", f"{fmt(throughput)}×",
                 f"≥ {GOALS['throughput']}×", verdict(throughput, GOALS["throughput"], True)))
    rows.append((f"p99 added over direct by the model + logging sidecar at {c} connections, each waiting "
                 f"{meta['think_ms']} ms on average between searches ({fmt(paced_rps, 0)} req/s), osmem-server",
                 f"{fmt(added_p99)} ms", f"≤ {GOALS['added_p99_ms']:g} ms",
                 verdict(added_p99, GOALS["added_p99_ms"], False)))
    rows.append((f"the same with no wait, the engine saturated (its queue sets direct's p99; not the target figure)",
                 f"{fmt(saturated_p99)} ms", f"≤ {GOALS['added_p99_ms']:g} ms", "–"))
    out.append("### Targets")
    out.append("")
    out.append("| measure | value | goal | |")
    out.append("|---|---:|---:|---|")
    out.extend(f"| {a} | {b} | {v} | {d} |" for a, b, v, d in rows)
    out.append("")

    # The table, with the latency added over direct.
    out.append("### Same run, every path")
    out.append("")
    out.append(f"| upstream | path | req/s ({c} conn) | ÷ nginx | proxy CPU ms/request | p50 added ({c} conn, ms) | "
               f"p99 added ({c} conn, ms) | p50 added (paced, ms) | p99 added (paced, ms) | p50 added (1 conn, ms) | "
               f"p99 added (1 conn, ms) |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for upstream, targets in PATHS.items():
        for target in targets:
            ratio = r.paired("load", upstream, target, "nginx", lambda a, b: a["rps"] / b["rps"])
            over = [None if target == "direct" else r.paired(phase, upstream, target, "direct", added(field))
                    for phase in ("load", "paced", "latency") for field in ("p50", "p99")]
            out.append(f"| {UPSTREAMS[upstream]} | {LABELS[target]} | {fmt(r.median('load', upstream, target, 'rps'), 0)} "
                       f"| {fmt(ratio)}× | {fmt(cpu(upstream, target), 3)} | "
                       + " | ".join(fmt(value) for value in over) + " |")
    out.append("")
    out.append("\"added\" is the path's percentile minus direct's in the same repetition (median over repetitions).")
    out.append("")

    # Everything measured.
    out.append("### All paths (medians)")
    out.append("")
    out.append(f"| upstream | path | req/s ({c} conn) | p50 ms ({c} conn) | p99 ms ({c} conn) | req/s (paced) | "
               f"p50 ms (paced) | p99 ms (paced) | p50 ms (1 conn) | p99 ms (1 conn) | proxy CPU ms/req | "
               f"upstream CPU ms/req | response bytes | errors |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for upstream, targets in PATHS.items():
        for target in targets:
            errors = sum(run["errors"] for phase in ("load", "paced", "latency")
                         for run in r.get(phase, upstream, target).values())
            out.append(
                f"| {upstream} | {LABELS[target]} | {fmt(r.median('load', upstream, target, 'rps'), 0)} | "
                f"{fmt(r.median('load', upstream, target, 'p50'))} | {fmt(r.median('load', upstream, target, 'p99'))} | "
                f"{fmt(r.median('paced', upstream, target, 'rps'), 0)} | {fmt(r.median('paced', upstream, target, 'p50'))} | "
                f"{fmt(r.median('paced', upstream, target, 'p99'))} | "
                f"{fmt(r.median('latency', upstream, target, 'p50'), 3)} | "
                f"{fmt(r.median('latency', upstream, target, 'p99'), 3)} | "
                f"{fmt(cpu(upstream, target), 3)} | "
                f"{fmt(r.median('load', upstream, target, 'upstream_cpu'), 3)} | "
                f"{checked.get((upstream, target), {}).get('bytes', 0):,.0f} | {errors} |"
            )
    out.append("")
    reordered = "; ".join(f"{LABELS[target]} ({UPSTREAMS[upstream]}) {x['reordered']} of {x['searches']}"
                          for (upstream, target), x in checked.items() if target in ("rerank-signals", "rerank-model"))
    searches = next(iter(checked.values()))["searches"] if checked else 0
    out.append(
        f"Checked before timing, with {searches} of the shoppers' searches (every word twice) sent to every path: "
        f"each answers 200 with 100 hits; the reranking sidecars say `X-Rerank-Status: reranked` and order some "
        f"searches differently from direct's answer to the same search ({reordered}); nginx and the passthrough "
        f"sidecar (`skipped: reranking disabled`) keep direct's order for every one. \"response bytes\" is the "
        f"median body size of those checked answers; \"errors\" counts wrk's socket errors and non-2xx answers over "
        f"all runs. Counted by the sidecars themselves (`/metrics`) after the timed runs, check and warm-up "
        f"included: {counted(counters)}. The script ran {meta['elapsed_s']} s: {meta['build_s']} s building, {meta['train_s']} s "
        f"training the model, {meta['wait_s']} s waiting for a quiet machine, the rest starting servers and "
        f"measuring."
    )
    if profile:
        out.append("")
        out.append("### Profile of the model + logging sidecar (osmem-server upstream)")
        out.append("")
        out.append(f"`perf record -e cpu-clock -F 999 -g` on the sidecar process under `wrk -t{meta['threads']} -c{c}` "
                   "with the same requests:")
        out.append("")
        out.append("```")
        out.extend(line.rstrip() for line in profile.splitlines()[:70])
        out.append("```")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs")
    parser.add_argument("responses")
    parser.add_argument("meta")
    parser.add_argument("counters", help="lines `upstream target metric value` from the sidecars' /metrics")
    parser.add_argument("--profile")
    parser.add_argument("--results")
    args = parser.parse_args()
    runs = [json.loads(line) for line in open(args.runs) if line.strip()]
    responses = [json.loads(line) for line in open(args.responses) if line.strip()]
    meta = json.load(open(args.meta))
    counters = [line.split(" ", 2) for line in open(args.counters) if line.strip()]
    profile = open(args.profile).read() if args.profile else None
    body = build(runs, responses, meta, counters, profile)
    print(body)
    if args.results:
        replace_section(args.results, SECTION[3:], body)


if __name__ == "__main__":
    main()
