#!/usr/bin/env python3
"""Writes the "## Evaluation: MovieLens 100k" section of bench/RESULTS.md from a bench/movielens/run.sh run.

Reads the work directory: summary.json (make_logs.py), eval-*.json and model-*.json (`rerank evaluate` and
`rerank train`), timings.tsv and meta.json (run.sh), and the logs. From the logs it also scores a plain
popularity ranking on the searches `rerank evaluate` held out: each shown movie by how many ratings >= 4 it had
from all users before the search (point in time), with the metric definitions rerank uses (NDCG with gain
2^rel - 1 and the ideal order of the shown list, MRR, MAP over the whole list, ties kept in engine order). The
engine order is scored the same way and must match rerank's `original` exactly, which checks that both
evaluate the same searches.

    report.py bench/movielens/work [--results bench/RESULTS.md]
"""
import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from results import replace_section  # noqa: E402

HEADING = "## Evaluation: MovieLens 100k"
HOLD_OUT = 0.2
RUNS = [("all", "model (all features)"), ("no-context", "model without context features"),
        ("no-user", "model without user features")]
METRICS = ["ndcg@1", "ndcg@5", "ndcg@10", "mrr", "map"]


def read_ndjson(path):
    with open(path) as file:
        return [json.loads(line) for line in file if line.strip()]


def held_out_lists(logs):
    """(shown ids, binary labels, popularity scores) of the latest 20% of searches with a credited rating."""
    queries = sorted(read_ndjson(logs / "ubi_queries.ndjson"), key=lambda q: q["timestamp"])
    events = sorted(read_ndjson(logs / "ubi_events.ndjson"), key=lambda e: e["timestamp"])
    relevant = {}
    for event in events:
        if "query_id" in event:
            relevant.setdefault(event["query_id"], set()).add(event["event_attributes"]["object"]["object_id"])
    groups = [q for q in queries if q["query_id"] in relevant]
    held_out = {q["query_id"] for q in groups[len(groups) - int(len(groups) * HOLD_OUT + 0.5):]}

    lists = []
    good_ratings = Counter()
    next_event = 0
    for query in queries:
        while next_event < len(events) and events[next_event]["timestamp"] < query["timestamp"]:
            good_ratings[events[next_event]["event_attributes"]["object"]["object_id"]] += 1
            next_event += 1
        if query["query_id"] in held_out:
            shown = query["query_response_hit_ids"]
            lists.append(([1.0 if item in relevant[query["query_id"]] else 0.0 for item in shown],
                          [good_ratings[item] for item in shown]))
    return lists


def metrics(labels, scores):
    """NDCG@1/5/10 (gain 2^rel - 1), reciprocal rank and average precision of `labels` sorted by `scores`."""
    order = sorted(range(len(labels)), key=lambda i: (-scores[i], i))
    ranked = [labels[i] for i in order]

    def dcg(values, k):
        return sum((2 ** v - 1) / math.log2(p + 2) for p, v in enumerate(values[:k]))

    result = {f"ndcg@{k}": dcg(ranked, k) / dcg(sorted(labels, reverse=True), k) for k in (1, 5, 10)}
    hits = [p for p, v in enumerate(ranked) if v > 0]
    result["mrr"] = 1 / (hits[0] + 1)
    result["map"] = sum((n + 1) / (p + 1) for n, p in enumerate(hits)) / len(hits)
    return result


def mean_metrics(lists, score):
    per_list = [metrics(labels, score(labels, popularity)) for labels, popularity in lists]
    return {name: sum(m[name] for m in per_list) / len(per_list) for name in METRICS}


def load_note(start, end):
    busy = max(start["average"][0], end["average"][0]) >= 1 or start["compilers"] or end["compilers"]
    facts = (f"load average {' '.join(map(str, start['average']))} and {start['compilers']} Swift compiler "
             f"process(es) at the start, {' '.join(map(str, end['average']))} and {end['compilers']} at the end")
    if busy:
        return (f"**The machine was loaded** ({facts}): other engineers compile on the same 2 cores, so the wall "
                "times are inflated and noisy; the metrics do not depend on load.")
    return f"The machine was quiet ({facts})."


def render(work):
    summary = json.loads((work / "summary.json").read_text())
    meta = json.loads((work / "meta.json").read_text())
    timings = dict(line.split("\t") for line in (work / "timings.tsv").read_text().splitlines())
    seeds = meta["learner_seeds"]
    evaluations = {(run, seed): json.loads((work / f"eval-{run}-s{seed}.json").read_text())
                   for run, _ in RUNS for seed in seeds}
    models = {(run, seed): json.loads((work / f"model-{run}-s{seed}.json").read_text())
              for run, _ in RUNS for seed in seeds}
    first = seeds[0]
    full = evaluations["all", first]
    full_model = models["all", first]

    lists = held_out_lists(work / "logs")
    original = mean_metrics(lists, lambda labels, _: [-i for i in range(len(labels))])
    popularity = mean_metrics(lists, lambda _, counts: counts)
    if len(lists) != full["held_out_searches"] or abs(original["ndcg@10"] - full["original"]["ndcg@10"]) > 1e-9:
        raise SystemExit(
            f"the held-out searches differ from rerank evaluate's: {len(lists)} searches here, "
            f"{full['held_out_searches']} there; engine-order NDCG@10 {original['ndcg@10']:.6f} here, "
            f"{full['original']['ndcg@10']:.6f} there")

    rows = [("original (engine order, BM25)", full["original"]), ("random", full["random"]),
            ("baseline (rerank's point-in-time click rate)", full["baseline"]),
            ("COEC (rerank's point-in-time clicks for the query over expected clicks)", full["coec"]),
            ("popularity (ratings >= 4 before the search; this script)", popularity)]
    rows += [(label, evaluations[run, first]["model"]) for run, label in RUNS]
    rows.append((f"served: the full model blended in at weight {full['served_weight']:.1f} (chosen in training)",
                 full["served"]))

    kinds = summary["searches_by_kind"]
    with_relevant = summary["searches_with_relevant_by_kind"]
    trained = full_model["summary"]
    importance = Counter()
    for tree in full_model["trees"]:
        for feature, gain in zip(tree["splitFeature"], tree["splitGain"]):
            importance[full_model["features"][feature]] += gain
    total_gain = sum(importance.values())

    out = [
        f"Measured {meta['date']} by `{meta['command']}` (generated; rerun it to refresh this section). "
        f"Scripts at commit `{meta['commit']}`; rerank binary `{meta['binary']}` (built {meta['binary_built']}); "
        f"{summary['engine']}. Machine: {meta['cores']} cores, {meta['memory']}.",
        "",
        load_note(meta["load_start"], meta["load_end"]),
        "",
        "Task (see `bench/movielens/make_logs.py`): MovieLens 100k from the recbole 1.2.1 wheel "
        f"({summary['ratings']:,} ratings by {summary['users']} users of {summary['movies']:,} movies, "
        f"{summary['first'][:10]} to {summary['last'][:10]}). {summary['search_share']:.0%} of the ratings "
        f"(seed {summary['seed']}) are moments of a search by that user half a second before the rating, for a genre of the "
        "movie about to be rated (`match` on `genres`) or for a word of its title plus a genre (`multi_match` on "
        f"`title` and `genres`); the top {summary['size']} BM25 hits of osmem-server are the shown list. A shown "
        "movie is relevant when the user rates it >= 4 later (credited to the user's latest search that showed "
        "it); every rating >= 4 is logged as a `click` (binary labels, so the exponential NDCG gain 2^rel - 1 "
        "that rerank reports equals the linear one). No device; local time = UTC.",
        "",
        f"Logs: {summary['searches']:,} searches ({kinds.get('genre', 0):,} genre, {kinds.get('title', 0):,} "
        f"title word + genre; {summary['mean_hits']:.1f} hits on average; {summary['planned_searches'] - summary['searches']} "
        f"with fewer than {summary['min_hits']} hits dropped), {summary['events']:,} click events "
        f"({summary['credited_events']:,} credited to a search, the rest update the statistics only). "
        f"Searches with >= 1 relevant movie: {summary['searches_with_relevant']:,} "
        f"({summary['searches_with_relevant'] / summary['searches']:.0%}; genre "
        f"{with_relevant.get('genre', 0) / max(1, kinds.get('genre', 0)):.0%}, title + genre "
        f"{with_relevant.get('title', 0) / max(1, kinds.get('title', 0)):.0%}); only these are trained and "
        f"evaluated. `rerank train` (defaults: the latest 20% left out for `evaluate`, the latest 20% of the rest "
        "for early stopping): "
        f"{trained['queries']:,} searches ({trained['rows']:,} rows), {trained['bestIteration']} trees kept "
        f"of {trained['iterations']} grown, {len(full_model['features'])} features. `rerank evaluate`: "
        f"the latest 20% by time, {full['held_out_searches']:,} searches, NDCG gain {full['gain']}.",
        "",
        f"Models trained with `--seed {first}`:",
        "",
        "| ranking | ndcg@1 | ndcg@5 | ndcg@10 | mrr | map |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    out += [f"| {label} | " + " | ".join(f"{values[m]:.4f}" for m in METRICS) + " |" for label, values in rows]
    out.append("")
    for run, label in RUNS:
        uplift = evaluations[run, first]["uplift_ndcg@10"]
        model = evaluations[run, first]["model"]["ndcg@10"]
        out.append(
            f"- {label}: model − original NDCG@10 {uplift['mean']:+.4f} (95% bootstrap interval "
            f"{uplift['low']:+.4f} to {uplift['high']:+.4f}); − baseline {model - full['baseline']['ndcg@10']:+.4f}; "
            f"− popularity {model - popularity['ndcg@10']:+.4f}; − COEC {model - full['coec']['ndcg@10']:+.4f}; "
            f"{models[run, first]['summary']['bestIteration']} trees.")
    served = full["served_uplift_ndcg@10"]
    out.append(f"- served − original NDCG@10 {served['mean']:+.4f} (95% bootstrap interval {served['low']:+.4f} to "
               f"{served['high']:+.4f}); served − COEC {full['served']['ndcg@10'] - full['coec']['ndcg@10']:+.4f}.")
    out += [
        "",
        f"The learner's own spread: model NDCG@10 with `rerank train --seed` {', '.join(seeds)} (held-out searches "
        "and features unchanged, only the learner's random choices differ): "
        + "; ".join(f"{label.removeprefix('model ')} "
                    + ", ".join(f"{evaluations[run, seed]['model']['ndcg@10']:.4f}" for seed in seeds)
                    for run, label in RUNS) + "."
        + (" Identical for every seed: the default trainer draws nothing at random (no bagging, every feature "
           "in every tree), so the seed does not change the model."
           if all(len({evaluations[run, seed]['model']['ndcg@10'] for seed in seeds}) == 1 for run, _ in RUNS)
           else ""),
    ]
    out += [
        "",
        "Features that carry the full model (share of total split gain): "
        + ", ".join(f"`{name}` {gain / total_gain:.0%}" for name, gain in importance.most_common(5)) + ".",
        "",
        "Wall time per step (s):",
        "",
        "| step | " + " | ".join(f"seed {seed}" for seed in seeds) + " |",
        "|---|" + "---:|" * len(seeds),
        f"| make the logs (extract, index, {summary['planned_searches']:,} searches, write) | {float(timings['logs']):.1f} |"
        + " |" * (len(seeds) - 1),
        f"| rerank validate | {float(timings['validate']):.1f} |" + " |" * (len(seeds) - 1),
    ]
    for run, label in RUNS:
        for verb in ("train", "evaluate"):
            out.append(f"| rerank {verb}, {label.removeprefix('model ')} | "
                       + " | ".join(f"{float(timings[f'{verb}-{run}-s{seed}']):.1f}" for seed in seeds) + " |")
    out += [
        "",
        f"The whole script: {meta['elapsed_s']} s, download included.",
        "",
        "The popularity row is computed by `bench/movielens/report.py` on the same held-out searches (its "
        "engine-order figures equal rerank's `original`, checked). rerank's `baseline` is the item's click rate "
        "in these logs (smoothed, 14-day half-life), not plain popularity. Reference for full-catalog "
        "recommendation on MovieLens with a time split (popularity NDCG@10 ≈ 0.16, implicit ALS ≈ 0.12) is not "
        "comparable: here each search reranks its own 30 shown movies, of which few are relevant. "
        "`rerank train` keeps the searches `rerank evaluate` holds out (the latest 20%) out of training and of "
        "the validation that stops it early (`--test-fraction`, default 0.2).",
    ]
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("work", type=Path)
    parser.add_argument("--results", type=Path, help="also replace the section in this file (bench/RESULTS.md)")
    args = parser.parse_args()
    body = render(args.work)
    (args.work / "RESULTS-section.md").write_text(HEADING + "\n\n" + body)
    print(HEADING + "\n\n" + body)
    if args.results:
        replace_section(args.results, HEADING[3:], body)
        print(f"updated {args.results}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
