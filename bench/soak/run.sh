#!/usr/bin/env bash
# Soak test: steady load near capacity with a model swap every 10 s; RSS and open fds sampled and plotted.
#
#   bench/soak/run.sh [SECONDS]        # default 600; writes bench/soak/out/{summary.json,soak.html}
#
# Environment: RERANK_BIN=PATH uses that binary instead of building `swift build -c release --product rerank`;
# OUT=DIR writes elsewhere. Needs wrk (apt-get install wrk) and the Python packages of scripts/install-deps.sh.
# Exits non-zero when any request failed.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SECONDS_TO_RUN=${1:-600}
OUT=${OUT:-$HERE/out}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
if [ -z "${RERANK_BIN:-}" ]; then
    (cd "$ROOT" && swift build -c release --product rerank)
    RERANK_BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/rerank"
fi
# 10k idle connections in bench runs need more descriptors than the usual soft limit of 1024.
ulimit -n "$(ulimit -Hn)"
exec python3 "$HERE/soak.py" --rerank-bin "$RERANK_BIN" --seconds "$SECONDS_TO_RUN" --out "$OUT"
