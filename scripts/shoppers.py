"""The simulated shoppers the benches share, and a model trained on what they do.

Their query words, devices and headers; a logging sidecar serves their searches, they click with a position bias,
`rerank train` learns from the logs. bench/crowd/crowd.py imports it; shell benches (bench/proxy) use its
command line:

    python3 scripts/shoppers.py train --binary RERANK --upstream URL --work DIR   # prints the model's path
    python3 scripts/shoppers.py words                                             # WORDS, comma-separated
    python3 scripts/shoppers.py devices                                           # DEVICES, comma-separated

The upstream must hold the sample catalog in index `products` (stack.load_catalog).
"""
import argparse
import http.client
import json
import random
import subprocess
import sys
from pathlib import Path

import stack

WORDS = ["jacket", "shoes", "bag", "lamp", "mug", "black", "white", "blanket", "tote", "running", "premium", "kettle"]
DEVICES = ["mobile", "desktop", "tablet"]


def headers(user, device):
    """The headers a shopper's search carries: who (user and session) and on what device."""
    return {"content-type": "application/json", "X-Rerank-User": user, "X-Rerank-Session": user + "-s",
            "X-Rerank-Device": device}


def search_body(word, size=100):
    return json.dumps({"query": {"multi_match": {"query": word, "fields": ["title", "description"]}}, "size": size})


def search(conn, word, user, device, size=100):
    """One search on an open connection; returns (status, X-Rerank-Query-Id, body)."""
    conn.request("POST", "/products/_search", body=search_body(word, size), headers=headers(user, device))
    response = conn.getresponse()
    body = response.read()
    return response.status, response.getheader("X-Rerank-Query-Id"), body


def make_training_logs(binary, upstream, log_dir, searches=3000, shoppers=300):
    """Serves `searches` searches through a logging sidecar and posts the clicks a position-biased shopper makes."""
    process, url = stack.start_sidecar(binary, upstream, "--log-dir", log_dir)
    try:
        host, port = url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        rng = random.Random(5)
        events = []
        for n in range(searches):
            shopper = rng.randrange(shoppers)
            device = DEVICES[shopper % 3]
            word = WORDS[rng.randrange(len(WORDS))]
            status, query_id, body = search(conn, word, f"shopper-{shopper}", device, size=20)
            hits = json.loads(body)["hits"]["hits"] if status == 200 else []
            for position, hit in enumerate(hits):
                taste = 0.5 if (sum(hit["_source"].get("category", "").encode()) + shopper) % 4 == 0 else 0.05
                if rng.random() < taste / (position + 1) ** 0.5:
                    events.append({"action_name": "click", "query_id": query_id, "client_id": f"shopper-{shopper}",
                                   "session_id": f"shopper-{shopper}-s",
                                   "event_attributes": {"object": {"object_id": hit["_id"]}, "position": {"ordinal": position}}})
            if len(events) >= 200 or n == searches - 1:
                body = "\n".join(json.dumps(e) for e in events) + "\n"
                conn.request("POST", "/_rerank/events", body=body, headers={"content-type": "application/x-ndjson"})
                conn.getresponse().read()
                events = []
        conn.close()
    finally:
        stack.stop(process)


def train_model(binary, upstream, work):
    """Makes training logs under `work` (make_training_logs) and trains a model on all of them; returns its path."""
    work = Path(work)
    logs, model = work / "train-logs", work / "model.json"
    make_training_logs(binary, upstream, str(logs))
    subprocess.run([str(binary), "train", "--logs", str(logs), "--output", str(model), "--items", str(stack.CATALOG),
                    "--test-fraction", "0"], check=True, stdout=subprocess.DEVNULL)
    return model


def main(argv):
    parser = argparse.ArgumentParser(prog="scripts/shoppers.py", description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train a model on the shoppers' logged searches and clicks")
    train.add_argument("--binary", required=True, help="the rerank binary")
    train.add_argument("--upstream", required=True, help="the engine's URL, holding the sample catalog")
    train.add_argument("--work", required=True, help="directory for the training logs and the model")
    commands.add_parser("words", help="print the query words, comma-separated")
    commands.add_parser("devices", help="print the devices, comma-separated")
    args = parser.parse_args(argv)
    if args.command == "train":
        print(train_model(args.binary, args.upstream, args.work))
    else:
        print(",".join(WORDS if args.command == "words" else DEVICES))


if __name__ == "__main__":
    main(sys.argv[1:])
