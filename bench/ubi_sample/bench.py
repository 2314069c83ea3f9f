#!/usr/bin/env python3
"""Format and ingest check on the OpenSearch UBI sample (../shared/data/ubi-esci-sample; its clicks are simulated).

Runs `rerank validate`, `train` and `evaluate` on the sample as shipped and writes a Markdown section with what each
step read, found and measured.

    bench.py --rerank-bin .build/release/rerank --output section.md
"""
import argparse
import json
import re
import subprocess
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT.parent / "shared/data/ubi-esci-sample/ubi_queries_events.ndjson"
METRICS = ["ndcg@1", "ndcg@5", "ndcg@10", "mrr", "map"]


def run(command, check=True):
    start = time.monotonic()
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise SystemExit(f"{command[1]} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result, time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rerank-bin", required=True)
    parser.add_argument("--sample", default=str(SAMPLE))
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        model, evaluation = Path(work) / "model.json", Path(work) / "evaluation.json"
        validation, validate_s = run([args.rerank_bin, "validate", "--logs", args.sample], check=False)
        training, train_s = run([args.rerank_bin, "train", "--logs", args.sample, "--output", model, "--quiet"])
        _, evaluate_s = run([args.rerank_bin, "evaluate", "--model", model, "--logs", args.sample,
                             "--json", evaluation])
        result = json.loads(evaluation.read_text())
    findings = [line for line in validation.stdout.splitlines() if re.match(r"^(error|warning) \w+ \(\d+\):", line)]
    summary = next(line for line in validation.stdout.splitlines() if line.startswith("Result:"))
    replay = next(line for line in training.stdout.splitlines() if line.startswith("replayed"))
    lines = [
        "## Evaluation: OpenSearch UBI sample (format check)",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `bench/ubi_sample/run.sh` (generated) on "
        f"`{Path(args.sample).relative_to(ROOT.parent)}` as shipped: real OpenSearch UBI records with simulated "
        "clicks, so this checks that the reader, validator, trainer and evaluator take the format; the figures "
        "say little about ranking quality.",
        "",
        f"- `rerank validate` ({validate_s:.1f} s, exit {validation.returncode}): {summary}",
        *[f"  - {finding}" for finding in findings],
        f"- `rerank train` ({train_s:.1f} s): {replay}",
        f"- `rerank evaluate` ({evaluate_s:.1f} s): {result['held_out_searches']} held-out searches (time split, "
        f"latest 20%), NDCG gain {result['gain']}:",
        "",
        "| ranking | " + " | ".join(METRICS) + " |",
        "|---|" + "---:|" * len(METRICS),
    ]
    for name in ("original", "random", "baseline", "coec", "model", "served"):
        lines.append(f"| {name} | " + " | ".join(f"{result[name][m]:.4f}" for m in METRICS) + " |")
    uplift, served = result["uplift_ndcg@10"], result["served_uplift_ndcg@10"]
    lines += ["", f"Model − original NDCG@10: {uplift['mean']:+.4f} (95% bootstrap interval {uplift['low']:+.4f} to "
                  f"{uplift['high']:+.4f}); served (the model blended in at weight {result['served_weight']:.1f}, "
                  f"chosen in training: {result.get('served_weight_reason', 'the best on validation')}) − original: "
                  f"{served['mean']:+.4f} ({served['low']:+.4f} to {served['high']:+.4f}); with this few held-out "
                  f"searches the interval is what to read."]
    text = "\n".join(lines) + "\n"
    Path(args.output).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
