#!/usr/bin/env python3
"""Loads the sample catalog into an OpenSearch-compatible engine and records one 100-hit search response.

    load_catalog.py URL MAPPING CATALOG BODY OUT

Creates index `products` from MAPPING, bulk-loads CATALOG (NDJSON, `id` becomes `_id`), runs the search in
BODY against `/products/_search`, checks it returns at least 100 hits, and writes the raw response bytes to OUT
(the canned upstream serves them). Standard library only.
"""

import json
import sys
import urllib.request


def call(method, url, body=None, content_type="application/json"):
    request = urllib.request.Request(url, data=body, method=method, headers={"content-type": content_type})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    url, mapping, catalog, body_file, out = sys.argv[1:]
    url = url.rstrip("/")
    with open(mapping, "rb") as f:
        call("PUT", f"{url}/products", f.read())

    lines = []
    count = 0
    with open(catalog, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            doc = json.loads(line)
            lines.append(json.dumps({"index": {"_index": "products", "_id": doc["id"]}}))
            lines.append(json.dumps(doc))
            count += 1
    result = json.loads(call("POST", f"{url}/_bulk?refresh=true", ("\n".join(lines) + "\n").encode(), "application/x-ndjson"))
    if result.get("errors"):
        failed = [item for item in result["items"] if "error" in next(iter(item.values()))]
        sys.exit(f"bulk load failed for {len(failed)} documents, first: {failed[0]}")
    indexed = json.loads(call("GET", f"{url}/products/_count"))["count"]
    if indexed != count:
        sys.exit(f"expected {count} documents in products, the engine counts {indexed}")

    with open(body_file, "rb") as f:
        raw = call("POST", f"{url}/products/_search", f.read())
    hits = json.loads(raw)["hits"]["hits"]
    if len(hits) < 100:
        sys.exit(f"the bench query returns {len(hits)} hits; it needs at least 100 so the rerank window is full")
    with open(out, "wb") as f:
        f.write(raw)
    print(f"loaded {indexed} products; the bench query returns {len(hits)} hits, {len(raw)} bytes")


if __name__ == "__main__":
    main()
