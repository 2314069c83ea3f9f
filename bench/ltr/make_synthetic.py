#!/usr/bin/env python3
"""Writes a synthetic learning-to-rank set in LightGBM's svmlight form (FILE + FILE.query).

Relevance (0-4) follows a hidden mix of linear and interaction terms of the features plus noise; every
fourth feature is sparse (mostly zero, omitted from the lines as svmlight does). Values have 3 decimals.

    python3 make_synthetic.py --queries 20000 --docs 50 --features 50 --seed 1 OUT_FILE
"""
import argparse

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=20000)
    parser.add_argument("--docs", type=int, default=50)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("output")
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    rows = args.queries * args.docs
    # Values as thousandths, so each can be written from a small table of strings.
    values = rng.integers(0, 1000, size=(rows, args.features), dtype=np.int32)
    sparse = np.arange(args.features) % 4 == 3
    values[:, sparse] *= rng.random((rows, int(sparse.sum()))) < 0.2
    x = values / 1000.0
    weights = rng.normal(size=args.features)
    signal = x @ weights + 2.0 * x[:, 0] * x[:, 1] - 1.5 * np.abs(x[:, 2] - 0.5)
    signal += rng.normal(scale=0.5, size=rows)
    # Grade within each query by rank of the signal: top docs get 4, most get 0.
    grouped = signal.reshape(args.queries, args.docs)
    ranks = grouped.argsort(axis=1).argsort(axis=1) / (args.docs - 1)
    labels = np.digitize(ranks, [0.6, 0.8, 0.9, 0.97]).reshape(rows)

    cells = [[f"{f + 1}:{v / 1000:.3f}".rstrip("0").rstrip(".") if v else "" for v in range(1000)]
             for f in range(args.features)]
    with open(args.output, "w") as out:
        for start in range(0, rows, 10000):
            lines = []
            for row in range(start, min(rows, start + 10000)):
                parts = [str(labels[row])]
                parts += [cells[f][v] for f, v in enumerate(values[row]) if v]
                lines.append(" ".join(parts))
            out.write("\n".join(lines) + "\n")
    with open(args.output + ".query", "w") as out:
        out.write((f"{args.docs}\n") * args.queries)


if __name__ == "__main__":
    main()
