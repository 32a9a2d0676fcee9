"""Start-up behaviour: config files (quotes, include, units), fatal config
errors, daemonize with pidfile and logfile, and Redis's log line format."""

import os
import re
import signal
import time
from pathlib import Path

import pytest

from raw_resp import RawConnection
from server_process import LOOPBACK, binary_under_test, free_port, ping_once, run_to_exit, \
    write_config

# "1234:M 22 Nov 2026 00:08:04.491 * Ready to accept connections"
LOG_LINE = re.compile(
    r"(?P<pid>\d+):(?P<role>[CMSX]) (?P<day>\d\d) "
    r"(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?P<year>\d{4}) "
    r"(?P<time>\d\d:\d\d:\d\d\.\d{3}) (?P<level>[.\-*#]) (?P<message>.*)")
SIGNAL_LINE = re.compile(r"\d+:signal-handler \(\d+\) .*")


def config_get(port, *names, password=None):
    with RawConnection(port) as conn:
        if password is not None:
            assert conn.call("AUTH", password) == b"OK"
        reply = conn.call("CONFIG", "GET", *names)
    return {k.decode(): v.decode() for k, v in zip(reply[0::2], reply[1::2])}


def base_lines(port, directory):
    return [f"port {port}", f"bind {LOOPBACK}", f'dir "{directory}"', 'save ""',
            "appendonly no"]


# ------------------------------------------------------------ config files

def test_config_file_quotes_include_units(start_server, tmp_path):
    port = free_port()
    write_config(tmp_path, "included.conf", [
        "# included file",
        "maxmemory-policy allkeys-lru",
        "client-query-buffer-limit 2mb",
        "timeout 7",
    ])
    main = write_config(tmp_path, "main.conf", base_lines(port, tmp_path) + [
        "",
        "   # indented comment",
        "maxmemory 1gb",
        'requirepass "pa ss\\x21"',
        "timeout 3",
        f"include {tmp_path / 'included.conf'}",
        "MAXMEMORY-SAMPLES 7",
        "proto-max-bulk-len 2MB",
        "slowlog-log-slower-than 1",
        'slowlog-log-slower-than "2500"',   # a later line wins; numbers may be quoted
        "hz    25",
    ])
    proc = start_server(config_file=main, default_args=False, port=port, workdir=tmp_path)
    values = config_get(proc.port, "maxmemory", "maxmemory-policy", "client-query-buffer-limit",
                        "requirepass", "timeout", "maxmemory-samples", "proto-max-bulk-len",
                        "slowlog-log-slower-than", "hz", password="pa ss!")
    assert values == {
        "maxmemory": "1073741824",
        "maxmemory-policy": "allkeys-lru",
        "client-query-buffer-limit": "2097152",
        "requirepass": "pa ss!",
        "timeout": "7",                      # the include came after "timeout 3"
        "maxmemory-samples": "7",
        "proto-max-bulk-len": "2097152",
        "slowlog-log-slower-than": "2500",
        "hz": "25",
    }


def test_command_line_overrides_config_file(start_server, tmp_path):
    port = free_port()
    main = write_config(tmp_path, "main.conf", base_lines(port, tmp_path) + ["maxmemory 1mb"])
    proc = start_server(config_file=main, default_args=False, port=port, workdir=tmp_path,
                        args=["--maxmemory", "2mb", "--hz", "15"])
    assert config_get(proc.port, "maxmemory", "hz") == {"maxmemory": "2097152", "hz": "15"}


def test_single_quoted_values(start_server, tmp_path):
    port = free_port()
    main = write_config(tmp_path, "main.conf", base_lines(port, tmp_path) + [
        "masteruser 'a b'", "masterauth 'it\\'s'"])
    proc = start_server(config_file=main, default_args=False, port=port, workdir=tmp_path)
    assert config_get(proc.port, "masteruser", "masterauth") == {
        "masteruser": "a b", "masterauth": "it's"}


# ------------------------------------------------------------- fatal errors

@pytest.mark.parametrize("bad_line, detail", [
    ("bogus-option yes", "bogus-option"),
    ("maxmemory 1gbx", "maxmemory"),
    ('save "unbalanced', "save"),
    ("port notanumber", "port"),
    ("appendonly perhaps", "appendonly"),
])
def test_bad_config_line_refuses_to_start(tmp_path, bad_line, detail):
    port = free_port()
    lines = [f"port {port}", "# a comment", bad_line, f"bind {LOOPBACK}"]
    path = write_config(tmp_path, "bad.conf", lines)
    result = run_to_exit([str(binary_under_test()), str(path)], cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert detail in output
    assert "line 3" in output, output
    assert not ping_once(port)


def test_unknown_command_line_option_refuses_to_start(tmp_path):
    port = free_port()
    result = run_to_exit([str(binary_under_test()), "--port", str(port), "--bind", LOOPBACK,
                          "--bogus-flag", "1"], cwd=tmp_path)
    assert result.returncode != 0
    assert "bogus-flag" in result.stdout + result.stderr
    assert not ping_once(port)


def test_missing_config_file_refuses_to_start(tmp_path):
    missing = tmp_path / "does-not-exist.conf"
    result = run_to_exit([str(binary_under_test()), str(missing)], cwd=tmp_path)
    assert result.returncode != 0
    assert str(missing) in result.stdout + result.stderr


# ------------------------------------------------------ daemonize + pidfile

@pytest.fixture
def daemon_reaper():
    """Remembers pidfiles of daemons started by a test and kills leftovers."""
    pidfiles = []
    yield pidfiles.append
    for pidfile in pidfiles:
        try:
            pid = int(Path(pidfile).read_text().strip())
        except (OSError, ValueError):
            continue
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                break
            time.sleep(0.5)


def wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_daemonize_pidfile_logfile(tmp_path, daemon_reaper):
    port = free_port()
    pidfile = tmp_path / "redwing.pid"
    logfile = tmp_path / "log dir" / "redwing.log"
    logfile.parent.mkdir()
    daemon_reaper(pidfile)
    conf = write_config(tmp_path, "daemon.conf", base_lines(port, tmp_path) + [
        "daemonize yes",
        f'pidfile "{pidfile}"',
        f'logfile "{logfile}"',
    ])
    result = run_to_exit([str(binary_under_test()), str(conf)], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""          # everything goes to the logfile

    assert wait_until(lambda: ping_once(port)), "daemon never answered PING"
    assert wait_until(pidfile.exists)
    pid = int(pidfile.read_text().strip())
    assert process_alive(pid)
    with RawConnection(port) as conn:
        info = conn.call("INFO", "server").decode()
    assert f"process_id:{pid}\r\n" in info

    assert wait_until(lambda: "Ready to accept connections" in logfile.read_text())
    lines = [l for l in logfile.read_text().splitlines() if l.strip()]
    for line in lines:
        assert LOG_LINE.fullmatch(line) or SIGNAL_LINE.fullmatch(line), f"bad log line: {line!r}"
    ready = [LOG_LINE.fullmatch(l) for l in lines if "Ready to accept connections" in l][0]
    assert ready["message"] == "Ready to accept connections"
    assert ready["role"] == "M" and ready["level"] == "*"
    assert int(ready["pid"]) == pid
    assert int(ready["year"]) >= 2024

    os.kill(pid, signal.SIGTERM)
    assert wait_until(lambda: not process_alive(pid)), "daemon ignored SIGTERM"
    assert not pidfile.exists(), "pidfile must be removed on clean shutdown"
    assert not ping_once(port)


def test_logfile_without_daemonize(start_server, tmp_path):
    port = free_port()
    logfile = tmp_path / "server.log"
    proc = start_server(args=["--logfile", str(logfile)], port=port, workdir=tmp_path)
    assert wait_until(lambda: logfile.exists() and
                      "Ready to accept connections" in logfile.read_text())
    first = logfile.read_text().splitlines()[0]
    assert LOG_LINE.fullmatch(first), first
    assert LOG_LINE.fullmatch(first)["pid"] == str(proc.pid)


def test_sigterm_removes_pidfile_when_not_daemonized(start_server, tmp_path):
    pidfile = tmp_path / "fg.pid"
    proc = start_server(args=["--pidfile", str(pidfile)], workdir=tmp_path)
    assert wait_until(pidfile.exists)
    assert int(pidfile.read_text().strip()) == proc.pid
    proc.proc.send_signal(signal.SIGTERM)
    assert proc.wait_exit(10) == 0
    assert not pidfile.exists()
