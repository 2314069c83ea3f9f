"""Nothing acknowledged is lost: events acknowledged by POST /_rerank/events survive a kill -9 of the sidecar, also
under a layer that drops every write not fsync'd (a crash without the page cache), and impressions queued off the
search path are all written by a graceful stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from rerank_support import INDEX, call, ndjson, start_sidecar, wait_for

FAULTS = Path(__file__).resolve().parents[1] / "faults"


def logged_lines(directory: Path, prefix: str) -> tuple[list[dict], int]:
    """Every complete record in the prefix's files, and how many torn (unterminated, unparseable) lines there were."""
    records, torn = [], 0
    for path in sorted(directory.glob(f"{prefix}*.ndjson")):
        data = path.read_bytes()
        lines = data.split(b"\n")
        for number, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                # Only the last line of a file may be torn by a crash.
                assert number == len(lines) - 1, f"{path}:{number + 1} is corrupt but not the last line"
                torn += 1
    return records, torn


def kill_under_load(osmem_url, name: str, env: dict[str, str] | None = None) -> tuple[list[str], set[str], int]:
    """Posts click batches from 4 producers, kills the sidecar with SIGKILL once 200 were acknowledged, and
    returns the acknowledged object ids, the object ids in the event log, and how many torn lines it holds."""
    directory = Path(tempfile.mkdtemp(prefix=f"rerank-{name}-"))
    env = {key: value.replace("{log_dir}", str(directory)) for key, value in (env or {}).items()}
    sidecar = start_sidecar(osmem_url, {"log": {"dir": str(directory)}}, name=name, env=env)
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def producer(worker: int) -> None:
        batch_number = 0
        while not stop.is_set():
            ids = [f"w{worker}-b{batch_number}-e{n}" for n in range(20)]
            body = ndjson([
                {"action_name": "click", "client_id": f"user-{worker}",
                 "event_attributes": {"object": {"object_id": object_id}}}
                for object_id in ids
            ])
            try:
                reply = call(sidecar.url, "POST", "/_rerank/events", body, {"content-type": "application/x-ndjson"}, timeout=5)
            except OSError:
                return  # the sidecar is gone: whatever was not answered was never acknowledged
            if reply.status == 200:
                items = reply.json()["items"]
                with lock:
                    acknowledged.extend(object_id for object_id, item in zip(ids, items) if item["status"] == 201)
            batch_number += 1

    workers = [threading.Thread(target=producer, args=(n,)) for n in range(4)]
    for worker in workers:
        worker.start()
    try:
        # Kill it in the middle of the traffic: once many events were acknowledged, with more in flight.
        wait_for("200 acknowledged events", lambda: len(acknowledged) >= 200, timeout=60)
        os.kill(sidecar.process.process.pid, signal.SIGKILL)
        sidecar.process.process.wait(timeout=5)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=10)
        sidecar.stop()
    records, torn = logged_lines(directory, "ubi_events")
    assert len(acknowledged) >= 200, "the producers should have been acknowledged many events before the kill"
    return acknowledged, {record["event_attributes"]["object"]["object_id"] for record in records}, torn


def test_kill_9_loses_no_acknowledged_event(osmem_url):
    acknowledged, logged, torn = kill_under_load(osmem_url, "durability")
    missing = [object_id for object_id in acknowledged if object_id not in logged]
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {missing[:5]}"
    assert torn <= 1


@pytest.fixture(scope="module")
def unsynced_layer() -> str:
    """Tests/faults/unsynced.c built as an LD_PRELOAD library: written bytes stay in the process until fsync."""
    library = Path(tempfile.mkdtemp(prefix="rerank-unsynced-")) / "unsynced.so"
    build = subprocess.run(
        ["cc", "-shared", "-fPIC", "-O2", "-o", str(library), str(FAULTS / "unsynced.c"), "-ldl"],
        capture_output=True, text=True,
    )
    assert build.returncode == 0, f"cannot build the unsynced layer: {build.stderr}"
    return str(library)


def test_a_crash_loses_no_acknowledged_event(osmem_url, unsynced_layer):
    """A kill -9 leaves the page cache, which would hide a missing fsync: under the unsynced layer the log files
    hold only what was fsync'd, as after a power cut, and still every acknowledged event is there."""
    env = {"LD_PRELOAD": unsynced_layer, "UNSYNCED_DIR": "{log_dir}"}
    acknowledged, logged, torn = kill_under_load(osmem_url, "crash", env)
    missing = [object_id for object_id in acknowledged if object_id not in logged]
    assert not missing, f"{len(missing)} acknowledged events lost in a crash, e.g. {missing[:5]}"
    assert torn == 0, "only synced bytes survive, and the writer syncs whole lines"


def test_the_crash_layer_catches_a_missing_fsync(osmem_url, unsynced_layer):
    """The test of the test: with the layer's fsync syncing nothing (as if the writer never called it), the same
    crash loses acknowledged events, so the test above would fail were fsync removed."""
    env = {"LD_PRELOAD": unsynced_layer, "UNSYNCED_DIR": "{log_dir}", "UNSYNCED_IGNORE_FSYNC": "1"}
    acknowledged, logged, _ = kill_under_load(osmem_url, "crash-no-fsync", env)
    missing = [object_id for object_id in acknowledged if object_id not in logged]
    assert len(missing) == len(acknowledged), f"without fsync, {len(acknowledged) - len(missing)} events survived the crash"


def test_graceful_stop_writes_every_impression(osmem_url):
    directory = Path(tempfile.mkdtemp(prefix="rerank-impressions-"))
    sidecar = start_sidecar(osmem_url, {"log": {"dir": str(directory)}}, name="impressions")
    query_ids = []
    try:
        for number in range(60):
            body = {"query": {"match": {"title": "jacket"}}, "size": 5,
                    "ext": {"rerank": {"user_id": f"u{number % 7}", "return_query_id": True}}}
            reply = call(sidecar.url, "POST", f"/{INDEX}/_search", json.dumps(body), {"content-type": "application/json"})
            assert reply.status == 200
            query_ids.append(reply.json()["ext"]["rerank"]["query_id"])
    finally:
        sidecar.stop()  # SIGTERM: the impression queue drains before the writers close
    records, torn = logged_lines(directory, "ubi_queries")
    assert torn == 0
    assert sorted(record["query_id"] for record in records) == sorted(query_ids)
    assert all(len(record["query_response_hit_ids"]) == 5 for record in records)
