"""Start and stop a Redis-compatible server binary for integration tests.

The same class drives both the server under test (Redwing, or whatever
``REDWING_BIN`` points at) and the reference ``redis-server``, so every test
can be validated against real Redis simply by setting
``REDWING_BIN=/usr/bin/redis-server``.

Servers only ever listen on 127.0.0.1, live in a private temporary directory,
and are always stopped by ``stop()`` (SIGTERM, then SIGKILL as a fallback).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterable, Optional, Sequence

import redis

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BINARY = REPO_ROOT / ".build" / "release" / "redwing-server"
REFERENCE_BINARY = Path("/usr/bin/redis-server")
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"
LOOPBACK = "127.0.0.1"
STARTUP_TIMEOUT = 10.0


def binary_under_test() -> Path:
    """The binary being tested: ``$REDWING_BIN`` or the release build."""
    override = os.environ.get("REDWING_BIN")
    return Path(override) if override else DEFAULT_BINARY


def free_port() -> int:
    """Ask the kernel for a currently unused loopback port.

    There is an unavoidable race between closing this socket and the server
    binding the port; ``ServerProcess.start`` retries on a different port if
    the server fails to come up.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def ping_once(port: int, timeout: float = 0.5) -> bool:
    """True if something on ``port`` answers an inline PING with +PONG.

    A ``-NOAUTH`` reply also counts: the server is up, it merely wants a
    password (tests that set ``requirepass`` rely on this).
    """
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            reply = sock.recv(64)
            return reply.startswith(b"+PONG") or reply.startswith(b"-NOAUTH")
    except OSError:
        return False


class ServerStartError(RuntimeError):
    """The server exited or never answered PING; carries its log tail."""


class ServerProcess:
    """One running server process bound to a free loopback port.

    ``args`` are extra command-line arguments appended after the defaults,
    e.g. ``["--requirepass", "secret"]``.  ``config_file`` (a path) is
    passed as the first argument, exactly as ``redis-server redis.conf``.
    ``default_args=False`` drops the port/bind/dir/save/appendonly defaults,
    for tests (daemon mode) that put everything into the config file.
    """

    def __init__(
        self,
        binary: Optional[os.PathLike | str] = None,
        args: Sequence[str] = (),
        config_file: Optional[os.PathLike | str] = None,
        workdir: Optional[os.PathLike | str] = None,
        default_args: bool = True,
        port: Optional[int] = None,
    ):
        self.binary = Path(binary) if binary else binary_under_test()
        self.extra_args = list(args)
        self.config_file = Path(config_file) if config_file else None
        self.default_args = default_args
        self._own_workdir = workdir is None
        self.dir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="redwing-it-"))
        self.port = port or free_port()
        self.log_path = self.dir / "server-output.log"
        self.proc: Optional[subprocess.Popen] = None
        self._clients: list[redis.Redis] = []

    # ------------------------------------------------------------------ start
    def command_line(self) -> list[str]:
        """The argv used to launch the server (also handy in failure messages)."""
        argv = [str(self.binary)]
        if self.config_file is not None:
            argv.append(str(self.config_file))
        if self.default_args:
            argv += [
                "--port", str(self.port),
                "--bind", LOOPBACK,
                "--dir", str(self.dir),
                "--save", "",
                "--appendonly", "no",
            ]
        argv += self.extra_args
        return argv

    def start(self, timeout: float = STARTUP_TIMEOUT, attempts: int = 3) -> "ServerProcess":
        """Launch and wait until PING answers; retry on a new port if needed."""
        if not self.binary.exists():
            raise ServerStartError(f"server binary not found: {self.binary}")
        last_error: Optional[Exception] = None
        for attempt in range(attempts):
            try:
                self._launch()
                self._wait_ready(timeout)
                return self
            except ServerStartError as exc:
                last_error = exc
                self._kill_hard()
                if "Address already in use" not in self.log_text() or not self.default_args:
                    break
                self.port = free_port()
        raise last_error  # type: ignore[misc]

    def _launch(self) -> None:
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(
                self.command_line(),
                cwd=self.dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise ServerStartError(
                    f"server exited with {self.proc.returncode} during start-up\n"
                    f"argv: {self.command_line()}\n{self.log_tail()}"
                )
            if ping_once(self.port):
                return
            time.sleep(0.02)
        raise ServerStartError(
            f"server did not answer PING within {timeout}s\n"
            f"argv: {self.command_line()}\n{self.log_tail()}"
        )

    # ---------------------------------------------------------------- clients
    def client(self, **kwargs) -> redis.Redis:
        """A redis-py client (bytes replies); closed automatically on stop()."""
        options = dict(host=LOOPBACK, port=self.port, decode_responses=False,
                       socket_timeout=10)
        options.update(kwargs)
        connection = redis.Redis(**options)
        self._clients.append(connection)
        return connection

    def cli(self, *args: str, password: Optional[str] = None, timeout: float = 10) -> str:
        """Run ``redis-cli -h 127.0.0.1 -p PORT args...`` and return stdout."""
        argv = [REDIS_CLI, "-h", LOOPBACK, "-p", str(self.port)]
        if password is not None:
            argv += ["--no-auth-warning", "-a", password]
        argv += list(args)
        done = subprocess.run(argv, capture_output=True, timeout=timeout, text=True)
        return done.stdout

    def connect_raw(self, timeout: float = 5.0) -> socket.socket:
        """A plain TCP socket to the server, for protocol-level tests."""
        return socket.create_connection((LOOPBACK, self.port), timeout=timeout)

    # ------------------------------------------------------------------- stop
    @property
    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc else None

    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_exit(self, timeout: float = 10.0) -> Optional[int]:
        """Wait for the process to exit by itself; returns its exit code."""
        if self.proc is None:
            return None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, wait, then SIGKILL; also removes our temp dir."""
        for connection in self._clients:
            try:
                connection.close()
            except Exception:
                pass
        self._clients.clear()
        if self.is_running():
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._kill_hard()
            except ProcessLookupError:
                pass
        if self._own_workdir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _kill_hard(self) -> None:
        if self.is_running():
            try:
                self.proc.kill()
                self.proc.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass

    # -------------------------------------------------------------------- log
    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<ServerProcess {self.binary} port={self.port} pid={self.pid}>"


def write_config(directory: os.PathLike | str, name: str, lines: Iterable[str]) -> Path:
    """Write a config file (one directive per line) and return its path."""
    path = Path(directory) / name
    path.write_text("\n".join(lines) + "\n")
    return path


def run_to_exit(argv: Sequence[str], timeout: float = 10.0, cwd=None) -> subprocess.CompletedProcess:
    """Run a server command line that is expected to exit on its own.

    Used for start-up failures (bad config) and daemonize (the parent exits).
    Output goes to temporary files rather than pipes so that a daemonized
    child which keeps the descriptors open cannot make us hang.  The process
    group is killed if it overstays.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(list(argv), stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, cwd=cwd, start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(list(argv), proc.returncode,
                                           out.read().decode(errors="replace"),
                                           err.read().decode(errors="replace"))
