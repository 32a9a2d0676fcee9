#!/usr/bin/env bash
# Runs every test: Swift unit tests, then integration and differential tests that drive the
# real release binary with redis-py and redis-cli (and a real redis-server for comparison).
set -euo pipefail
cd "$(dirname "$0")/.."

swift build -c release
swift test
python3 -m pytest -q tests/integration "$@"
