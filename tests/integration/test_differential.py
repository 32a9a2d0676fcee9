"""Differential test: the server under test against a real redis-server.

For each seed, ``CommandGenerator`` produces a few thousand string, keyspace,
list, hash, set, sorted-set, HyperLogLog and geo commands over 20 shared keys
(plus l0..l3 for lists, h0..h3 for hashes, s0..s3 for sets, z0..z3 and zlex
for sorted sets, p0..p3 for sketches and g0..g3 for geo sets) and 3
databases.  Every
command is sent to both servers (pipelined in batches) and the replies, error
strings included, are compared one by one; at the end the whole keyspace is
compared too.

On a mismatch the failure names the seed, the command index and shows the
last commands with both servers' replies.  Reproduce one seed with
``REDWING_DIFF_SEEDS=<seed> pytest tests/integration/test_differential.py``.

Knobs (environment): REDWING_DIFF_SEEDS (explicit list, e.g. "3,17"),
REDWING_DIFF_SEED_COUNT (seeds 1..N when no list is given, default 8),
REDWING_DIFF_COMMANDS (per seed, default 5000).  List commands (LPUSH ...
LMPOP, non-blocking only) are generated only when the server under test
knows RPUSH (COMMAND INFO); REDWING_DIFF_LISTS=0 or =1 overrides the
detection.  Hash commands (HSET ... HSCAN, plus CONFIG SET of the
hash-max-listpack-* limits) likewise need HSET; REDWING_DIFF_HASHES=0/1
overrides.  Set commands (SADD ... SSCAN, plus CONFIG SET of
set-max-intset-entries) need SADD; REDWING_DIFF_SETS=0/1 overrides.
Order-unspecified hash and set replies are compared as described in
command_generator.py (probes, HSCAN/SSCAN iterated to the end, random SPOPs
undone on each server).
Transactions (WATCH, MULTI, queued commands, EXEC/DISCARD) need MULTI;
REDWING_DIFF_TRANSACTIONS=0/1 overrides.
Bitmap commands (SETBIT ... BITFIELD_RO) need SETBIT and HyperLogLog
commands (PFADD ... PFDEBUG, plus CONFIG SET hll-sparse-max-bytes) need PFADD;
REDWING_DIFF_BITMAPS=0/1 and REDWING_DIFF_HLL=0/1 override.
Geo commands (GEOADD ... GEOSEARCHSTORE, GEORADIUS*) need GEOADD;
REDWING_DIFF_GEO=0/1 overrides.
SORT and SORT_RO (sort_generator.py) need SORT; REDWING_DIFF_SORTS=0/1 overrides.
Sorted-set commands (zset_generator.py: ZADD ... ZSCAN, plus CONFIG SET of the
zset-max-listpack-* limits) need ZADD; REDWING_DIFF_ZSETS=0/1 overrides.
"""

from __future__ import annotations

import os
import re
from collections import deque

import pytest

from command_generator import (DATABASES, EXACT, EXACT_PROBED, HASH_ORDER, HSCAN_ALL, RANDFIELD, SCAN_ALL,
                               SET_BUILT, SET_ORDER, SORTED, SPOP_RANDOM, SRANDMEMBER,
                               SSCAN_ALL, TTL_CLASS, CommandGenerator, Step)
from raw_resp import (Closed, Error, RawConnection, encode_command, parse_reply,
                      unknown_commands)
from zset_generator import ZSCAN_ALL


def _seeds() -> list[int]:
    explicit = os.environ.get("REDWING_DIFF_SEEDS", "")
    if explicit.strip():
        return [int(seed) for seed in explicit.split(",") if seed.strip()]
    return list(range(1, int(os.environ.get("REDWING_DIFF_SEED_COUNT", "8")) + 1))


SEEDS = _seeds()
COMMANDS_PER_SEED = int(os.environ.get("REDWING_DIFF_COMMANDS", "5000"))
BATCH = 50
HISTORY = 10


_noted_disabled: set = set()


def generates(capsys, port: int, what: str, command: str, variable: str) -> bool:
    """Generate this kind of command?  As the environment variable says ("0" or "1"), else
    if the server under test knows `command`.  When off, says so on the terminal once per
    session and kind."""
    override = os.environ.get(variable)
    if override is not None:
        enabled = override != "0"
    else:
        with RawConnection(port) as conn:
            enabled = not unknown_commands(conn, command)
    if not enabled and what not in _noted_disabled:
        _noted_disabled.add(what)
        with capsys.disabled():
            why = f"server lacks {command}" if override is None else f"{variable}=0"
            print(f"\nnote: differential test generates no {what} ({why})")
    return enabled


def ttl_class(value) -> str:
    if isinstance(value, int):
        return "-2" if value == -2 else "-1" if value == -1 else "positive" if value > 0 \
            else f"unexpected {value}"
    return repr(value)


def pairs(flat: list) -> list:
    return list(zip(flat[0::2], flat[1::2]))


def randfield_shape(argv: tuple, reply, contents) -> tuple:
    """HRANDFIELD reduced to what any correct server answers alike.  ``contents``
    is the server's own HGETALL of the key, taken right after (or an error).
    ZRANDMEMBER too, with ZRANGE key 0 -1 WITHSCORES as its ``contents``."""
    if isinstance(contents, Error):
        return ("no hash", contents)
    fields = dict(pairs(contents))
    if len(argv) == 2:                                  # no count: nil or one field
        return ("single", reply is None, reply is None or reply in fields)
    count = int(argv[2])
    withvalues = len(argv) == 4
    items = pairs(reply) if withvalues else [(f, fields.get(f)) for f in reply]
    valid = all(f in fields and fields[f] == v for f, v in items)
    distinct = len({f for f, _ in items}) == len(items)
    whole = sorted(items) if count >= len(fields) else None
    return ("count", len(items), valid, count < 0 or distinct, whole,
            sorted(fields.items()))


_CANONICAL_INTEGER = re.compile(rb"0|-?[1-9][0-9]*")


def intset_member(member: bytes) -> bool:
    """Would Redis keep ``member`` in an intset (a canonical 64-bit integer)?"""
    return _CANONICAL_INTEGER.fullmatch(member) is not None and \
        -2 ** 63 <= int(member) < 2 ** 63


def srandmember_shape(argv: tuple, reply, contents) -> tuple:
    """SRANDMEMBER reduced to what any correct server answers alike.
    ``contents`` is the server's own SMEMBERS of the key, taken right after."""
    if isinstance(contents, Error):
        return ("no set", contents)
    members = set(contents)
    if len(argv) == 2:                                  # no count: nil or one member
        return ("single", reply is None, reply is None or reply in members)
    count = int(argv[2])
    distinct = len(set(reply)) == len(reply)
    whole = sorted(reply) if count >= len(members) else None
    return ("count", len(reply), set(reply) <= members, count < 0 or distinct, whole,
            sorted(members))


def normalise(step: Step, raw: bytes, probe: bytes = b""):
    """What must be equal between the two servers for this step (and its
    probe, when it has one)."""
    if step.compare == EXACT:
        return raw
    if step.compare == EXACT_PROBED:
        return raw, probe
    decoded = parse_reply(raw)
    if isinstance(decoded, Error):
        return raw, probe if step.compare in (HASH_ORDER, SET_ORDER, SET_BUILT) else b""
    if step.compare == TTL_CLASS:
        return ttl_class(decoded)
    if step.compare == SORTED:
        return sorted(decoded)
    if step.compare == HASH_ORDER:
        if probe != b"$9\r\nhashtable\r\n":     # listpack (or missing key): exact order
            return raw, probe
        if step.argv[0].upper() == "HGETALL":
            return sorted(pairs(decoded)), probe
        return sorted(decoded), probe
    if step.compare == RANDFIELD:
        return randfield_shape(step.argv, decoded, parse_reply(probe))
    if step.compare == SET_ORDER:
        if probe != b"$9\r\nhashtable\r\n":     # intset (or missing key): exact order
            return raw, probe
        return sorted(decoded), probe
    if step.compare == SET_BUILT:
        limit = int(parse_reply(probe)[1])
        if len(decoded) <= limit and all(intset_member(m) for m in decoded):
            return raw, probe
        return sorted(decoded), probe
    if step.compare == SRANDMEMBER:
        return srandmember_shape(step.argv, decoded, parse_reply(probe))
    raise AssertionError(f"unknown comparison {step.compare}")


def full_scan(conn: RawConnection, argv: tuple) -> object:
    """Iterate SCAN to the end from cursor 0; returns sorted keys or an error."""
    cursor, keys = b"0", set()
    for _ in range(100000):
        reply = conn.call("SCAN", cursor, *argv[2:])
        if isinstance(reply, Error):
            return reply
        cursor, batch = reply
        keys.update(batch)
        if cursor == b"0":
            return sorted(keys)
    raise AssertionError("SCAN never returned cursor 0")


def scan_key_to_end(conn: RawConnection, argv: tuple, gather) -> object:
    """Iterate HSCAN/SSCAN (``argv``) to the end from the step's cursor,
    handing each batch to ``gather``; returns the error reply, if any."""
    cursor = argv[2]
    for _ in range(100000):
        reply = conn.call(argv[0], argv[1], cursor, *argv[3:])
        if isinstance(reply, Error):
            return reply
        cursor, batch = reply
        gather(batch)
        if cursor == b"0":
            return None
    raise AssertionError(f"{argv[0]} never returned cursor 0")


def full_hscan(conn: RawConnection, argv: tuple) -> object:
    """HSCAN iterated to the end: sorted (field, value) pairs or an error."""
    found: dict = {}
    return scan_key_to_end(conn, argv, lambda flat: found.update(pairs(flat))) or \
        sorted(found.items())


def full_sscan(conn: RawConnection, argv: tuple) -> object:
    """SSCAN iterated to the end: sorted members or an error."""
    found: set = set()
    return scan_key_to_end(conn, argv, found.update) or sorted(found)


def full_zscan(conn: RawConnection, argv: tuple) -> object:
    """ZSCAN iterated to the end: sorted (member, score value) pairs or an error.
    Scores are compared as numbers: ZSCAN prints them as the encoding holds them."""
    found: dict = {}
    return scan_key_to_end(conn, argv, lambda flat: found.update(pairs(flat))) or \
        sorted((member, float(score)) for member, score in found.items())


def spop_and_restore(conn: RawConnection, argv: tuple) -> object:
    """SPOP on one server, reduced to its shape; the popped members are added
    back so that both servers hold the same set again.  A set emptied by the
    pop is not re-created: then both servers popped all of it, compared
    exactly (sorted)."""
    key = argv[1]
    before = conn.call("SMEMBERS", key)
    before = before if isinstance(before, Error) else sorted(before)
    reply = conn.call(*argv)
    if isinstance(reply, Error) or reply is None or isinstance(before, Error):
        return ("no pop", before, reply)
    popped = [reply] if len(argv) == 2 else reply
    if conn.call("EXISTS", key) == 0:
        return ("emptied", sorted(popped), before)
    restored = conn.call("SADD", key, *popped) if popped else 0
    return ("popped", len(popped), len(set(popped)), set(popped) <= set(before),
            restored == len(popped), before)


PSEUDO = {SCAN_ALL: full_scan, HSCAN_ALL: full_hscan, SSCAN_ALL: full_sscan,
          SPOP_RANDOM: spop_and_restore, ZSCAN_ALL: full_zscan}


class Mismatch(AssertionError):
    """Raised with a ready-to-read report (seed, index, recent history)."""


class DifferentialRun:
    """Drives one seed against both servers and remembers the recent history
    so that a divergence can be explained without re-running anything."""

    def __init__(self, seed: int, test_port: int, reference_port: int, with_lists: bool,
                 with_hashes: bool = False, with_sets: bool = False,
                 with_transactions: bool = False, with_bitmaps: bool = False,
                 with_hll: bool = False, with_geo: bool = False, with_sorts: bool = False,
                 with_zsets: bool = False):
        self.seed = seed
        self.with_zsets = with_zsets
        self.with_sorts = with_sorts
        self.with_lists = with_lists
        self.with_hashes = with_hashes
        self.with_sets = with_sets
        self.with_transactions = with_transactions
        self.with_bitmaps = with_bitmaps
        self.with_hll = with_hll
        self.with_geo = with_geo
        self.test = RawConnection(test_port, timeout=30)
        self.ref = RawConnection(reference_port, timeout=30)
        self.history: deque = deque(maxlen=HISTORY)
        self.index = 0

    def close(self):
        self.test.close()
        self.ref.close()

    # -------------------------------------------------------------- running
    def run(self, count: int) -> None:
        pending: list[Step] = []
        generator = CommandGenerator(self.seed, with_lists=self.with_lists,
                                     with_hashes=self.with_hashes, with_sets=self.with_sets,
                                     with_transactions=self.with_transactions,
                                     with_bitmaps=self.with_bitmaps, with_hll=self.with_hll,
                                     with_geo=self.with_geo, with_sorts=self.with_sorts,
                                     with_zsets=self.with_zsets)
        for step in generator.steps(count):
            if step.compare in PSEUDO:
                self.flush(pending)
                pending = []
                iterate = PSEUDO[step.compare]
                try:
                    got = iterate(self.test, step.argv)
                except (Closed, OSError) as exc:
                    raise self.no_reply(step, exc) from exc
                self.check(step, got, iterate(self.ref, step.argv))
                continue
            pending.append(step)
            if len(pending) >= BATCH:
                self.flush(pending)
                pending = []
        self.flush(pending)

    def flush(self, steps: list[Step]) -> None:
        if not steps:
            return
        payload = b"".join(encode_command(*step.argv) +
                           (encode_command(*step.probe) if step.probe else b"")
                           for step in steps)
        try:
            self.test.send(payload)
        except OSError as exc:
            raise self.no_reply(steps[0], exc) from exc
        self.ref.send(payload)
        for step in steps:
            try:
                got = self.test.read_raw_reply()
                got_probe = self.test.read_raw_reply() if step.probe else b""
            except (Closed, OSError) as exc:
                raise self.no_reply(step, exc) from exc
            want = self.ref.read_raw_reply()
            want_probe = self.ref.read_raw_reply() if step.probe else b""
            self.check(step, got, want, normalise(step, got, got_probe),
                       normalise(step, want, want_probe))

    def check(self, step: Step, got, want, got_cmp=None, want_cmp=None) -> None:
        got_cmp = got if got_cmp is None else got_cmp
        want_cmp = want if want_cmp is None else want_cmp
        self.history.append((self.index, step, got, want, got_cmp == want_cmp))
        if got_cmp != want_cmp:
            raise Mismatch(self.report(step, got, want))
        self.index += 1

    def no_reply(self, step: Step, exc: Exception) -> Mismatch:
        """The server under test closed the connection or died (check its log,
        attached below the failure)."""
        return Mismatch(self.report(step, f"<no reply: {exc!r}>", "<not compared>"))

    def report(self, step: Step, got, want) -> str:
        lines = [
            f"differential mismatch: seed={self.seed} command index={self.index}",
            f"  command:   {step}",
            f"  redwing:   {_clip(got)}",
            f"  redis:     {_clip(want)}",
            f"last {len(self.history)} commands (index: command -> redwing | redis):",
        ]
        for index, past, past_got, past_want, same in self.history:
            marker = "  " if same else "!!"
            lines.append(f"{marker} {index:5d}: {past}")
            lines.append(f"         -> {_clip(past_got)} | {_clip(past_want)}")
        lines.append(f"reproduce: REDWING_DIFF_SEEDS={self.seed} "
                     f"REDWING_DIFF_COMMANDS={self.index + 1} "
                     f"pytest tests/integration/test_differential.py")
        return "\n".join(lines)

    # ---------------------------------------------------------- final state
    def compare_keyspace(self) -> None:
        for db in range(DATABASES):
            for conn in (self.test, self.ref):
                assert conn.call("SELECT", db) == b"OK"
            self.compare_call(("KEYS", "*"), SORTED)
            for key in sorted(self.ref.call("KEYS", "*")):
                self.compare_call(("TYPE", key))
                self.compare_call(("PTTL", key), TTL_CLASS)
                self.compare_call(("OBJECT", "ENCODING", key))
                kind = self.ref.call("TYPE", key)
                if kind == b"string":
                    self.compare_call(("GET", key))
                elif kind == b"hash":
                    self.compare_call(("HGETALL", key), HASH_ORDER, ("OBJECT", "ENCODING", key))
                elif kind == b"set":
                    self.compare_call(("SMEMBERS", key), SET_ORDER, ("OBJECT", "ENCODING", key))
                elif kind == b"zset":
                    self.compare_call(("ZRANGE", key, 0, -1, "WITHSCORES"))
                else:
                    self.compare_call(("LRANGE", key, 0, -1))

    def compare_call(self, argv: tuple, compare: str = EXACT, probe: tuple = ()) -> None:
        step = Step(argv, compare, probe)
        try:
            got = self.test.call_raw(*argv)
            got_probe = self.test.call_raw(*probe) if probe else b""
        except (Closed, OSError) as exc:
            raise self.no_reply(step, exc) from exc
        want = self.ref.call_raw(*argv)
        want_probe = self.ref.call_raw(*probe) if probe else b""
        self.check(step, got, want, normalise(step, got, got_probe),
                   normalise(step, want, want_probe))


def _clip(value, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"...({len(text)} chars)"


@pytest.mark.parametrize("seed", SEEDS)
def test_differential_against_redis(server, reference, seed, capsys):
    with_lists = generates(capsys, server.port, "lists", "RPUSH", "REDWING_DIFF_LISTS")
    with_hashes = generates(capsys, server.port, "hashes", "HSET", "REDWING_DIFF_HASHES")
    with_sets = generates(capsys, server.port, "sets", "SADD", "REDWING_DIFF_SETS")
    with_transactions = generates(capsys, server.port, "transactions", "MULTI",
                                  "REDWING_DIFF_TRANSACTIONS")
    with_bitmaps = generates(capsys, server.port, "bitmaps", "SETBIT", "REDWING_DIFF_BITMAPS")
    with_hll = generates(capsys, server.port, "HyperLogLogs", "PFADD", "REDWING_DIFF_HLL")
    with_geo = generates(capsys, server.port, "geo", "GEOADD", "REDWING_DIFF_GEO")
    with_sorts = generates(capsys, server.port, "sorts", "SORT", "REDWING_DIFF_SORTS")
    with_zsets = generates(capsys, server.port, "sorted sets", "ZADD", "REDWING_DIFF_ZSETS")
    run = DifferentialRun(seed, server.port, reference.port, with_lists, with_hashes,
                          with_sets, with_transactions, with_bitmaps, with_hll, with_geo,
                          with_sorts, with_zsets)
    try:
        run.run(COMMANDS_PER_SEED)
        run.compare_keyspace()
    except Mismatch as failure:
        pytest.fail(str(failure), pytrace=False)
    finally:
        run.close()


def test_generator_is_reproducible():
    first = [str(s) for s in CommandGenerator(42).steps(200)]
    second = [str(s) for s in CommandGenerator(42).steps(200)]
    assert first == second
    assert first != [str(s) for s in CommandGenerator(43).steps(200)]
