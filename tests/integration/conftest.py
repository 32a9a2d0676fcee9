"""pytest fixtures for Redwing integration tests.

Every server is a real process on a free 127.0.0.1 port with its own temp
dir, started fresh per test and always stopped in teardown.

* ``server``      -- the binary under test (``$REDWING_BIN`` or
                     ``.build/release/redwing-server``).  Extra arguments come
                     from ``@pytest.mark.server_args("--name", "value", ...)``.
                     ``@pytest.mark.needs_commands("RPUSH", ...)`` skips the
                     test when the server does not know one of the commands
                     (COMMAND INFO answers nil); real Redis never skips.
* ``r``           -- a redis-py client (bytes replies) for ``server``.
* ``raw``         -- factory: ``raw()`` opens a ``RawConnection`` to ``server``.
* ``conn``        -- one ``RawConnection`` to ``server`` (exact replies/errors).
* ``reference``   -- a real ``/usr/bin/redis-server`` started the same way
                     (skipped when it is not installed).
* ``start_server``-- factory: start another server under test with custom
                     args and/or a config file; stopped at teardown.

When a test fails, the tail of each server's log is attached to the report.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from raw_resp import RawConnection, unknown_commands  # noqa: E402
from server_process import (  # noqa: E402
    REFERENCE_BINARY,
    ServerProcess,
    ServerStartError,
    binary_under_test,
)

_SERVERS_ATTR = "_redwing_servers"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "server_args(*args): extra command-line arguments for the `server` fixture")
    config.addinivalue_line(
        "markers", "needs_commands(*names): skip unless the server under test knows "
                   "every named command (types of a later milestone)")


def _track(request, proc: ServerProcess) -> None:
    servers = getattr(request.node, _SERVERS_ATTR, None)
    if servers is None:
        servers = []
        setattr(request.node, _SERVERS_ATTR, servers)
    servers.append(proc)


def _start(request, **kwargs) -> ServerProcess:
    proc = ServerProcess(**kwargs)
    _track(request, proc)
    try:
        return proc.start()
    except ServerStartError as exc:
        proc.stop()
        pytest.fail(f"could not start {proc.binary}: {exc}", pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for proc in getattr(item, _SERVERS_ATTR, []):
            report.sections.append((f"log of {proc.binary.name} :{proc.port}", proc.log_tail(40)))


def _server_args(request) -> list[str]:
    marker = request.node.get_closest_marker("server_args")
    return [str(a) for a in marker.args] if marker else []


def _missing_commands(request, proc: ServerProcess) -> list[str]:
    """Commands named by ``needs_commands`` markers that ``proc`` lacks."""
    names = [str(n) for m in request.node.iter_markers("needs_commands") for n in m.args]
    if not names:
        return []
    with RawConnection(proc.port) as conn:
        return unknown_commands(conn, *names)


@pytest.fixture
def server(request):
    """A fresh server under test, configured by any ``server_args`` marker."""
    binary = binary_under_test()
    if not binary.exists():
        pytest.fail(f"server binary {binary} does not exist: build it "
                    f"(swift build -c release) or set REDWING_BIN", pytrace=False)
    proc = _start(request, binary=binary, args=_server_args(request))
    missing = _missing_commands(request, proc)
    if missing:
        proc.stop()
        pytest.skip(f"server lacks {' '.join(missing)} (data-model milestone)")
    yield proc
    proc.stop()


@pytest.fixture
def r(server):
    """redis-py client (decode_responses=False) connected to ``server``."""
    return server.client()


@pytest.fixture
def raw(server):
    """Factory of raw RESP connections to ``server``; all closed at teardown."""
    opened: list[RawConnection] = []

    def connect(timeout: float = 5.0) -> RawConnection:
        conn = RawConnection(server.port, timeout=timeout)
        opened.append(conn)
        return conn

    yield connect
    for conn in opened:
        conn.close()


@pytest.fixture
def conn(raw):
    """One raw RESP connection to ``server``: replies are bytes/int/list/None
    and errors are ``raw_resp.Error`` values holding the exact text."""
    return raw()


@functools.lru_cache(maxsize=1)
def _reference_version() -> str:
    done = subprocess.run([str(REFERENCE_BINARY), "--version"], capture_output=True,
                          text=True, timeout=10)
    return done.stdout.strip()


@pytest.fixture
def reference(request):
    """A real redis-server 7.0 started exactly like ``server``."""
    if not REFERENCE_BINARY.exists():
        pytest.skip(f"{REFERENCE_BINARY} is not installed")
    if " v=7.0." not in _reference_version():
        pytest.skip(f"reference must be Redis 7.0, found: {_reference_version()}")
    proc = _start(request, binary=REFERENCE_BINARY, args=_server_args(request))
    yield proc
    proc.stop()


@pytest.fixture
def start_server(request):
    """Factory: ``start_server(args=[...], config_file=..., default_args=True)``.

    Starts another instance of the binary under test; every instance is
    stopped at teardown even if the test fails.
    """
    started: list[ServerProcess] = []

    def start(**kwargs) -> ServerProcess:
        kwargs.setdefault("binary", binary_under_test())
        proc = _start(request, **kwargs)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()

