#!/usr/bin/env python3
"""The LETOR export round trip (issue 16): does a model trained by LightGBM on the exported rows rank as well as
`rerank train`'s, on the same held-out searches?

Generates a storefront log as bench/storefront does (simulated shoppers through a logging sidecar over
osmem-server's BM25), runs `rerank train --export-letor` (which also trains rerank's own model on the same split),
trains LightGBM's lambdarank on the exported train/ and valid/ shards with the lightgbm package
(`lightgbm_export.py`), imports it with `rerank import-model`, and scores both models with `rerank evaluate
--compare` on the held-out test searches (a paired bootstrap of LightGBM − rerank). Writes a Markdown section.
Stops what it starts.

    roundtrip.py --rerank-bin .build/release/rerank --searches 20000 --output section.md
"""
import argparse
import json
import os
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

import lightgbm

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "storefront"))
from bench import DECLARED, generate, timed  # noqa: E402
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
    text_model, imported = work / "lightgbm.txt", work / "model-lightgbm.json"
    trained = timed("lightgbm", timings, sys.executable, HERE / "lightgbm_export.py", export, text_model,
                    "--trees", 300, "--learning-rate", 0.05, "--num-leaves", 31, "--early-stopping", 30,
                    "--seed", args.seed, capture=True)
    timed("rerank import-model", timings, args.rerank_bin, "import-model", "--lightgbm", text_model,
          "--statistics", export / "statistics.json", "--output", imported, capture=True)
    evaluation = work / "evaluation.json"
    timed("rerank evaluate", timings, args.rerank_bin, "evaluate", "--model", imported, "--compare", own, "--logs", logs,
          "--items", CATALOG, "--json", evaluation, "--runs", work / "runs", capture=True)
    return (counts, json.loads((export / "schema.json").read_text()), json.loads(trained.strip().splitlines()[-1]),
            json.loads(evaluation.read_text()), summary)


def section(args, counts, schema, trained, evaluation, summary, timings, started):
    splits = schema["splits"]
    own_trees = next((line.split(" trees")[0] for line in summary.splitlines() if " trees over " in line), "?")
    rows = [("engine order (BM25)", evaluation["original"]),
            (f"`rerank train` ({own_trees} trees)", evaluation["compared"]),
            (f"LightGBM {lightgbm.__version__} on the export ({trained['trees']} trees)", evaluation["model"])]
    uplift = evaluation["uplift_over_compared_ndcg@10"]
    lines = [
        "## LETOR export round trip (LightGBM)",
        "",
        f"`bench/scale/letor_roundtrip.sh {args.searches}`, {started:%Y-%m-%d}: {counts['searches']:,} searches by "
        f"{args.users} simulated storefront shoppers through a logging sidecar (bench/storefront's simulator; "
        f"{counts['click']:,} clicks, {counts['add_to_cart']:,} add-to-carts, {counts['purchase']:,} purchases), "
        f"`rerank train --export-letor` "
        f"({len(schema['features'])} features; train {splits['train']['searches']:,} searches / "
        f"{splits['train']['rows']:,} rows in {splits['train']['shards']} shards, valid {splits['valid']['searches']:,}, "
        f"test {splits['test']['searches']:,}), LightGBM's lambdarank on the train shards (inverse-propensity "
        f"weights from the export's `.weight` files) with early stopping on the valid shards (300 trees at most, "
        f"learning rate 0.05, 31 leaves; validation NDCG@10 {trained['valid_ndcg@10']:.4f}), `rerank import-model`, "
        f"then `rerank evaluate --model lightgbm --compare rerank` on the {evaluation['held_out_searches']:,} held-out "
        f"test searches (logged clicks, gain 2^rel − 1). Load average at the end: {os.getloadavg()[0]:.2f} "
        "(the figures are rankings, not timings).",
        "",
        "| ranking | " + " | ".join(METRICS) + " |",
        "|---|" + "---:|" * len(METRICS),
    ]
    lines += [f"| {name} | " + " | ".join(f"{metrics[m]:.4f}" for m in METRICS) + " |" for name, metrics in rows]
    lines += [
        "",
        f"LightGBM − `rerank train`, NDCG@10: {uplift['mean']:+.4f} (95% paired bootstrap interval "
        f"{uplift['low']:+.4f} to {uplift['high']:+.4f}).",
        "",
        "Steps (s): " + ", ".join(f"{label} {seconds:.0f}" for label, seconds in timings.items()) + ".",
        "",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rerank-bin", required=True)
    parser.add_argument("--searches", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=150)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work-dir", default=str(ROOT / "bench/scale/work"))
    parser.add_argument("--output", required=True, help="where to write the Markdown section")
    args = parser.parse_args()
    started = datetime.now(timezone.utc)
    work = Path(args.work_dir)
    if work.exists():
        shutil.rmtree(work)
    timings = {}
    counts, schema, trained, evaluation, summary = run(args, work, timings)
    text = section(args, counts, schema, trained, evaluation, summary, timings, started)
    Path(args.output).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
