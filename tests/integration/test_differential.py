"""Differential test: the server under test against a real redis-server.

For each seed, ``CommandGenerator`` produces a few thousand string, keyspace
and list commands over 20 keys (24 with lists) and 3 databases.  Every
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
detection.
"""

from __future__ import annotations

import os
from collections import deque

import pytest

from command_generator import (DATABASES, EXACT, SCAN_ALL, SORTED, TTL_CLASS,
                               CommandGenerator, Step)
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
BATCH = 50
HISTORY = 10


def lists_enabled(port: int) -> bool:
    """Generate list commands?  As REDWING_DIFF_LISTS says, else if the server
    knows RPUSH."""
    if LISTS_OVERRIDE is not None:
        return LISTS_OVERRIDE != "0"
    with RawConnection(port) as conn:
        return not unknown_commands(conn, "RPUSH")


_noted_no_lists = False


def note_lists_disabled(capsys) -> None:
    """One line on the terminal (once per session) saying lists are off."""
    global _noted_no_lists
    if not _noted_no_lists:
        _noted_no_lists = True
        with capsys.disabled():
            why = "server lacks RPUSH" if LISTS_OVERRIDE is None else "REDWING_DIFF_LISTS=0"
            print(f"\nnote: differential test generates no lists ({why})")


def ttl_class(value) -> str:
    if isinstance(value, int):
        return "-2" if value == -2 else "-1" if value == -1 else "positive" if value > 0 \
            else f"unexpected {value}"
    return repr(value)


def normalise(step: Step, raw: bytes):
    """What must be equal between the two servers for this step."""
    if step.compare == EXACT:
        return raw
    decoded = parse_reply(raw)
    if isinstance(decoded, Error):
        return raw
    if step.compare == TTL_CLASS:
        return ttl_class(decoded)
    if step.compare == SORTED:
        return sorted(decoded)
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


class Mismatch(AssertionError):
    """Raised with a ready-to-read report (seed, index, recent history)."""


class DifferentialRun:
    """Drives one seed against both servers and remembers the recent history
    so that a divergence can be explained without re-running anything."""

    def __init__(self, seed: int, test_port: int, reference_port: int, with_lists: bool):
        self.seed = seed
        self.with_lists = with_lists
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
        for step in CommandGenerator(self.seed, with_lists=self.with_lists).steps(count):
            if step.compare == SCAN_ALL:
                self.flush(pending)
                pending = []
                try:
                    got = full_scan(self.test, step.argv)
                except (Closed, OSError) as exc:
                    raise self.no_reply(step, exc) from exc
                self.check(step, got, full_scan(self.ref, step.argv))
                continue
            pending.append(step)
            if len(pending) >= BATCH:
                self.flush(pending)
                pending = []
        self.flush(pending)

    def flush(self, steps: list[Step]) -> None:
        if not steps:
            return
        payload = b"".join(encode_command(*step.argv) for step in steps)
        try:
            self.test.send(payload)
        except OSError as exc:
            raise self.no_reply(steps[0], exc) from exc
        self.ref.send(payload)
        for step in steps:
            try:
                got = self.test.read_raw_reply()
            except (Closed, OSError) as exc:
                raise self.no_reply(step, exc) from exc
            want = self.ref.read_raw_reply()
            self.check(step, got, want, normalise(step, got), normalise(step, want))

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
                if self.ref.call("TYPE", key) == b"string":
                    self.compare_call(("GET", key))
                else:
                    self.compare_call(("LRANGE", key, 0, -1))

    def compare_call(self, argv: tuple, compare: str = EXACT) -> None:
        step = Step(argv, compare)
        try:
            got = self.test.call_raw(*argv)
        except (Closed, OSError) as exc:
            raise self.no_reply(step, exc) from exc
        want = self.ref.call_raw(*argv)
        self.check(step, got, want, normalise(step, got), normalise(step, want))


def _clip(value, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"...({len(text)} chars)"


@pytest.mark.parametrize("seed", SEEDS)
def test_differential_against_redis(server, reference, seed, capsys):
    with_lists = lists_enabled(server.port)
    if not with_lists:
        note_lists_disabled(capsys)
    run = DifferentialRun(seed, server.port, reference.port, with_lists)
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
