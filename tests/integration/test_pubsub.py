"""Pub/Sub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB and the shard
variants, in RESP2 and RESP3, with several clients: reply shapes, counts, the RESP2
subscribed context, CLIENT LIST / INFO fields, and cleanup when a subscriber goes away.
Also client-output-buffer-limit, which is what bounds a subscriber that stops reading."""

import socket
import time

import pytest

from raw_resp import Push, RawConnection, err
from server_process import LOOPBACK, free_port, write_config

CONTEXT_ERROR = ("ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
                 "RESET are allowed in this context")


def subscribe(conn, command, *names):
    """Sends a (P|S)SUBSCRIBE and reads its one confirmation per name."""
    conn.send_command(command, *names)
    return [conn.read_reply() for _ in names]


def client_fields(conn, client_id):
    """The CLIENT LIST fields of one client."""
    text = conn.call("CLIENT", "LIST", "ID", client_id).decode()
    return dict(field.split("=", 1) for field in text.strip().split(" "))


def stats(conn):
    text = conn.call("INFO", "stats").decode()
    return dict(line.split(":", 1) for line in text.split("\r\n") if ":" in line)


# ------------------------------------------------------------- SUBSCRIBE / PUBLISH

def test_subscribe_confirms_each_channel_with_a_running_count(raw):
    sub = raw()
    assert subscribe(sub, "SUBSCRIBE", "a", "b", "a") == [
        [b"subscribe", b"a", 1], [b"subscribe", b"b", 2], [b"subscribe", b"a", 2]]
    assert subscribe(sub, "PSUBSCRIBE", "a*") == [[b"psubscribe", b"a*", 3]]


def test_publish_reaches_every_subscriber_and_returns_the_count(raw):
    subs = [raw() for _ in range(5)]
    for s in subs:
        subscribe(s, "SUBSCRIBE", "news")
    pub = raw()
    assert pub.call_raw("PUBLISH", "news", "hello") == b":5\r\n"
    for s in subs:
        assert s.read_raw_reply() == b"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n"
    assert pub.call("PUBLISH", "nobody-listens", "x") == 0


def test_messages_arrive_in_publish_order(raw):
    sub, pub = raw(), raw()
    subscribe(sub, "SUBSCRIBE", "c")
    for i in range(100):
        pub.send_command("PUBLISH", "c", str(i))
    assert [pub.read_reply() for _ in range(100)] == [1] * 100
    assert [sub.read_reply()[2] for _ in range(100)] == [str(i).encode() for i in range(100)]


def test_channel_names_and_messages_are_binary_safe(raw):
    sub, pub = raw(), raw()
    name = b"ch\x00an\r\nnel\xff"
    assert subscribe(sub, "SUBSCRIBE", name, b"") == [[b"subscribe", name, 1], [b"subscribe", b"", 2]]
    assert pub.call("PUBLISH", name, b"\x00\x01\r\n") == 1
    assert sub.read_reply() == [b"message", name, b"\x00\x01\r\n"]
    assert pub.call("PUBLISH", b"", b"empty") == 1
    assert sub.read_reply() == [b"message", b"", b"empty"]


def test_pattern_subscribers_get_pmessage_once_per_matching_pattern(raw):
    a, b, pub = raw(), raw(), raw()
    subscribe(a, "PSUBSCRIBE", "news.*", "n?ws.sport")
    subscribe(b, "PSUBSCRIBE", "news.*")
    subscribe(b, "SUBSCRIBE", "news.sport")
    # a matches twice, b once by pattern and once by channel.
    assert pub.call("PUBLISH", "news.sport", "goal") == 4
    got = sorted([tuple(a.read_reply()) for _ in range(2)])
    assert got == [(b"pmessage", b"n?ws.sport", b"news.sport", b"goal"),
                   (b"pmessage", b"news.*", b"news.sport", b"goal")]
    got = [tuple(b.read_reply()) for _ in range(2)]
    # The channel message comes first, then the pattern matches.
    assert got == [(b"message", b"news.sport", b"goal"),
                   (b"pmessage", b"news.*", b"news.sport", b"goal")]
    assert pub.call("PUBLISH", "weather", "rain") == 0


@pytest.mark.parametrize("pattern,channel,matches", [
    ("h[ae]llo", "hello", True), ("h[^e]llo", "hello", False), ("h\\*llo", "h*llo", True),
    ("h\\*llo", "hello", False), ("*", "", False),  # Redis: "*" does not match the empty name ("[a-c]x", "bx", True), ("?", "ab", False),
])
def test_pattern_matching_uses_redis_globs(raw, pattern, channel, matches):
    sub, pub = raw(), raw()
    subscribe(sub, "PSUBSCRIBE", pattern)
    assert pub.call("PUBLISH", channel, "m") == (1 if matches else 0)


# ------------------------------------------------------------- UNSUBSCRIBE

def test_unsubscribe_without_arguments_leaves_every_channel(raw):
    sub, pub = raw(), raw()
    subscribe(sub, "SUBSCRIBE", "a", "b", "c")
    subscribe(sub, "PSUBSCRIBE", "p*")
    sub.send_command("UNSUBSCRIBE")
    replies = [sub.read_reply() for _ in range(3)]
    assert sorted(r[1] for r in replies) == [b"a", b"b", b"c"]
    assert [r[0] for r in replies] == [b"unsubscribe"] * 3
    assert [r[2] for r in replies] == [3, 2, 1]          # the pattern still counts
    assert pub.call("PUBSUB", "NUMSUB", "a", "b", "c") == [b"a", 0, b"b", 0, b"c", 0]
    # Still subscribed to a pattern: still in the subscribed context.
    assert sub.call("GET", "k") == err(CONTEXT_ERROR.format("get"))
    sub.send_command("PUNSUBSCRIBE")
    assert sub.read_reply() == [b"punsubscribe", b"p*", 0]
    assert sub.call("GET", "k") is None


def test_punsubscribe_without_arguments_answers_in_subscription_order(raw):
    sub = raw()
    subscribe(sub, "PSUBSCRIBE", "z*", "a*", "m*")
    sub.send_command("PUNSUBSCRIBE")
    assert [sub.read_reply() for _ in range(3)] == [
        [b"punsubscribe", b"z*", 2], [b"punsubscribe", b"a*", 1], [b"punsubscribe", b"m*", 0]]


@pytest.mark.parametrize("command", ["UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"])
def test_unsubscribe_when_subscribed_to_nothing(conn, command):
    assert conn.call_raw(command) == b"*3\r\n$%d\r\n%s\r\n$-1\r\n:0\r\n" % (
        len(command), command.lower().encode())
    # Named channels are confirmed even though they were never subscribed.
    conn.send_command(command, "x", "y")
    assert [conn.read_reply() for _ in range(2)] == [
        [command.lower().encode(), b"x", 0], [command.lower().encode(), b"y", 0]]
    assert conn.call("PING") == b"PONG"


def test_unsubscribing_the_last_channel_ends_the_subscribed_context(raw):
    sub = raw()
    subscribe(sub, "SUBSCRIBE", "a")
    assert sub.call("SET", "k", "v") == err(CONTEXT_ERROR.format("set"))
    sub.send_command("UNSUBSCRIBE", "a", "never")
    assert [sub.read_reply() for _ in range(2)] == [[b"unsubscribe", b"a", 0], [b"unsubscribe", b"never", 0]]
    assert sub.call("SET", "k", "v") == b"OK"


# ------------------------------------------------------------- subscribed context (RESP2)

def test_only_subscription_commands_ping_and_quit_run_while_subscribed(raw):
    sub = raw()
    subscribe(sub, "SUBSCRIBE", "a")
    assert sub.call("GET", "k") == err(CONTEXT_ERROR.format("get"))
    assert sub.call("CLIENT", "LIST") == err(CONTEXT_ERROR.format("client|list"))
    assert sub.call("HELLO", "3") == err(CONTEXT_ERROR.format("hello"))
    assert sub.call("PUBLISH", "a", "m") == err(CONTEXT_ERROR.format("publish"))
    # Unknown commands and arity errors are reported as such first.
    assert sub.call("NOSUCH") == err("ERR unknown command 'NOSUCH', with args beginning with: ")
    assert sub.call("PING", "a", "b") == err("ERR wrong number of arguments for 'ping' command")
    assert sub.call("SUBSCRIBE") == err("ERR wrong number of arguments for 'subscribe' command")
    # PING answers with a message-shaped array.
    assert sub.call_raw("PING") == b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"
    assert sub.call_raw("PING", "hi") == b"*2\r\n$4\r\npong\r\n$2\r\nhi\r\n"
    assert subscribe(sub, "PSUBSCRIBE", "x*") == [[b"psubscribe", b"x*", 2]]
    assert sub.call("QUIT") == b"OK"
    assert sub.is_closed()


def test_rejected_commands_count_as_rejected_calls(raw):
    sub, other = raw(), raw()
    other.call("CONFIG", "RESETSTAT")
    subscribe(sub, "SUBSCRIBE", "a")
    sub.call("GET", "k")
    text = other.call("INFO", "commandstats").decode()
    line = next(l for l in text.split("\r\n") if l.startswith("cmdstat_get:"))
    assert "calls=0" in line and "rejected_calls=1" in line


def test_resp3_subscriber_gets_pushes_and_may_run_any_command(raw):
    sub, pub = raw(), raw()
    sub.call("HELLO", "3")
    sub.send_command("SUBSCRIBE", "a", "b")
    assert sub.read_raw_reply() == b">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
    assert sub.read_reply() == Push([b"subscribe", b"b", 2])
    assert sub.call("SET", "k", "v") == b"OK"
    assert sub.call_raw("PING") == b"+PONG\r\n"
    assert pub.call("PUBLISH", "a", "m") == 1
    assert sub.read_raw_reply() == b">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nm\r\n"
    # Its own PUBLISH: the push is written before the reply.
    assert sub.call("PUBLISH", "b", "self") == Push([b"message", b"b", b"self"])
    assert sub.read_reply() == 1
    assert sub.call_raw("UNSUBSCRIBE", "zz") == b">3\r\n$11\r\nunsubscribe\r\n$2\r\nzz\r\n:2\r\n"
    sub.send_command("UNSUBSCRIBE")
    assert sorted(sub.read_reply()[1] for _ in range(2)) == [b"a", b"b"]
    assert sub.call_raw("UNSUBSCRIBE") == b">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n"


def test_pushes_reach_a_client_with_replies_off(raw):
    sub, pub = raw(), raw()
    sub.send_command("CLIENT", "REPLY", "OFF")
    sub.send_command("SUBSCRIBE", "a")
    assert sub.read_reply() == [b"subscribe", b"a", 1]
    assert pub.call("PUBLISH", "a", "m") == 1
    assert sub.read_reply() == [b"message", b"a", b"m"]
    sub.send_command("PING")                     # an ordinary reply: still silenced
    assert sub.read_available(0.3) == b""


# ------------------------------------------------------------- PUBSUB

def test_pubsub_channels_numsub_numpat(raw):
    a, b, q = raw(), raw(), raw()
    subscribe(a, "SUBSCRIBE", "news.tech", "news.art", "weather")
    subscribe(b, "SUBSCRIBE", "news.tech")
    subscribe(a, "PSUBSCRIBE", "news.*", "w*")
    subscribe(b, "PSUBSCRIBE", "news.*")
    assert sorted(q.call("PUBSUB", "CHANNELS")) == [b"news.art", b"news.tech", b"weather"]
    assert sorted(q.call("PUBSUB", "CHANNELS", "news.*")) == [b"news.art", b"news.tech"]
    assert q.call("PUBSUB", "CHANNELS", "nothing*") == []
    assert q.call("PUBSUB", "NUMSUB", "news.tech", "weather", "none") == [
        b"news.tech", 2, b"weather", 1, b"none", 0]
    assert q.call("PUBSUB", "NUMSUB") == []
    # NUMPAT counts distinct patterns, not subscriptions.
    assert q.call("PUBSUB", "NUMPAT") == 2
    info = stats(q)
    assert (info["pubsub_channels"], info["pubsub_patterns"], info["pubsubshard_channels"]) == ("3", "2", "0")


def test_pubsub_errors_and_help(conn):
    assert conn.call("PUBSUB") == err("ERR wrong number of arguments for 'pubsub' command")
    assert conn.call("PUBSUB", "nope") == err("ERR unknown subcommand 'nope'. Try PUBSUB HELP.")
    assert conn.call("PUBSUB", "channels", "a", "b") == err(
        "ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB HELP.")
    assert conn.call("PUBSUB", "SHARDCHANNELS", "a", "b") == err(
        "ERR unknown subcommand or wrong number of arguments for 'SHARDCHANNELS'. Try PUBSUB HELP.")
    assert conn.call("PUBSUB", "NUMPAT", "x") == err(
        "ERR wrong number of arguments for 'pubsub|numpat' command")
    assert conn.call("PUBLISH", "a") == err("ERR wrong number of arguments for 'publish' command")
    help_lines = conn.call("PUBSUB", "HELP")
    assert help_lines[0] == b"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert len(help_lines) == 14 and help_lines[-1] == b"    Prints this help."


def test_numsub_is_a_flat_array_in_resp3(conn):
    conn.call("HELLO", "3")
    assert conn.call_raw("PUBSUB", "NUMSUB", "a") == b"*2\r\n$1\r\na\r\n:0\r\n"


# ------------------------------------------------------------- shard channels

def test_shard_channels_are_separate_and_counted_apart(raw):
    sub, pub = raw(), raw()
    assert subscribe(sub, "SUBSCRIBE", "a") == [[b"subscribe", b"a", 1]]
    assert subscribe(sub, "SSUBSCRIBE", "a", "b") == [[b"ssubscribe", b"a", 1], [b"ssubscribe", b"b", 2]]
    assert pub.call("SPUBLISH", "a", "s") == 1
    assert sub.read_reply() == [b"smessage", b"a", b"s"]
    assert pub.call("PUBLISH", "b", "p") == 0
    assert sorted(pub.call("PUBSUB", "SHARDCHANNELS")) == [b"a", b"b"]
    assert pub.call("PUBSUB", "SHARDCHANNELS", "b*") == [b"b"]
    assert pub.call("PUBSUB", "SHARDNUMSUB", "a", "zz") == [b"a", 1, b"zz", 0]
    assert stats(pub)["pubsubshard_channels"] == "2"
    # Leaving every plain channel keeps the context while shard channels remain.
    sub.send_command("UNSUBSCRIBE", "a")
    assert sub.read_reply() == [b"unsubscribe", b"a", 0]
    assert sub.call("GET", "k") == err(CONTEXT_ERROR.format("get"))
    sub.send_command("SUNSUBSCRIBE")
    assert sorted(sub.read_reply()[1] for _ in range(2)) == [b"a", b"b"]
    assert sub.call("GET", "k") is None


# ------------------------------------------------------------- clients

def test_client_list_shows_subscriptions_and_type(raw):
    sub, other = raw(), raw()
    sub_id = sub.call("CLIENT", "ID")
    subscribe(sub, "SUBSCRIBE", "a", "b")
    subscribe(sub, "PSUBSCRIBE", "p*")
    subscribe(sub, "SSUBSCRIBE", "s")
    fields = client_fields(other, sub_id)
    assert (fields["flags"], fields["sub"], fields["psub"], fields["ssub"]) == ("P", "2", "1", "1")
    assert fields["cmd"] == "ssubscribe"
    pubsub_ids = [line.split(" ")[0] for line in
                  other.call("CLIENT", "LIST", "TYPE", "pubsub").decode().strip().split("\n")]
    assert pubsub_ids == [f"id={sub_id}"]
    normal = other.call("CLIENT", "LIST", "TYPE", "normal").decode()
    assert f"id={sub_id} " not in normal and f"id={other.call('CLIENT', 'ID')} " in normal
    assert other.call("CLIENT", "KILL", "TYPE", "pubsub") == 1
    assert sub.is_closed()
    assert other.call("PUBSUB", "NUMSUB", "a") == [b"a", 0]


def test_disconnected_subscriber_is_removed_everywhere(raw):
    gone, stays, pub = raw(), raw(), raw()
    subscribe(gone, "SUBSCRIBE", "a", "b")
    subscribe(gone, "PSUBSCRIBE", "a*", "only-gone*")
    subscribe(gone, "SSUBSCRIBE", "s")
    subscribe(stays, "SUBSCRIBE", "a")
    subscribe(stays, "PSUBSCRIBE", "a*")
    gone.close()
    deadline = time.monotonic() + 5
    while pub.call("PUBSUB", "NUMSUB", "a")[1] != 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert pub.call("PUBSUB", "NUMSUB", "a", "b") == [b"a", 1, b"b", 0]
    assert pub.call("PUBSUB", "NUMPAT") == 1
    assert pub.call("PUBSUB", "SHARDCHANNELS") == []
    assert pub.call("PUBLISH", "a", "m") == 2
    info = stats(pub)
    assert (info["pubsub_channels"], info["pubsub_patterns"]) == ("1", "1")


@pytest.mark.server_args("--timeout", "1")
def test_idle_timeout_spares_subscribers(raw):
    sub, idle = raw(), raw()
    subscribe(sub, "SUBSCRIBE", "a")
    idle.call("PING")
    assert idle.is_closed(wait=4)
    assert sub.call_raw("PING") == b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"


# ------------------------------------------------------------- client-output-buffer-limit

COBL = "client-output-buffer-limit"
COBL_ERROR = "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - {}"


def slow_reader(raw):
    """A connection with a tiny receive buffer, so the server's output queues up."""
    conn = raw()
    conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    return conn


def disconnected_within(admin, client_id, seconds):
    """Whether the server drops the client within ``seconds`` (asked from its side: a
    client that reads slowly could take long to see the end of what was already sent)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if admin.call("CLIENT", "LIST", "ID", client_id) == b"":
            return True
        time.sleep(0.05)
    return False


def peak_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))


def test_output_limit_config_get_set(conn):
    assert conn.call("CONFIG", "GET", COBL) == [
        COBL.encode(), b"normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"]
    # A value changes only the classes it names; units and class names in any case.
    assert conn.call("CONFIG", "SET", COBL, "PUBSUB 1MB 512kb 10") == b"OK"
    assert conn.call("CONFIG", "SET", COBL, "replica 1gb 2k 5 normal 1b 0 0") == b"OK"
    assert conn.call("CONFIG", "GET", COBL)[1] == \
        b"normal 1 0 0 slave 1073741824 2000 5 pubsub 1048576 524288 10"
    assert conn.call("CONFIG", "SET", COBL, "") == b"OK"
    assert conn.call("CONFIG", "SET", COBL, "normal 18446744073709551616 0 4294967297") == b"OK"
    assert conn.call("CONFIG", "GET", COBL)[1].startswith(b"normal 18446744073709551615 0 1 ")


@pytest.mark.parametrize("value,reason", [
    ("master 0 0 0", "Invalid client class specified in buffer limit configuration."),
    ("nobody 0 0 0", "Invalid client class specified in buffer limit configuration."),
    ("normal 1 2", "Wrong number of arguments in buffer limit configuration."),
    ("normal  1 0 0", "Wrong number of arguments in buffer limit configuration."),
    ("normal -1 0 0", "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
    ("normal +1 0 0", "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
    ("normal 1x 0 0", "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
    ("normal 1 0 -1", "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
    ("normal 1 0 2147483648", "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
    ("pubsub 1 0 0 normal 1 0 x", "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
])
def test_output_limit_config_errors_change_nothing(conn, value, reason):
    before = conn.call("CONFIG", "GET", COBL)
    assert conn.call("CONFIG", "SET", COBL, value) == err(COBL_ERROR.format(reason))
    assert conn.call("CONFIG", "GET", COBL) == before


def test_output_limit_lines_in_config_file_and_rewrite(start_server, tmp_path):
    port = free_port()
    path = write_config(tmp_path, "redwing.conf", [
        f"port {port}", f"bind {LOOPBACK}", 'save ""', f'dir "{tmp_path}"',
        "client-output-buffer-limit normal 0 0 0",
        "client-output-buffer-limit pubsub 16mb 4mb 30",
    ])
    proc = start_server(config_file=path, default_args=False, port=port, workdir=tmp_path)
    with RawConnection(proc.port) as conn:
        assert conn.call("CONFIG", "GET", COBL)[1] == \
            b"normal 0 0 0 slave 268435456 67108864 60 pubsub 16777216 4194304 30"
        assert conn.call("CONFIG", "SET", COBL, "replica 1gb 1000 5") == b"OK"
        assert conn.call("CONFIG", "REWRITE") == b"OK"
    lines = [l for l in path.read_text().splitlines() if l.startswith(COBL)]
    # Every class that differs from the default has its line (replica spelled so).
    assert "client-output-buffer-limit replica 1gb 1000 5" in lines
    assert "client-output-buffer-limit pubsub 16mb 4mb 30" in lines
    assert not any(" normal " in l and l != "client-output-buffer-limit normal 0 0 0" for l in lines)


def test_subscriber_that_never_reads_is_disconnected_and_memory_stays_bounded(raw, server):
    sub, pub = slow_reader(raw), raw()
    sub_id = sub.call("CLIENT", "ID")
    subscribe(sub, "SUBSCRIBE", "firehose")
    message = b"x" * (1 << 20)
    for _ in range(200):                 # 200 MB for a subscriber limited to 32 MB
        pub.send_command("PUBLISH", "firehose", message)
    receivers = [pub.read_reply() for _ in range(200)]
    assert receivers[0] == 1 and receivers[-1] == 0
    assert disconnected_within(pub, sub_id, 5)
    assert pub.call("PUBSUB", "NUMSUB", "firehose") == [b"firehose", 0]
    assert peak_rss_kb(server.pid) < 120 * 1024
    info = stats(pub)
    if "client_output_buffer_limit_disconnections" in info:     # not in Redis 7.0's INFO
        assert info["client_output_buffer_limit_disconnections"] == "1"
    assert "overcoming of output buffer limits" in server.log_tail(20)


def test_soft_limit_disconnects_after_its_seconds(raw):
    sub, pub = slow_reader(raw), raw()
    assert pub.call("CONFIG", "SET", COBL, "pubsub 0 1mb 1") == b"OK"
    sub_id = sub.call("CLIENT", "ID")
    subscribe(sub, "SUBSCRIBE", "c")
    for _ in range(10):
        pub.call("PUBLISH", "c", b"x" * (1 << 20))
    # Over the soft limit, but not yet for a second.
    assert pub.call("PUBSUB", "NUMSUB", "c") == [b"c", 1]
    # Nothing more is published: the server's periodic check closes it.
    assert disconnected_within(pub, sub_id, 4)
    assert pub.call("PUBSUB", "NUMSUB", "c") == [b"c", 0]


def test_reading_subscriber_is_not_disconnected(raw):
    sub, pub = raw(), raw()
    assert pub.call("CONFIG", "SET", COBL, "pubsub 256kb 64kb 0") == b"OK"
    subscribe(sub, "SUBSCRIBE", "c")
    for i in range(50):
        assert pub.call("PUBLISH", "c", b"y" * 50_000) == 1
        assert sub.read_reply()[2] == b"y" * 50_000


def test_normal_client_over_its_hard_limit_is_disconnected(raw):
    conn, admin = slow_reader(raw), raw()
    conn_id = conn.call("CLIENT", "ID")
    admin.call("SET", "big", b"z" * (2 << 20))
    assert admin.call("CONFIG", "SET", COBL, "normal 1mb 0 0") == b"OK"
    assert conn.call("GET", "small") is None            # small replies are not affected
    conn.send_command("GET", "big")
    assert disconnected_within(admin, conn_id, 5)
    assert admin.call("CONFIG", "SET", COBL, "normal 0 0 0") == b"OK"
    assert len(admin.call("GET", "big")) == 2 << 20
