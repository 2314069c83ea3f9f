"""SIGTERM under load: requests in flight finish, the process exits cleanly, and every search answered and every
event acknowledged is in the log files afterwards."""

from __future__ import annotations

import http.client
import signal
import tempfile
import threading
from pathlib import Path

from rerank_support import INDEX, call, ndjson, start_sidecar, wait_for
from test_durability import logged_lines


def test_sigterm_under_load_finishes_in_flight_requests_and_flushes_logs(osmem_url):
    directory = Path(tempfile.mkdtemp(prefix="rerank-sigterm-"))
    sidecar = start_sidecar(osmem_url, {"log": {"dir": str(directory)}, "rerank": {"budget_ms": 10000}}, name="sigterm")
    lock = threading.Lock()
    query_ids: list[str] = []
    acknowledged: list[str] = []
    failures: list[str] = []
    refused = 0
    stop = threading.Event()

    def searcher(worker: int) -> None:
        nonlocal refused
        number = 0
        while not stop.is_set():
            body = {"query": {"match": {"title": "black"}}, "size": 5, "ext": {"rerank": {"user_id": f"u{worker}-{number}"}}}
            try:
                reply = call(sidecar.url, "POST", f"/{INDEX}/_search", body=body, timeout=10)
            except (ConnectionRefusedError, http.client.RemoteDisconnected, ConnectionResetError):
                with lock:
                    refused += 1  # not accepted, or closed before the request was read: never answered
                if not sidecar.process.alive():
                    return
                continue
            except Exception as error:  # a truncated answer would land here
                with lock:
                    failures.append(repr(error))
                return
            with lock:
                if reply.status == 200 and len(reply.json()["hits"]["hits"]) == 5:
                    query_ids.append(reply.headers["x-rerank-query-id"])
                else:
                    failures.append(f"{reply.status} {reply.body[:200]!r}")
            number += 1

    def poster(worker: int) -> None:
        nonlocal refused
        batch = 0
        while not stop.is_set():
            ids = [f"w{worker}-b{batch}-e{n}" for n in range(10)]
            body = ndjson([{"action_name": "click", "client_id": f"u{worker}", "event_attributes": {"object": {"object_id": i}}} for i in ids])
            try:
                reply = call(sidecar.url, "POST", "/_rerank/events", body, {"content-type": "application/x-ndjson"}, timeout=10)
            except (ConnectionRefusedError, http.client.RemoteDisconnected, ConnectionResetError):
                with lock:
                    refused += 1
                if not sidecar.process.alive():
                    return
                continue
            except Exception as error:
                with lock:
                    failures.append(repr(error))
                return
            with lock:
                if reply.status == 200:
                    acknowledged.extend(i for i, item in zip(ids, reply.json()["items"]) if item["status"] == 201)
                else:
                    failures.append(f"{reply.status} {reply.body[:200]!r}")
            batch += 1

    workers = [threading.Thread(target=searcher, args=(n,)) for n in range(6)]
    workers += [threading.Thread(target=poster, args=(n,)) for n in range(2)]
    for worker in workers:
        worker.start()
    try:
        # SIGTERM in the middle of the load: once searches and events are being answered, with more in flight.
        wait_for("searches and events answered", lambda: len(query_ids) > 20 and len(acknowledged) > 20, timeout=60)
        with lock:
            answered_before = len(query_ids)
        sidecar.process.process.send_signal(signal.SIGTERM)
        exit_code = sidecar.process.process.wait(timeout=30)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=15)
        log = sidecar.process.log()
        sidecar.stop()
    assert answered_before > 20, "the load should have been running before the SIGTERM"
    assert exit_code == 0, log
    assert not failures, failures[:5]
    queries, torn_queries = logged_lines(directory, "ubi_queries")
    events, torn_events = logged_lines(directory, "ubi_events")
    assert torn_queries == torn_events == 0
    assert sorted(record["query_id"] for record in queries) == sorted(query_ids), "answered searches missing from ubi_queries"
    logged = {record["event_attributes"]["object"]["object_id"] for record in events}
    assert not [i for i in acknowledged if i not in logged], "acknowledged events missing from ubi_events"
    print(f"SIGTERM under load: {len(query_ids)} searches and {len(acknowledged)} events answered, all logged; {refused} refused after the signal")
