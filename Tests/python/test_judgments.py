"""`rerank judgments` through the built binary: TREC qrels and Search Relevance Workbench imports from UBI logs, the
round trip with the runs `rerank evaluate --runs` writes, bad input, and the OpenSearch UBI sample.

The synthetic log plants an attractiveness per (query, item) and shows each query's items in a nearly fixed engine
order that ignores it; people scan from the top and click what attracts them (a cascade), so raw click rates follow
the engine's order and only a click model recovers the planted one.
"""

from __future__ import annotations

import json
import random
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from rerank_support import RERANK_BIN, REPO_ROOT

UBI_SAMPLE = REPO_ROOT.parent / "shared" / "data" / "ubi-esci-sample"


def rerank(*args, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([RERANK_BIN, *map(str, args)], capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def write_log(directory: Path, searches: int = 1500, queries: int = 12, items: int = 8, seed: int = 5) -> dict:
    """A cascade-click log in `directory`; returns the planted attractiveness, query text -> item -> probability."""
    rng = random.Random(seed)
    planted, engine = {}, {}
    for number in range(queries):
        text = f"Query {number}"
        names = [f"q{number}-i{index}" for index in range(items)]
        planted[text] = {name: 0.05 + 0.8 * rng.random() for name in names}
        engine[text] = {name: rng.random() for name in names}
    start = datetime(2026, 3, 1, tzinfo=timezone.utc)
    stamp = lambda moment: moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")  # noqa: E731
    query_lines, event_lines = [], []
    for search in range(searches):
        text = rng.choice(sorted(planted))
        user, query_id, moment = f"u{rng.randrange(40)}", f"s{search}", start + timedelta(minutes=search)
        shown = sorted(planted[text], key=lambda name: -(engine[text][name] + 0.15 * rng.random()))
        query_lines.append({"query_id": query_id, "client_id": user, "user_query": text, "timestamp": stamp(moment),
                            "query_response_hit_ids": shown, "query_attributes": {}})
        for position, name in enumerate(shown):
            clicked = rng.random() < planted[text][name]
            if clicked:
                event_lines.append({
                    "action_name": "click", "query_id": query_id, "client_id": user,
                    "timestamp": stamp(moment + timedelta(seconds=5 + position)),
                    "event_attributes": {"object": {"object_id": name}, "position": {"ordinal": position}},
                })
            if rng.random() < (0.5 if clicked else 0.1):
                break
    (directory / "ubi_queries.ndjson").write_text("".join(json.dumps(line) + "\n" for line in query_lines))
    (directory / "ubi_events.ndjson").write_text("".join(json.dumps(line) + "\n" for line in event_lines))
    return planted


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    for line in path.read_text().splitlines():
        query, iteration, document, grade = line.split(" ")
        assert iteration == "0"
        qrels.setdefault(query, {})[document] = int(grade)
    return qrels


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    directory = tmp_path_factory.mktemp("judgment-logs")
    return directory, write_log(directory)


def test_trec_qrels_by_text_match_the_summary(logs, tmp_path):
    directory, planted = logs
    output = tmp_path / "clicks.qrels"
    result = rerank("judgments", "--logs", directory, "--output", output, "--query-key", "text")
    qrels = read_qrels(output)
    assert set(qrels) == {text.lower().replace(" ", "%20") for text in planted}
    pairs = sum(len(judged) for judged in qrels.values())
    assert f"judged {pairs} pairs of {len(planted)} queries" in result.stderr
    grades = [grade for judged in qrels.values() for grade in judged.values()]
    counts = ", ".join(f"{grade}: {grades.count(grade)}" for grade in range(4))
    assert f"grades (score thresholds 0.1, 0.3, 0.6): {counts}" in result.stderr
    assert set(grades) >= {0, 1, 2}, "the planted range of attractiveness spreads over the grades"


def test_srw_import_has_the_workbench_shape(logs, tmp_path):
    directory, planted = logs
    output = tmp_path / "srw.json"
    result = rerank("judgments", "--logs", directory, "--output", output, "--format", "srw", "--click-model", "coec",
                    "--name", "clicks from the shop")
    document = json.loads(output.read_text())
    assert document["name"] == "clicks from the shop" and document["type"] == "IMPORT_JUDGMENT"
    assert "coec click model" in document["description"]
    assert sorted(entry["query"] for entry in document["judgmentRatings"]) == sorted(planted)
    for entry in document["judgmentRatings"]:
        assert set(entry) == {"query", "ratings"}
        for rating in entry["ratings"]:
            assert set(rating) == {"docId", "rating"} and rating["docId"] in planted[entry["query"]]
            assert float(rating["rating"]) in (0, 1, 2, 3)
    assert "Search Relevance Workbench judgment import" in result.stderr


def test_qrels_score_the_runs_evaluate_writes(logs, tmp_path):
    directory, planted = logs
    model, runs, qrels_path = tmp_path / "model.json", tmp_path / "runs", tmp_path / "clicks.qrels"
    rerank("train", "--logs", directory, "--output", model, "--trees", "10", "--quiet")
    rerank("evaluate", "--model", model, "--logs", directory, "--runs", runs)
    rerank("judgments", "--logs", directory, "--output", qrels_path)
    qrels = read_qrels(qrels_path)
    original = runs / "original.run"
    run_queries = {line.split(" ")[0] for line in original.read_text().splitlines()}
    assert run_queries and run_queries <= set(qrels), "every held-out search has its query's judgments"

    # The same searches in the planted order, the best any ranking of their items can do.
    texts = {}
    for line in (directory / "ubi_queries.ndjson").read_text().splitlines():
        record = json.loads(line)
        texts[record["query_id"]] = record["user_query"]
    shown: dict[str, list[str]] = {}
    for line in original.read_text().splitlines():
        query, _, document, *_ = line.split(" ")
        shown.setdefault(query, []).append(document)
    ideal = tmp_path / "planted.run"
    with open(ideal, "w") as handle:
        for query, documents in shown.items():
            truth = planted[texts[query]]
            for rank, document in enumerate(sorted(documents, key=lambda name: -truth[name]), 1):
                handle.write(f"{query} Q0 {document} {rank} {len(documents) - rank + 1} planted\n")

    def ndcg(run: Path) -> dict:
        output = tmp_path / f"{run.stem}.json"
        rerank("evaluate", "--run", run, "--qrels", qrels_path, "--json", output)
        return json.loads(output.read_text())

    engine, best = ndcg(original), ndcg(ideal)
    relevant = {query for query in run_queries if any(grade > 0 for grade in qrels[query].values())}
    assert engine["queries"] == len(relevant) > 100
    assert best["run"]["ndcg@10"] > engine["run"]["ndcg@10"] + 0.1, (best["run"], engine["run"])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--logs", "/no/such/logs"], "--logs /no/such/logs does not exist"),
        (["--format", "xml"], "'xml' is invalid for '--format"),
        (["--click-model", "ubm"], "'ubm' is invalid for '--click-model"),
        (["--rating", "score"], "add --format srw"),
        (["--thresholds", "0.6,0.3"], "--thresholds must be positive scores in increasing order"),
        (["--expected-clicks", "estimated"], "add --click-model coec"),
        (["--min-impressions", "100000"], "no (query, item) pair has 100000 impressions"),
    ],
)
def test_bad_input_is_refused_with_a_reason(logs, tmp_path, arguments, message):
    directory, _ = logs
    base = ["judgments", "--output", tmp_path / "out.qrels"] + ([] if "--logs" in arguments else ["--logs", directory])
    result = rerank(*base, *arguments, check=False)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
    assert not (tmp_path / "out.qrels").exists()


def test_logs_without_clicks_say_so(tmp_path):
    (tmp_path / "ubi_queries.ndjson").write_text(
        json.dumps({"query_id": "q1", "user_query": "lamp", "timestamp": "2026-03-01T10:00:00Z",
                    "query_response_hit_ids": ["a", "b"]}) + "\n")
    result = rerank("judgments", "--logs", tmp_path, "--output", tmp_path / "out.qrels", check=False)
    assert result.returncode != 0
    assert "no click, add-to-cart or purchase in the logs joins a search" in result.stderr


@pytest.mark.skipif(not (UBI_SAMPLE / "ubi_queries_events.ndjson").exists(),
                    reason="../shared/data/ubi-esci-sample is not present beside the repository")
def test_ubi_sample_judgments_have_the_shape_of_its_esci_import(tmp_path):
    sample = UBI_SAMPLE / "ubi_queries_events.ndjson"
    srw, qrels = tmp_path / "srw.json", tmp_path / "sample.qrels"
    result = rerank("judgments", "--logs", sample, "--output", srw, "--format", "srw", "--min-impressions", "1")
    ours = json.loads(srw.read_text())
    esci = json.loads((UBI_SAMPLE / "esci_us_judgments.json").read_text())
    assert set(ours) == set(esci)
    assert ours["type"] == esci["type"] == "IMPORT_JUDGMENT"
    assert {key for entry in ours["judgmentRatings"] for key in entry} == {"query", "ratings"}
    assert {key for entry in ours["judgmentRatings"] for rating in entry["ratings"] for key in rating} == {"docId", "rating"}
    assert "judged" in result.stderr and "interactions:" in result.stderr
    rerank("judgments", "--logs", sample, "--output", qrels, "--min-impressions", "1")
    assert all(len(line.split(" ")) == 4 for line in qrels.read_text().splitlines())
