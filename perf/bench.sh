#!/usr/bin/env bash
# Benchmark Redwing against redis-server with redis-benchmark.
#
# Builds the release binary first (skip with --no-build), then hands every
# other option to perf/bench.py, which starts both servers on loopback with
# the same settings, alternates them over several rounds and prints/saves a
# table of medians (req/s, p50, p99, server CPU us/request, ratios).
#
# Usage:
#   perf/bench.sh [--no-build] [-n REQUESTS] [--rounds N] [--tests SET,GET,...]
#                 [--pipelines 1,16] [-c CLIENTS] [--pin] [--memory] [--label NAME]
#
# Examples:
#   perf/bench.sh                                   # full run, builds first
#   perf/bench.sh --no-build -n 20000 --rounds 1    # quick check
#   perf/bench.sh --no-build --memory               # RSS after 2M random SETs
#   REDWING_BIN=/usr/bin/redis-server perf/bench.sh --no-build -n 10000
#                                                   # sanity: redis vs redis
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build=1
passthrough=()
for arg in "$@"; do
    case "$arg" in
        --no-build) build=0 ;;
        -h|--help)
            sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            python3 "$repo/perf/bench.py" --help
            exit 0 ;;
        *) passthrough+=("$arg") ;;
    esac
done

for tool in redis-benchmark redis-cli python3; do
    command -v "$tool" >/dev/null || { echo "bench.sh: $tool not found" >&2; exit 1; }
done

if [[ $build -eq 1 && -z "${REDWING_BIN:-}" ]]; then
    echo "bench.sh: building release binary (swift build -c release)" >&2
    (cd "$repo" && swift build -c release)
fi

exec python3 "$repo/perf/bench.py" "${passthrough[@]+"${passthrough[@]}"}"
