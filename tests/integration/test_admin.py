"""Server administration: TIME, SLOWLOG, MONITOR, DEBUG SLEEP, SHUTDOWN."""

import re
import time

import pytest

from raw_resp import SYNTAX, err

DEBUG = pytest.mark.server_args("--enable-debug-command", "yes")


# --------------------------------------------------------------------- TIME

def test_time(conn):
    reply = conn.call("TIME")
    assert len(reply) == 2 and all(isinstance(part, bytes) for part in reply)
    seconds, micros = int(reply[0]), int(reply[1])
    assert abs(seconds - time.time()) < 5
    assert 0 <= micros < 1_000_000
    assert conn.call("TIME", "x") == err("ERR wrong number of arguments for 'time' command")


# ------------------------------------------------------------------ SLOWLOG

@pytest.fixture
def slowlog_all(conn):
    """Log every command (threshold 0) starting from an empty slowlog."""
    assert conn.call("CONFIG", "SET", "slowlog-log-slower-than", 0) == b"OK"
    assert conn.call("SLOWLOG", "RESET") == b"OK"
    return conn


def test_slowlog_entry_shape(slowlog_all):
    conn = slowlog_all
    conn.call("CLIENT", "SETNAME", "slowpoke")
    conn.call("SET", "k", "v")
    entries = conn.call("SLOWLOG", "GET", 1)
    assert len(entries) == 1
    entry_id, timestamp, duration, args, addr, name = entries[0]
    assert isinstance(entry_id, int) and entry_id >= 0
    assert abs(timestamp - time.time()) < 5
    assert isinstance(duration, int) and duration >= 0
    assert args == [b"SET", b"k", b"v"]       # original argument case is kept
    assert re.fullmatch(rb"127\.0\.0\.1:\d+", addr)
    assert name == b"slowpoke"


def test_slowlog_len_get_reset(slowlog_all):
    conn = slowlog_all
    for i in range(5):
        conn.call("SET", f"k{i}", i)
    # SLOWLOG RESET itself (and anything after it) is logged.
    assert conn.call("SLOWLOG", "LEN") == 6
    newest_first = conn.call("SLOWLOG", "GET")
    ids = [entry[0] for entry in newest_first]
    assert ids == sorted(ids, reverse=True)
    assert [entry[3][0] for entry in newest_first][:2] == [b"SLOWLOG", b"SET"]
    assert len(conn.call("SLOWLOG", "GET", 2)) == 2
    assert conn.call("SLOWLOG", "GET", 0) == []
    assert len(conn.call("SLOWLOG", "GET", -1)) == conn.call("SLOWLOG", "LEN") - 1
    assert conn.call("SLOWLOG", "RESET") == b"OK"
    assert conn.call("SLOWLOG", "LEN") == 1


def test_slowlog_default_get_returns_ten(slowlog_all):
    conn = slowlog_all
    for i in range(15):
        conn.call("PING")
    assert len(conn.call("SLOWLOG", "GET")) == 10


def test_slowlog_max_len(slowlog_all):
    conn = slowlog_all
    conn.call("CONFIG", "SET", "slowlog-max-len", 3)
    for i in range(10):
        conn.call("PING")
    assert conn.call("SLOWLOG", "LEN") == 3


def test_slowlog_truncates_arguments(slowlog_all):
    conn = slowlog_all
    conn.call("SET", "k", "x" * 200)
    conn.call("MSET", *[str(i) for i in range(40)])
    mset_entry, set_entry = conn.call("SLOWLOG", "GET", 2)
    assert set_entry[3] == [b"SET", b"k", b"x" * 128 + b"... (72 more bytes)"]
    assert mset_entry[3] == [b"MSET"] + [str(i).encode() for i in range(30)] + [
        b"... (10 more arguments)"]


def test_slowlog_threshold(conn):
    conn.call("CONFIG", "SET", "slowlog-log-slower-than", -1)
    conn.call("SLOWLOG", "RESET")
    conn.call("PING")
    assert conn.call("SLOWLOG", "LEN") == 0
    conn.call("CONFIG", "SET", "slowlog-log-slower-than", 10_000_000)
    conn.call("PING")
    assert conn.call("SLOWLOG", "LEN") == 0


def test_slowlog_errors(conn):
    assert conn.call("SLOWLOG", "GET", "abc") == err(
        "ERR count should be greater than or equal to -1")
    assert conn.call("SLOWLOG", "GET", -2) == err(
        "ERR count should be greater than or equal to -1")
    assert conn.call("SLOWLOG", "foo") == err("ERR unknown subcommand 'foo'. Try SLOWLOG HELP.")
    assert conn.call("SLOWLOG", "HELP")[0] == (
        b"SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")


# ------------------------------------------------------------------ MONITOR

MONITOR_LINE = re.compile(rb"\+(\d+)\.(\d{6}) \[(\d+) 127\.0\.0\.1:(\d+)\] (.*)")


def monitor_lines(conn, count, timeout=5.0):
    lines = []
    deadline = time.monotonic() + timeout
    while len(lines) < count and time.monotonic() < deadline:
        lines += [l for l in conn.read_available(0.2).split(b"\r\n") if l]
    return lines


def test_monitor_output_format(raw):
    monitor, worker = raw(), raw()
    assert monitor.call_raw("MONITOR") == b"+OK\r\n"
    worker.call("SET", "k k", b'"\\\x01\n')
    worker.call("SELECT", 2)
    worker.call("GET", "x")
    lines = monitor_lines(monitor, 3)
    assert len(lines) == 3
    parsed = [MONITOR_LINE.fullmatch(line) for line in lines]
    assert all(parsed), lines
    assert abs(int(parsed[0].group(1)) - time.time()) < 5
    # Arguments are quoted and escaped like sdscatrepr.
    assert parsed[0].group(5) == b'"SET" "k k" "\\"\\\\\\x01\\n"'
    assert parsed[0].group(3) == b"0"
    # The db shown is the client's db after the command ran.
    assert parsed[1].group(3) == b"2" and parsed[1].group(5) == b'"SELECT" "2"'
    assert parsed[2].group(3) == b"2" and parsed[2].group(5) == b'"GET" "x"'


def test_monitor_skips_admin_commands_but_shows_its_own(raw):
    monitor, worker = raw(), raw()
    monitor.call("MONITOR")
    worker.call("CONFIG", "GET", "hz")      # admin commands are not fed to monitors
    worker.call("PING")
    monitor.send(b"PING\r\n")
    lines = monitor_lines(monitor, 3)
    # Its own PING gets the reply first, then the feed line.
    assert lines[1] == b"+PONG"
    assert [MONITOR_LINE.fullmatch(lines[i]).group(5) for i in (0, 2)] == [b'"PING"', b'"PING"']


def test_monitor_client_cannot_run_keyspace_commands(raw):
    monitor = raw()
    monitor.call("MONITOR")
    monitor.send(b"GET x\r\n")
    assert b"-ERR Replica can't interact with the keyspace\r\n" in monitor.read_available(0.5)


# -------------------------------------------------------------------- DEBUG

def test_debug_disabled_by_default(conn):
    assert conn.call("DEBUG", "SLEEP", 0) == err(
        "ERR DEBUG command not allowed. If the enable-debug-command option is set to "
        "\"local\", you can run it from a local connection, otherwise you need to set this "
        "option in the configuration file, and then restart the server.")


@DEBUG
def test_debug_sleep_blocks_the_server(raw):
    sleeper, other = raw(), raw()
    sleeper.send_command("DEBUG", "SLEEP", "0.5")
    time.sleep(0.05)
    start = time.monotonic()
    assert other.call("PING") == b"PONG"
    assert time.monotonic() - start > 0.3
    assert sleeper.read_reply() == b"OK"
    assert sleeper.call("DEBUG", "SLEEP", 0) == b"OK"


@DEBUG
def test_debug_unknown_subcommand(conn):
    assert conn.call("DEBUG", "nosuch") == err(
        "ERR unknown subcommand or wrong number of arguments for 'nosuch'. Try DEBUG HELP.")
    assert conn.call("DEBUG") == err("ERR wrong number of arguments for 'debug' command")


# ----------------------------------------------------------------- SHUTDOWN

@pytest.mark.parametrize("args", [[], ["NOSAVE"]])
def test_shutdown_closes_connection_and_exits_zero(server, raw, args):
    conn = raw()
    conn.send_command("SHUTDOWN", *args)
    assert conn.read_until_closed(timeout=10) == b""
    assert server.wait_exit(timeout=10) == 0


def test_shutdown_syntax_errors(conn, server):
    assert conn.call("SHUTDOWN", "foo") == SYNTAX
    assert conn.call("SHUTDOWN", "NOSAVE", "SAVE") == SYNTAX
    assert conn.call("SHUTDOWN", "ABORT") == err("ERR No shutdown in progress.")
    assert server.is_running()


def test_sigterm_exits_cleanly(server):
    server.proc.terminate()
    assert server.wait_exit(timeout=10) == 0
