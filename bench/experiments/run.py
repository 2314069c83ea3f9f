#!/usr/bin/env python3
"""Runs bench/experiments/run.sh's steps: training traffic, a model, the experiments, `rerank report`.

    run.py --rerank-bin BIN [--train-searches N] [--searches N] [--users N] [--results bench/RESULTS.md]

Prints the report; with --results, replaces the body of "## Experiments" in that file (appending the section
when it is missing) and leaves every other section as it is.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from demo import load_catalog, start_osmem, start_sidecar, stop  # noqa: E402
from opensearchpy import OpenSearch  # noqa: E402

HEADING = "## Experiments"


def machine_load():
    load = open("/proc/loadavg").read().split()[:3]
    compiling = subprocess.run(["pgrep", "-x", "swift-frontend"], capture_output=True).returncode == 0
    return " ".join(load), compiling


def simulate(sidecar, searches, users, traffic_seed):
    """Simulated traffic by the same shoppers (seed 1) with searches and clicks drawn from `traffic_seed`."""
    started = time.time()
    out = subprocess.run(
        [sys.executable, ROOT / "bench/storefront/simulate.py", "--sidecar", sidecar, "--catalog", ROOT / "sample/catalog.ndjson",
         "--searches", str(searches), "--users", str(users), "--seed", "1", "--traffic-seed", str(traffic_seed)],
        check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1]), time.time() - started


def fmt_interval(metric):
    return f"{metric['value']:.4f} [{metric['low']:.4f}, {metric['high']:.4f}]"


def fmt_difference(difference):
    return (f"{difference['value']:+.4f} [{difference['low']:+.4f}, {difference['high']:+.4f}], "
            f"p={difference['p_value']:.3g}")


def render(report, table, meta):
    out = [
        f"Measured {meta['date']} by `{meta['command']}` (generated; rerun it to refresh this section). rerank at "
        f"commit `{meta['commit']}`{' plus uncommitted changes' if meta['dirty'] else ''}, binary `{meta['binary']}`. Machine: "
        f"`nproc` = {os.cpu_count()}; load average {meta['load_start']} at the start and {meta['load_end']} at the end; "
        f"a Swift compiler was {'running' if meta['compiling'] else 'not running'} at the start"
        f"{' (other engineers were building on the same cores)' if meta['compiling'] else ''}. Timing does not enter "
        "these figures: they are counts from the logs.",
        "",
        f"Set-up: osmem-server with the 600-product sample catalog (BM25). Training traffic: {meta['train']['searches']} "
        f"simulated searches (`bench/storefront/simulate.py --seed 1`) through the sidecar with `sample/rerank.json`; "
        f"`rerank train` on those logs. Experiment traffic: {meta['experiment']['searches']} searches by "
        f"the same {meta['users']} simulated shoppers (`--seed 1 --traffic-seed 2`; clicks, add-to-carts and purchases from the simulator's "
        f"position-biased cascade over planted tastes) through the sidecar serving that model with "
        f"`bench/experiments/experiments.json`: `model-ab` takes half the users (engine order vs the model, 50/50), "
        f"`model-il` the other half (team-draft interleaving of the engine order and the model). The simulator's "
        f"shoppers prefer what the model learned, so the model should win both. "
        f"{meta['experiment']['click']} clicks, {meta['experiment']['add_to_cart']} add-to-carts and "
        f"{meta['experiment']['purchase']} purchases were posted; the experiment phase took {meta['elapsed']:.0f} s.",
        "",
    ]
    for experiment in report["experiments"]:
        out.append(f"### {experiment['name']} ({'team-draft interleaving' if experiment['type'] == 'interleaving' else 'A/B'})")
        out.append("")
        out.append("| variant | searches | users | CTR (95% interval) | add-to-cart rate | purchase rate | clicks/search | MRR |")
        out.append("|---|---:|---:|---|---|---|---|---|")
        for variant in experiment["variants"]:
            m = variant["metrics"]
            out.append(f"| {variant['name']} | {variant['searches']:,} | {variant['users']} | {fmt_interval(m['ctr'])} | "
                       f"{fmt_interval(m['add_to_cart_rate'])} | {fmt_interval(m['purchase_rate'])} | "
                       f"{fmt_interval(m['clicks_per_search'])} | {fmt_interval(m['mrr'])} |")
        for variant in experiment["variants"][1:]:
            m = variant["metrics"]
            out.append("")
            out.append(f"{variant['name']} − {experiment['variants'][0]['name']}: " + "; ".join(
                f"{name} {fmt_difference(m[name]['difference'])}" for name in
                ["ctr", "add_to_cart_rate", "purchase_rate", "clicks_per_search", "mrr"]) + ".")
        if "sample_ratio" in experiment:
            srm = experiment["sample_ratio"]
            out.append("")
            out.append(f"Sample ratio: users {srm['observed_users']} against {srm['expected']}: chi-square "
                       f"{srm['statistic']:.2f}, p={srm['p_value']:.3g} ({'**mismatch**' if srm['mismatch'] else 'no mismatch'}).")
        if "preference" in experiment:
            p = experiment["preference"]
            out.append("")
            out.append(f"Preference for the model's ranking: {p['share']:.4f} [{p['low']:.4f}, {p['high']:.4f}], "
                       f"p={p['p_value']:.3g}; {p['wins']} wins, {p['losses']} losses, {p['ties']} ties, "
                       f"{p['searches_without_credit']} searches without credited clicks; {p['users']} users with a preference.")
        out.append("")
        out.append(f"Verdict: {experiment['verdict']}.")
        out.append("")
    out.append("`rerank report` output:")
    out.append("")
    out.append("```")
    out.append(table.rstrip())
    out.append("```")
    return "\n".join(out)


def write_section(path, body):
    text = Path(path).read_text()
    start = text.find(HEADING + "\n")
    if start < 0:
        text = text.rstrip("\n") + f"\n\n{HEADING}\n\n{body}\n"
    else:
        end = text.find("\n## ", start + len(HEADING))
        text = text[:start] + f"{HEADING}\n\n{body}\n" + (text[end:] if end >= 0 else "")
    Path(path).write_text(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rerank-bin", required=True)
    parser.add_argument("--train-searches", type=int, default=3000)
    parser.add_argument("--searches", type=int, default=6000)
    parser.add_argument("--users", type=int, default=400)
    parser.add_argument("--command", default="bench/experiments/run.sh")
    parser.add_argument("--results")
    parser.add_argument("--keep-work", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rerank-experiments-bench."))
    binary = work / "rerank"
    shutil.copy(args.rerank_bin, binary)
    load_start, compiling = machine_load()
    processes = []
    try:
        osmem, cluster = start_osmem()
        processes.append(osmem)
        load_catalog(OpenSearch(hosts=[cluster]))
        train_logs, logs = work / "train-logs", work / "logs"
        train_logs.mkdir()
        logs.mkdir()
        sidecar, url = start_sidecar(binary, cluster, "--config", ROOT / "sample/rerank.json", "--log-dir", train_logs)
        processes.append(sidecar)
        train, _ = simulate(url, args.train_searches, args.users, traffic_seed=1)
        print(f"training traffic: {train}", file=sys.stderr)
        stop(sidecar)
        processes.remove(sidecar)
        model = work / "model.json"
        subprocess.run([binary, "train", "--logs", train_logs, "--items", ROOT / "sample/catalog.ndjson", "--output", model, "--quiet"], check=True)
        config = ROOT / "bench/experiments/experiments.json"
        sidecar, url = start_sidecar(binary, cluster, "--config", config, "--model", model, "--log-dir", logs)
        processes.append(sidecar)
        experiment, elapsed = simulate(url, args.searches, args.users, traffic_seed=2)
        print(f"experiment traffic: {experiment}", file=sys.stderr)
        stop(sidecar)
        processes.remove(sidecar)
        report = subprocess.run(
            [binary, "report", "--logs", logs, "--config", config, "--json", work / "report.json", "--html", work / "report.html"],
            check=True, capture_output=True, text=True)
        print(report.stdout)
        load_end, _ = machine_load()
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "Sources", "Package.swift"],
                                    capture_output=True, text=True).stdout.strip())
        meta = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "command": args.command, "commit": commit,
                "dirty": dirty, "binary": os.path.relpath(args.rerank_bin, ROOT), "load_start": load_start, "load_end": load_end, "compiling": compiling, "train": train,
                "experiment": experiment, "users": args.users, "elapsed": elapsed}
        section = render(json.loads((work / "report.json").read_text()), report.stdout, meta)
        if args.results:
            write_section(args.results, section)
            print(f"wrote {HEADING} in {args.results}", file=sys.stderr)
        else:
            print(section)
    finally:
        for process in reversed(processes):
            stop(process)
        if args.keep_work:
            print(f"scratch directory kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
