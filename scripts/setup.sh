#!/usr/bin/env bash
# Installs everything Redwing needs on a fresh Debian 12 machine (as root) and builds the
# release binary. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    # libevent/liblz4: the C core; redis-server/redis-tools: the reference server and real
    # clients the tests compare against; linux-perf/valgrind: the profiling scripts in perf/.
    apt-get install -y -qq --no-install-recommends \
        pkg-config libevent-dev liblz4-dev redis-server redis-tools linux-perf valgrind >/dev/null
    # Debian starts a redis-server service on 6379; the tests start their own servers.
    (service redis-server stop || true) >/dev/null 2>&1
fi
python3 -m pip install -q --disable-pip-version-check redis pytest 2>&1 | grep -v "Running pip as the 'root' user" || true

swift build -c release
echo "built: $(pwd)/.build/release/redwing-server"
