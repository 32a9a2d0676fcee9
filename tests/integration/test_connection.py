"""Connection commands: PING, ECHO, QUIT, HELLO (RESP2/RESP3) and AUTH."""

import re

import pytest

from raw_resp import SYNTAX, err

PASSWORD = "s3cret pass"   # contains a space on purpose
NEEDS_PASSWORD = pytest.mark.server_args("--requirepass", PASSWORD)
NOAUTH = err("NOAUTH Authentication required.")
WRONGPASS = err("WRONGPASS invalid username-password pair or user is disabled.")

HELLO_FIELDS = [b"server", b"version", b"proto", b"id", b"mode", b"role", b"modules"]


# ---------------------------------------------------------------- PING ECHO

def test_ping(conn):
    assert conn.call_raw("PING") == b"+PONG\r\n"
    assert conn.call_raw("PING", "hello world") == b"$11\r\nhello world\r\n"
    assert conn.call("PING", "a", "b") == err("ERR wrong number of arguments for 'ping' command")


def test_echo(conn):
    assert conn.call_raw("ECHO", "") == b"$0\r\n\r\n"
    assert conn.call("ECHO", b"\x00\xff\r\n") == b"\x00\xff\r\n"
    assert conn.call("ECHO") == err("ERR wrong number of arguments for 'echo' command")
    assert conn.call("ECHO", "a", "b") == err("ERR wrong number of arguments for 'echo' command")


def test_quit_with_arguments_still_quits(conn):
    conn.send_command("QUIT", "whatever")
    assert conn.read_until_closed() == b"+OK\r\n"


def test_redis_py_basics(r):
    assert r.ping() is True
    assert r.echo("hi") == b"hi"
    assert r.set("k", "v") is True
    assert r.get("k") == b"v"


# -------------------------------------------------------------------- HELLO

def test_hello_default_is_resp2_array(conn):
    reply = conn.call("HELLO")
    assert reply[0::2] == HELLO_FIELDS
    fields = dict(zip(reply[0::2], reply[1::2]))
    assert fields[b"server"] == b"redis"
    assert re.fullmatch(rb"7\.0\.\d+", fields[b"version"])
    assert fields[b"proto"] == 2
    assert fields[b"id"] == conn.call("CLIENT", "ID")
    assert fields[b"mode"] == b"standalone"
    assert fields[b"role"] == b"master"
    assert fields[b"modules"] == []


def test_hello_3_switches_to_resp3_map(conn):
    raw = conn.call_raw("HELLO", 3)
    assert raw.startswith(b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n")
    assert b"$5\r\nproto\r\n:3\r\n" in raw
    assert raw.endswith(b"$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
                        b"$7\r\nmodules\r\n*0\r\n")
    # RESP3 from now on: null is '_', not '$-1'.
    assert conn.call_raw("GET", "missing") == b"_\r\n"
    assert conn.call_raw("SET", "k", "v") == b"+OK\r\n"
    assert conn.call_raw("GET", "k") == b"$1\r\nv\r\n"
    # Back to RESP2.
    assert conn.call_raw("HELLO", 2).startswith(b"*14\r\n")
    assert conn.call_raw("GET", "missing") == b"$-1\r\n"


def test_hello_3_with_redis_py(server):
    client = server.client(protocol=3)
    info = client.execute_command("HELLO", 3)
    assert isinstance(info, dict)
    assert info[b"proto"] == 3
    assert info[b"server"] == b"redis"
    assert client.get("missing") is None
    assert client.set("k", "v") is True
    assert client.get("k") == b"v"


def test_hello_setname(conn):
    reply = conn.call("HELLO", 3, "SETNAME", "conn-name")
    assert reply[b"proto"] == 3
    assert conn.call("CLIENT", "GETNAME") == b"conn-name"
    assert conn.call("HELLO", 2, "SETNAME", "a b") == err(
        "ERR Client names cannot contain spaces, newlines or special characters.")


@pytest.mark.parametrize("args, reply", [
    ([4], err("NOPROTO unsupported protocol version")),
    ([1], err("NOPROTO unsupported protocol version")),
    (["abc"], err("ERR Protocol version is not an integer or out of range")),
    ([3, "foo"], err("ERR Syntax error in HELLO option 'foo'")),
    ([3, "AUTH", "default"], err("ERR Syntax error in HELLO option 'AUTH'")),
])
def test_hello_errors(conn, args, reply):
    assert conn.call("HELLO", *args) == reply
    assert conn.call_raw("GET", "missing") == b"$-1\r\n"   # still RESP2


# --------------------------------------------------------------------- AUTH

def test_auth_without_password_configured(conn):
    assert conn.call("AUTH", "x") == err(
        "ERR AUTH <password> called without any password configured for the default user. "
        "Are you sure your configuration is correct?")
    assert conn.call("AUTH", "nouser", "x") == WRONGPASS
    assert conn.call("AUTH") == err("ERR wrong number of arguments for 'auth' command")


@NEEDS_PASSWORD
def test_noauth_before_authentication(conn):
    assert conn.call_raw("PING") == b"-NOAUTH Authentication required.\r\n"
    assert conn.call("GET", "k") == NOAUTH
    assert conn.call("ECHO", "a") == NOAUTH
    assert conn.call("CLIENT", "ID") == NOAUTH
    # Command lookup and arity checks happen before the auth check.
    assert conn.call("nosuchcommand") == err(
        "ERR unknown command 'nosuchcommand', with args beginning with: ")
    assert conn.call("GET") == err("ERR wrong number of arguments for 'get' command")


@NEEDS_PASSWORD
def test_auth_with_requirepass(conn):
    assert conn.call("AUTH", "wrong") == WRONGPASS
    assert conn.call("AUTH", "default", "wrong") == WRONGPASS
    assert conn.call("GET", "k") == NOAUTH
    assert conn.call("AUTH", PASSWORD, "x", "y") == SYNTAX
    assert conn.call_raw("AUTH", PASSWORD) == b"+OK\r\n"
    assert conn.call("SET", "k", "v") == b"OK"
    assert conn.call("AUTH", "default", PASSWORD) == b"OK"
    assert conn.call("GET", "k") == b"v"


@NEEDS_PASSWORD
def test_auth_is_per_connection(raw):
    first, second = raw(), raw()
    assert first.call("AUTH", PASSWORD) == b"OK"
    assert first.call("PING") == b"PONG"
    assert second.call("PING") == NOAUTH


@NEEDS_PASSWORD
def test_hello_requires_auth(conn):
    message = err("NOAUTH HELLO must be called with the client already authenticated, "
                  "otherwise the HELLO AUTH <user> <pass> option can be used to authenticate "
                  "the client and select the RESP protocol version at the same time")
    assert conn.call("HELLO") == message
    assert conn.call("HELLO", 3) == message
    assert conn.call("HELLO", 3, "AUTH", "default", "wrong") == WRONGPASS
    reply = conn.call("HELLO", 3, "AUTH", "default", PASSWORD)
    assert reply[b"proto"] == 3
    assert conn.call("PING") == b"PONG"


@NEEDS_PASSWORD
def test_quit_allowed_without_auth(conn):
    conn.send_command("QUIT")
    assert conn.read_until_closed() == b"+OK\r\n"


@NEEDS_PASSWORD
def test_redis_py_and_cli_with_password(server):
    client = server.client(password=PASSWORD)
    assert client.ping() is True
    assert server.cli("PING", password=PASSWORD).strip() == "PONG"
    assert "NOAUTH" in server.cli("PING")
