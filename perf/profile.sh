#!/usr/bin/env bash
# Profile the Redwing server under redis-benchmark load.
#
# perf mode (default): starts the server, drives it with redis-benchmark,
#   samples it with `perf record --call-graph dwarf -p PID` for N seconds and
#   prints the top symbols of `perf report --no-children --stdio`, demangled
#   with swift-demangle.  Sampling is wall-clock based: good for "where does
#   the time go", noisy between runs.
#
# callgrind mode (--callgrind): runs the server under
#   `valgrind --tool=callgrind`, sends a fixed number of requests and prints
#   `callgrind_annotate` totals.  Instruction counts are repeatable for the
#   same binary and inputs, so use this to compare before/after a change.
#
# Usage:
#   perf/profile.sh [--seconds N] [--tests set,get] [-n REQUESTS] [-c CLIENTS]
#                   [-P PIPELINE] [--top N] [--callgrind] [--binary PATH]
#
# The binary defaults to $REDWING_BIN, else .build/release/redwing-server
# (build it first: swift build -c release).  Reports are also saved under
# perf/results/.  Validate the script itself with
#   REDWING_BIN=/usr/bin/redis-server perf/profile.sh --seconds 3
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
binary="${REDWING_BIN:-$repo/.build/release/redwing-server}"
seconds=10
tests="set,get"
requests=""
clients=""          # default: 50 for perf, 1 for callgrind (more repeatable)
pipeline=1
top=40
mode=perf

usage() { sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --tests) tests="$2"; shift 2 ;;
        -n) requests="$2"; shift 2 ;;
        -c) clients="$2"; shift 2 ;;
        -P) pipeline="$2"; shift 2 ;;
        --top) top="$2"; shift 2 ;;
        --callgrind) mode=callgrind; shift ;;
        --binary) binary="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "profile.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done

[[ -x "$binary" ]] || { echo "profile.sh: server binary not found: $binary" >&2; exit 1; }

# swift-demangle turns $s8Redwing... symbols into readable Swift names; for a
# C binary such as redis-server it leaves the text unchanged.
if [[ -x /opt/swift/usr/bin/swift-demangle ]]; then
    demangle=(/opt/swift/usr/bin/swift-demangle --simplified)
elif command -v swift-demangle >/dev/null; then
    demangle=(swift-demangle --simplified)
elif command -v swift >/dev/null; then
    demangle=(swift demangle --simplified)
else
    demangle=(cat)
fi

workdir="$(mktemp -d /tmp/redwing-profile.XXXXXX)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
server_pid=""
load_pid=""

cleanup() {
    [[ -n "$load_pid" ]] && kill "$load_pid" 2>/dev/null || true
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT

server_args=(--port "$port" --bind 127.0.0.1 --dir "$workdir" --save "" --appendonly no)

wait_for_ping() {
    local limit=$1
    for _ in $(seq 1 $((limit * 10))); do
        if redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null | grep -q PONG; then return 0; fi
        kill -0 "$server_pid" 2>/dev/null || { echo "server exited:" >&2; cat "$workdir/server.log" >&2; exit 1; }
        sleep 0.1
    done
    echo "profile.sh: server did not answer PING within ${limit}s" >&2
    exit 1
}

stamp="$(date +%Y%m%d-%H%M%S)"
mkdir -p "$repo/perf/results"

if [[ $mode == perf ]]; then
    command -v perf >/dev/null || { echo "profile.sh: perf not installed" >&2; exit 1; }
    clients="${clients:-50}"
    "$binary" "${server_args[@]}" >"$workdir/server.log" 2>&1 &
    server_pid=$!
    wait_for_ping 10

    # Keep the load running for the whole sampling window (-l loops forever).
    redis-benchmark -h 127.0.0.1 -p "$port" -c "$clients" -P "$pipeline" -t "$tests" \
        -r 100000 -l -q >/dev/null 2>&1 &
    load_pid=$!
    sleep 0.5

    echo "profile.sh: sampling pid $server_pid for ${seconds}s (tests=$tests c=$clients P=$pipeline)" >&2
    perf record --call-graph dwarf -F 499 -p "$server_pid" -o "$workdir/perf.data" \
        -- sleep "$seconds" >"$workdir/perf-record.log" 2>&1
    kill "$load_pid" 2>/dev/null || true
    wait "$load_pid" 2>/dev/null || true
    load_pid=""

    report="$repo/perf/results/profile-$stamp.txt"
    perf report -i "$workdir/perf.data" --no-children --stdio 2>/dev/null \
        | "${demangle[@]}" >"$report"
    flat="$workdir/flat.txt"
    perf report -i "$workdir/perf.data" --no-children --stdio -g none --percent-limit 0.2 \
        2>/dev/null | "${demangle[@]}" | grep -v '^#' | grep -v '^$' >"$flat" || true
    echo "== top $top symbols (self time, perf report --no-children) =="
    head -n "$top" "$flat"
    echo
    echo "== top $top user-space symbols (kernel [k] entries removed) =="
    grep -v '\[k\]' "$flat" | head -n "$top" || true
    echo
    echo "full report with call graphs: ${report#$repo/}"
else
    command -v valgrind >/dev/null || { echo "profile.sh: valgrind not installed" >&2; exit 1; }
    requests="${requests:-20000}"
    clients="${clients:-1}"
    out="$workdir/callgrind.out"
    valgrind --tool=callgrind --callgrind-out-file="$out" "$binary" "${server_args[@]}" \
        >"$workdir/server.log" 2>&1 &
    server_pid=$!
    wait_for_ping 120

    echo "profile.sh: callgrind, $requests requests per test (tests=$tests c=$clients P=$pipeline)" >&2
    redis-benchmark -h 127.0.0.1 -p "$port" -c "$clients" -P "$pipeline" -t "$tests" \
        -n "$requests" -q 2>/dev/null | tr '\r' '\n' | grep -v '^ *$' | tail -n 20 || true

    # callgrind writes its profile when the server exits.
    kill -TERM "$server_pid"
    for _ in $(seq 1 600); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    wait "$server_pid" 2>/dev/null || true
    server_pid=""

    report="$repo/perf/results/callgrind-$stamp.txt"
    callgrind_annotate "$out" 2>/dev/null | "${demangle[@]}" >"$report"
    cp "$out" "$repo/perf/results/callgrind-$stamp.out"
    echo "== callgrind totals (instructions incl. start-up and shutdown; repeatable) =="
    head -n $((top + 25)) "$report"
    echo
    echo "full annotation: ${report#$repo/}; raw profile: perf/results/callgrind-$stamp.out"
    echo "(open the raw profile with kcachegrind or callgrind_annotate --inclusive=yes)"
fi
