#!/usr/bin/env python3
"""The synthetic storefront benchmark: does the model recover what the simulator planted, family by family?

Starts osmem-server with the sample catalog and a sidecar that logs but does not rerank (the logged order is the
engine's BM25 order), drives `simulate.py` through it, then trains the full model and one model without each of
the context and user families, evaluates all of them on the same held-out searches (`rerank evaluate --compare`,
a paired bootstrap), on the logged clicks and against the planted truth the simulator wrote (each shown item's
probability of being acted on once seen: NDCG with linear gain on it), and writes a Markdown section. Stops what
it starts.

    bench.py --rerank-bin .build/release/rerank --searches 100000 --output section.md
"""
import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from opensearchpy import OpenSearch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from stack import CATALOG, ROOT, load_catalog, start_osmem, start_sidecar, stop  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from simulate import examination  # noqa: E402

# (name, file key, extra `rerank train` arguments); the first is the full model every other is compared with.
ABLATIONS = [("model (all features)", "all", []),
             ("model without context features", "context", ["--without", "context"]),
             ("model without user features", "user", ["--without", "user"]),
             ("model without the declared `rating` feature", "declared", ["--without", "declared"]),
             ("model on raw clicks (`--no-debias`)", "raw", ["--no-debias"])]
# The storefront's own feature every model is trained with (`rerank train --features`): the catalog's rating.
DECLARED = {"features": [{"name": "rating", "source": "item", "field": "rating", "type": "numeric"}]}
METRICS = ["ndcg@1", "ndcg@5", "ndcg@10", "mrr", "map"]


def timed(label, timings, *command, capture=None):
    print(f"$ {' '.join(str(part) for part in command)}", file=sys.stderr, flush=True)
    start = time.monotonic()
    result = subprocess.run([str(part) for part in command], check=True, text=True,
                            stdout=subprocess.PIPE if capture else None)
    timings[label] = time.monotonic() - start
    return result.stdout if capture else None


def count_lines(directory, prefix):
    return sum(sum(1 for _ in open(path)) for path in directory.glob(f"{prefix}*.ndjson"))


def shown_hits(directory):
    total = 0
    for path in directory.glob("ubi_queries*.ndjson"):
        for line in open(path):
            total += len(json.loads(line).get("query_response_hit_ids") or [])
    return total


def generate(args, logs, truth, timings):
    processes = []
    try:
        osmem, cluster_url = start_osmem()
        processes.append(osmem)
        load_catalog(OpenSearch(hosts=[cluster_url]))
        config = logs.parent / "bm25-logging.json"
        config.write_text(json.dumps({"rerank": {"enabled": False}}))
        sidecar, sidecar_url = start_sidecar(args.rerank_bin, cluster_url, "--config", config, "--log-dir", logs)
        processes.append(sidecar)
        output = timed("simulate", timings, sys.executable, Path(__file__).parent / "simulate.py",
                       "--sidecar", sidecar_url, "--catalog", CATALOG, "--searches", args.searches,
                       "--workers", args.workers, "--users", args.users, "--seed", args.seed, "--truth", truth,
                       capture=True)
        return json.loads(output.strip().splitlines()[-1])
    finally:
        for process in reversed(processes):
            stop(process)


def against_truth(args, run, truth):
    """NDCG etc. of a ranking's run file against the planted truth (linear gain on the act probability)."""
    output = run.with_suffix(".truth.json")
    subprocess.run([args.rerank_bin, "evaluate", "--run", run, "--qrels", truth, "--gain", "linear",
                    "--json", output], check=True, stdout=subprocess.DEVNULL)
    return json.loads(output.read_text())["run"]


def evaluate(args, logs, truth, work, timings):
    models = {}
    features = work / "features.json"
    features.write_text(json.dumps(DECLARED))
    declared_gain = None
    for name, key, extra in ABLATIONS:
        path = work / f"model-{key}.json"
        output = timed(f"train {key}", timings, args.rerank_bin, "train", "--logs", logs, "--items", CATALOG,
                       "--features", features, "--output", path, "--seed", args.seed, "--quiet", *extra, capture=True)
        print(output, file=sys.stderr)
        if key == "all":
            declared_gain = next((line.split(": ", 1)[1] for line in output.splitlines()
                                  if line.startswith("declared features' split gain")), None)
        models[name] = path
    full = models[ABLATIONS[0][0]]
    results, truths, runs_of = {}, {}, {}
    for name, path in models.items():
        output = work / f"evaluation-{path.stem}.json"
        runs = work / f"runs-{path.stem}"
        compare = [] if path == full else ["--compare", path]
        timed(f"evaluate {path.stem}", timings, args.rerank_bin, "evaluate", "--model", full, *compare,
              "--logs", logs, "--items", CATALOG, "--json", output, "--report", output.with_suffix(".html"),
              "--runs", runs, capture=True)
        results[name] = json.loads(output.read_text())
        if path == full:
            for ranking in ("original", "random", "baseline", "coec", "model", "served"):
                truths[ranking] = against_truth(args, runs / f"{ranking}.run", truth)
                runs_of[ranking] = runs / f"{ranking}.run"
        else:
            truths[name] = against_truth(args, runs / "compared.run", truth)
            runs_of[name] = runs / "compared.run"
    truths[ABLATIONS[0][0]] = truths.pop("model")
    runs_of[ABLATIONS[0][0]] = runs_of.pop("model")
    return results, truths, runs_of, models, declared_gain


def truth_ndcg_by_search(run, truth, cutoff=10):
    """Per held-out search, NDCG@cutoff of the run's order with linear gain on the planted act probability."""
    gains = {}
    for line in open(truth):
        query, _, item, gain = line.split()
        gains.setdefault(query, {})[item] = float(gain)
    orders = {}
    for line in open(run):
        query, _, item, rank, *_ = line.split()
        orders.setdefault(query, []).append((int(rank), item))
    result = {}
    for query, ranked in orders.items():
        judged = gains.get(query, {})
        items = [item for _, item in sorted(ranked)]
        dcg = sum(judged.get(item, 0) / math.log2(2 + rank) for rank, item in enumerate(items[:cutoff]))
        ideal = sorted((judged.get(item, 0) for item in items), reverse=True)
        best = sum(gain / math.log2(2 + rank) for rank, gain in enumerate(ideal[:cutoff]))
        result[query] = dcg / best if best > 0 else 0.0
    return result


def paired_truth_difference(run, other, truth, seed=1):
    """Mean per-search truth NDCG@10 difference of two runs and its 95% percentile bootstrap interval."""
    first, second = truth_ndcg_by_search(run, truth), truth_ndcg_by_search(other, truth)
    differences = [first[query] - second[query] for query in first if query in second]
    rng = random.Random(seed)
    means = sorted(sum(rng.choice(differences) for _ in differences) / len(differences) for _ in range(1000))
    return sum(differences) / len(differences), means[25], means[974]


def planted_propensities(positions):
    """The simulator's examination probability of each position before any click, relative to the first."""
    return [examination(position) / examination(0) for position in range(positions)]


def estimated_propensities(model):
    """The position bias `rerank train` estimated and stored in the model file, or None."""
    def find(value):
        if isinstance(value, dict):
            if "positionBias" in value:
                return value["positionBias"]
            for child in value.values():
                found = find(child)
                if found is not None:
                    return found
        return None
    bias = find(json.loads(Path(model).read_text()))
    return bias["propensities"] if bias else None


def section(args, counts, impressions, events, results, truths, runs_of, models, declared_gain, truth, timings, started):
    full = results[ABLATIONS[0][0]]
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    load = os.getloadavg()
    lines = [
        "## Evaluation: synthetic storefront",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC by `bench/storefront/run.sh {args.searches}` (generated; rerun it "
        f"to refresh this section) at commit `{commit}`, release build; load average at the end "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on 2 cores.",
        "",
        f"Logs: {counts['searches']:,} searches by {args.users} simulated shoppers through the sidecar over "
        f"osmem-server's BM25 (reranking off, so the logged order is the engine's), {impressions:,} item "
        f"impressions (hits shown), {events:,} events ({counts['click']:,} clicks, {counts['add_to_cart']:,} "
        f"add-to-carts, {counts['purchase']:,} purchases). Planted truth (`bench/storefront/simulate.py`): user "
        "tastes for two categories, two brands and a price sensitivity; better-rated items preferred by everyone "
        "(the catalog's `rating`, declared to `rerank train --features` as a numeric item feature); context "
        "effects the same for every "
        "shopper and independent of who searches (phones: cheaper items and electronics; evenings: pricier "
        "items, home and kitchen; weekends: shoes and jackets); position-biased cascade clicks. Evaluation: "
        f"`rerank evaluate`, time split, the latest 20% of searches with interactions held out "
        f"({full['held_out_searches']:,}), NDCG gain {full['gain']} (2^rel − 1; purchase 3, add-to-cart 2, "
        "click 1). Every model is trained with the same seed on the same searches and evaluated on the same "
        "held-out searches.",
        "",
        "Two measures: the logged clicks (what a store has; position-biased towards the order that was shown, "
        "here BM25's) and the planted truth (what the simulator knows: each shown item's probability of being "
        "acted on once seen, NDCG with linear gain on it; the same held-out searches).",
        "",
        "| ranking | " + " | ".join(METRICS) + " | truth ndcg@5 | truth ndcg@10 |",
        "|---|" + "---:|" * (len(METRICS) + 2),
    ]
    rows = [("original (BM25 order)", full["original"], truths["original"]), ("random", full["random"], truths["random"]),
            ("baseline (point-in-time click rate)", full["baseline"], truths["baseline"]),
            ("COEC (point-in-time clicks for the query over expected clicks)", full["coec"], truths["coec"])]
    rows += [(name, full["model"] if name == ABLATIONS[0][0] else results[name]["compared"], truths[name])
             for name, _, _ in ABLATIONS]
    rows.append((f"served (the full model blended in at weight {full['served_weight']:.1f}, chosen in training)",
                 full["served"], truths["served"]))
    for name, ranking, judged in rows:
        lines.append(f"| {name} | " + " | ".join(f"{ranking[m]:.4f}" for m in METRICS)
                     + f" | {judged['ndcg@5']:.4f} | {judged['ndcg@10']:.4f} |")
    uplift, served = full["uplift_ndcg@10"], full["served_uplift_ndcg@10"]
    true_uplift = paired_truth_difference(runs_of[ABLATIONS[0][0]], runs_of["original"], truth)
    true_served = paired_truth_difference(runs_of["served"], runs_of["original"], truth)
    true_coec = paired_truth_difference(runs_of["served"], runs_of["coec"], truth)
    clicks_coec = full["served"]["ndcg@10"] - full["coec"]["ndcg@10"]

    def interval(value):
        return f"{value[0]:+.4f} (95% interval {value[1]:+.4f} to {value[2]:+.4f})"
    lines += ["", f"Model − BM25 order, NDCG@10: **{interval(true_uplift)}** against the planted truth; "
                  f"{uplift['mean']:+.4f} on the logged clicks (95% bootstrap interval "
                  f"{uplift['low']:+.4f} to {uplift['high']:+.4f}). Served − BM25 order: {interval(true_served)} "
                  f"against the truth; {served['mean']:+.4f} on the clicks ({served['low']:+.4f} to "
                  f"{served['high']:+.4f}). Served − COEC: {interval(true_coec)} against the truth; "
                  f"{clicks_coec:+.4f} on the clicks. Intervals: paired bootstrap over the held-out searches "
                  "(1,000 resamples).", "",
              "What each family contributes (full model − model without it, NDCG@10, paired bootstrap over the "
              "held-out searches on the clicks; the plain difference against the truth):", "",
              "| family left out | truth: full − without | clicks: full − without | clicks: 95% interval |",
              "|---|---:|---:|---|"]
    for name, key, _ in ABLATIONS[1:]:
        if key == "raw":
            continue
        difference = results[name]["uplift_over_compared_ndcg@10"]
        true_difference = truths[ABLATIONS[0][0]]["ndcg@10"] - truths[name]["ndcg@10"]
        lines.append(f"| {key} | {true_difference:+.4f} | {difference['mean']:+.4f} | "
                     f"{difference['low']:+.4f} to {difference['high']:+.4f} |")
    declared = paired_truth_difference(runs_of[ABLATIONS[0][0]], runs_of[ABLATIONS[3][0]], truth)
    lines += ["", f"**Declared feature.** Full model − model without the declared `rating`, NDCG@10: "
                  f"**{interval(declared)}** against the planted truth. Its share of the full model's split gain "
                  f"(`rerank train`): {declared_gain or 'not reported'}."]
    raw_name = ABLATIONS[-1][0]
    debiased = paired_truth_difference(runs_of[ABLATIONS[0][0]], runs_of[raw_name], truth)
    on_clicks = results[raw_name]["uplift_over_compared_ndcg@10"]
    lines += ["", "**Position bias.** The simulator examines position k (0-based) with probability 1/(1+k)^0.8 "
                  "until a click, and then stops with probability 0.6 (a cascade), so the examination it plants "
                  "after the first click is steeper than the first column. `rerank train` estimated the bias from "
                  "the logged clicks alone (regression EM) and weighted each click by its inverse propensity (at "
                  "most 10):", "",
              "| position | 1 | 2 | 3 | 4 | 5 | 6 | 8 | 10 |", "|---|" + "---:|" * 8]
    shown = [0, 1, 2, 3, 4, 5, 7, 9]
    planted = planted_propensities(10)
    estimated = estimated_propensities(models[ABLATIONS[0][0]])
    lines.append("| planted (before any click, relative to position 1) | "
                 + " | ".join(f"{planted[p]:.3f}" for p in shown) + " |")
    if estimated:
        lines.append("| estimated by `rerank train` | "
                     + " | ".join(f"{estimated[min(p, len(estimated) - 1)]:.3f}" for p in shown) + " |")
    lines += ["", f"Debiased − raw-click model, NDCG@10: **{interval(debiased)}** against the planted truth; "
                  f"{on_clicks['mean']:+.4f} on the logged clicks ({on_clicks['low']:+.4f} to "
                  f"{on_clicks['high']:+.4f}; the clicks themselves are position-biased towards BM25's order)."]
    segments = full["model"]["segments"]
    lines += ["", "By segment, NDCG@10 (BM25 order → model):", "", "| segment | searches | BM25 | model |",
              "|---|---:|---:|---:|"]
    for segment in sorted(segments):
        lines.append(f"| {segment} | {segments[segment]['searches']:,} | "
                     f"{full['original']['segments'][segment]['ndcg@10']:.4f} | {segments[segment]['ndcg@10']:.4f} |")
    lines += ["", "Timings (wall seconds, release build, the simulator, the sidecar and osmem-server sharing the "
                  "2 cores):", "", "| step | seconds |", "|---|---:|"]
    lines += [f"| {step} | {seconds:.1f} |" for step, seconds in timings.items()]
    return "\n".join(lines) + "\n"


def simulated_run(description, searches, work_dir):
    """The arguments of a bench over simulated shoppers, parsed, its start time and its emptied work directory."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rerank-bin", required=True)
    parser.add_argument("--searches", type=int, default=searches)
    parser.add_argument("--users", type=int, default=150)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work-dir", default=str(work_dir))
    parser.add_argument("--output", required=True, help="where to write the Markdown section")
    args = parser.parse_args()
    work = Path(args.work_dir)
    if work.exists():
        shutil.rmtree(work)
    return args, datetime.now(timezone.utc), work


def main():
    args, started, work = simulated_run(__doc__.splitlines()[0], 100_000, ROOT / "bench/storefront/work")
    logs = work / "logs"
    logs.mkdir(parents=True)
    truth = work / "truth.qrels"
    timings = {}
    counts = generate(args, logs, truth, timings)
    timed("validate", timings, args.rerank_bin, "validate", "--logs", logs, capture=True)
    results, truths, runs_of, models, declared_gain = evaluate(args, logs, truth, work, timings)
    text = section(args, counts, shown_hits(logs), count_lines(logs, "ubi_events"), results, truths, runs_of, models,
                   declared_gain, truth, timings, started)
    Path(args.output).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
