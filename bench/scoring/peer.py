"""Trains LightGBM on the rows bench/scoring's searches wrote (rerank-bench-scoring --export-rows DIR): a model of
the bench's size (300 trees, 31 leaves) learning to predict rerank's scores of those rows, so that its splits fall
where the served features lie. Writes DIR/lightgbm.txt for both predictors to time (bench/scoring/peer.sh).

    python3 bench/scoring/peer.py DIR [TREES] [LEAVES]
"""
import json
import sys

import lightgbm
import numpy


def main() -> None:
    directory = sys.argv[1]
    trees = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    leaves = int(sys.argv[3]) if len(sys.argv) > 3 else 31
    with open(f"{directory}/meta.json") as file:
        meta = json.load(file)
    rows = numpy.fromfile(f"{directory}/rows.f32", dtype=numpy.float32).reshape(-1, meta["width"])
    targets = numpy.fromfile(f"{directory}/targets.f64", dtype=numpy.float64)
    parameters = {
        "objective": "regression",
        "num_leaves": leaves,
        "min_data_in_leaf": 5,
        "learning_rate": 0.05,
        "num_threads": 2,
        "deterministic": True,
        "seed": 1,
        "verbose": -1,
    }
    booster = lightgbm.train(parameters, lightgbm.Dataset(rows, label=targets), num_boost_round=trees)
    booster.save_model(f"{directory}/lightgbm.txt")
    model = booster.dump_model()["tree_info"]
    mean_leaves = sum(tree["num_leaves"] for tree in model) / len(model)
    print(f"LightGBM {lightgbm.__version__}: {len(model)} trees, {mean_leaves:.1f} leaves per tree on average, "
          f"learned from {rows.shape[0]} rows of {rows.shape[1]} features")


if __name__ == "__main__":
    main()
