"""Resource limits: maxclients, idle timeout, proto-max-bulk-len and
client-query-buffer-limit."""

import time

import pytest

from raw_resp import RawConnection, encode_command, err

TOO_BIG = err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")


def info_field(conn, section, field):
    for line in conn.call("INFO", section).decode().split("\r\n"):
        if line.startswith(field + ":"):
            return line.split(":", 1)[1]
    raise AssertionError(field)


# --------------------------------------------------------------- maxclients

@pytest.mark.server_args("--maxclients", "3")
def test_maxclients_rejects_extra_connection(server, raw):
    first = raw()
    # Let the server notice that the harness's start-up probe disconnected.
    deadline = time.monotonic() + 5
    while info_field(first, "clients", "connected_clients") != "1":
        assert time.monotonic() < deadline, "start-up probe connection never went away"
        time.sleep(0.05)
    clients = [first, raw(), raw()]
    for c in clients:
        assert c.call("PING") == b"PONG"
    extra = raw()
    assert extra.read_until_closed() == b"-ERR max number of clients reached\r\n"
    assert int(info_field(clients[0], "stats", "rejected_connections")) >= 1
    # A slot frees up when someone leaves.
    clients.pop().close()
    deadline = time.monotonic() + 5
    while True:
        newcomer = raw()
        try:
            if newcomer.call("PING") == b"PONG":
                break
        except Exception:
            pass
        assert time.monotonic() < deadline, "slot was never released"
        time.sleep(0.1)


@pytest.mark.server_args("--maxclients", "3")
def test_maxclients_reported(conn):
    assert conn.call("CONFIG", "GET", "maxclients") == [b"maxclients", b"3"]
    assert info_field(conn, "clients", "maxclients") == "3"


# ------------------------------------------------------------------ timeout

@pytest.mark.server_args("--timeout", "1")
def test_idle_client_is_closed_after_timeout(raw):
    idle, busy = raw(), raw()
    idle.call("PING")
    start = time.monotonic()
    for _ in range(12):
        assert busy.call("PING") == b"PONG"
        time.sleep(0.25)
    # The idle one was closed silently (no error reply); the busy one lives.
    assert idle.read_until_closed(timeout=3) == b""
    assert 1.0 <= time.monotonic() - start
    assert busy.call("PING") == b"PONG"


def test_timeout_zero_never_closes(raw):
    idle = raw()
    idle.call("PING")
    time.sleep(1.5)
    assert idle.call("PING") == b"PONG"


def test_timeout_can_be_set_at_runtime(raw):
    admin = raw()
    assert admin.call("CONFIG", "SET", "timeout", 1) == b"OK"
    idle = raw()
    idle.call("PING")
    assert idle.is_closed(wait=4)


# ------------------------------------------------------- proto-max-bulk-len

@pytest.mark.server_args("--proto-max-bulk-len", "1mb")
def test_proto_max_bulk_len(raw):
    conn = raw()
    conn.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n")
    assert conn.read_until_closed() == b"-ERR Protocol error: invalid bulk length\r\n"
    ok = raw()
    assert ok.call("SET", "k", b"x" * 1048576) == b"OK"
    assert ok.call("STRLEN", "k") == 1048576
    assert ok.call("APPEND", "k", "y") == TOO_BIG
    assert ok.call("SETRANGE", "k", 1048576, "y") == TOO_BIG
    assert ok.call("SETRANGE", "k", 1048575, "y") == 1048576


def test_proto_max_bulk_len_config(conn):
    assert conn.call("CONFIG", "GET", "proto-max-bulk-len") == [b"proto-max-bulk-len",
                                                                 b"536870912"]
    assert conn.call("CONFIG", "SET", "proto-max-bulk-len", "1000") == err(
        "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - "
        "argument must be between 1048576 and 9223372036854775807 inclusive")
    assert conn.call("CONFIG", "SET", "proto-max-bulk-len", "2mb") == b"OK"
    conn.send(b"*2\r\n$4\r\nECHO\r\n$3000000\r\n")
    assert conn.read_until_closed() == b"-ERR Protocol error: invalid bulk length\r\n"


# ------------------------------------------------ client-query-buffer-limit

@pytest.mark.server_args("--client-query-buffer-limit", "1mb")
def test_query_buffer_limit_closes_client(raw):
    conn = raw()
    payload = encode_command("SET", "big", b"x" * (2 * 1024 * 1024))
    try:
        conn.send(payload)
    except (BrokenPipeError, ConnectionResetError):
        pass
    # Redis closes the connection without an error reply.
    assert conn.read_until_closed() == b""
    other = raw()
    assert other.call("EXISTS", "big") == 0
    assert other.call("PING") == b"PONG"


@pytest.mark.server_args("--client-query-buffer-limit", "1mb")
def test_query_buffer_limit_allows_many_small_commands(raw):
    conn = raw()
    payload = b"".join(encode_command("SET", f"k{i}", b"v" * 100_000) for i in range(20))
    conn.send(payload)
    for _ in range(20):
        assert conn.read_reply() == b"OK"


def test_query_buffer_limit_config(conn):
    assert conn.call("CONFIG", "GET", "client-query-buffer-limit") == [
        b"client-query-buffer-limit", b"1073741824"]
    assert conn.call("CONFIG", "SET", "client-query-buffer-limit", "1000") == err(
        "ERR CONFIG SET failed (possibly related to argument 'client-query-buffer-limit') - "
        "argument must be between 1048576 and 9223372036854775807 inclusive")
