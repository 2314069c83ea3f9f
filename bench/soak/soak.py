#!/usr/bin/env python3
"""Soak: steady search and event load near capacity for SECONDS, a model swap every 10 s and an experiment reload
every 10 s (between the swaps), the sidecar's RSS and open fds sampled every 2 s. Writes summary.json and an HTML page with the plots to OUT; exits non-zero when a
request failed.

    soak.py --rerank-bin BIN --seconds 600 --out DIR

Steps: osmem-server with the sample catalog; storefront traffic through a logging sidecar (simulate.py) to
train two models (`rerank train`, different tree counts); then the sidecar under test serves the model file,
which is replaced by the other model by atomic rename every 10 s, and a config file whose A/B experiment's
traffic share alternates between 0.5 and 0.6 (rewritten by atomic rename 5 s after each swap), while wrk holds a fixed rate at a share of
the capacity measured first (searches as 150 users, every 10th request a click event). Every process started is
stopped by its PID.
"""
import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from demo import run  # noqa: E402
from stack import load_catalog, start_osmem, start_sidecar, stop  # noqa: E402
from opensearchpy import OpenSearch  # noqa: E402

HERE = Path(__file__).resolve().parent
SWAP_EVERY_S = 10
SAMPLE_EVERY_S = 2


def sample(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    rss_kib = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE).group(1))
    return rss_kib / 1024, len(list(Path(f"/proc/{pid}/fd").iterdir()))


def wrk(url, seconds, connections, delay_ms=0):
    """Runs wrk with load.lua, each connection pausing `delay_ms` after every answer; returns its WRK_JSON figures."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(HERE / "load.lua"), url,
               "--", str(int(delay_ms))]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    return json.loads(line[len("WRK_JSON "):])


def metric(url, name, labels):
    text = urllib.request.urlopen(url + "/metrics", timeout=10).read().decode()
    match = re.search(rf'^{re.escape(name)}\{{{re.escape(labels)}\}} (\S+)$', text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def svg(points, label, color, width=860, height=220):
    """A line plot of (seconds, value) points as inline SVG."""
    xs = [x for x, _ in points] or [0]
    ys = [y for _, y in points] or [0]
    x0, x1 = min(xs), max(max(xs), min(xs) + 1)
    y0, y1 = 0, max(ys) * 1.15 or 1
    def px(x):
        return 50 + (x - x0) / (x1 - x0) * (width - 70)
    def py(y):
        return height - 30 - (y - y0) / (y1 - y0) * (height - 50)
    path = " ".join(f"{'M' if i == 0 else 'L'}{px(x):.1f},{py(y):.1f}" for i, (x, y) in enumerate(points))
    ticks = "".join(
        f'<text x="45" y="{py(y1 * k / 4):.0f}" font-size="10" text-anchor="end">{y1 * k / 4:.0f}</text>' for k in range(5)
    )
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
            f'<text x="50" y="14" font-size="12">{label}</text>{ticks}'
            f'<line x1="50" y1="{height - 30}" x2="{width - 20}" y2="{height - 30}" stroke="#999"/>'
            f'<text x="{width - 20}" y="{height - 12}" font-size="10" text-anchor="end">{x1:.0f} s</text>'
            f'<path d="{path}" fill="none" stroke="{color}" stroke-width="1.5"/></svg>')


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rerank-bin", required=True)
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--out", required=True)
    parser.add_argument("--searches", type=int, default=1500, help="simulated searches to train the models on")
    parser.add_argument("--load-share", type=float, default=0.7, help="share of the measured capacity to hold")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="rerank-soak-"))
    processes = []
    try:
        osmem, cluster_url = start_osmem()
        processes.append(osmem)
        load_catalog(OpenSearch(hosts=[cluster_url]))
        training_logs = work / "training-logs"
        trainer, trainer_url = start_sidecar(args.rerank_bin, cluster_url, "--config", ROOT / "sample/rerank.json", "--log-dir", training_logs)
        processes.append(trainer)
        run("simulate", sys.executable, ROOT / "bench/storefront/simulate.py", "--sidecar", trainer_url,
            "--catalog", ROOT / "sample/catalog.ndjson", "--searches", args.searches)
        stop(trainer)
        processes.remove(trainer)
        models = []
        for trees in (30, 60):
            path = work / f"model-{trees}.json"
            run("train", args.rerank_bin, "train", "--logs", training_logs, "--items", ROOT / "sample/catalog.ndjson",
                "--output", path, "--trees", trees, "--early-stopping", 0, "--quiet")
            models.append(path)
        served = work / "model.json"
        shutil.copy(models[0], served)
        config = work / "soak.json"

        def write_config(traffic):
            experiment = {"name": "soak-ab", "salt": "soak", "traffic": traffic,
                          "variants": [{"name": "engine", "rerank": False}, {"name": "model"}]}
            staged = work / "soak.json.next"
            staged.write_text(json.dumps({"rerank": {"model_check_ms": 500}, "limits": {"max_connections": 4096},
                                          "experiments_check_ms": 500, "experiments": [experiment]}))
            staged.rename(config)

        write_config(0.5)
        sidecar, url = start_sidecar(args.rerank_bin, cluster_url, "--config", config, "--model", served,
                                     "--log-dir", work / "soak-logs", "--log-level", "warning")
        processes.append(sidecar)

        capacity = wrk(url, 10, args.connections)
        capacity_rps = capacity["requests"] / (capacity["duration_us"] / 1e6)
        rate = max(1, int(capacity_rps * args.load_share))
        # A connection's cycle is its answer time plus its pause; at capacity the answer time is the median latency.
        delay_ms = max(0.0, args.connections / rate * 1000 - capacity["latency_us"]["p50"] / 1000)
        print(f"capacity {capacity_rps:.0f} req/s (errors {capacity['errors']}); holding {rate} req/s for {args.seconds} s", flush=True)
        loaded_before = metric(url, "rerank_model_reloads_total", 'result="loaded"')
        experiments_before = metric(url, "rerank_experiment_reloads_total", 'result="loaded"')

        samples = []
        swaps = 0
        experiment_reloads = 0
        done = threading.Event()
        result = {}

        def load():
            result.update(wrk(url, args.seconds, args.connections, delay_ms))
            done.set()

        started = time.monotonic()
        threading.Thread(target=load, daemon=True).start()
        next_swap = started + SWAP_EVERY_S
        next_experiments = started + SWAP_EVERY_S / 2
        while not done.wait(SAMPLE_EVERY_S):
            rss, fds = sample(sidecar.pid)
            samples.append({"t": round(time.monotonic() - started, 1), "rss_mib": round(rss, 1), "fds": fds})
            if time.monotonic() >= next_swap:
                swaps += 1
                staged = work / "model.json.next"
                shutil.copy(models[swaps % 2], staged)
                staged.rename(served)  # atomic: the watcher sees the old file or the new one, never half of one
                next_swap += SWAP_EVERY_S
            if time.monotonic() >= next_experiments:
                experiment_reloads += 1
                write_config(0.6 if experiment_reloads % 2 else 0.5)
                next_experiments += SWAP_EVERY_S
        time.sleep(1.5)  # let the watchers see the last swap and reload
        loaded = metric(url, "rerank_model_reloads_total", 'result="loaded"') - loaded_before
        failed_reloads = metric(url, "rerank_model_reloads_total", 'result="failed"')
        experiments_loaded = metric(url, "rerank_experiment_reloads_total", 'result="loaded"') - experiments_before
        experiments_failed = metric(url, "rerank_experiment_reloads_total", 'result="failed"')
        non_200 = sum(
            float(value) for status, value in re.findall(
                r'^rerank_http_requests_total\{route="[a-z]+",status="(\d+)"\} (\S+)$',
                urllib.request.urlopen(url + "/metrics", timeout=10).read().decode(), re.MULTILINE)
            if status != "200"
        )
        errors = result["errors"]
        summary = {
            "seconds": args.seconds,
            "capacity_rps": round(capacity_rps),
            "target_rps": rate,
            "achieved_rps": round(result["requests"] / (result["duration_us"] / 1e6)),
            "requests": result["requests"],
            "wrk_errors": errors,
            "sidecar_non_200": non_200,
            "latency_ms": {k: v / 1000 for k, v in result["latency_us"].items()},
            "model_swaps": swaps,
            "model_reloads_loaded": loaded,
            "model_reloads_failed": failed_reloads,
            "experiment_rewrites": experiment_reloads,
            "experiment_reloads_loaded": experiments_loaded,
            "experiment_reloads_failed": experiments_failed,
            "rss_mib": {"start": samples[0]["rss_mib"], "end": samples[-1]["rss_mib"], "max": max(s["rss_mib"] for s in samples)},
            "fds": {"start": samples[0]["fds"], "end": samples[-1]["fds"], "max": max(s["fds"] for s in samples)},
            "samples": samples,
        }
        (out / "summary.json").write_text(json.dumps(summary, indent=2))
        page = (
            f"<html><head><meta charset='utf-8'><title>rerank soak</title></head><body><h1>rerank soak, {args.seconds} s</h1>"
            f"<pre>{json.dumps({k: v for k, v in summary.items() if k != 'samples'}, indent=2)}</pre>"
            + svg([(s["t"], s["rss_mib"]) for s in samples], "sidecar RSS (MiB)", "#c0392b")
            + "<br>" + svg([(s["t"], s["fds"]) for s in samples], "sidecar open file descriptors", "#2471a3")
            + "</body></html>"
        )
        (out / "soak.html").write_text(page)
        print(json.dumps({k: v for k, v in summary.items() if k != "samples"}, indent=2))
        failed = sum(errors.values()) + non_200
        if failed:
            sys.exit(f"{failed:.0f} requests failed")
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
