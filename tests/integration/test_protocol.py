"""RESP wire protocol: pipelining, inline commands and protocol errors.

These use raw sockets because the exact bytes matter: clients and proxies
rely on the precise error text, and on the server closing the connection
after a protocol error (the stream can no longer be trusted).
"""

import time

import pytest

from raw_resp import encode_command


# --------------------------------------------------------------- pipelining

def test_many_commands_in_one_write(raw):
    """1000 SETs and 1000 GETs in a single sendall: replies in order."""
    conn = raw()
    payload = b"".join(encode_command("SET", f"key:{i}", f"value:{i}") for i in range(1000))
    payload += b"".join(encode_command("GET", f"key:{i}") for i in range(1000))
    conn.send(payload)
    for _ in range(1000):
        assert conn.read_raw_reply() == b"+OK\r\n"
    for i in range(1000):
        value = f"value:{i}".encode()
        assert conn.read_raw_reply() == b"$%d\r\n%s\r\n" % (len(value), value)


def test_pipeline_mixing_inline_and_multibulk(raw):
    conn = raw()
    conn.send(b"PING\r\n" + encode_command("ECHO", "x") + b"SET a 1\r\n" + encode_command("INCR", "a")
              + b"GET a\r\n")
    assert [conn.read_raw_reply() for _ in range(5)] == [
        b"+PONG\r\n", b"$1\r\nx\r\n", b"+OK\r\n", b":2\r\n", b"$1\r\n2\r\n"]


def test_command_split_across_many_writes(raw):
    """A command delivered one byte at a time is still parsed correctly."""
    conn = raw()
    for byte in encode_command("SET", "split", "hello world"):
        conn.send(bytes([byte]))
    assert conn.read_raw_reply() == b"+OK\r\n"
    for byte in b"GET split\r\n":
        conn.send(bytes([byte]))
    assert conn.read_raw_reply() == b"$11\r\nhello world\r\n"


def test_large_bulk_argument_round_trips(raw):
    conn = raw()
    value = bytes(range(256)) * 4096  # 1 MiB, all byte values incl. \r\n and \0
    assert conn.call_raw("SET", "big", value) == b"+OK\r\n"
    assert conn.call("GET", "big") == value
    assert conn.call("STRLEN", "big") == len(value)


def test_binary_safe_keys_and_values(raw):
    conn = raw()
    key, value = b"k\r\n\x00ey", b"\r\n$3\r\n\x00\xff"
    assert conn.call("SET", key, value) == b"OK"
    assert conn.call("GET", key) == value


def test_empty_and_negative_multibulk_are_ignored(raw):
    conn = raw()
    conn.send(b"*0\r\n*-1\r\nPING\r\n")
    assert conn.read_raw_reply() == b"+PONG\r\n"


def test_bulk_longer_than_declared_is_not_a_new_command(raw):
    """Redis reads exactly $N bytes and then skips two bytes for CRLF."""
    conn = raw()
    conn.send(encode_command("ECHO", "abc") + b"PING\r\n")
    assert conn.read_raw_reply() == b"$3\r\nabc\r\n"
    assert conn.read_raw_reply() == b"+PONG\r\n"


# ------------------------------------------------------------------ inline

def test_inline_command_with_double_quotes(raw):
    conn = raw()
    conn.send(b'SET greeting "hello world"\r\nGET greeting\r\n')
    assert conn.read_raw_reply() == b"+OK\r\n"
    assert conn.read_raw_reply() == b"$11\r\nhello world\r\n"


def test_inline_escape_sequences_in_double_quotes(raw):
    conn = raw()
    conn.send(b'ECHO "a\\x41\\n\\t\\"z"\r\n')
    assert conn.read_reply() == b'aA\n\t"z'


def test_inline_single_quotes(raw):
    conn = raw()
    conn.send(b"ECHO 'it\\'s \"raw\" \\n'\r\n")
    assert conn.read_reply() == b'it\'s "raw" \\n'


def test_inline_empty_quoted_argument(raw):
    conn = raw()
    conn.send(b'ECHO ""\r\n')
    assert conn.read_raw_reply() == b"$0\r\n\r\n"


def test_inline_whitespace_and_bare_newlines(raw):
    conn = raw()
    conn.send(b"\r\n\r\n   PING   \r\nPING\nECHO a\n")
    assert conn.read_raw_reply() == b"+PONG\r\n"
    assert conn.read_raw_reply() == b"+PONG\r\n"
    assert conn.read_raw_reply() == b"$1\r\na\r\n"


def test_inline_command_is_case_insensitive(raw):
    conn = raw()
    conn.send(b"pInG\r\n")
    assert conn.read_raw_reply() == b"+PONG\r\n"


# ---------------------------------------------------------- protocol errors

@pytest.mark.parametrize("payload, message", [
    (b"*abc\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
    (b"*3000000000\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
    (b"*1\r\n$abc\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b"*1\r\n$-1\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b"*1\r\n$536870913\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b"*1\r\nx3\r\n", b"-ERR Protocol error: expected '$', got 'x'\r\n"),
    (b"*2\r\n$4\r\nECHO\r\n:1\r\n", b"-ERR Protocol error: expected '$', got ':'\r\n"),
    (b'SET "a b\r\n', b"-ERR Protocol error: unbalanced quotes in request\r\n"),
    (b"ECHO 'a\r\n", b"-ERR Protocol error: unbalanced quotes in request\r\n"),
    (b'ECHO "a"b\r\n', b"-ERR Protocol error: unbalanced quotes in request\r\n"),
], ids=["mbulk-alpha", "mbulk-too-big", "bulk-alpha", "bulk-negative", "bulk-over-512mb",
        "expected-dollar", "expected-dollar-colon", "unbalanced-double", "unbalanced-single",
        "quote-not-followed-by-space"])
def test_protocol_error_reply_then_close(raw, payload, message):
    conn = raw()
    conn.send(payload)
    assert conn.read_until_closed() == message


def test_commands_before_protocol_error_are_executed(raw, r):
    conn = raw()
    conn.send(b"SET before 1\r\nPING\r\n*abc\r\nSET after 1\r\n")
    assert conn.read_until_closed() == (
        b"+OK\r\n+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n")
    assert r.get("before") == b"1"
    assert r.exists("after") == 0


@pytest.mark.parametrize("payload, message", [
    (b"x" * (70 * 1024), b"-ERR Protocol error: too big inline request\r\n"),
    (b"*" + b"1" * (70 * 1024), b"-ERR Protocol error: too big mbulk count string\r\n"),
    (b"*1\r\n$" + b"1" * (70 * 1024), b"-ERR Protocol error: too big bulk count string\r\n"),
], ids=["inline", "mbulk-count", "bulk-count"])
def test_oversized_header_lines(raw, payload, message):
    """A header line without CRLF longer than 64 KiB is rejected."""
    conn = raw()
    conn.send(payload)
    assert conn.read_until_closed() == message


def test_server_survives_protocol_errors(raw):
    for payload in (b"*abc\r\n", b"*1\r\nx\r\n", b'"\r\n'):
        bad = raw()
        bad.send(payload)
        bad.read_until_closed()
    good = raw()
    assert good.call_raw("PING") == b"+PONG\r\n"


# --------------------------------------------- unknown command / arity

@pytest.mark.parametrize("command, message", [
    ([b"foo", b"a", b"b"], b"-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n"),
    ([b"foo"], b"-ERR unknown command 'foo', with args beginning with: \r\n"),
    ([b"FOO", b"a b", b"c"], b"-ERR unknown command 'FOO', with args beginning with: 'a b' 'c' \r\n"),
    ([b"get"], b"-ERR wrong number of arguments for 'get' command\r\n"),
    ([b"GET"], b"-ERR wrong number of arguments for 'get' command\r\n"),
    ([b"GeT", b"a", b"b"], b"-ERR wrong number of arguments for 'get' command\r\n"),
    ([b"ping", b"a", b"b"], b"-ERR wrong number of arguments for 'ping' command\r\n"),
    ([b"echo"], b"-ERR wrong number of arguments for 'echo' command\r\n"),
    ([b"mset", b"a", b"1", b"b"], b"-ERR wrong number of arguments for 'mset' command\r\n"),
    ([b"config"], b"-ERR wrong number of arguments for 'config' command\r\n"),
    ([b"config", b"get"], b"-ERR wrong number of arguments for 'config|get' command\r\n"),
    ([b"CLIENT", b"SETNAME"], b"-ERR wrong number of arguments for 'client|setname' command\r\n"),
    ([b"object", b"encoding"], b"-ERR wrong number of arguments for 'object|encoding' command\r\n"),
    ([b"config", b"foo"], b"-ERR unknown subcommand 'foo'. Try CONFIG HELP.\r\n"),
    ([b"client", b"foo"], b"-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n"),
    ([b"object", b"foo"], b"-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n"),
    ([b"slowlog", b"foo"], b"-ERR unknown subcommand 'foo'. Try SLOWLOG HELP.\r\n"),
    ([b"command", b"foo"], b"-ERR unknown subcommand 'foo'. Try COMMAND HELP.\r\n"),
])
def test_unknown_command_and_arity_errors(raw, command, message):
    conn = raw()
    assert conn.call_raw(*command) == message
    # The connection stays usable after a command error.
    assert conn.call_raw("PING") == b"+PONG\r\n"


def test_unknown_command_error_truncates_long_arguments(raw):
    """Command name is cut at 128 bytes; the args list stops once ~128 bytes
    have been emitted, the last one cut to fit."""
    conn = raw()
    assert conn.call_raw("foo", "a" * 200, "b") == (
        b"-ERR unknown command 'foo', with args beginning with: '" + b"a" * 128 + b"' \r\n")
    assert conn.call_raw("F" * 200, "x") == (
        b"-ERR unknown command '" + b"F" * 128 + b"', with args beginning with: 'x' \r\n")
    assert conn.call_raw("foo", "a" * 100, "b" * 100, "c") == (
        b"-ERR unknown command 'foo', with args beginning with: '" + b"a" * 100 + b"' '"
        + b"b" * 25 + b"' \r\n")


def test_error_messages_are_sanitised_c_strings(raw):
    """Arguments echoed in errors are C strings: cut at NUL, CR/LF become
    spaces, other bytes pass through untouched (no UTF-8 replacement)."""
    conn = raw()
    prefix = b"-ERR unknown command 'foo', with args beginning with: "
    assert conn.call_raw("foo", b"abc\r\ndef", "z") == prefix + b"'abc  def' 'z' \r\n"
    assert conn.call_raw("foo", b"x\x00abc", "z") == prefix + b"'x' 'z' \r\n"
    assert conn.call_raw("foo", b"\x00", "z") == prefix + b"'' 'z' \r\n"
    assert conn.call_raw("foo", b"a\xffb", "z") == prefix + b"'a\xffb' 'z' \r\n"
    assert conn.call_raw(b"f\x00oo", "z") == (
        b"-ERR unknown command 'f', with args beginning with: 'z' \r\n")
    assert conn.call_raw(b"f\r\noo", "z") == (
        b"-ERR unknown command 'f  oo', with args beginning with: 'z' \r\n")
    assert conn.call_raw("config", b"g\r\net") == (
        b"-ERR unknown subcommand 'g  et'. Try CONFIG HELP.\r\n")


def test_inline_unknown_command(raw):
    conn = raw()
    conn.send(b"nosuchcmd  x   y\r\n")
    assert conn.read_raw_reply() == (
        b"-ERR unknown command 'nosuchcmd', with args beginning with: 'x' 'y' \r\n")


def test_quit_replies_ok_and_closes(raw):
    conn = raw()
    conn.send(b"QUIT\r\nPING\r\n")
    assert conn.read_until_closed() == b"+OK\r\n"


def test_error_replies_are_counted_and_pipeline_continues(raw):
    conn = raw()
    conn.send(b"foo\r\nGET\r\nPING\r\n")
    assert conn.read_raw_reply().startswith(b"-ERR unknown command")
    assert conn.read_raw_reply().startswith(b"-ERR wrong number")
    assert conn.read_raw_reply() == b"+PONG\r\n"


def test_idle_partial_command_is_kept(raw):
    """A half-received command waits for the rest instead of failing."""
    conn = raw()
    conn.send(b"*2\r\n$4\r\nECHO\r\n$5\r\nhel")
    time.sleep(0.2)
    conn.send(b"lo\r\n")
    assert conn.read_raw_reply() == b"$5\r\nhello\r\n"
