"""`rerank evaluate`'s ranking metrics against a peer implementation (ranx) on the same rankings, for both gains.

The rankings are random TREC runs with graded judgments (0-4), unjudged documents, queries without any relevant
document and queries without judgments, written to files and given to `rerank evaluate --run --qrels`. ranx gets the
same rankings minus the queries rerank documents that it leaves out (as trec_eval does); every metric must agree.
"""

from __future__ import annotations

import json
import random
import subprocess

import pytest
from ranx import Qrels, Run, evaluate

from rerank_support import RERANK_BIN

# rerank's metric name -> ranx's, per gain. ranx's `ndcg` is Järvelin & Kekäläinen's (linear gain: rel),
# `ndcg_burges` is Burges et al.'s (exponential gain: 2^rel - 1).
COMMON = {"precision@10": "precision@10", "recall@10": "recall@10", "mrr": "mrr", "map": "map"}
NDCG = {
    "linear": {f"ndcg@{k}": f"ndcg@{k}" for k in (1, 5, 10)},
    "exponential": {f"ndcg@{k}": f"ndcg_burges@{k}" for k in (1, 5, 10)},
}


def random_rankings(seed: int, queries: int = 80):
    """A run (query -> doc -> score, distinct scores) and qrels (query -> doc -> relevance) over its documents."""
    rng = random.Random(seed)
    run, qrels = {}, {}
    for number in range(queries):
        query = f"q{number}"
        documents = [f"d{number}-{index}" for index in range(rng.randint(1, 40))]
        scores = rng.sample(range(100_000), len(documents))
        run[query] = {document: score / 1000 for document, score in zip(documents, scores)}
        kind = rng.random()
        if kind < 0.05:
            continue  # a query the judgments do not mention
        judged = {}
        for document in documents:
            if rng.random() < 0.8:  # the rest are unjudged: relevance 0
                judged[document] = 0 if kind < 0.12 else rng.choice([0, 0, 0, 1, 1, 2, 3, 4])
        qrels[query] = judged
    return run, qrels


def write_trec(tmp_path, run, qrels):
    run_path, qrels_path = tmp_path / "test.run", tmp_path / "test.qrels"
    with open(run_path, "w") as handle:
        for query, scores in run.items():
            ranked = sorted(scores.items(), key=lambda item: -item[1])
            for rank, (document, score) in enumerate(ranked, 1):
                handle.write(f"{query} Q0 {document} {rank} {score:.3f} random\n")
    with open(qrels_path, "w") as handle:
        for query, judged in qrels.items():
            for document, relevance in judged.items():
                handle.write(f"{query} 0 {document} {relevance}\n")
    return run_path, qrels_path


def rerank_metrics(tmp_path, run_path, qrels_path, gain):
    output = tmp_path / f"metrics-{gain}.json"
    subprocess.run(
        [RERANK_BIN, "evaluate", "--run", run_path, "--qrels", qrels_path, "--gain", gain, "--json", output],
        check=True, capture_output=True, timeout=60,
    )
    return json.loads(output.read_text())


@pytest.mark.parametrize("gain", ["exponential", "linear"])
@pytest.mark.parametrize("seed", [1, 2])
def test_every_metric_matches_ranx(tmp_path, gain, seed):
    run, qrels = random_rankings(seed)
    run_path, qrels_path = write_trec(tmp_path, run, qrels)
    ours = rerank_metrics(tmp_path, run_path, qrels_path, gain)

    evaluated = [query for query, judged in qrels.items() if any(relevance > 0 for relevance in judged.values())]
    assert 40 < len(evaluated) < len(run), "the data must exercise both left-out kinds of query"
    assert ours["queries"] == len(evaluated)
    assert ours["gain"] == gain
    names = {**NDCG[gain], **COMMON}
    peer = evaluate(
        Qrels({query: qrels[query] for query in evaluated}),
        Run({query: run[query] for query in evaluated}),
        list(names.values()),
    )
    assert set(ours["run"]) == set(names)
    for name, peer_name in names.items():
        assert ours["run"][name] == pytest.approx(peer[peer_name], abs=1e-6), name


def test_gains_differ_on_graded_labels(tmp_path):
    """Guards the test above: with labels above 1 the two gains must give different NDCG."""
    run, qrels = random_rankings(3)
    run_path, qrels_path = write_trec(tmp_path, run, qrels)
    exponential = rerank_metrics(tmp_path, run_path, qrels_path, "exponential")["run"]["ndcg@10"]
    linear = rerank_metrics(tmp_path, run_path, qrels_path, "linear")["run"]["ndcg@10"]
    assert abs(exponential - linear) > 1e-3


def test_bad_run_file_is_refused_with_its_line(tmp_path):
    run_path, qrels_path = tmp_path / "bad.run", tmp_path / "bad.qrels"
    run_path.write_text("q1 Q0 d1 1 0.5 tag\nq1 Q0 d2 2 high tag\n")
    qrels_path.write_text("q1 0 d1 1\n")
    result = subprocess.run(
        [RERANK_BIN, "evaluate", "--run", run_path, "--qrels", qrels_path], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "bad.run:2" in result.stderr and "high" in result.stderr
