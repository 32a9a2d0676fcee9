"""Behaviours fixed after review; each test failed before its fix. They pass against real
redis-server 7.0.15 too (REDWING_BIN=/usr/bin/redis-server)."""

import time

import pytest

from raw_resp import Error, encode_command, err


def test_client_pause_with_huge_timeout_does_not_crash(raw):
    a, b = raw(), raw()
    assert a.call("CLIENT", "PAUSE", "9223372036854775807", "WRITE") == b"OK"
    assert b.call("GET", "k") is None          # reads still served during a WRITE pause
    assert a.call("CLIENT", "UNPAUSE") == b"OK"
    assert b.call("SET", "k", "v") == b"OK"


def test_reply_skip_covers_an_unknown_command(conn):
    conn.send(encode_command("CLIENT", "REPLY", "SKIP") + encode_command("NOSUCHCOMMAND")
              + encode_command("PING"))
    assert conn.read_available(0.5) == b"+PONG\r\n"


@pytest.mark.server_args("--requirepass", "secret")
def test_clearing_requirepass_lets_unauthenticated_clients_in(raw):
    admin, other = raw(), raw()
    assert other.call("GET", "k") == err("NOAUTH Authentication required.")
    assert admin.call("AUTH", "secret") == b"OK"
    assert admin.call("CONFIG", "SET", "requirepass", "") == b"OK"
    assert other.call("GET", "k") is None


@pytest.mark.server_args("--requirepass", "secret")
def test_unauthenticated_clients_get_small_input_limits(raw):
    c = raw()
    c.send(b"*11\r\n")
    assert c.read_until_closed() == b"-ERR Protocol error: unauthenticated multibulk length\r\n"
    c = raw()
    c.send(b"*1\r\n$16385\r\n")
    assert c.read_until_closed() == b"-ERR Protocol error: unauthenticated bulk length\r\n"
    c = raw()
    assert c.call("AUTH", "secret") == b"OK"
    assert c.call("SET", "k", "x" * 20000) == b"OK"


@pytest.mark.server_args("--requirepass", "secret", "--slowlog-log-slower-than", "0")
def test_slowlog_redacts_credentials(conn):
    assert conn.call("AUTH", "secret") == b"OK"
    assert conn.call("HELLO", "2", "AUTH", "default", "secret") is not None
    entries = conn.call("SLOWLOG", "GET", "-1")
    args = [e[3] for e in entries]
    assert [b"AUTH", b"(redacted)"] in args
    assert [b"HELLO", b"2", b"AUTH", b"(redacted)", b"(redacted)"] in args
    assert all(b"secret" not in a for e in args for a in e)


def test_set_repeats_the_same_expire_option(conn):
    assert conn.call("SET", "k", "v", "EX", "10", "EX", "20") == b"OK"
    assert 10 < conn.call("TTL", "k") <= 20
    assert conn.call("SET", "k", "v", "EX", "10", "PX", "20") == err("ERR syntax error")


def test_randomkey_never_returns_an_expired_key(conn):
    assert conn.call("SET", "a", "1", "PX", "1") == b"OK"
    assert conn.call("SET", "b", "1", "PX", "1") == b"OK"
    time.sleep(0.05)
    assert conn.call("RANDOMKEY") is None


def test_failed_config_set_leaves_dir_alone(conn, tmp_path):
    before = conn.call("CONFIG", "GET", "dir")
    reply = conn.call("CONFIG", "SET", "dir", str(tmp_path), "port", "abc")
    assert isinstance(reply, Error)
    assert conn.call("CONFIG", "GET", "dir") == before
