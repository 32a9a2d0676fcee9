"""Differential test: the server under test against a real redis-server.

For each seed, ``CommandGenerator`` produces a few thousand string, keyspace,
list, hash and geo commands over 20 shared keys (plus l0..l3 for lists, h0..h3
for hashes and g0..g3 for geo sets) and 3 databases.  Every
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
overrides.  Geo commands (GEOADD ... GEOSEARCHSTORE, GEORADIUS*) need GEOADD;
REDWING_DIFF_GEO=0/1 overrides.  Order-unspecified hash replies are compared as described in
command_generator.py (probes, HSCAN iterated to the end).
"""

from __future__ import annotations

import os
from collections import deque

import pytest

from command_generator import (DATABASES, EXACT, HASH_ORDER, HSCAN_ALL, RANDFIELD, SCAN_ALL,
                               SORTED, TTL_CLASS, CommandGenerator, Step)
from raw_resp import (Closed, Error, RawConnection, encode_command, parse_reply,
                      unknown_commands)


def _seeds() -> list[int]:
    explicit = os.environ.get("REDWING_DIFF_SEEDS", "")
    if explicit.strip():
        return [int(seed) for seed in explicit.split(",") if seed.strip()]
    return list(range(1, int(os.environ.get("REDWING_DIFF_SEED_COUNT", "8")) + 1))


SEEDS = _seeds()
COMMANDS_PER_SEED = int(os.environ.get("REDWING_DIFF_COMMANDS", "5000"))
LISTS_OVERRIDE = os.environ.get("REDWING_DIFF_LISTS")  # "0"/"1"; unset: detect
HASHES_OVERRIDE = os.environ.get("REDWING_DIFF_HASHES")  # "0"/"1"; unset: detect
GEO_OVERRIDE = os.environ.get("REDWING_DIFF_GEO")  # "0"/"1"; unset: detect
BATCH = 50
HISTORY = 10


def family_enabled(port: int, override, command: str) -> bool:
    """Generate a family of commands?  As its REDWING_DIFF_* variable says
    (``override``), else if the server knows ``command`` (RPUSH for lists, HSET
    for hashes, GEOADD for geo)."""
    if override is not None:
        return override != "0"
    with RawConnection(port) as conn:
        return not unknown_commands(conn, command)


_noted_disabled: set = set()


def note_disabled(capsys, what: str, command: str, override, variable: str) -> None:
    """One line on the terminal (once per session and type) saying it is off."""
    if what not in _noted_disabled:
        _noted_disabled.add(what)
        with capsys.disabled():
            why = f"server lacks {command}" if override is None else f"{variable}=0"
            print(f"\nnote: differential test generates no {what} ({why})")


def ttl_class(value) -> str:
    if isinstance(value, int):
        return "-2" if value == -2 else "-1" if value == -1 else "positive" if value > 0 \
            else f"unexpected {value}"
    return repr(value)


def pairs(flat: list) -> list:
    return list(zip(flat[0::2], flat[1::2]))


def randfield_shape(argv: tuple, reply, contents) -> tuple:
    """HRANDFIELD reduced to what any correct server answers alike.  ``contents``
    is the server's own HGETALL of the key, taken right after (or an error)."""
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


def normalise(step: Step, raw: bytes, probe: bytes = b""):
    """What must be equal between the two servers for this step (and its
    probe, when it has one)."""
    if step.compare == EXACT:
        return raw
    decoded = parse_reply(raw)
    if isinstance(decoded, Error):
        return raw, probe if step.compare == HASH_ORDER else b""
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


def full_hscan(conn: RawConnection, argv: tuple) -> object:
    """Iterate HSCAN to the end from the step's cursor; sorted (field, value)
    pairs or an error."""
    cursor, found = argv[2], {}
    for _ in range(100000):
        reply = conn.call("HSCAN", argv[1], cursor, *argv[3:])
        if isinstance(reply, Error):
            return reply
        cursor, flat = reply
        found.update(pairs(flat))
        if cursor == b"0":
            return sorted(found.items())
    raise AssertionError("HSCAN never returned cursor 0")


PSEUDO = {SCAN_ALL: full_scan, HSCAN_ALL: full_hscan}


class Mismatch(AssertionError):
    """Raised with a ready-to-read report (seed, index, recent history)."""


class DifferentialRun:
    """Drives one seed against both servers and remembers the recent history
    so that a divergence can be explained without re-running anything."""

    def __init__(self, seed: int, test_port: int, reference_port: int, with_lists: bool,
                 with_hashes: bool = False, with_geo: bool = False):
        self.seed = seed
        self.with_lists = with_lists
        self.with_hashes = with_hashes
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
                                     with_hashes=self.with_hashes, with_geo=self.with_geo)
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
    with_lists = family_enabled(server.port, LISTS_OVERRIDE, "RPUSH")
    if not with_lists:
        note_disabled(capsys, "lists", "RPUSH", LISTS_OVERRIDE, "REDWING_DIFF_LISTS")
    with_hashes = family_enabled(server.port, HASHES_OVERRIDE, "HSET")
    if not with_hashes:
        note_disabled(capsys, "hashes", "HSET", HASHES_OVERRIDE, "REDWING_DIFF_HASHES")
    with_geo = family_enabled(server.port, GEO_OVERRIDE, "GEOADD")
    if not with_geo:
        note_disabled(capsys, "geo", "GEOADD", GEO_OVERRIDE, "REDWING_DIFF_GEO")
    run = DifferentialRun(seed, server.port, reference.port, with_lists, with_hashes, with_geo)
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
