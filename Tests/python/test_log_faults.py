"""The log disk fills up or the log directory disappears: searches keep working, POST /_rerank/events answers
503 instead of acknowledging events it cannot keep, nothing acknowledged is lost, and logging resumes by itself
once the disk has room again.

Running as root, chmod cannot make a directory unwritable, so the tests take the disk away for real: a 512 KiB
tmpfs in a mount namespace of the sidecar's own (`unshare`), and a log directory replaced by a plain file."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from rerank_support import INDEX, call, ndjson, start_sidecar
from test_durability import logged_lines

BLACK = {"match": {"title": "black"}}
EVENTS = {"content-type": "application/x-ndjson"}


def post_events(url: str, batch: int, size: int = 20) -> tuple[int, list[str], dict]:
    """Posts one batch of clicks; returns the status, the acknowledged object ids and the answer."""
    ids = [f"b{batch}-e{n}" for n in range(size)]
    body = ndjson([
        {"action_name": "click", "client_id": "u1", "event_attributes": {"object": {"object_id": object_id}}}
        for object_id in ids
    ])
    reply = call(url, "POST", "/_rerank/events", body, EVENTS)
    if reply.status != 200:
        return reply.status, [], reply.json()
    return 200, [i for i, item in zip(ids, reply.json()["items"]) if item["status"] == 201], reply.json()


def can_mount_tmpfs() -> bool:
    try:
        probe = subprocess.run(
            ["unshare", "-rm", "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", tempfile.gettempdir()],
            capture_output=True, timeout=10,
        )
        return probe.returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.mark.skipif(not can_mount_tmpfs(), reason="needs `unshare -rm` (user and mount namespaces) to mount a tiny tmpfs")
def test_full_log_disk_refuses_events_keeps_searching_and_recovers(osmem_url):
    directory = Path(tempfile.mkdtemp(prefix="rerank-full-disk-"))
    mount = ["unshare", "-rm", "sh", "-c", 'mount -t tmpfs -o size=512k tmpfs "$0" && exec "$@"', str(directory)]
    sidecar = start_sidecar(osmem_url, {"log": {"dir": str(directory)}}, name="full-disk", prefix=mount)
    # The tmpfs exists only in the sidecar's mount namespace; /proc/PID/root looks through its eyes.
    inside = Path(f"/proc/{sidecar.process.process.pid}/root") / directory.relative_to("/")
    acknowledged: list[str] = []
    try:
        status, ids, _ = post_events(sidecar.url, 0)
        assert status == 200 and len(ids) == 20
        acknowledged += ids
        ballast = inside / "ballast"
        with open(ballast, "wb") as handle:
            try:
                handle.write(b"\0" * (1 << 20))  # more than fits: the disk is now full
            except OSError:
                pass
        refused = None
        for batch in range(1, 200):
            status, ids, answer = post_events(sidecar.url, batch)
            acknowledged += ids
            if status != 200:
                refused = (status, answer)
                break
        assert refused is not None, "events kept being acknowledged on a full disk"
        assert refused[0] == 503 and refused[1]["error"]["type"] == "rerank_log_unavailable_exception", refused
        for _ in range(5):
            search = call(sidecar.url, "POST", f"/{INDEX}/_search", body={"query": BLACK, "size": 3})
            assert search.status == 200 and len(search.json()["hits"]["hits"]) == 3
        ballast.unlink()
        status, ids, _ = post_events(sidecar.url, 1000)
        assert status == 200 and len(ids) == 20, "event logging did not resume once the disk had room"
        acknowledged += ids
        records, torn = logged_lines(inside, "ubi_events")
        logged = {record["event_attributes"]["object"]["object_id"] for record in records}
        assert not [i for i in acknowledged if i not in logged], "an acknowledged event is not on disk"
    finally:
        sidecar.stop()
        shutil.rmtree(directory, ignore_errors=True)


def test_log_directory_replaced_by_a_file_refuses_events_and_recovers(osmem_url):
    root = Path(tempfile.mkdtemp(prefix="rerank-gone-"))
    directory = root / "logs"
    sidecar = start_sidecar(osmem_url, {"log": {"dir": str(directory), "max_file_bytes": 1024}}, name="log-dir-gone")
    acknowledged: list[str] = []
    query_ids: list[str] = []

    def search() -> None:
        reply = call(sidecar.url, "POST", f"/{INDEX}/_search", body={"query": BLACK, "size": 3})
        assert reply.status == 200 and len(reply.json()["hits"]["hits"]) == 3
        query_ids.append(reply.headers["x-rerank-query-id"])

    try:
        status, ids, _ = post_events(sidecar.url, 0)
        assert status == 200
        acknowledged += ids
        moved = root / "moved"
        directory.rename(moved)
        directory.write_text("not a directory\n")
        refused = None
        for batch in range(1, 50):  # the open file takes what fits before the next rotation fails
            status, ids, answer = post_events(sidecar.url, batch)
            acknowledged += ids
            search()
            if status != 200:
                refused = (status, answer)
                break
        assert refused is not None and refused[0] == 503, refused
        assert refused[1]["error"]["type"] == "rerank_log_unavailable_exception"
        for _ in range(5):
            search()
        directory.unlink()
        moved.rename(directory)
        status, ids, _ = post_events(sidecar.url, 100)
        assert status == 200 and len(ids) == 20, "event logging did not resume once the directory was back"
        acknowledged += ids
    finally:
        sidecar.stop()  # SIGTERM: the impression queue, retrying meanwhile, drains into the restored directory
    events, _ = logged_lines(directory, "ubi_events")
    logged = {record["event_attributes"]["object"]["object_id"] for record in events}
    assert not [i for i in acknowledged if i not in logged], "an acknowledged event is not on disk"
    queries, torn = logged_lines(directory, "ubi_queries")
    assert torn == 0
    assert sorted(record["query_id"] for record in queries) == sorted(query_ids), "impressions were lost while the directory was gone"
    shutil.rmtree(root, ignore_errors=True)
