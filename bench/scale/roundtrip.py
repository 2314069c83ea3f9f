#!/usr/bin/env python3
"""The LETOR export round trip (issue 16): does a model trained by LightGBM on the exported rows rank as well as
`rerank train`'s, on the same held-out searches?

Generates a storefront log as bench/storefront does (simulated shoppers through a logging sidecar over
osmem-server's BM25), runs `rerank train --export-letor` (which also trains rerank's own model on the same split),
trains LightGBM's lambdarank on the exported train/ and valid/ shards with the lightgbm package
(`lightgbm_export.py`), with the exported weights and without, imports each with `rerank import-model`, and scores both models with `rerank evaluate
--compare` on the held-out test searches (a paired bootstrap of LightGBM − rerank). Writes a Markdown section.
Stops what it starts.

    roundtrip.py --rerank-bin .build/release/rerank --searches 20000 --output section.md
"""
import json
import os
import sys
from pathlib import Path

import lightgbm

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "storefront"))
from bench import DECLARED, generate, simulated_run, timed  # noqa: E402
from stack import CATALOG, ROOT  # noqa: E402

METRICS = ["ndcg@1", "ndcg@5", "ndcg@10", "mrr", "map"]


def run(args, work, timings):
    logs = work / "logs"
    logs.mkdir(parents=True)
    counts = generate(args, logs, work / "truth.qrels", timings)
    features = work / "features.json"
    features.write_text(json.dumps(DECLARED))
    export, own = work / "export", work / "model-rerank.json"
    summary = timed("rerank train --export-letor", timings, args.rerank_bin, "train", "--logs", logs, "--items", CATALOG,
                    "--features", features, "--export-letor", export, "--output", own, "--seed", args.seed, "--quiet",
                    capture=True)
    print(summary, file=sys.stderr)
    trained, evaluations = {}, {}
    for key, extra in (("weighted", []), ("raw", ["--no-weights"])):
        text_model, imported = work / f"lightgbm-{key}.txt", work / f"model-lightgbm-{key}.json"
        output = timed(f"lightgbm ({key})", timings, sys.executable, HERE / "lightgbm_export.py", export, text_model,
                       "--trees", 300, "--learning-rate", 0.05, "--num-leaves", 31, "--early-stopping", 30,
                       "--seed", args.seed, *extra, capture=True)
        trained[key] = json.loads(output.strip().splitlines()[-1])
        timed(f"rerank import-model ({key})", timings, args.rerank_bin, "import-model", "--lightgbm", text_model,
              "--statistics", export / "statistics.json", "--output", imported, capture=True)
        evaluation = work / f"evaluation-{key}.json"
        timed(f"rerank evaluate ({key})", timings, args.rerank_bin, "evaluate", "--model", imported, "--compare", own,
              "--logs", logs, "--items", CATALOG, "--json", evaluation, "--runs", work / f"runs-{key}", capture=True)
        evaluations[key] = json.loads(evaluation.read_text())
    return counts, json.loads((export / "schema.json").read_text()), trained, evaluations, summary


def section(args, counts, schema, trained, evaluations, summary, timings, started):
    splits = schema["splits"]
    own_trees = next((line.split(" trees")[0] for line in summary.splitlines() if " trees over " in line), "?")
    weighted, raw = evaluations["weighted"], evaluations["raw"]
    rows = [("engine order (BM25)", weighted["original"], None),
            (f"`rerank train` ({own_trees} trees; pairs weighted by 1/propensity)", weighted["compared"], None),
            (f"LightGBM {lightgbm.__version__}, rows weighted by the `.weight` files ({trained['weighted']['trees']} trees)",
             weighted["model"], weighted["uplift_over_compared_ndcg@10"]),
            (f"LightGBM {lightgbm.__version__}, unweighted ({trained['raw']['trees']} trees)",
             raw["model"], raw["uplift_over_compared_ndcg@10"])]

    def interval(uplift):
        return "" if uplift is None else f"{uplift['mean']:+.4f} ({uplift['low']:+.4f} to {uplift['high']:+.4f})"

    lines = [
        "## LETOR export round trip (LightGBM)",
        "",
        f"`bench/scale/letor_roundtrip.sh {args.searches}`, {started:%Y-%m-%d}: {counts['searches']:,} searches by "
        f"{args.users} simulated storefront shoppers through a logging sidecar (bench/storefront's simulator; "
        f"{counts['click']:,} clicks, {counts['add_to_cart']:,} add-to-carts, {counts['purchase']:,} purchases), "
        f"`rerank train --export-letor` ({len(schema['features'])} features; train {splits['train']['searches']:,} "
        f"searches / {splits['train']['rows']:,} rows, valid {splits['valid']['searches']:,}, test "
        f"{splits['test']['searches']:,}) which also trains rerank's model on the same split, LightGBM's lambdarank on "
        "the train shards with early stopping on the valid shards (300 trees at most, learning rate 0.05, 31 leaves; "
        f"validation NDCG@10 {trained['weighted']['valid_ndcg@10']:.4f} weighted, {trained['raw']['valid_ndcg@10']:.4f} "
        f"unweighted), `rerank import-model`, then `rerank evaluate --model lightgbm --compare rerank` on the "
        f"{weighted['held_out_searches']:,} held-out test searches (logged clicks, gain 2^rel − 1). Load average at the "
        f"end: {os.getloadavg()[0]:.2f} (the figures are rankings, not timings).",
        "",
        "| ranking | " + " | ".join(METRICS) + " | NDCG@10 − `rerank train` (95% paired interval) |",
        "|---|" + "---:|" * len(METRICS) + "---|",
    ]
    lines += [f"| {name} | " + " | ".join(f"{metrics[m]:.4f}" for m in METRICS) + f" | {interval(uplift)} |"
              for name, metrics, uplift in rows]
    lines += [
        "",
        "LightGBM multiplies each row's gradient by its weight, where rerank weights each pair of a click and a less "
        "relevant row by the click's inverse propensity (unbiased LambdaMART): the same `.weight` files are not the "
        "same correction.",
        "",
        "Wall time of each step (s; a shared machine, not a speed claim): " + ", ".join(f"{label} {seconds:.0f}" for label, seconds in timings.items()) + ".",
        "",
    ]
    return "\n".join(lines)


def main():
    args, started, work = simulated_run(__doc__.splitlines()[0], 20_000, ROOT / "bench/scale/work")
    timings = {}
    counts, schema, trained, evaluations, summary = run(args, work, timings)
    text = section(args, counts, schema, trained, evaluations, summary, timings, started)
    Path(args.output).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
