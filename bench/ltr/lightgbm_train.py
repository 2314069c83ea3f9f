#!/usr/bin/env python3
"""Trains LightGBM's lambdarank on svmlight files and prints one JSON line: wall seconds (load + train +
save) and, with --valid, NDCG@10 of the final iteration.

    python3 lightgbm_train.py --data rank.train --valid rank.test --threads 2 --trees 100
"""
import argparse
import json
import os
import tempfile
import time

import lightgbm as lgb


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True)
    parser.add_argument("--valid")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--trees", type=int, default=100)
    args = parser.parse_args()

    # The parameters of LightGBM's examples/lambdarank/train.conf.
    params = dict(objective="lambdarank", metric="ndcg", eval_at=[10], learning_rate=0.1, num_leaves=31,
                  min_data_in_leaf=50, min_sum_hessian_in_leaf=5.0, bagging_fraction=0.9, bagging_freq=1,
                  feature_fraction=1.0, max_bin=255, deterministic=True, num_threads=args.threads, verbose=-1)
    start = time.perf_counter()
    train = lgb.Dataset(args.data, params=params)
    valid_sets, results = [], {}
    if args.valid:
        valid_sets = [lgb.Dataset(args.valid, reference=train, params=params)]
    booster = lgb.train(params, train, num_boost_round=args.trees, valid_sets=valid_sets, valid_names=["valid"],
                        callbacks=[lgb.record_evaluation(results)] if args.valid else [])
    with tempfile.TemporaryDirectory() as directory:
        booster.save_model(os.path.join(directory, "model.txt"))
    seconds = time.perf_counter() - start
    output = {"seconds": seconds, "rows": train.num_data(), "version": lgb.__version__}
    if args.valid:
        output["ndcg@10"] = results["valid"]["ndcg@10"][-1]
    print(json.dumps(output))


if __name__ == "__main__":
    main()
