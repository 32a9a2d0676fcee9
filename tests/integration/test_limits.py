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


# ------------------------------------------------------- output backpressure

def _rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    raise AssertionError("no VmRSS")


def test_client_that_never_reads_replies_does_not_grow_memory(server):
    """A client pipelining GETs of a 100 KB value without reading the replies must not make
    the server's memory grow without bound; once it reads, every reply arrives.
    (Redwing stops reading such a client while its output is large; real Redis buffers
    without limit for normal clients, so this test only runs against Redwing.)"""
    if "redis-server" in server.binary.name:
        pytest.skip("redis-server buffers normal clients' output without limit")
    import socket
    s = socket.create_connection(("127.0.0.1", server.port))
    try:
        s.sendall(encode_command("SET", "v", "x" * 100_000))
        assert s.recv(100) == b"+OK\r\n"
        s.settimeout(2.0)
        batch = encode_command("GET", "v") * 1000
        sent = 0
        try:
            for _ in range(400):          # up to 40 GB of replies if nothing pushed back
                s.sendall(batch)
                sent += 1000
        except socket.timeout:
            pass
        assert sent < 400_000, "the server never stopped taking input"
        assert _rss_mb(server.pid) < 400
        # Reading everything back: the server resumes and answers every GET in full.
        # (A batch cut by the send timeout may add a few more complete GETs.)
        reply = len(b"$100000\r\n" + b"x" * 100_000 + b"\r\n")
        want = sent * reply
        got = 0
        s.settimeout(20.0)
        while got < want:
            chunk = s.recv(1 << 20)
            assert chunk, "connection closed early"
            got += len(chunk)
        s.settimeout(1.0)
        try:
            while chunk := s.recv(1 << 20):
                got += len(chunk)
        except socket.timeout:
            pass
        assert got >= want and got % reply == 0
        assert _rss_mb(server.pid) < 400
    finally:
        s.close()
