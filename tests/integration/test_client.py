"""CLIENT subcommands: ID, SETNAME/GETNAME, LIST/INFO, KILL, REPLY,
NO-EVICT, PAUSE/UNPAUSE."""

import time

import pytest

from raw_resp import SYNTAX, encode_command, err

# Field order of one CLIENT LIST / CLIENT INFO line in Redis 7.0.
CLIENT_FIELDS = [
    "id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub", "ssub",
    "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem",
    "tot-mem", "events", "cmd", "user", "redir", "resp",
]
BAD_NAME = err("ERR Client names cannot contain spaces, newlines or special characters.")


def parse_client_line(line: str) -> dict:
    pairs = [field.split("=", 1) for field in line.split(" ")]
    assert [key for key, _ in pairs] == CLIENT_FIELDS, line
    return dict(pairs)


def client_lines(reply: bytes) -> list:
    text = reply.decode()
    assert text.endswith("\n")
    return [parse_client_line(line) for line in text.split("\n")[:-1]]


# ------------------------------------------------------------- ID / NAME

def test_client_id_is_unique_and_increasing(raw):
    ids = [raw().call("CLIENT", "ID") for _ in range(3)]
    assert all(isinstance(i, int) and i > 0 for i in ids)
    assert ids == sorted(set(ids))


def test_setname_getname(conn):
    assert conn.call("CLIENT", "GETNAME") is None
    assert conn.call_raw("CLIENT", "SETNAME", "worker-1") == b"+OK\r\n"
    assert conn.call("CLIENT", "GETNAME") == b"worker-1"
    assert conn.call("CLIENT", "SETNAME", "") == b"OK"     # empty name clears it
    assert conn.call("CLIENT", "GETNAME") is None


@pytest.mark.parametrize("name", ["a b", "a\nb", "tab\there", "\x7f", "caf\xe9"])
def test_setname_rejects_special_characters(conn, name):
    assert conn.call("CLIENT", "SETNAME", name.encode("latin-1")) == BAD_NAME


# ------------------------------------------------------------- LIST / INFO

def test_client_info_fields(conn):
    conn.call("CLIENT", "SETNAME", "me")
    conn.call("SELECT", 3)
    (info,) = client_lines(conn.call("CLIENT", "INFO"))
    assert info["id"] == str(conn.call("CLIENT", "ID"))
    assert info["addr"].startswith("127.0.0.1:")
    assert info["laddr"].startswith("127.0.0.1:")
    assert info["name"] == "me"
    assert info["db"] == "3"
    assert info["flags"] == "N"
    assert info["cmd"] == "client|info"
    assert info["user"] == "default"
    assert info["resp"] == "2"
    assert info["multi"] == "-1"
    for numeric in ("fd", "age", "idle", "sub", "psub", "qbuf", "omem", "tot-mem"):
        assert info[numeric].lstrip("-").isdigit()


def test_client_list_shows_all_connections(raw):
    a, b = raw(), raw()
    a.call("CLIENT", "SETNAME", "alpha")
    b.call("CLIENT", "SETNAME", "beta")
    lines = client_lines(a.call("CLIENT", "LIST"))
    assert {line["name"] for line in lines} >= {"alpha", "beta"}
    mine = [line for line in lines if line["name"] == "alpha"][0]
    assert mine["cmd"] == "client|list"
    assert client_lines(a.call("CLIENT", "LIST", "TYPE", "normal"))


def test_client_list_filters(raw):
    a, b = raw(), raw()
    a_id, b_id = a.call("CLIENT", "ID"), b.call("CLIENT", "ID")
    lines = client_lines(a.call("CLIENT", "LIST", "ID", b_id, 999999))
    assert [line["id"] for line in lines] == [str(b_id)]
    assert a.call("CLIENT", "LIST", "ID", 999999) == b""
    assert a.call("CLIENT", "LIST", "ID", "abc") == err("ERR Invalid client ID")
    assert a.call("CLIENT", "LIST", "TYPE", "foo") == err("ERR Unknown client type 'foo'")
    assert a.call("CLIENT", "LIST", "foo") == SYNTAX
    assert a_id != b_id


def test_redis_cli_client_list(server):
    out = server.cli("CLIENT", "LIST")
    assert out.startswith("id=")
    assert "cmd=client|list" in out


# --------------------------------------------------------------------- KILL

def addr_of(conn):
    (info,) = client_lines(conn.call("CLIENT", "INFO"))
    return info["addr"]


def test_kill_by_id(raw):
    killer, victim = raw(), raw()
    victim_id = victim.call("CLIENT", "ID")
    assert killer.call("CLIENT", "KILL", "ID", victim_id) == 1
    assert victim.is_closed()
    assert killer.call("CLIENT", "KILL", "ID", victim_id) == 0
    assert killer.call("CLIENT", "KILL", "ID", "abc") == err(
        "ERR client-id should be greater than 0")


def test_kill_by_addr_old_and_new_form(raw):
    killer = raw()
    victim = raw()
    assert killer.call_raw("CLIENT", "KILL", addr_of(victim)) == b"+OK\r\n"
    assert victim.is_closed()
    victim = raw()
    assert killer.call("CLIENT", "KILL", "ADDR", addr_of(victim)) == 1
    assert victim.is_closed()
    assert killer.call("CLIENT", "KILL", "127.0.0.1:1") == err("ERR No such client")
    assert killer.call("CLIENT", "KILL", "ADDR", "127.0.0.1:1") == 0


def test_kill_skipme(raw):
    me = raw()
    other = raw()
    my_id = me.call("CLIENT", "ID")
    assert me.call("CLIENT", "KILL", "ID", my_id) == 0        # SKIPME yes by default
    assert me.call("CLIENT", "KILL", "TYPE", "normal") == 1
    assert other.is_closed()
    assert me.call("PING") == b"PONG"
    me.send_command("CLIENT", "KILL", "ID", my_id, "SKIPME", "no")
    assert me.read_until_closed() == b":1\r\n"


def test_kill_errors(conn):
    assert conn.call("CLIENT", "KILL", "TYPE", "foo") == err("ERR Unknown client type 'foo'")
    assert conn.call("CLIENT", "KILL", "SKIPME", "maybe") == SYNTAX
    assert conn.call("CLIENT", "KILL", "a", "b", "c") == SYNTAX
    assert conn.call("CLIENT", "KILL") == err(
        "ERR wrong number of arguments for 'client|kill' command")


# -------------------------------------------------------------------- REPLY

def test_client_reply_off_on(conn):
    conn.send(encode_command("CLIENT", "REPLY", "OFF") + encode_command("SET", "a", "1")
              + encode_command("GET", "a") + encode_command("nosuchcommand")
              + encode_command("CLIENT", "REPLY", "ON") + encode_command("GET", "a"))
    assert conn.read_available(0.5) == b"+OK\r\n$1\r\n1\r\n"


def test_client_reply_skip(conn):
    conn.send(encode_command("SET", "a", "1") + encode_command("CLIENT", "REPLY", "SKIP")
              + encode_command("GET", "a") + encode_command("GET", "a"))
    assert conn.read_available(0.5) == b"+OK\r\n$1\r\n1\r\n"
    # SKIP twice in a row: the second SKIP is itself skipped and re-arms.
    conn.send(encode_command("CLIENT", "REPLY", "SKIP") + encode_command("CLIENT", "REPLY", "SKIP")
              + encode_command("GET", "a") + encode_command("PING"))
    assert conn.read_available(0.5) == b"+PONG\r\n"


def test_client_reply_errors(conn):
    assert conn.call("CLIENT", "REPLY", "foo") == SYNTAX
    assert conn.call("CLIENT", "REPLY") == err(
        "ERR wrong number of arguments for 'client|reply' command")


# --------------------------------------------------------------- NO-EVICT

def test_client_no_evict(conn):
    assert conn.call("CLIENT", "NO-EVICT", "on") == b"OK"
    (info,) = client_lines(conn.call("CLIENT", "INFO"))
    assert "e" in info["flags"]
    assert conn.call("CLIENT", "NO-EVICT", "OFF") == b"OK"
    assert conn.call("CLIENT", "NO-EVICT", "maybe") == SYNTAX


# ---------------------------------------------------------- PAUSE / UNPAUSE

def timed_call(conn, *args):
    start = time.monotonic()
    reply = conn.call(*args)
    return reply, time.monotonic() - start


def test_pause_write_blocks_only_writes(raw):
    admin, worker = raw(), raw()
    admin.call("SET", "k", "v")
    assert admin.call("CLIENT", "PAUSE", 500, "WRITE") == b"OK"
    reply, elapsed = timed_call(worker, "GET", "k")
    assert reply == b"v" and elapsed < 0.3
    reply, elapsed = timed_call(worker, "SET", "k", "v2")
    assert reply == b"OK" and 0.3 < elapsed < 3


def test_pause_all_blocks_reads(raw):
    admin, worker = raw(), raw()
    assert admin.call("CLIENT", "PAUSE", 400) == b"OK"
    reply, elapsed = timed_call(worker, "GET", "k")
    assert reply is None and 0.25 < elapsed < 3


def test_unpause_releases_paused_clients(raw):
    admin, worker, releaser = raw(), raw(), raw()
    assert admin.call("CLIENT", "PAUSE", 20000, "WRITE") == b"OK"
    start = time.monotonic()
    worker.send_command("SET", "k", "v")
    time.sleep(0.3)
    assert worker.read_available(0.1) == b""
    assert releaser.call("CLIENT", "UNPAUSE") == b"OK"
    assert worker.read_reply() == b"OK"
    assert time.monotonic() - start < 5


def test_pause_errors(conn):
    assert conn.call("CLIENT", "PAUSE", "abc") == err(
        "ERR timeout is not an integer or out of range")
    assert conn.call("CLIENT", "PAUSE", -1) == err("ERR timeout is negative")
    assert conn.call("CLIENT", "PAUSE", 10, "foo") == err(
        "ERR CLIENT PAUSE mode must be WRITE or ALL")
    assert conn.call("CLIENT", "UNPAUSE") == b"OK"


def test_client_help_and_unknown_subcommand(conn):
    help_lines = conn.call("CLIENT", "HELP")
    assert help_lines[0] == b"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert help_lines[-2:] == [b"HELP", b"    Prints this help."]
    assert conn.call("CLIENT", "foo") == err("ERR unknown subcommand 'foo'. Try CLIENT HELP.")
