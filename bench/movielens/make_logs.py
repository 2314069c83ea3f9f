#!/usr/bin/env python3
"""Turns MovieLens 100k into a search reranking task: a movie index, searches by real users at real times, and
UBI logs of what they were shown and what they went on to rate.

Data: `recbole/dataset_example/ml-100k/` inside the recbole 1.2.1 wheel (ml-100k.inter: user, item, rating,
timestamp; ml-100k.item: item, title, release year, genres). GroupLens' terms forbid redistributing it, so it
is read from the wheel at run time and nothing derived from it is committed.

The task:
- Every movie is indexed into osmem-server (`movies`: id, title, genres as text, year) with the attributes the
  rerank features read: `category` = the movie's most specific genre (the one fewest movies in the catalog
  have; "Animation Children's Comedy" -> Animation), `brand` = decade of release ("1990s"). No `price` or
  `price_band`: MovieLens has none, and none is made up. The same items go to `catalog.ndjson` for
  `rerank train/evaluate --items`.
- Searches: each rating, with probability --search-share (seeded), is the moment of a search by that user,
  half a second before the rating (plus a millisecond per earlier search in the same second, so that search
  times are unique). The query comes from the movie about to be rated: with probability 1/2 one of its genres
  (`match` on `genres`, e.g. "Sci-Fi"), else a word of its title and one of its genres (`multi_match` on
  `title` and `genres`, e.g. "star sci-fi"; the word has 3+ letters and is not a stop word; a genre alone
  when the title has none). A title word alone would mostly find 1-3 movies, nothing to rerank; with the genre
  the title matches come first and the genre fills the list. The top --size hits of osmem-server's BM25 are
  the shown list, in engine order. Searches that return fewer than --min-hits movies are dropped.
- Relevance: a shown movie is relevant when the user rates it 4 or 5 after the search. Each such rating is
  credited to one search: the user's latest search before the rating that showed the movie (the list they
  would have picked it from). So a search's relevant movies are the shown movies the user rates >= 4 later,
  unless a later search showed them again first.
- Events: every rating >= 4 is one `click` (binary relevance: rerank's label 1, so exponential and linear NDCG
  gain agree) at the rating's timestamp, with the `query_id` and `position` of the search it is credited to,
  or without a query_id when no search showed the movie (it still feeds the point-in-time statistics:
  popularity, the user's tastes, co-occurrence). Ratings 1-3 are not logged: rerank's labels have no grade
  below a click, and a rating of 1 is not an interaction to learn from.
- Context: MovieLens has no device and no time zone; the device is left out (unknown) and local time is the
  timestamp's in UTC. Sessions: a user's ratings with gaps under 30 minutes form one session (`session_id`
  on searches and events).

Writes DIR/logs/ubi_queries.ndjson, DIR/logs/ubi_events.ndjson, DIR/catalog.ndjson and DIR/summary.json.

    make_logs.py --wheel recbole-1.2.1-py3-none-any.whl --out bench/movielens/work --seed 1
"""
import argparse
import json
import random
import re
import sys
import zipfile
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

from opensearchpy import OpenSearch, helpers

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from stack import start_osmem, stop  # noqa: E402

DATA = "recbole/dataset_example/ml-100k/ml-100k"
INDEX = "movies"
SESSION_GAP_S = 1800
STOP_WORDS = {
    "the", "and", "for", "with", "from", "you", "your", "are", "not", "but", "all", "his", "her", "who", "how",
    "what", "when", "les", "des", "del", "der", "die", "das", "una", "dans", "est", "that", "this", "into", "out",
}
MAPPING = {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0},
    "mappings": {"properties": {
        "id": {"type": "keyword"},
        "title": {"type": "text"},
        "genres": {"type": "text"},
        "year": {"type": "integer"},
        "category": {"type": "keyword"},
        "brand": {"type": "keyword"},
    }},
}


def read_table(wheel, name):
    """Rows of a RecBole atomic file as dicts keyed by the header's field names (types stripped)."""
    lines = wheel.read(f"{DATA}.{name}").decode("utf-8").splitlines()
    fields = [column.split(":")[0] for column in lines[0].split("\t")]
    return [dict(zip(fields, line.split("\t"))) for line in lines[1:] if line]


def read_movies(wheel):
    rows = read_table(wheel, "item")
    genre_counts = Counter(genre for row in rows for genre in row["class"].split())
    movies = {}
    for row in rows:
        genres = row["class"].split()
        movie = {"id": row["item_id"], "title": row["movie_title"], "genres": " ".join(genres)}
        if row["release_year"].isdigit():
            movie["year"] = int(row["release_year"])
            movie["brand"] = f"{movie['year'] // 10 * 10}s"
        if genres:
            movie["category"] = min(genres, key=lambda genre: (genre_counts[genre], genres.index(genre)))
        movies[movie["id"]] = movie
    return movies


def read_ratings(wheel):
    rows = read_table(wheel, "inter")
    ratings = [(int(float(r["timestamp"])), r["user_id"], r["item_id"], int(float(r["rating"]))) for r in rows]
    ratings.sort(key=lambda r: (r[0], int(r[1]), int(r[2])))
    return ratings


def sessions(ratings):
    """(user, item, timestamp) -> session id: a user's ratings with gaps under SESSION_GAP_S share one."""
    by_user = defaultdict(list)
    for timestamp, user, item, _ in ratings:
        by_user[user].append((timestamp, item))
    session_of = {}
    for user, history in by_user.items():
        number, previous = 0, None
        for timestamp, item in history:
            if previous is not None and timestamp - previous >= SESSION_GAP_S:
                number += 1
            session_of[user, item, timestamp] = f"u{user}-s{number}"
            previous = timestamp
    return session_of


def title_words(title):
    return [w for w in re.findall(r"[a-z]+", title.lower()) if len(w) >= 3 and w not in STOP_WORDS]


def plan_searches(ratings, movies, share, rng):
    """The searches to run, in time order: (time in ms, user, anchor rating, query kind, query text)."""
    planned = []
    per_second = Counter()
    for timestamp, user, item, rating in ratings:
        if rng.random() >= share:
            continue
        movie = movies[item]
        words = title_words(movie["title"])
        genre = rng.choice(movie["genres"].split())
        if rng.random() < 0.5 or not words:
            kind, text = "genre", genre
        else:
            kind, text = "title", f"{rng.choice(words)} {genre.lower()}"
        offset = per_second[timestamp]
        per_second[timestamp] += 1
        if offset >= 500:
            raise SystemExit(f"more than 500 searches in second {timestamp}; lower --search-share")
        planned.append((timestamp * 1000 - 500 + offset, user, item, kind, text))
    planned.sort()
    return planned


def run_searches(client, planned, size, batch=200):
    """BM25 hits (ids, scores) of each planned search, through _msearch."""
    queries = {
        "genre": lambda text: {"match": {"genres": text}},
        "title": lambda text: {"multi_match": {"query": text, "fields": ["title", "genres"]}},
    }
    results = []
    for start in range(0, len(planned), batch):
        body = []
        for _, _, _, kind, text in planned[start:start + batch]:
            body += [{"index": INDEX}, {"query": queries[kind](text), "size": size, "_source": False}]
        for response in client.msearch(body=body)["responses"]:
            if "error" in response:
                raise SystemExit(f"osmem-server refused a search: {response['error']}")
            hits = response["hits"]["hits"]
            results.append(([hit["_id"] for hit in hits], [hit["_score"] for hit in hits]))
    return results


def iso(milliseconds):
    return datetime.fromtimestamp(milliseconds / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") \
        + f"{milliseconds % 1000:03d}Z"


def build_logs(ratings, planned, results, min_hits, session_of):
    """The ubi_queries and ubi_events records, each in time order, and counts for the summary."""
    anchors = {(user, item): timestamp for timestamp, user, item, _ in ratings}
    queries = []
    for (time_ms, user, item, kind, text), (ids, scores) in zip(planned, results):
        if len(ids) < min_hits:
            continue
        session = session_of[user, item, anchors[user, item]]
        queries.append({
            "query_id": f"ml-{len(queries):06d}",
            "client_id": f"user-{user}",
            "user_query": text,
            "query_response_hit_ids": ids,
            "timestamp": iso(time_ms),
            "application": "movielens-bench",
            "query_attributes": {
                "user_id": f"user-{user}", "session_id": session, "index": INDEX, "from": 0, "size": len(ids),
                "timezone": "UTC", "query_kind": kind, "original_ranks": list(range(len(ids))),
                "search_scores": scores,
            },
            "_time_ms": time_ms, "_user": user,
        })

    # Replays each user's searches and ratings in time order; a rating >= 4 is credited to the latest earlier
    # search of that user that showed the movie.
    timeline = defaultdict(list)
    for query in queries:
        timeline[query["_user"]].append((query["_time_ms"], 0, query))
    for timestamp, user, item, rating in ratings:
        if rating >= 4:
            timeline[user].append((timestamp * 1000, 1, item))
    events = []
    credited = Counter()
    for user, entries in timeline.items():
        latest_showing = {}
        for time_ms, is_rating, payload in sorted(entries, key=lambda e: (e[0], e[1])):
            if not is_rating:
                for position, shown in enumerate(payload["query_response_hit_ids"]):
                    latest_showing[shown] = (payload["query_id"], position)
                continue
            event = {"action_name": "click", "client_id": f"user-{user}",
                     "session_id": session_of[user, payload, time_ms // 1000], "timestamp": iso(time_ms),
                     "application": "movielens-bench",
                     "event_attributes": {"object": {"object_id": payload, "object_id_field": "id"}}}
            if payload in latest_showing:
                query_id, position = latest_showing[payload]
                event["query_id"] = query_id
                event["event_attributes"]["position"] = {"ordinal": position}
                credited[query_id] += 1
            events.append((time_ms, event))
    events.sort(key=lambda e: (e[0], e[1]["client_id"], e[1]["event_attributes"]["object"]["object_id"]))
    for query in queries:
        del query["_time_ms"], query["_user"]
    return queries, [event for _, event in events], credited


def write_ndjson(path, records):
    with open(path, "w") as file:
        for record in records:
            file.write(json.dumps(record, separators=(",", ":")) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wheel", required=True, help="the recbole 1.2.1 wheel")
    parser.add_argument("--out", required=True, help="work directory (logs/, catalog.ndjson, summary.json)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--search-share", type=float, default=0.2, help="share of ratings that are search moments")
    parser.add_argument("--size", type=int, default=30, help="hits shown per search")
    parser.add_argument("--min-hits", type=int, default=10, help="drop searches with fewer hits")
    args = parser.parse_args()

    out = Path(args.out)
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for old in logs.glob("ubi_*.ndjson"):
        old.unlink()
    with zipfile.ZipFile(args.wheel) as wheel:
        movies = read_movies(wheel)
        ratings = read_ratings(wheel)
    write_ndjson(out / "catalog.ndjson", movies.values())
    rng = random.Random(args.seed)
    planned = plan_searches(ratings, movies, args.search_share, rng)

    osmem, url = start_osmem()
    try:
        client = OpenSearch(hosts=[url], timeout=60)
        client.indices.create(index=INDEX, body=MAPPING)
        helpers.bulk(client, ({"_index": INDEX, "_id": m["id"], "_source": m} for m in movies.values()), refresh=True)
        version = client.info()["version"]
        results = run_searches(client, planned, args.size)
    finally:
        stop(osmem)

    queries, events, credited = build_logs(ratings, planned, results, args.min_hits, sessions(ratings))
    write_ndjson(logs / "ubi_queries.ndjson", queries)
    write_ndjson(logs / "ubi_events.ndjson", events)

    kinds = Counter(q["query_attributes"]["query_kind"] for q in queries)
    relevant_kinds = Counter(q["query_attributes"]["query_kind"] for q in queries if credited[q["query_id"]])
    summary = {
        "seed": args.seed, "search_share": args.search_share, "size": args.size, "min_hits": args.min_hits,
        "movies": len(movies), "ratings": len(ratings), "users": len({r[1] for r in ratings}),
        "ratings_4_plus": sum(1 for r in ratings if r[3] >= 4),
        "planned_searches": len(planned), "searches": len(queries),
        "searches_by_kind": dict(kinds), "searches_with_relevant_by_kind": dict(relevant_kinds),
        "searches_with_relevant": sum(1 for q in queries if credited[q["query_id"]]),
        "mean_hits": sum(len(q["query_response_hit_ids"]) for q in queries) / max(1, len(queries)),
        "events": len(events), "credited_events": sum(credited.values()),
        "first": queries[0]["timestamp"] if queries else None, "last": queries[-1]["timestamp"] if queries else None,
        "engine": f"osmem-server {version.get('distribution', '')} {version.get('number', '')}".strip(),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    sys.exit(main())
