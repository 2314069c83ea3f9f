"""Train LightGBM's lambdarank on the shards of `rerank train --export-letor` and save a text model.

    python3 bench/scale/lightgbm_export.py EXPORT_DIR MODEL.txt [--trees 300] [--learning-rate 0.05]
        [--num-leaves 31] [--early-stopping 30] [--seed 1] [--no-weights]

Reads `schema.json` for the feature names, every `train/` shard (with its `.weight` inverse-propensity weights
when the export has them, unless --no-weights; LightGBM multiplies each row's gradient by its weight, where rerank
weights each pair by its clicked row's) and every `valid/` shard for early stopping on NDCG@10, as a Dask or Spark job would read
the same shards on a cluster. Prints one JSON line: trees kept, best iteration, validation NDCG@10.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import lightgbm as lgb
import numpy as np


def read_shards(folder: Path, width: int) -> tuple[np.ndarray, np.ndarray, list[int], np.ndarray | None]:
    """The rows, labels, group sizes and weights (None without `.weight` files) of a split's shards, in order."""
    rows, labels, groups, weights = [], [], [], []
    shards = sorted(folder.glob("part-*.svm"))
    for shard in shards:
        last_qid = None
        for line in shard.read_text().splitlines():
            fields = line.split("#", 1)[0].split()
            if not fields:
                continue
            row = np.zeros(width, dtype=np.float32)
            labels.append(float(fields[0]))
            qid = fields[1].removeprefix("qid:")
            for field in fields[2:]:
                index, value = field.split(":")
                row[int(index) - 1] = float(value)
            rows.append(row)
            if qid != last_qid:
                groups.append(0)
                last_qid = qid
            groups[-1] += 1
        weight_file = shard.with_name(shard.name + ".weight")
        if weight_file.exists():
            weights += [float(value) for value in weight_file.read_text().split()]
    matrix = np.vstack(rows) if rows else np.zeros((0, width), dtype=np.float32)
    return matrix, np.array(labels), groups, (np.array(weights) if weights else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("export", type=Path)
    parser.add_argument("model", type=Path)
    parser.add_argument("--trees", type=int, default=300)
    parser.add_argument("--learning-rate", type=float, default=0.05)
    parser.add_argument("--num-leaves", type=int, default=31)
    parser.add_argument("--early-stopping", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-weights", action="store_true", help="leave the .weight files out (raw clicks)")
    arguments = parser.parse_args()

    schema = json.loads((arguments.export / "schema.json").read_text())
    names = [column["name"] for column in schema["features"]]
    x, y, groups, weights = read_shards(arguments.export / "train", len(names))
    vx, vy, vgroups, _ = read_shards(arguments.export / "valid", len(names))
    train = lgb.Dataset(x, y, group=groups, weight=None if arguments.no_weights else weights, feature_name=names, free_raw_data=False)
    valid = lgb.Dataset(vx, vy, group=vgroups, feature_name=names, reference=train)
    parameters = {
        "objective": "lambdarank", "metric": "ndcg", "eval_at": [10], "learning_rate": arguments.learning_rate,
        "num_leaves": arguments.num_leaves, "min_data_in_leaf": 20,
        "seed": arguments.seed, "deterministic": True, "num_threads": 2, "verbose": -1,
    }
    booster = lgb.train(
        parameters, train, num_boost_round=arguments.trees, valid_sets=[valid], valid_names=["valid"],
        callbacks=[lgb.early_stopping(arguments.early_stopping, verbose=False)] if arguments.early_stopping else [],
    )
    booster.save_model(str(arguments.model))
    best = booster.best_score.get("valid", {}).get("ndcg@10")
    print(json.dumps({"trees": booster.num_trees() if not booster.best_iteration else booster.best_iteration,
                      "best_iteration": booster.best_iteration, "valid_ndcg@10": best}))


if __name__ == "__main__":
    main()
