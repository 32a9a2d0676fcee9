"""INFO: section layout and the field names monitoring tools parse.

Values that depend on the machine or version are checked for shape only;
counters are checked for how they move.
"""

import re

import pytest

DEFAULT_SECTIONS = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication",
                    "CPU", "Modules", "Errorstats", "Cluster", "Keyspace"]

# Fields that exporters, redis-cli --stat, and dashboards read, per section.
REQUIRED_FIELDS = {
    "Server": ["redis_version", "redis_git_sha1", "redis_build_id", "redis_mode", "os",
               "arch_bits", "multiplexing_api", "process_id", "run_id", "tcp_port",
               "server_time_usec", "uptime_in_seconds", "uptime_in_days", "hz",
               "configured_hz", "lru_clock", "executable", "config_file"],
    "Clients": ["connected_clients", "maxclients", "blocked_clients", "tracking_clients",
                "client_recent_max_input_buffer", "client_recent_max_output_buffer"],
    "Memory": ["used_memory", "used_memory_human", "used_memory_rss", "used_memory_rss_human",
               "used_memory_peak", "used_memory_peak_human", "total_system_memory",
               "maxmemory", "maxmemory_human", "maxmemory_policy", "mem_fragmentation_ratio",
               "mem_allocator"],
    "Persistence": ["loading", "rdb_changes_since_last_save", "rdb_bgsave_in_progress",
                    "rdb_last_save_time", "rdb_last_bgsave_status", "aof_enabled",
                    "aof_rewrite_in_progress"],
    "Stats": ["total_connections_received", "total_commands_processed",
              "instantaneous_ops_per_sec", "total_net_input_bytes", "total_net_output_bytes",
              "rejected_connections", "expired_keys", "evicted_keys", "keyspace_hits",
              "keyspace_misses", "pubsub_channels", "pubsub_patterns", "total_error_replies"],
    "Replication": ["role", "connected_slaves", "master_replid", "master_repl_offset"],
    "CPU": ["used_cpu_sys", "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children"],
    "Cluster": ["cluster_enabled"],
}


def parse_info(text: str) -> dict:
    """{section: {field: value}} preserving order; checks line syntax."""
    sections, current = {}, None
    assert text.endswith("\r\n")
    for line in text[:-2].split("\r\n"):
        if line.startswith("# "):
            current = sections.setdefault(line[2:], {})
        elif line == "":
            current = None
        else:
            assert current is not None, f"field outside a section: {line!r}"
            field, sep, value = line.partition(":")
            assert sep and re.fullmatch(r"[A-Za-z0-9_|.\-]+", field), line
            current[field] = value
    return sections


@pytest.fixture
def info(conn):
    return lambda *sections: parse_info(conn.call("INFO", *sections).decode())


def test_default_sections_in_order(conn):
    text = conn.call("INFO").decode()
    assert [s for s in parse_info(text)] == DEFAULT_SECTIONS
    assert "\r\n\r\n# Clients\r\n" in text     # blank line between sections
    assert text.startswith("# Server\r\n")


def test_default_keyword_matches_no_argument(info):
    assert list(info("default")) == DEFAULT_SECTIONS


def test_all_and_everything_add_stats_sections(info):
    for keyword in ("all", "everything"):
        sections = list(info(keyword))
        assert "Commandstats" in sections and "Latencystats" in sections
        assert set(DEFAULT_SECTIONS) <= set(sections)


def test_selected_sections(info, conn):
    assert list(info("server")) == ["Server"]
    assert list(info("SERVER")) == ["Server"]
    assert list(info("server", "clients")) == ["Server", "Clients"]
    assert conn.call("INFO", "nosuchsection") == b""


@pytest.mark.parametrize("section", sorted(REQUIRED_FIELDS))
def test_required_fields_present(info, section):
    fields = info(section.lower())[section]
    missing = [name for name in REQUIRED_FIELDS[section] if name not in fields]
    assert not missing


def test_server_section_values(info, server):
    fields = info("server")["Server"]
    assert re.fullmatch(r"7\.0\.\d+", fields["redis_version"])
    assert fields["redis_mode"] == "standalone"
    assert fields["arch_bits"] == "64"
    assert int(fields["process_id"]) == server.pid
    assert int(fields["tcp_port"]) == server.port
    assert re.fullmatch(r"[0-9a-f]{40}", fields["run_id"])
    assert 0 <= int(fields["uptime_in_seconds"]) < 60
    assert fields["uptime_in_days"] == "0"
    assert fields["hz"] == "10"
    assert fields["config_file"] == ""
    assert int(fields["server_time_usec"]) > 1_600_000_000_000_000


def test_memory_and_misc_values(info):
    sections = info("memory", "persistence", "replication", "cluster")
    memory = sections["Memory"]
    assert int(memory["used_memory"]) > 0
    assert re.fullmatch(r"\d+(\.\d+)?[BKMGT]", memory["used_memory_human"])
    assert memory["maxmemory"] == "0"
    assert memory["maxmemory_policy"] == "noeviction"
    assert re.fullmatch(r"\d+\.\d+", memory["mem_fragmentation_ratio"])
    assert sections["Persistence"]["loading"] == "0"
    assert sections["Persistence"]["aof_enabled"] == "0"
    assert sections["Replication"]["role"] == "master"
    assert sections["Replication"]["connected_slaves"] == "0"
    assert sections["Cluster"]["cluster_enabled"] == "0"


def test_connected_clients_counts_connections(raw, info):
    base = int(info("clients")["Clients"]["connected_clients"])
    extra = [raw() for _ in range(3)]
    for c in extra:
        c.call("PING")
    assert int(info("clients")["Clients"]["connected_clients"]) == base + 3
    assert info("clients")["Clients"]["maxclients"] == "10000"


def test_stats_counters_move(conn, info):
    before = info("stats")["Stats"]
    conn.call("SET", "k", "v")
    conn.call("GET", "k")
    conn.call("GET", "k")
    conn.call("GET", "missing")
    after = info("stats")["Stats"]
    assert int(after["keyspace_hits"]) - int(before["keyspace_hits"]) == 2
    assert int(after["keyspace_misses"]) - int(before["keyspace_misses"]) == 1
    # 4 commands plus the INFO that produced `before`.
    assert int(after["total_commands_processed"]) - int(before["total_commands_processed"]) == 5
    assert int(after["total_net_input_bytes"]) > int(before["total_net_input_bytes"])


def test_errorstats_and_commandstats(conn, info):
    conn.call("CONFIG", "RESETSTAT")
    conn.call("nosuchcommand")
    conn.call("GET", "k")
    conn.call("GET", "k")
    errors = info("errorstats")["Errorstats"]
    assert errors == {"errorstat_ERR": "count=1"}
    stats = info("commandstats")["Commandstats"]
    assert re.fullmatch(
        r"calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0",
        stats["cmdstat_get"])
    assert "cmdstat_nosuchcommand" not in stats
    assert info("stats")["Stats"]["total_error_replies"] == "1"


@pytest.mark.needs_commands("RPUSH")
def test_errorstats_and_commandstats_wrongtype(conn, info):
    conn.call("CONFIG", "RESETSTAT")
    conn.call("nosuchcommand")
    conn.call("RPUSH", "l", "x")
    conn.call("GET", "l")
    conn.call("GET", "k")
    errors = info("errorstats")["Errorstats"]
    assert errors == {"errorstat_ERR": "count=1", "errorstat_WRONGTYPE": "count=1"}
    stats = info("commandstats")["Commandstats"]
    assert re.fullmatch(
        r"calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=1",
        stats["cmdstat_get"])
    assert "cmdstat_nosuchcommand" not in stats
    assert info("stats")["Stats"]["total_error_replies"] == "2"


def test_config_resetstat_clears_counters(conn, info):
    conn.call("GET", "missing")
    conn.call("nosuchcommand")
    assert conn.call("CONFIG", "RESETSTAT") == b"OK"
    stats = info("stats")["Stats"]
    assert stats["keyspace_misses"] == "0"
    assert stats["total_error_replies"] == "0"
    assert info("errorstats")["Errorstats"] == {}
    assert set(info("commandstats")["Commandstats"]) == {"cmdstat_config|resetstat",
                                                         "cmdstat_info"}


def test_redis_cli_info(server):
    out = server.cli("INFO", "server")
    assert out.startswith("# Server")
    assert f"tcp_port:{server.port}" in out
