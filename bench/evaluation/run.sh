#!/usr/bin/env bash
# Every evaluation benchmark (issue 5), one after the other, each writing its section of bench/RESULTS.md:
#   1. the synthetic storefront (bench/storefront/run.sh; SEARCHES, default 100000 = 1,000,000 item impressions),
#   2. MovieLens 100k (bench/movielens/run.sh),
#   3. the OpenSearch UBI sample as a format check (bench/ubi_sample/run.sh).
#
#   bench/evaluation/run.sh                 # about 30-40 minutes on 2 cores
#   SEARCHES=20000 bench/evaluation/run.sh  # a quicker storefront
set -euo pipefail
cd "$(dirname "$0")/../.."

export WRITE_RESULTS=1
bench/storefront/run.sh "${SEARCHES:-100000}"
bench/movielens/run.sh
bench/ubi_sample/run.sh
