"""CONFIG GET / SET / RESETSTAT / REWRITE."""

import pytest

from server_process import LOOPBACK, free_port, write_config
from raw_resp import RawConnection, err


def config_get(conn, *patterns) -> dict:
    reply = conn.call("CONFIG", "GET", *patterns)
    assert isinstance(reply, list) and len(reply) % 2 == 0
    return dict(zip(reply[0::2], reply[1::2]))


def set_failed(name: str, reason: str):
    return err(f"ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}")


# ---------------------------------------------------------------------- GET

def test_get_startup_values(conn, server):
    values = config_get(conn, "port", "bind", "save", "appendonly", "dir", "maxmemory",
                        "databases", "timeout", "maxclients", "requirepass", "daemonize")
    assert values == {
        b"port": str(server.port).encode(),
        b"bind": b"127.0.0.1",
        b"save": b"",
        b"appendonly": b"no",
        b"dir": str(server.dir.resolve()).encode(),
        b"maxmemory": b"0",
        b"databases": b"16",
        b"timeout": b"0",
        b"maxclients": b"10000",
        b"requirepass": b"",
        b"daemonize": b"no",
    }


def test_get_glob(conn):
    assert config_get(conn, "maxmemory*") == {
        b"maxmemory": b"0",
        b"maxmemory-policy": b"noeviction",
        b"maxmemory-samples": b"5",
        b"maxmemory-eviction-tenacity": b"10",
        b"maxmemory-clients": b"0",
    }
    assert b"maxclients" in config_get(conn, "max*")
    everything = config_get(conn, "*")
    # Only commonly used parameters are required: the full set (Redis has
    # ~180) is implementation defined.
    common = {b"port", b"bind", b"save", b"appendonly", b"maxmemory", b"maxmemory-policy",
              b"databases", b"timeout", b"hz", b"dir", b"dbfilename", b"requirepass",
              b"loglevel", b"logfile", b"maxclients", b"tcp-keepalive",
              b"slowlog-log-slower-than"}
    assert common - set(everything) == set()
    assert everything[b"hz"] == b"10"


def test_get_unknown_and_arity(conn):
    assert conn.call("CONFIG", "GET", "nosuchoption") == []
    assert conn.call("CONFIG", "GET") == err(
        "ERR wrong number of arguments for 'config|get' command")


def test_redis_py_config_get(r):
    # redis-py decodes CONFIG GET replies even with decode_responses=False.
    assert r.config_get("maxmemory") == {"maxmemory": "0"}


# ---------------------------------------------------------------------- SET

@pytest.mark.parametrize("value, stored", [
    ("1gb", b"1073741824"), ("100mb", b"104857600"), ("1kb", b"1024"), ("1k", b"1000"),
    ("2G", b"2000000000"), ("1GB", b"1073741824"), ("12345", b"12345"), ("0", b"0")])
def test_set_memory_units(conn, value, stored):
    assert conn.call("CONFIG", "SET", "maxmemory", value) == b"OK"
    assert config_get(conn, "maxmemory") == {b"maxmemory": stored}


def test_set_normalises_case(conn):
    assert conn.call("CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LRU") == b"OK"
    assert config_get(conn, "maxmemory-policy") == {b"maxmemory-policy": b"allkeys-lru"}
    assert conn.call("CONFIG", "SET", "MAXMEMORY", "5mb") == b"OK"
    assert config_get(conn, "maxmemory") == {b"maxmemory": b"5242880"}


def test_set_clamps_hz(conn):
    assert conn.call("CONFIG", "SET", "hz", 1000) == b"OK"
    assert config_get(conn, "hz") == {b"hz": b"500"}
    assert conn.call("CONFIG", "SET", "hz", 0) == b"OK"
    assert config_get(conn, "hz") == {b"hz": b"1"}


def test_set_several_parameters_at_once(conn):
    assert conn.call("CONFIG", "SET", "timeout", 30, "maxmemory", "1mb") == b"OK"
    assert config_get(conn, "timeout", "maxmemory") == {b"timeout": b"30",
                                                        b"maxmemory": b"1048576"}


def test_set_is_atomic(conn):
    reply = conn.call("CONFIG", "SET", "maxmemory", "10mb", "maxmemory-policy", "foo")
    assert reply == set_failed(
        "maxmemory-policy", "argument(s) must be one of the following: volatile-lru, "
        "volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, "
        "allkeys-random, noeviction")
    assert config_get(conn, "maxmemory") == {b"maxmemory": b"0"}


@pytest.mark.parametrize("args, reply", [
    (["foo", "bar"], err("ERR Unknown option or number of arguments for CONFIG SET - 'foo'")),
    (["maxmemory", "1mb", "hz"], err("ERR syntax error")),   # odd number of arguments
    (["port", "abc"], set_failed("port", "argument couldn't be parsed into an integer")),
    (["port", "99999"], set_failed("port", "argument must be between 0 and 65535 inclusive")),
    (["timeout", "-1"],
     set_failed("timeout", "argument must be between 0 and 2147483647 inclusive")),
    (["maxclients", "0"],
     set_failed("maxclients", "argument must be between 1 and 4294967295 inclusive")),
    (["maxmemory", "abc"], set_failed("maxmemory", "argument must be a memory value")),
    (["maxmemory", "-1"], set_failed("maxmemory", "argument must be a memory value")),
    (["appendonly", "maybe"], set_failed("appendonly", "argument must be 'yes' or 'no'")),
    (["loglevel", "loud"], set_failed(
        "loglevel", "argument(s) must be one of the following: debug, verbose, notice, warning")),
    (["daemonize", "yes"], set_failed("daemonize", "can't set immutable config")),
    (["databases", "4"], set_failed("databases", "can't set immutable config")),
    (["timeout", "1", "timeout", "2"], set_failed("timeout", "duplicate parameter")),
])
def test_set_errors(conn, args, reply):
    assert conn.call("CONFIG", "SET", *args) == reply


def test_set_arity(conn):
    assert conn.call("CONFIG", "SET", "maxmemory") == err(
        "ERR wrong number of arguments for 'config|set' command")


def test_set_requirepass_takes_effect_for_new_connections(raw):
    admin = raw()
    assert admin.call("CONFIG", "SET", "requirepass", "pw") == b"OK"
    newcomer = raw()
    assert newcomer.call("GET", "k") == err("NOAUTH Authentication required.")
    assert newcomer.call("AUTH", "pw") == b"OK"
    assert admin.call("CONFIG", "SET", "requirepass", "") == b"OK"


def test_config_help(conn):
    lines = conn.call("CONFIG", "HELP")
    assert lines[0] == b"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"


# ------------------------------------------------------------------ REWRITE

def test_rewrite_without_config_file(conn):
    assert conn.call("CONFIG", "REWRITE") == err("ERR The server is running without a config file")


def test_rewrite_updates_file_in_place(start_server, tmp_path):
    port = free_port()
    path = write_config(tmp_path, "redwing.conf", [
        "# Redwing test configuration",
        f"port {port}",
        f"bind {LOOPBACK}",
        'save ""',
        "appendonly no",
        f'dir "{tmp_path}"',
        "maxmemory 1gb",
        "# trailing comment",
    ])
    proc = start_server(config_file=path, default_args=False, port=port, workdir=tmp_path)
    with RawConnection(proc.port) as conn:
        assert config_get(conn, "maxmemory") == {b"maxmemory": b"1073741824"}
        assert conn.call("CONFIG", "SET", "maxmemory", "2mb", "hz", "20") == b"OK"
        assert conn.call("CONFIG", "REWRITE") == b"OK"

    lines = path.read_text().splitlines()
    assert lines[0] == "# Redwing test configuration"
    assert "# trailing comment" in lines
    # The existing line is rewritten where it was, using memory units.
    assert lines[6] == "maxmemory 2mb"
    assert "hz 20" in lines
    assert f"port {port}" in lines

    proc.stop()
    again = start_server(config_file=path, default_args=False, port=port, workdir=tmp_path)
    with RawConnection(again.port) as conn:
        assert config_get(conn, "maxmemory", "hz") == {b"maxmemory": b"2097152", b"hz": b"20"}


def test_info_reports_config_file(start_server, tmp_path):
    port = free_port()
    path = write_config(tmp_path, "c.conf", [f"port {port}", f"bind {LOOPBACK}", 'save ""',
                                              f"dir {tmp_path}"])
    proc = start_server(config_file=path, default_args=False, port=port, workdir=tmp_path)
    assert f"config_file:{path}" in proc.cli("INFO", "server")


def test_set_port_moves_the_listener(server):
    """CONFIG SET port listens on the new port and closes the old one; a port that cannot be
    bound is refused and the old one keeps working."""
    import socket
    from server_process import free_port
    from raw_resp import RawConnection
    new_port = free_port()
    with RawConnection(server.port) as c:
        assert c.call("CONFIG", "SET", "port", new_port) == b"OK"
    with RawConnection(new_port) as c:
        assert c.call("PING") == b"PONG"
        # A port someone else holds: refused, and the server stays on new_port.
        holder = socket.socket()
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        busy = holder.getsockname()[1]
        try:
            reply = c.call("CONFIG", "SET", "port", busy)
            assert reply.message.startswith(b"ERR CONFIG SET failed (possibly related to argument 'port')")
        finally:
            holder.close()
        assert c.call("CONFIG", "GET", "port") == [b"port", str(new_port).encode()]
    with RawConnection(new_port) as c:
        assert c.call("PING") == b"PONG"
    server.port = new_port   # so the fixture can still shut it down cleanly
