"""Blocking list commands: BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP and CLIENT UNBLOCK, with
several clients: timeouts, the order in which waiters are served, what wakes them (pushes,
moves, RENAME, MOVE, COPY, SWAPDB), input held while blocked, disconnects, INFO and CLIENT
LIST, RESP3."""

import time

import pytest

from raw_resp import WRONGTYPE, err

NOT_FLOAT = err("ERR timeout is not a float or out of range")
NEGATIVE = err("ERR timeout is negative")


def is_blocked(admin, conn_id):
    line = admin.call("CLIENT", "LIST", "ID", conn_id).decode()
    return " flags=b " in line


def wait_blocked(admin, *conn_ids, timeout=3.0):
    """Waits until every given client is blocked (the command reached the server)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(is_blocked(admin, i) for i in conn_ids):
            return
        time.sleep(0.01)
    raise AssertionError(f"clients {conn_ids} did not block")


def blocked_call(admin, conn, *command):
    """Sends a blocking command and waits until the server has the client blocked."""
    conn_id = conn.call("CLIENT", "ID")
    conn.send_command(*command)
    wait_blocked(admin, conn_id)
    return conn_id


def info_clients(conn):
    text = conn.call("INFO", "clients").decode()
    return dict(line.split(":", 1) for line in text.split("\r\n") if ":" in line)


def commandstat(conn, name):
    text = conn.call("INFO", "commandstats").decode()
    line = next((l for l in text.split("\r\n") if l.startswith(f"cmdstat_{name}:")), None)
    return dict(kv.split("=") for kv in line.split(":", 1)[1].split(",")) if line else None


# ------------------------------------------------------------- immediate answers

@pytest.mark.needs_commands("BLPOP")
def test_nonempty_lists_answer_at_once(conn):
    conn.call("RPUSH", "a", "1", "2", "3")
    assert conn.call("BLPOP", "missing", "a", 0) == [b"a", b"1"]
    assert conn.call("BRPOP", "a", "missing", 0) == [b"a", b"3"]
    assert conn.call("BLMPOP", 0, 2, "missing", "a", "LEFT", "COUNT", 5) == [b"a", [b"2"]]
    assert conn.call("EXISTS", "a") == 0                  # emptied lists are deleted
    conn.call("RPUSH", "src", "x", "y")
    assert conn.call("BRPOPLPUSH", "src", "dst", 0) == b"y"
    assert conn.call("BLMOVE", "src", "dst", "LEFT", "RIGHT", 0) == b"x"
    assert conn.call("LRANGE", "dst", 0, -1) == [b"y", b"x"]
    assert conn.call("EXISTS", "src") == 0


@pytest.mark.needs_commands("BLPOP")
def test_wrongtype_is_checked_in_key_order(conn):
    conn.call("SET", "s", "v")
    conn.call("RPUSH", "l", "x")
    assert conn.call("BLPOP", "s", "l", 0) == WRONGTYPE
    assert conn.call("BLPOP", "nokey", "s", "l", 0) == WRONGTYPE
    assert conn.call("BLPOP", "l", "s", 0) == [b"l", b"x"]
    assert conn.call("BLMPOP", 0, 1, "s", "LEFT") == WRONGTYPE
    assert conn.call("BLMOVE", "s", "l", "LEFT", "LEFT", 0) == WRONGTYPE
    conn.call("RPUSH", "l", "x")
    assert conn.call("BLMOVE", "l", "s", "LEFT", "LEFT", 0) == WRONGTYPE
    assert conn.call("LLEN", "l") == 1


@pytest.mark.needs_commands("BLPOP")
@pytest.mark.parametrize("timeout,reply", [
    ("-1", NEGATIVE), ("abc", NOT_FLOAT), ("", NOT_FLOAT), ("nan", NOT_FLOAT), (" 1", NOT_FLOAT),
    ("1 ", NOT_FLOAT), ("1e300", NEGATIVE), ("inf", NEGATIVE), ("-inf", NEGATIVE),
    ("1e16", NEGATIVE), ("9223372036854775807", NEGATIVE), ("1e5000", NOT_FLOAT),
    ("0.0001", None), (".5e-3", None), ("0x0.1p-8", None), ("0.01", None),
])
def test_timeout_argument(conn, timeout, reply):
    assert conn.call("BLPOP", "k", timeout) == reply


@pytest.mark.needs_commands("BLPOP")
def test_argument_errors_of_each_command(conn):
    conn.call("SET", "s", "v")
    assert conn.call("BLMOVE", "s", "k", "LEFT", "UP", "x") == err("ERR syntax error")
    assert conn.call("BLMOVE", "s", "k", "LEFT", "LEFT", "x") == NOT_FLOAT
    assert conn.call("BRPOPLPUSH", "s", "k", "-2") == NEGATIVE
    # BLMPOP checks numkeys, the side and COUNT before the timeout.
    assert conn.call("BLMPOP", "x", 0, "k", "LEFT") == err("ERR numkeys should be greater than 0")
    assert conn.call("BLMPOP", "x", 1, "k", "UP") == err("ERR syntax error")
    assert conn.call("BLMPOP", "x", 1, "k", "LEFT", "COUNT", 0) == err("ERR count should be greater than 0")
    assert conn.call("BLMPOP", "x", 1, "k", "LEFT") == NOT_FLOAT
    assert conn.call("BLMPOP", 0, 2, "k") == err("ERR wrong number of arguments for 'blmpop' command")
    assert conn.call("BLMPOP", 0, 5, "k", "LEFT") == err("ERR syntax error")
    assert conn.call("BLPOP", "k") == err("ERR wrong number of arguments for 'blpop' command")


# ------------------------------------------------------------- timeouts

@pytest.mark.needs_commands("BLPOP")
@pytest.mark.parametrize("command", [
    ("BLPOP", "k", "0.2"), ("BRPOP", "k", "x", "0.2"), ("BRPOPLPUSH", "k", "d", "0.2"),
    ("BLMOVE", "k", "d", "LEFT", "RIGHT", "0.2"), ("BLMPOP", "0.2", 1, "k", "LEFT"),
])
def test_timeout_replies_null_array(raw, command):
    conn = raw()
    start = time.monotonic()
    assert conn.call_raw(*command) == b"*-1\r\n"
    assert 0.19 <= time.monotonic() - start < 1.0
    conn.call("HELLO", "3")
    assert conn.call_raw(*command) == b"_\r\n"


@pytest.mark.needs_commands("BLPOP")
def test_timeouts_end_in_deadline_order(raw):
    admin = raw()
    waiters = [(raw(), t) for t in ("0.6", "0.2", "0.4")]
    for conn, t in waiters:
        conn.send_command("BLPOP", f"k{t}", t)
    assert info_clients(admin)["clients_in_timeout_table"] in ("0", "1", "2", "3")
    start = time.monotonic()
    for conn, t in sorted(waiters, key=lambda w: float(w[1])):
        assert conn.read_reply() is None
        assert float(t) - 0.05 <= time.monotonic() - start < float(t) + 0.5
    assert info_clients(admin)["blocked_clients"] == "0"
    assert info_clients(admin)["clients_in_timeout_table"] == "0"


@pytest.mark.needs_commands("BLPOP")
def test_zero_timeout_waits_until_served(raw):
    admin, waiter = raw(), raw()
    blocked_call(admin, waiter, "BLPOP", "k", 0)
    assert waiter.read_available(0.5) == b""
    assert admin.call("LPUSH", "k", "v") == 1
    assert waiter.read_reply() == [b"k", b"v"]


# ------------------------------------------------------------- serving

@pytest.mark.needs_commands("BLPOP")
def test_push_serves_the_blocked_client_at_once(raw):
    admin, waiter = raw(), raw()
    blocked_call(admin, waiter, "BLPOP", "k", 5)
    assert info_clients(admin)["blocked_clients"] == "1"
    assert info_clients(admin)["clients_in_timeout_table"] == "1"
    # LPUSH's reply counts the element the waiter then takes.
    assert admin.call("LPUSH", "k", "a", "b", "c") == 3
    assert waiter.read_reply() == [b"k", b"c"]
    assert admin.call("LRANGE", "k", 0, -1) == [b"b", b"a"]
    assert info_clients(admin)["blocked_clients"] == "0"
    assert info_clients(admin)["clients_in_timeout_table"] == "0"


@pytest.mark.needs_commands("BLPOP")
def test_waiters_are_served_first_come_first_served(raw):
    admin = raw()
    waiters = [raw() for _ in range(4)]
    for w in waiters:
        blocked_call(admin, w, "BLPOP", "q", 0)
    assert admin.call("RPUSH", "q", "1", "2", "3") == 3
    assert [w.read_reply() for w in waiters[:3]] == [[b"q", b"1"], [b"q", b"2"], [b"q", b"3"]]
    assert admin.call("EXISTS", "q") == 0
    assert waiters[3].read_available(0.3) == b""
    admin.call("RPUSH", "q", "4")
    assert waiters[3].read_reply() == [b"q", b"4"]


@pytest.mark.needs_commands("BLPOP")
def test_brpop_takes_from_the_tail_and_blmpop_takes_counts(raw):
    admin, a, b, c = raw(), raw(), raw(), raw()
    blocked_call(admin, a, "BRPOP", "k", 0)
    blocked_call(admin, b, "BLMPOP", 0, 1, "k", "LEFT", "COUNT", 2)
    blocked_call(admin, c, "BLMPOP", 0, 1, "k", "RIGHT", "COUNT", 10)
    assert admin.call("RPUSH", "k", "1", "2", "3", "4", "5") == 5
    assert a.read_reply() == [b"k", b"5"]
    assert b.read_reply() == [b"k", [b"1", b"2"]]
    assert c.read_reply() == [b"k", [b"4", b"3"]]
    assert admin.call("EXISTS", "k") == 0


@pytest.mark.needs_commands("BLPOP")
def test_client_waiting_on_several_keys_is_served_from_the_one_pushed(raw):
    admin, waiter = raw(), raw()
    blocked_call(admin, waiter, "BLPOP", "k1", "k2", "k2", "k3", 0)
    admin.call("RPUSH", "k2", "x")
    assert waiter.read_reply() == [b"k2", b"x"]
    admin.call("RPUSH", "k1", "y")           # no longer waiting: stays in the list
    assert admin.call("LRANGE", "k1", 0, -1) == [b"y"]


@pytest.mark.needs_commands("BLPOP")
def test_other_types_and_other_databases_do_not_wake(raw):
    admin, waiter = raw(), raw()
    blocked_call(admin, waiter, "BLPOP", "k", 0)
    admin.call("SET", "k", "string")
    admin.call("HSET", "h", "f", "v")
    admin.call("SELECT", 1)
    admin.call("RPUSH", "k", "other-db")
    assert waiter.read_available(0.3) == b""
    admin.call("SELECT", 0)
    admin.call("DEL", "k")
    admin.call("RPUSH", "k", "now")
    assert waiter.read_reply() == [b"k", b"now"]


@pytest.mark.needs_commands("BLPOP")
def test_rename_move_copy_and_swapdb_wake_waiters(raw):
    admin = raw()
    w1, w2, w3, w4 = raw(), raw(), raw(), raw()
    blocked_call(admin, w1, "BLPOP", "renamed", 0)
    blocked_call(admin, w2, "BLPOP", "moved", 0)
    blocked_call(admin, w3, "BLPOP", "copied", 0)
    blocked_call(admin, w4, "BLPOP", "swapped", 0)
    admin.call("RPUSH", "src", "r")
    admin.call("RENAME", "src", "renamed")
    assert w1.read_reply() == [b"renamed", b"r"]
    admin.call("SELECT", 2)
    admin.call("RPUSH", "moved", "m")
    admin.call("MOVE", "moved", 0)
    assert w2.read_reply() == [b"moved", b"m"]
    admin.call("RPUSH", "orig", "c")
    admin.call("COPY", "orig", "copied", "DB", 0)
    assert w3.read_reply() == [b"copied", b"c"]
    admin.call("RPUSH", "swapped", "s")
    admin.call("SWAPDB", 0, 2)
    assert w4.read_reply() == [b"swapped", b"s"]


@pytest.mark.needs_commands("BLPOP")
def test_blmove_chain_wakes_the_next_waiter(raw):
    admin, mover, popper = raw(), raw(), raw()
    blocked_call(admin, mover, "BLMOVE", "src", "dst", "RIGHT", "LEFT", 0)
    blocked_call(admin, popper, "BLPOP", "dst", 0)
    assert admin.call("RPUSH", "src", "a", "b") == 2
    assert mover.read_reply() == b"b"
    assert popper.read_reply() == [b"dst", b"b"]
    assert admin.call("LRANGE", "src", 0, -1) == [b"a"]
    assert admin.call("EXISTS", "dst") == 0


@pytest.mark.needs_commands("BLPOP")
def test_brpoplpush_rotating_one_list(raw):
    admin, a, b = raw(), raw(), raw()
    blocked_call(admin, a, "BRPOPLPUSH", "ring", "ring", 0)
    blocked_call(admin, b, "BRPOPLPUSH", "ring", "ring", 0)
    admin.call("RPUSH", "ring", "1", "2")
    assert (a.read_reply(), b.read_reply()) == (b"2", b"1")
    assert admin.call("LRANGE", "ring", 0, -1) == [b"1", b"2"]


@pytest.mark.needs_commands("BLPOP")
def test_blocked_blmove_reports_a_wrong_destination_when_served(raw):
    admin, mover, next_waiter = raw(), raw(), raw()
    blocked_call(admin, mover, "BLMOVE", "src", "dst", "LEFT", "LEFT", 0)
    blocked_call(admin, next_waiter, "BLPOP", "src", 0)
    admin.call("SET", "dst", "string")
    admin.call("RPUSH", "src", "x")
    assert mover.read_reply() == WRONGTYPE
    # The element stayed for the next waiter.
    assert next_waiter.read_reply() == [b"src", b"x"]


# ------------------------------------------------------------- held input

@pytest.mark.needs_commands("BLPOP")
def test_commands_after_a_blocking_one_wait_for_it(raw):
    admin, waiter = raw(), raw()
    waiter_id = waiter.call("CLIENT", "ID")
    waiter.send(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\nSET after 1\r\nPING\r\n")
    wait_blocked(admin, waiter_id)
    time.sleep(0.1)
    assert admin.call("EXISTS", "after") == 0
    assert waiter.read_available(0.2) == b""
    admin.call("RPUSH", "k", "v")
    assert waiter.read_reply() == [b"k", b"v"]
    assert waiter.read_reply() == b"OK"
    assert waiter.read_reply() == b"PONG"
    assert admin.call("GET", "after") == b"1"


@pytest.mark.needs_commands("BLPOP")
def test_pipelined_blocking_commands_block_again(raw):
    admin, waiter = raw(), raw()
    waiter_id = waiter.call("CLIENT", "ID")
    waiter.send(b"BLPOP k 0\r\nBLPOP k 0\r\nECHO done\r\n")
    wait_blocked(admin, waiter_id)
    admin.call("RPUSH", "k", "1")
    assert waiter.read_reply() == [b"k", b"1"]
    wait_blocked(admin, waiter_id)
    admin.call("RPUSH", "k", "2")
    assert waiter.read_reply() == [b"k", b"2"]
    assert waiter.read_reply() == b"done"


# ------------------------------------------------------------- CLIENT UNBLOCK, disconnects

@pytest.mark.needs_commands("BLPOP")
def test_client_unblock_timeout_and_error(raw):
    admin, waiter = raw(), raw()
    waiter_id = blocked_call(admin, waiter, "BLPOP", "k", 0)
    assert admin.call("CLIENT", "UNBLOCK", waiter_id) == 1
    assert waiter.read_raw_reply() == b"*-1\r\n"
    assert admin.call("CLIENT", "UNBLOCK", waiter_id) == 0          # not blocked any more
    blocked_call(admin, waiter, "BRPOPLPUSH", "k", "d", 0)
    assert admin.call("CLIENT", "UNBLOCK", waiter_id, "error") == 1
    assert waiter.read_raw_reply() == b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    assert waiter.call("PING") == b"PONG"
    assert admin.call("CLIENT", "UNBLOCK", admin.call("CLIENT", "ID")) == 0
    assert admin.call("CLIENT", "UNBLOCK", 999999) == 0
    assert admin.call("CLIENT", "UNBLOCK", -5) == 0


def test_client_unblock_argument_errors(conn):
    assert conn.call("CLIENT", "UNBLOCK", 1, "foo") == err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
    assert conn.call("CLIENT", "UNBLOCK", "x", "foo") == err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
    assert conn.call("CLIENT", "UNBLOCK", "x") == err("ERR value is not an integer or out of range")
    assert conn.call("CLIENT", "unblock", 1, "timeout", "x") == err(
        "ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.")
    assert conn.call("CLIENT", "UNBLOCK") == err("ERR wrong number of arguments for 'client|unblock' command")


@pytest.mark.needs_commands("BLPOP")
def test_disconnected_waiter_is_forgotten(raw):
    admin, gone, stays = raw(), raw(), raw()
    blocked_call(admin, gone, "BLPOP", "k", 0)
    blocked_call(admin, stays, "BLPOP", "k", 10)
    gone.close()
    deadline = time.monotonic() + 3
    while info_clients(admin)["blocked_clients"] != "1" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert info_clients(admin)["blocked_clients"] == "1"
    admin.call("RPUSH", "k", "v")
    assert stays.read_reply() == [b"k", b"v"]
    killed_id = blocked_call(admin, gone := raw(), "BLPOP", "k", 0)
    # Killed and pushed to in one go: the element must not go to the dying client.
    admin.send(b"CLIENT KILL ID %d\r\nRPUSH k kept\r\n" % killed_id)
    assert admin.read_reply() == 1 and admin.read_reply() == 1
    assert gone.is_closed()
    assert admin.call("LRANGE", "k", 0, -1) == [b"kept"]
    assert info_clients(admin)["blocked_clients"] == "0"


@pytest.mark.needs_commands("BLPOP")
@pytest.mark.server_args("--timeout", "1")
def test_idle_timeout_spares_blocked_clients(raw):
    admin, waiter = raw(), raw()
    blocked_call(admin, waiter, "BLPOP", "k", 0)
    assert admin.is_closed(wait=4)                 # idle: closed
    raw().call("RPUSH", "k", "v")
    assert waiter.read_reply() == [b"k", b"v"]


# ------------------------------------------------------------- visibility

@pytest.mark.needs_commands("BLPOP")
def test_client_list_and_stats_of_a_blocked_client(raw):
    admin, waiter = raw(), raw()
    admin.call("CONFIG", "RESETSTAT")
    waiter_id = blocked_call(admin, waiter, "BLPOP", "k", 0)
    line = admin.call("CLIENT", "LIST", "ID", waiter_id).decode()
    assert " flags=b " in line and " cmd=blpop " in line
    # Counted when it blocks; serving it adds only its time.
    assert commandstat(admin, "blpop")["calls"] == "1"
    admin.call("RPUSH", "k", "v")
    waiter.read_reply()
    stat = commandstat(admin, "blpop")
    assert (stat["calls"], stat["failed_calls"]) == ("1", "0")
    waiter_id = blocked_call(admin, waiter, "BLPOP", "k", 0)
    admin.call("CLIENT", "UNBLOCK", waiter_id)
    waiter.read_reply()
    stat = commandstat(admin, "blpop")
    # Redis 7.0 counts a command ended by CLIENT UNBLOCK as failed, even as a timeout.
    assert (stat["calls"], stat["failed_calls"]) == ("2", "1")
    assert waiter.call("BLPOP", "k", "0.01") is None
    stat = commandstat(admin, "blpop")
    assert (stat["calls"], stat["failed_calls"]) == ("3", "1")


@pytest.mark.needs_commands("BLPOP")
def test_resp3_served_reply(raw):
    admin, waiter = raw(), raw()
    waiter.call("HELLO", "3")
    blocked_call(admin, waiter, "BLMPOP", 0, 1, "k", "LEFT", "COUNT", 2)
    admin.call("RPUSH", "k", "a")
    assert waiter.read_raw_reply() == b"*2\r\n$1\r\nk\r\n*1\r\n$1\r\na\r\n"


@pytest.mark.needs_commands("BLPOP")
def test_input_after_a_timed_out_command_runs_at_once(raw):
    waiter = raw()
    start = time.monotonic()
    waiter.send(b"BLPOP k 0.1\r\nPING\r\n")
    assert waiter.read_reply() is None
    assert waiter.read_reply() == b"PONG"
    assert time.monotonic() - start < 0.5


@pytest.mark.needs_commands("BLPOP")
def test_no_element_is_lost_or_served_twice(raw):
    """Many waiters with short timeouts while elements are pushed: every element ends up
    either with exactly one waiter or still in the list."""
    admin = raw()
    waiters = [raw() for _ in range(40)]
    pushed, received, timeouts = 0, [], 0
    for round_ in range(5):
        for i, w in enumerate(waiters):
            w.send_command("BLPOP", f"q{i % 3}", "0.05" if i % 2 else "0.3")
        for i in range(30):
            admin.call("RPUSH", f"q{i % 3}", f"{round_}-{i}")
            pushed += 1
        for w in waiters:
            reply = w.read_reply()
            if reply is None:
                timeouts += 1
            else:
                received.append(reply[1])
    left = [x for k in ("q0", "q1", "q2") for x in admin.call("LRANGE", k, 0, -1)]
    assert len(received) == len(set(received))
    assert sorted(received + left) == sorted(f"{r}-{i}".encode() for r in range(5) for i in range(30))
    assert info_clients(admin)["blocked_clients"] == "0"
    assert info_clients(admin)["clients_in_timeout_table"] == "0"
