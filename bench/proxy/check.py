#!/usr/bin/env python3
"""Checks every path before timing: the same shoppers' searches through each give what its mode should.

    check.py TEMPLATE TARGET... >responses.ndjson      # TARGET: name|upstream|url, a `direct` one per upstream

TEMPLATE is the search body with @WORD@ where the query word goes. Every word of scripts/shoppers.py's WORDS is
searched twice, by another user on another device each time, with the headers shoppers.lua sends; every target
gets the same searches. Each answer must be 200 with 100 hits and the X-Rerank-Status of the target's mode.
Compared with the `direct` answer of its upstream to the same search, nginx and the passthrough keep the order
and a reranking sidecar changes it for at least one search. Prints one JSON line per target; exits non-zero
naming the first wrong answer.
"""
import http.client
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from shoppers import DEVICES, WORDS, headers  # noqa: E402

STATUS = {"rerank-passthrough": "skipped: reranking disabled", "rerank-signals": "reranked", "rerank-model": "reranked"}
RERANKING = {"rerank-signals", "rerank-model"}


def searches(template):
    """(user, device, body) for every word, twice."""
    bodies = [template.replace("@WORD@", word) for word in WORDS]
    return [(f"visitor-{n + 1}", DEVICES[n % len(DEVICES)], bodies[n % len(bodies)]) for n in range(2 * len(bodies))]


def ask(url, user, device, body):
    """Sends one search; returns (status, X-Rerank-Status, raw body)."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("POST", "/products/_search", body=body, headers=headers(user, device))
        response = conn.getresponse()
        return response.status, response.getheader("X-Rerank-Status"), response.read()
    finally:
        conn.close()


def check(name, url, planned, direct_ids):
    """The target's answers to `planned`; returns its JSON line or exits naming what is wrong."""
    expected = STATUS.get(name)
    sizes, reordered, ids_seen = [], 0, []
    for n, (user, device, body) in enumerate(planned):
        status, rerank_status, raw = ask(url, user, device, body)
        if status != 200:
            sys.exit(f"{name} at {url}: status {status} for {body}: {raw[:300]!r}")
        if rerank_status != expected:
            sys.exit(f"{name} at {url}: X-Rerank-Status {rerank_status!r}, expected {expected!r}")
        ids = [hit["_id"] for hit in json.loads(raw)["hits"]["hits"]]
        if len(ids) != 100:
            sys.exit(f"{name} at {url}: {len(ids)} hits for {body}, expected 100")
        sizes.append(len(raw))
        ids_seen.append(ids)
        if direct_ids is not None and ids != direct_ids[n]:
            if name not in RERANKING:
                sys.exit(f"{name} at {url} changed the engine's order for {body} (user {user}, {device})")
            reordered += 1
    if name in RERANKING and reordered == 0:
        sys.exit(f"{name} at {url} kept the engine's order for all {len(planned)} searches: the ranker did nothing")
    return ids_seen, {"target": name, "bytes": statistics.median(sizes), "status_header": expected,
                      "searches": len(planned), "reordered": reordered}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    planned = searches(sys.argv[1])
    targets = [target.split("|") for target in sys.argv[2:]]
    direct = {}
    for name, upstream, url in sorted(targets, key=lambda target: target[0] != "direct"):
        ids, line = check(name, url, planned, direct.get(upstream))
        if name == "direct":
            direct[upstream] = ids
        print(json.dumps({**line, "upstream": upstream}))
        print(f"check {name} ({upstream}): {len(planned)} searches, each 200 with 100 hits, X-Rerank-Status "
              f"{line['status_header'] or '(none)'}, {line['reordered']} in another order than direct", file=sys.stderr)


if __name__ == "__main__":
    main()
