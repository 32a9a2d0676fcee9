#!/usr/bin/env bash
# Throughput of the RDB codecs in Sources/CRC64: CRC64 in GB/s against a one-stream
# slicing-by-8 baseline (the method of Redis 7.0's crc64), and LZF compress/decompress in
# MB/s on text-like and random data against the system's liblzf when it is installed
# (Debian's liblzf1; Redis vendors a copy of the same library).
#
# Compiles perf/codecs_bench.c with `cc -O2` together with crc64.c and lzf.c (no swift
# build needed), runs it, prints the results and saves them to
# perf/results/codecs-YYYYMMDD-HHMMSS.txt.
#
# Usage:
#   perf/codecs.sh [--crc-mb N] [--lzf-mb N] [--reps N] [--label NAME]
#
# Defaults: a 256 MB CRC buffer, 32 MB of data per LZF run, 7 repetitions (best and median
# are shown). Run it on an otherwise idle machine: the figures are
# single-threaded CPU throughput.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
label=""
args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --label) label="-$2"; shift 2 ;;
        --crc-mb|--lzf-mb|--reps) args+=("$1" "$2"); shift 2 ;;
        -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "codecs.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

command -v cc >/dev/null || { echo "codecs.sh: cc not found" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
src="$repo/Sources/CRC64"
cc -O2 -I"$src/include" "$repo/perf/codecs_bench.c" "$src/crc64.c" "$src/lzf.c" \
    -o "$tmp/codecs_bench" -ldl -lpthread

mkdir -p "$repo/perf/results"
out="$repo/perf/results/codecs-$(date +%Y%m%d-%H%M%S)$label.txt"
{
    echo "# perf/codecs.sh ${args[*]:-(defaults)} — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "# $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?') on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# $(cc --version | head -1)"
    "$tmp/codecs_bench" "${args[@]}"
} | tee "$out"
echo "saved $out" >&2
