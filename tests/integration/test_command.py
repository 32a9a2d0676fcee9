"""COMMAND introspection: COUNT, LIST, INFO, DOCS, GETKEYS.

Client libraries (redis-py cluster mode, ioredis, go-redis) read COMMAND
INFO for arity, flags and key positions, so the metadata of every command in
scope is checked exactly.  The total command count is implementation
defined; only its consistency is checked.
"""

import pytest

from raw_resp import err

# name, arity, flags, first key, last key, step, ACL categories (Redis 7.0.15)
COMMAND_TABLE = [
    ("get", 2, ["readonly", "fast"], 1, 1, 1, ["@read", "@string", "@fast"]),
    ("set", -3, ["write", "denyoom"], 1, 1, 1, ["@write", "@string", "@slow"]),
    ("setnx", 3, ["write", "denyoom", "fast"], 1, 1, 1, ["@write", "@string", "@fast"]),
    ("setex", 4, ["write", "denyoom"], 1, 1, 1, ["@write", "@string", "@slow"]),
    ("psetex", 4, ["write", "denyoom"], 1, 1, 1, ["@write", "@string", "@slow"]),
    ("getset", 3, ["write", "denyoom", "fast"], 1, 1, 1, ["@write", "@string", "@fast"]),
    ("getdel", 2, ["write", "fast"], 1, 1, 1, ["@write", "@string", "@fast"]),
    ("getex", -2, ["write", "fast"], 1, 1, 1, ["@write", "@string", "@fast"]),
    ("mget", -2, ["readonly", "fast"], 1, -1, 1, ["@read", "@string", "@fast"]),
    ("mset", -3, ["write", "denyoom"], 1, -1, 2, ["@write", "@string", "@slow"]),
    ("msetnx", -3, ["write", "denyoom"], 1, -1, 2, ["@write", "@string", "@slow"]),
    ("append", 3, ["write", "denyoom", "fast"], 1, 1, 1, ["@write", "@string", "@fast"]),
    ("strlen", 2, ["readonly", "fast"], 1, 1, 1, ["@read", "@string", "@fast"]),
    ("incr", 2, ["write", "denyoom", "fast"], 1, 1, 1, ["@write", "@string", "@fast"]),
    ("decr", 2, ["write", "denyoom", "fast"], 1, 1, 1, ["@write", "@string", "@fast"]),
    ("incrby", 3, ["write", "denyoom", "fast"], 1, 1, 1, ["@write", "@string", "@fast"]),
    ("decrby", 3, ["write", "denyoom", "fast"], 1, 1, 1, ["@write", "@string", "@fast"]),
    ("incrbyfloat", 3, ["write", "denyoom", "fast"], 1, 1, 1, ["@write", "@string", "@fast"]),
    ("getrange", 4, ["readonly"], 1, 1, 1, ["@read", "@string", "@slow"]),
    ("setrange", 4, ["write", "denyoom"], 1, 1, 1, ["@write", "@string", "@slow"]),
    ("substr", 4, ["readonly"], 1, 1, 1, ["@read", "@string", "@slow"]),
    ("lcs", -3, ["readonly"], 1, 2, 1, ["@read", "@string", "@slow"]),
    ("setbit", 4, ["write", "denyoom"], 1, 1, 1, ["@write", "@bitmap", "@slow"]),
    ("getbit", 3, ["readonly", "fast"], 1, 1, 1, ["@read", "@bitmap", "@fast"]),
    ("bitcount", -2, ["readonly"], 1, 1, 1, ["@read", "@bitmap", "@slow"]),
    ("bitpos", -3, ["readonly"], 1, 1, 1, ["@read", "@bitmap", "@slow"]),
    ("bitop", -4, ["write", "denyoom"], 2, -1, 1, ["@write", "@bitmap", "@slow"]),
    ("bitfield", -2, ["write", "denyoom"], 1, 1, 1, ["@write", "@bitmap", "@slow"]),
    ("bitfield_ro", -2, ["readonly", "fast"], 1, 1, 1, ["@read", "@bitmap", "@fast"]),
    ("pfadd", -2, ["write", "denyoom", "fast"], 1, 1, 1, ["@write", "@hyperloglog", "@fast"]),
    ("pfcount", -2, ["readonly"], 1, -1, 1, ["@read", "@hyperloglog", "@slow"]),
    ("pfmerge", -2, ["write", "denyoom"], 1, -1, 1, ["@write", "@hyperloglog", "@slow"]),
    ("pfdebug", 3, ["write", "denyoom", "admin"], 2, 2, 1,
     ["@write", "@hyperloglog", "@admin", "@slow", "@dangerous"]),
    ("pfselftest", 1, ["admin"], 0, 0, 0, ["@hyperloglog", "@admin", "@slow", "@dangerous"]),
    ("del", -2, ["write"], 1, -1, 1, ["@keyspace", "@write", "@slow"]),
    ("unlink", -2, ["write", "fast"], 1, -1, 1, ["@keyspace", "@write", "@fast"]),
    ("exists", -2, ["readonly", "fast"], 1, -1, 1, ["@keyspace", "@read", "@fast"]),
    ("type", 2, ["readonly", "fast"], 1, 1, 1, ["@keyspace", "@read", "@fast"]),
    ("touch", -2, ["readonly", "fast"], 1, -1, 1, ["@keyspace", "@read", "@fast"]),
    ("expire", -3, ["write", "fast"], 1, 1, 1, ["@keyspace", "@write", "@fast"]),
    ("pexpire", -3, ["write", "fast"], 1, 1, 1, ["@keyspace", "@write", "@fast"]),
    ("expireat", -3, ["write", "fast"], 1, 1, 1, ["@keyspace", "@write", "@fast"]),
    ("pexpireat", -3, ["write", "fast"], 1, 1, 1, ["@keyspace", "@write", "@fast"]),
    ("ttl", 2, ["readonly", "fast"], 1, 1, 1, ["@keyspace", "@read", "@fast"]),
    ("pttl", 2, ["readonly", "fast"], 1, 1, 1, ["@keyspace", "@read", "@fast"]),
    ("expiretime", 2, ["readonly", "fast"], 1, 1, 1, ["@keyspace", "@read", "@fast"]),
    ("pexpiretime", 2, ["readonly", "fast"], 1, 1, 1, ["@keyspace", "@read", "@fast"]),
    ("persist", 2, ["write", "fast"], 1, 1, 1, ["@keyspace", "@write", "@fast"]),
    ("keys", 2, ["readonly"], 0, 0, 0, ["@keyspace", "@read", "@slow", "@dangerous"]),
    ("scan", -2, ["readonly"], 0, 0, 0, ["@keyspace", "@read", "@slow"]),
    ("randomkey", 1, ["readonly"], 0, 0, 0, ["@keyspace", "@read", "@slow"]),
    ("rename", 3, ["write"], 1, 2, 1, ["@keyspace", "@write", "@slow"]),
    ("renamenx", 3, ["write", "fast"], 1, 2, 1, ["@keyspace", "@write", "@fast"]),
    ("copy", -3, ["write", "denyoom"], 1, 2, 1, ["@keyspace", "@write", "@slow"]),
    ("move", 3, ["write", "fast"], 1, 1, 1, ["@keyspace", "@write", "@fast"]),
    ("select", 2, ["loading", "stale", "fast"], 0, 0, 0, ["@fast", "@connection"]),
    ("swapdb", 3, ["write", "fast"], 0, 0, 0, ["@keyspace", "@write", "@fast", "@dangerous"]),
    ("dbsize", 1, ["readonly", "fast"], 0, 0, 0, ["@keyspace", "@read", "@fast"]),
    ("flushdb", -1, ["write"], 0, 0, 0, ["@keyspace", "@write", "@slow", "@dangerous"]),
    ("flushall", -1, ["write"], 0, 0, 0, ["@keyspace", "@write", "@slow", "@dangerous"]),
    ("ping", -1, ["fast"], 0, 0, 0, ["@fast", "@connection"]),
    ("echo", 2, ["loading", "stale", "fast"], 0, 0, 0, ["@fast", "@connection"]),
    ("quit", -1, ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], 0, 0, 0,
     ["@fast", "@connection"]),
    ("hello", -1, ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], 0, 0, 0,
     ["@fast", "@connection"]),
    ("auth", -2, ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], 0, 0, 0,
     ["@fast", "@connection"]),
    ("time", 1, ["loading", "stale", "fast"], 0, 0, 0, ["@fast"]),
    ("info", -1, ["loading", "stale"], 0, 0, 0, ["@slow", "@dangerous"]),
    ("monitor", 1, ["admin", "noscript", "loading", "stale"], 0, 0, 0,
     ["@admin", "@slow", "@dangerous"]),
    ("shutdown", -1, ["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"],
     0, 0, 0, ["@admin", "@slow", "@dangerous"]),
]


@pytest.mark.parametrize("entry", COMMAND_TABLE, ids=[e[0] for e in COMMAND_TABLE])
def test_command_info_metadata(conn, entry):
    name, arity, flags, first, last, step, categories = entry
    (info,) = conn.call("COMMAND", "INFO", name)
    assert len(info) == 10
    assert info[0] == name.encode()
    assert info[1] == arity
    assert info[2] == [f.encode() for f in flags]
    assert info[3:6] == [first, last, step]
    assert info[6] == [c.encode() for c in categories]
    assert isinstance(info[7], list)   # tips
    assert isinstance(info[8], list)   # key specs
    assert isinstance(info[9], list)   # subcommands


def test_command_info_flags_are_status_replies(conn):
    raw = conn.call_raw("COMMAND", "INFO", "get")
    assert raw.startswith(b"*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n"
                          b":1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n")


def test_command_info_case_insensitive_and_unknown(conn):
    infos = conn.call("COMMAND", "INFO", "GET", "nosuchcommand", "Set")
    assert infos[0][0] == b"get"
    assert infos[1] is None
    assert infos[2][0] == b"set"


def test_command_info_container_lists_subcommands(conn):
    (info,) = conn.call("COMMAND", "INFO", "config")
    assert info[1] == -2
    names = {sub[0] for sub in info[9]}
    assert {b"config|get", b"config|set", b"config|resetstat", b"config|rewrite"} <= names
    get = [sub for sub in info[9] if sub[0] == b"config|get"][0]
    assert get[1] == -3


def test_command_count_matches_listings(conn):
    count = conn.call("COMMAND", "COUNT")
    assert isinstance(count, int) and count >= len(COMMAND_TABLE)
    assert len(conn.call("COMMAND")) == count
    assert len(conn.call("COMMAND", "INFO")) == count
    # COMMAND LIST also names subcommands ("config|get"); COUNT does not.
    names = conn.call("COMMAND", "LIST")
    assert len(names) == len(set(names))
    assert len([n for n in names if b"|" not in n]) == count
    assert {b"config|get", b"client|list"} <= set(names)
    assert {e[0].encode() for e in COMMAND_TABLE} <= set(names)


def test_command_list_filterby(conn):
    matched = set(conn.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "get*"))
    assert {b"get", b"getdel", b"getex", b"getrange", b"getset"} <= matched
    assert all(name.startswith(b"get") for name in matched)
    string_cmds = set(conn.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "string"))
    assert {b"get", b"set", b"incr", b"lcs", b"append"} <= string_cmds
    assert b"del" not in string_cmds
    assert conn.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuchcategory") == []


def test_command_docs(conn):
    reply = conn.call("COMMAND", "DOCS", "get")
    assert reply[0] == b"get"
    docs = dict(zip(reply[1][0::2], reply[1][1::2]))
    assert docs[b"summary"] == b"Get the value of a key"
    assert docs[b"since"] == b"1.0.0"
    assert docs[b"group"] == b"string"
    assert docs[b"complexity"] == b"O(1)"
    assert conn.call("COMMAND", "DOCS", "nosuchcommand") == []


def _as_dict(flat):
    return dict(zip(flat[0::2], flat[1::2]))


def test_command_docs_arguments(conn):
    """The argument structure redis-cli builds its hints from: names, types, tokens, flags
    and nested alternatives, as Redis 7.0 reports them."""
    get = _as_dict(conn.call("COMMAND", "DOCS", "get")[1])
    assert [_as_dict(a) for a in get[b"arguments"]] == [
        {b"name": b"key", b"type": b"key", b"key_spec_index": 0}]
    setdoc = _as_dict(conn.call("COMMAND", "DOCS", "set")[1])
    args = [_as_dict(a) for a in setdoc[b"arguments"]]
    assert [a[b"name"] for a in args] == [b"key", b"value", b"condition", b"get", b"expiration"]
    assert args[2][b"type"] == b"oneof" and args[2][b"flags"] == [b"optional"]
    assert [_as_dict(x)[b"token"] for x in args[2][b"arguments"]] == [b"NX", b"XX"]
    expiration = [_as_dict(x) for x in args[4][b"arguments"]]
    assert [(x[b"name"], x[b"type"], x[b"token"]) for x in expiration] == [
        (b"seconds", b"integer", b"EX"), (b"milliseconds", b"integer", b"PX"),
        (b"unix-time-seconds", b"unix-time", b"EXAT"),
        (b"unix-time-milliseconds", b"unix-time", b"PXAT"),
        (b"keepttl", b"pure-token", b"KEEPTTL")]
    mset = _as_dict(conn.call("COMMAND", "DOCS", "mset")[1])
    pair = _as_dict(mset[b"arguments"][0])
    assert pair[b"type"] == b"block" and pair[b"flags"] == [b"multiple"]


def test_command_docs_bitfield_arguments(conn):
    """BITFIELD's nested alternatives, as redis-cli reads them for its hints."""
    doc = _as_dict(conn.call("COMMAND", "DOCS", "bitfield")[1])
    key, operation = [_as_dict(a) for a in doc[b"arguments"]]
    assert key[b"type"] == b"key"
    assert operation[b"type"] == b"oneof"
    assert operation[b"flags"] == [b"optional", b"multiple"]
    get, write = [_as_dict(a) for a in operation[b"arguments"]]
    assert (get[b"name"], get[b"token"]) == (b"encoding_offset", b"GET")
    overflow, write_op = [_as_dict(a) for a in write[b"arguments"]]
    assert (overflow[b"token"], overflow[b"flags"]) == (b"OVERFLOW", [b"optional"])
    assert [_as_dict(a)[b"token"] for a in overflow[b"arguments"]] == [b"WRAP", b"SAT", b"FAIL"]
    assert [_as_dict(a)[b"token"] for a in write_op[b"arguments"]] == [b"SET", b"INCRBY"]


@pytest.mark.parametrize("args, keys", [
    (["set", "a", "b"], [b"a"]),
    (["get", "a"], [b"a"]),
    (["mset", "a", "1", "b", "2"], [b"a", b"b"]),
    (["mget", "a", "b", "c"], [b"a", b"b", b"c"]),
    (["del", "x", "y"], [b"x", b"y"]),
    (["rename", "src", "dst"], [b"src", b"dst"]),
    (["lcs", "k1", "k2", "IDX"], [b"k1", b"k2"]),
    (["bitop", "and", "d", "a", "b"], [b"d", b"a", b"b"]),
    (["pfcount", "a", "b"], [b"a", b"b"]),
    (["pfdebug", "getreg", "h"], [b"h"]),
    (["object", "encoding", "k"], [b"k"]),
    (["SET", "a", "b", "EX", "10"], [b"a"]),
])
def test_command_getkeys(conn, args, keys):
    assert conn.call("COMMAND", "GETKEYS", *args) == keys


@pytest.mark.parametrize("args, reply", [
    (["nosuchcommand", "a"], err("ERR Invalid command specified")),
    (["get", "a", "b"], err("ERR Invalid number of arguments specified for command")),
    (["set", "a"], err("ERR Invalid number of arguments specified for command")),
    (["ping", "x"], err("ERR The command has no key arguments")),
    (["config", "get", "x"], err("ERR The command has no key arguments")),
    (["get"], err("ERR wrong number of arguments for 'command|getkeys' command")),
    ([], err("ERR wrong number of arguments for 'command|getkeys' command")),
])
def test_command_getkeys_errors(conn, args, reply):
    assert conn.call("COMMAND", "GETKEYS", *args) == reply


def test_command_errors(conn):
    assert conn.call("COMMAND", "COUNT", "x") == err(
        "ERR wrong number of arguments for 'command|count' command")
    assert conn.call("COMMAND", "foo") == err("ERR unknown subcommand 'foo'. Try COMMAND HELP.")
