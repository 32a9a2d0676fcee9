"""Seeded random command sequences for differential testing.

The generator produces string, keyspace and (when enabled) list, hash and set
commands over a tiny key space (20 shared keys k0..k19, plus l0..l3 that only
list commands write, h0..h3 that only hash commands write, s0..s3 that only
set commands write, z0..z3 (zlex, zd0, zd1) for sorted sets, p0..p3 for HyperLogLogs
and g0..g3 for geo, in 3 databases) so that commands constantly collide:
overwrites, wrong types, missing keys, overflow, bad numbers and bad options
are all common.  List commands get plausible arguments most of the time
(elements drawn from a small pool so that LPOS/LREM/LINSERT pivots match,
now and then a long list or a 9 KB element) and hostile ones often enough:
extreme and non-numeric indexes and counts, bad directions, wrong numkeys,
bad arity.  Hash commands work the same way: fields from a small pool (so
HGET/HDEL/HINCRBY hit), hashes small enough to stay listpack-encoded most of
the time (their order is then compared exactly), now and then a 65-byte value
or field, a bulk HSET of hundreds of fields or a CONFIG SET of
hash-max-listpack-entries/-value that pushes them to hashtable.  Set
commands likewise write s0..s3 (and now and then a shared key): members come
from a small pool, mostly canonical integers of every intset width so that
intsets are common, sometimes strings or non-canonical numbers ("007", "-0")
that turn a set into a hashtable; a bulk SADD of hundreds of integers or a
CONFIG SET of set-max-intset-entries converts by size.  Bitmap commands (SETBIT ... BITFIELD_RO) work on the shared keys, so integers, lists
and hashes meet them, with hostile offsets (negative, past 512 MB, "#N" that
overflow) and BITFIELD overflow edges; offsets stay below ~100 KB so that
no 512 MB string is ever built.  HyperLogLog commands (PFADD, PFCOUNT,
PFMERGE, PFDEBUG) write p0..p3, sometimes the shared keys (WRONGTYPE, and
sketches renamed or APPENDed into corruption); now and then a PFADD of
thousands of elements or a CONFIG SET of hll-sparse-max-bytes moves a sketch
to the dense encoding, and GET of a sketch is compared byte for byte.
Geo commands
(GEOADD ... GEOSEARCHSTORE and the GEORADIUS family) put points around a few
places so that searches find several, and mix in the limits, invalid
coordinates, bad units and sizes, conflicting options and stores (whose
STOREDIST scores later decode as odd positions).  Everything
it emits must be *deterministic* on a correct server:

* TTLs are long (>= 1000 s) or in the past where the command deletes the key
  at once (EXPIRE*, GETEX), so nothing expires while a run is going on;
  relative TTLs are drawn from a huge range so that GT/LT comparisons between
  two relative TTLs never depend on which millisecond a command ran in.
* Replies that carry time (TTL, PTTL, EXPIRETIME, PEXPIRETIME) are compared
  as classes (-2 / -1 / positive) by the differential test, not here.
* RANDOMKEY, SCAN cursors, TIME, INFO and OBJECT IDLETIME are never emitted.
* Blocking list commands (BLPOP, BLMOVE, ...) get a 1 ms timeout or a bad one, so
  they answer at once or after at most one server tick; never 0 (forever).
* Pub/Sub commands run without subscribers (the generator has one client):
  PUBLISH counts 0, PUBSUB answers empty, UNSUBSCRIBE confirms nothing.
* Replies whose order Redis leaves unspecified carry a *probe*, a read-only
  command sent right after them to both servers: HKEYS/HVALS/HGETALL probe
  ``OBJECT ENCODING key`` and are compared exactly for a listpack, as sorted
  fields/pairs for a hashtable; HRANDFIELD probes ``HGETALL key`` and is
  reduced to its shape (length, members exist, distinct when the count is
  positive, the whole hash when the count covers it).  HSCAN is a pseudo-
  command iterated to the end and compared as a set of pairs.  HRANDFIELD is
  never given a huge negative count (Redis would build that many replies).
* Set replies: intsets iterate in numeric order, hashtables in no specified
  order.  SMEMBERS (and one-key SINTER) probe ``OBJECT ENCODING key`` and are
  compared exactly for an intset, sorted for a hashtable.  SUNION, one-key
  SDIFF and SPOP with a count covering the set reply from a set built afresh,
  an intset exactly when every member is a canonical integer and there are at
  most set-max-intset-entries of them: they probe ``CONFIG GET
  set-max-intset-entries`` and are compared exactly in that case, sorted
  otherwise.  Multi-key SINTER/SDIFF, whose order follows Redis's choice of
  algorithm, are compared sorted.  SRANDMEMBER probes ``SMEMBERS key`` and is
  reduced to its shape, never with a huge negative count.
* SPOP that may pop a random part of a set is a pseudo-command: on each server
  the set is read, popped, and the popped members are added back, so that both
  servers hold the same set again (an emptied set is not re-added: both popped
  everything); the reply is reduced to its shape.  SSCAN is iterated to the end
  and compared as a set of members.
* Transactions (when enabled): WATCH of a few keys, MULTI, a handful of
  queued commands, then EXEC (now and then DISCARD or a refused ``EXEC x``).
  The one connection is both the watcher and the writer, so a write of its
  own between WATCH and EXEC aborts the EXEC (a null array) the same way on
  both servers.  Queued commands are drawn from the same table but only those
  compared exactly (no probes, no pseudo-commands): their replies come back
  inside EXEC's array.  Errors while queuing (bad arity, unknown commands),
  nested MULTI, WATCH inside MULTI, EXEC/DISCARD outside MULTI and UNWATCH
  occur too.  A sequence that ends inside MULTI gets a final EXEC.
* SORT and SORT_RO (when enabled) come from ``sort_generator.py``, with keys
  of their own and the rules that keep their replies deterministic; SORT ...
  STORE probes ``LRANGE destination`` and both are compared exactly.
* Sorted-set commands (when enabled) come from ``zset_generator.py``: z0..z3
  plus zlex, the one key lex ranges read (every member scores 0); ZRANDMEMBER
  is reduced to its shape and ZSCAN iterated to the end, see that module.

A generated step is a ``Step``: the argv plus how to compare its reply.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, List

KEYS = [f"k{i}" for i in range(20)]
# Written only by list commands (read, renamed, copied, deleted by all others),
# so that real lists survive and grow; shared KEYS give the WRONGTYPE paths.
LIST_KEYS = [f"l{i}" for i in range(4)]
# Likewise written only by hash commands.
HASH_KEYS = [f"h{i}" for i in range(4)]
# And by set commands.
SET_KEYS = [f"s{i}" for i in range(4)]
# Likewise written only by HyperLogLog commands, so that sketches grow.
HLL_KEYS = [f"p{i}" for i in range(4)]
# Likewise written only by sorted-set commands (zset_generator.py; its zlex is not
# in the keyspace).
ZSET_KEYS = [f"z{i}" for i in range(4)]
# Likewise written only by geo commands (sorted sets of geohash scores).
GEO_KEYS = [f"g{i}" for i in range(4)]
GEO_STORE_KEYS = ["gs0", "gs1"]
DATABASES = 3

LLONG_MAX = "9223372036854775807"
LLONG_MIN = "-9223372036854775808"
# List elements: few and short, so that searches and pivots often match.
ELEMENTS = ["a", "b", "c", "a", "b", "1", "2", "10", "-1", "", "x" * 30, "hello world",
            b"\x00", b"a\x00b", "\r\n"]
# Hash fields: few, so that HGET/HDEL/HINCRBY usually find them.
FIELDS = ["f0", "f1", "f2", "f3", "f4", "f5", "a", "b", "", "1", "-1", "x" * 20, b"\x00",
          b"a\x00b"]
HALF_LONG_MAX = "4611686018427387903"     # HRANDFIELD ... WITHVALUES limit
# Set members: integers of every intset width (16, 32, 64 bits) ...
INT_MEMBERS = ["0", "1", "2", "3", "5", "10", "42", "-1", "-7", "100", "40000", "-40000",
               "5000000000", "-5000000000", LLONG_MAX, LLONG_MIN]
# ... and members that are not canonical integers, so never in an intset.
STRING_MEMBERS = ["a", "b", "c", "hello", "", "007", "+1", "-0", " 1", "1.5",
                  "9223372036854775808", "x" * 30, b"\x00", b"a\x00b"]
# Geo members (few, so positions are looked up and replaced) and the places the points
# cluster around (so searches find several, some at equal distances).
GEO_MEMBERS = ["a", "b", "c", "d", "e", "f", "g", "h", "Palermo", "Catania", "", "1", "-1",
               "m" * 70, b"\x00", b"a\x00b"]
GEO_PLACES = [(13.36, 38.11), (15.08, 37.5), (2.35, 48.85), (-73.98, 40.75), (179.5, -16.5),
              (-179.5, 65.0), (0.0, 84.5)]

# How a reply is compared between the two servers.
EXACT = "exact"           # byte-for-byte
TTL_CLASS = "ttl"         # integer reply reduced to -2 / -1 / positive
SORTED = "sorted"         # array reply compared as a sorted list
SCAN_ALL = "scan-all"     # pseudo-command: full SCAN iteration, sorted keys
HASH_ORDER = "hash-order"  # HKEYS/HVALS/HGETALL: exact for listpack, sorted for hashtable
RANDFIELD = "randfield"    # HRANDFIELD: reduced to its shape, checked against HGETALL
HSCAN_ALL = "hscan-all"    # pseudo-command: full HSCAN iteration, sorted pairs
SET_ORDER = "set-order"    # SMEMBERS: exact for an intset, sorted for a hashtable
SET_BUILT = "set-built"    # SUNION & co: exact when the fresh result set is an intset
SRANDMEMBER = "srandmember"  # SRANDMEMBER: reduced to its shape, checked against SMEMBERS
SPOP_RANDOM = "spop-random"  # pseudo-command: SPOP, shape compared, popped members re-added
SSCAN_ALL = "sscan-all"    # pseudo-command: full SSCAN iteration, sorted members
EXACT_PROBED = "exact-probed"  # the reply and its probe, both byte-for-byte (SORT ... STORE)


@dataclass(frozen=True)
class Step:
    argv: tuple
    compare: str = EXACT
    probe: tuple = ()       # read-only command sent right after argv (see above)

    def __str__(self) -> str:
        shown = " ".join(_show(a) for a in self.argv)
        return shown if self.compare == EXACT else f"{shown}   [{self.compare}]"


def _show(arg) -> str:
    text = arg.decode("latin-1") if isinstance(arg, bytes) else str(arg)
    return repr(text) if (not text or any(c in text for c in " \"'\\") or not text.isprintable()) \
        else text


class CommandGenerator:
    """``CommandGenerator(seed).steps(n)`` yields ``n`` reproducible steps."""

    def __init__(self, seed: int, with_lists: bool = True, with_hashes: bool = True,
                 with_sets: bool = True, with_transactions: bool = True,
                 with_bitmaps: bool = True, with_hll: bool = True, with_geo: bool = True,
                 with_sorts: bool = True, with_zsets: bool = True):
        self.rng = random.Random(seed)
        self.with_lists = with_lists
        self.with_hashes = with_hashes
        self.with_sets = with_sets
        self.with_transactions = with_transactions
        self.with_geo = with_geo
        # Inside MULTI: how many commands are queued so far and how many to queue.
        self.queued = None
        self.transaction_length = 0
        self.keyspace = KEYS + (LIST_KEYS if with_lists else []) + \
            (HASH_KEYS if with_hashes else []) + (SET_KEYS if with_sets else []) + \
            (HLL_KEYS if with_hll else []) + (GEO_KEYS if with_geo else []) + \
            (ZSET_KEYS if with_zsets else [])
        self.table: List[tuple] = [
            # (weight, builder)
            (12, self.get), (12, self.set), (2, self.setnx), (2, self.setex), (2, self.psetex),
            (2, self.getset), (2, self.getdel), (3, self.getex), (3, self.mget), (3, self.mset),
            (2, self.msetnx), (4, self.append), (2, self.strlen), (6, self.incr_family),
            (4, self.incrbyfloat), (3, self.getrange), (3, self.setrange), (2, self.lcs),
            (3, self.delete), (3, self.exists), (3, self.type_), (1, self.touch),
            (6, self.expire_family), (4, self.ttl_family), (2, self.persist), (2, self.keys),
            (1, self.scan_all), (2, self.dbsize), (2, self.rename), (2, self.copy),
            (2, self.move), (3, self.select), (1, self.swapdb), (2, self.object_encoding),
            (1, self.bad_arity), (1, self.unknown_command), (0.3, self.flushdb),
            (1, self.pubsub),
        ]
        if with_lists:
            self.table += [
                (6, self.push), (2, self.rpush), (5, self.pop), (2, self.llen), (5, self.lrange),
                (3, self.lindex), (2, self.lset), (3, self.linsert), (3, self.lrem),
                (2, self.ltrim), (4, self.lpos), (2, self.rpoplpush), (3, self.lmove),
                (3, self.lmpop), (0.5, self.list_bad_arity), (3, self.blocking_list),
            ]
        if with_hashes:
            self.table += [
                (7, self.hset), (1, self.hmset), (2, self.hsetnx), (5, self.hget),
                (2, self.hmget), (4, self.hdel), (2, self.hlen), (2, self.hstrlen),
                (2, self.hexists), (4, self.hgetall_family), (3, self.hincrby),
                (2, self.hincrbyfloat), (2, self.hrandfield), (1, self.hscan_all),
                (0.15, self.hash_config), (0.5, self.hash_bad_arity),
            ]
        if with_sets:
            self.table += [
                (7, self.sadd), (4, self.srem), (3, self.sismember), (2, self.smismember),
                (2, self.scard), (4, self.smembers), (1.5, self.spop), (1.5, self.spop_random),
                (2, self.srandmember), (3, self.smove), (3, self.sinter), (2, self.sintercard),
                (2, self.sunion), (2, self.sdiff), (3, self.set_store), (1, self.sscan_all),
                (0.15, self.set_config), (0.5, self.set_bad_arity),
            ]
        if with_bitmaps:
            self.table += [
                (4, self.setbit), (3, self.getbit), (3, self.bitcount), (3, self.bitpos),
                (2, self.bitop), (3, self.bitfield), (1, self.bitfield_ro),
                (0.4, self.bitmap_bad_arity),
            ]
        if with_hll:
            self.table += [
                (5, self.pfadd), (3, self.pfcount), (2, self.pfmerge), (2, self.get_sketch),
                (0.5, self.pfdebug), (0.1, self.hll_config), (0.3, self.hll_bad_arity),
            ]
        if with_geo:
            self.table += [
                (10, self.geoadd), (2, self.geopos), (2, self.geohash), (2, self.geodist),
                (6, self.geo_search), (2, self.geo_store), (0.5, self.geo_bad_arity),
            ]
        if with_sorts:
            from sort_generator import SortSteps   # imported here: it imports this module
            self.table += SortSteps(self).table
        if with_zsets:
            from zset_generator import SortedSetSteps   # imported here: it imports this module
            self.table += SortedSetSteps(self).table
        # Queued inside MULTI: the plain commands only.
        self.queue_weights = [w for w, _ in self.table]
        self.queue_builders: List[Callable[[], Step]] = [b for _, b in self.table]
        if with_transactions:
            self.table += [
                (1.5, self.multi), (1, self.watch), (0.3, self.unwatch),
                (0.2, self.exec_outside_multi),
            ]
        self.weights = [w for w, _ in self.table]
        self.builders: List[Callable[[], Step]] = [b for _, b in self.table]

    def steps(self, count: int):
        for _ in range(count):
            if self.queued is not None:
                yield self.in_transaction()
            else:
                yield self.rng.choices(self.builders, self.weights)[0]()
        if self.queued is not None:
            self.queued = None
            yield Step(("EXEC",))

    # ----------------------------------------------------------- ingredients
    def key(self) -> str:
        return self.rng.choice(KEYS)

    def keys_list(self, low=1, high=4) -> List[str]:
        return [self.key() for _ in range(self.rng.randint(low, high))]

    def any_key(self) -> str:
        """For commands of every type (keyspace, string reads): lists included."""
        return self.rng.choice(self.keyspace)

    def any_keys_list(self, low=1, high=4) -> List[str]:
        return [self.any_key() for _ in range(self.rng.randint(low, high))]

    def list_key(self) -> str:
        """Mostly a key no string writer touches, so lists grow; else a shared one."""
        return self.rng.choice(LIST_KEYS) if self.rng.random() < 0.75 else self.key()

    def value(self):
        pick = self.rng.random()
        if pick < 0.30:
            return str(self.rng.randint(-1000, 1000))
        if pick < 0.40:
            return self.rng.choice(["9223372036854775807", "-9223372036854775808",
                                    "9223372036854775806", "12345678901234567890", "0", "-0",
                                    "007", " 1", "1 ", "+5", "0x10"])
        if pick < 0.55:
            return self.rng.choice(["1.5", "-0.25", "1e3", "3.0", "0.1", "10.50", "inf", "nan",
                                    "1e400", ".5", "5."])
        if pick < 0.65:
            return self.rng.choice(["", "hello", "hello world", "ohmytext", "mynewtext",
                                    "x" * 44, "y" * 45, "abc\r\ndef", b"\x00\xff\x01"])
        letters = "abcdefgh"
        return "".join(self.rng.choice(letters) for _ in range(self.rng.randint(1, 12)))

    def integer_arg(self):
        pick = self.rng.random()
        if pick < 0.75:
            return str(self.rng.randint(-100, 100))
        return self.rng.choice(["9223372036854775807", "-9223372036854775808",
                                "9223372036854775808", "abc", "1.5", "", " 3", "0"])

    def float_arg(self):
        return self.rng.choice(["0.1", "-1.5", "1e3", "3", "0", "-0", "1.0e-5", "abc", "inf",
                                "-inf", "nan", "1e308", "123456789.123456789", " 1", ".5"])

    def long_seconds(self) -> int:
        return self.rng.randint(1000, 10**6)

    def long_millis(self) -> int:
        return self.rng.randint(10**6, 10**9)

    def expiry_option(self, allow_past: bool) -> list:
        """An expiry clause for SET/GETEX: valid long, past, or invalid.

        SET with a past EXAT/PXAT stores an already-expired key that is only
        reclaimed lazily or by the active cycle, which makes DBSIZE timing
        dependent; GETEX deletes at once.  Hence ``allow_past``.
        """
        past = [1] if allow_past else []
        pick = self.rng.random()
        if pick < 0.25:
            return ["EX", self.long_seconds()]
        if pick < 0.45:
            return ["PX", self.long_millis()]
        if pick < 0.55:
            return ["EXAT", self.rng.choice([4102444800 + self.rng.randint(0, 10**6)] + past)]
        if pick < 0.65:
            return ["PXAT", self.rng.choice([4102444800000 + self.rng.randint(0, 10**9)] + past)]
        return [self.rng.choice(["EX", "PX", "EXAT", "PXAT"]),
                self.rng.choice([0, -1, "abc", "1.5", 9223372036854775807])]

    # --------------------------------------------------------- string cmds
    def get(self):
        return Step(("GET", self.any_key()))

    def set(self):
        argv = ["SET", self.key(), self.value()]
        options = []
        if self.rng.random() < 0.4:
            options += self.expiry_option(allow_past=False)
        for flag in ("NX", "XX", "GET", "KEEPTTL"):
            if self.rng.random() < 0.12:
                options.append(flag)
        if self.rng.random() < 0.03:
            options.append(self.rng.choice(["FOO", "EX", "KEEPTTL"]))
        if self.rng.random() < 0.1:
            self.rng.shuffle(options)      # often a syntax error: fine, still deterministic
        return Step(tuple(argv + options))

    def setnx(self):
        return Step(("SETNX", self.key(), self.value()))

    def setex(self):
        seconds = self.rng.choice([self.long_seconds(), self.long_seconds(), 0, -5, "x"])
        return Step(("SETEX", self.key(), seconds, self.value()))

    def psetex(self):
        millis = self.rng.choice([self.long_millis(), self.long_millis(), 0, -5, "x"])
        return Step(("PSETEX", self.key(), millis, self.value()))

    def getset(self):
        return Step(("GETSET", self.key(), self.value()))

    def getdel(self):
        return Step(("GETDEL", self.key()))

    def getex(self):
        argv = ["GETEX", self.key()]
        pick = self.rng.random()
        if pick < 0.5:
            argv += self.expiry_option(allow_past=True)
        elif pick < 0.7:
            argv.append("PERSIST")
        elif pick < 0.75:
            argv += ["PERSIST", "EX", 1000]
        return Step(tuple(argv))

    def mget(self):
        return Step(("MGET", *self.any_keys_list(1, 5)))

    def mset(self):
        pairs = [x for k in self.keys_list(1, 3) for x in (k, self.value())]
        return Step(("MSET", *pairs))

    def msetnx(self):
        pairs = [x for k in self.keys_list(1, 3) for x in (k, self.value())]
        return Step(("MSETNX", *pairs))

    def append(self):
        return Step(("APPEND", self.key(), self.value()))

    def strlen(self):
        return Step(("STRLEN", self.any_key()))

    def incr_family(self):
        command = self.rng.choice(["INCR", "DECR", "INCRBY", "DECRBY"])
        if command in ("INCR", "DECR"):
            return Step((command, self.key()))
        return Step((command, self.key(), self.integer_arg()))

    def incrbyfloat(self):
        return Step(("INCRBYFLOAT", self.key(), self.float_arg()))

    def getrange(self):
        command = self.rng.choice(["GETRANGE", "GETRANGE", "SUBSTR"])
        bounds = [self.rng.randint(-15, 15), self.rng.randint(-15, 15)]
        if self.rng.random() < 0.05:
            bounds[0] = "x"
        return Step((command, self.any_key(), *bounds))

    def setrange(self):
        offset = self.rng.choice([self.rng.randint(0, 30), self.rng.randint(0, 30), -1,
                                  536870912, "abc"])
        return Step(("SETRANGE", self.key(), offset, self.value()))

    def lcs(self):
        argv = ["LCS", self.any_key(), self.any_key()]
        pick = self.rng.random()
        if pick < 0.25:
            argv.append("LEN")
        elif pick < 0.6:
            argv.append("IDX")
            if self.rng.random() < 0.5:
                argv += ["MINMATCHLEN", self.rng.choice([0, 1, 2, 3, -1, "x"])]
            if self.rng.random() < 0.5:
                argv.append("WITHMATCHLEN")
        elif pick < 0.65:
            argv += ["LEN", "IDX"]
        return Step(tuple(argv))

    # ------------------------------------------------------- keyspace cmds
    def delete(self):
        return Step((self.rng.choice(["DEL", "UNLINK"]), *self.any_keys_list()))

    def exists(self):
        return Step(("EXISTS", *self.any_keys_list()))

    def type_(self):
        return Step(("TYPE", self.any_key()))

    def touch(self):
        return Step(("TOUCH", *self.any_keys_list()))

    def expire_family(self):
        command = self.rng.choice(["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"])
        pick = self.rng.random()
        if pick < 0.65:
            when = {"EXPIRE": self.long_seconds(), "PEXPIRE": self.long_millis(),
                    "EXPIREAT": 4102444800 + self.rng.randint(0, 10**6),
                    "PEXPIREAT": 4102444800000 + self.rng.randint(0, 10**9)}[command]
        elif pick < 0.8:
            when = self.rng.choice([0, -1, 1]) if command.endswith("AT") else \
                self.rng.choice([0, -10])
        else:
            when = self.rng.choice(["abc", "1.5", "", 9223372036854775807])
        argv = [command, self.any_key(), when]
        for flag in ("NX", "XX", "GT", "LT"):
            if self.rng.random() < 0.12:
                argv.append(flag)
        if self.rng.random() < 0.02:
            argv.append("BOGUS")
        return Step(tuple(argv))

    def ttl_family(self):
        command = self.rng.choice(["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"])
        return Step((command, self.any_key()), TTL_CLASS)

    def persist(self):
        return Step(("PERSIST", self.any_key()))

    def keys(self):
        pattern = self.rng.choice(["*", "k1*", "k?", "k[0-5]", "k[^1]*", "nomatch", "*9"])
        return Step(("KEYS", pattern), SORTED)

    def scan_all(self):
        pattern = self.rng.choice(["*", "k1*", "k?"])
        return Step(("SCAN", "0", "MATCH", pattern, "COUNT", self.rng.randint(1, 10)), SCAN_ALL)

    def dbsize(self):
        return Step(("DBSIZE",))

    def rename(self):
        return Step((self.rng.choice(["RENAME", "RENAMENX"]), self.any_key(), self.any_key()))

    def copy(self):
        argv = ["COPY", self.any_key(), self.any_key()]
        if self.rng.random() < 0.4:
            argv += ["DB", self.rng.choice([0, 1, 2, 2, 16, "x"])]
        if self.rng.random() < 0.3:
            argv.append("REPLACE")
        return Step(tuple(argv))

    def move(self):
        return Step(("MOVE", self.any_key(), self.rng.choice([0, 1, 2, 16, -1, "x"])))

    def select(self):
        return Step(("SELECT", self.rng.choice([0, 0, 1, 1, 2, 2, 16, "x"])))

    def swapdb(self):
        return Step(("SWAPDB", self.rng.randrange(DATABASES), self.rng.randrange(DATABASES)))

    def object_encoding(self):
        return Step(("OBJECT", "ENCODING", self.any_key()))

    def flushdb(self):
        return Step(("FLUSHDB",))

    # ---------------------------------------------------------- list cmds
    def rpush(self):
        return Step(("RPUSH", self.key(), self.value()))

    def element(self):
        pick = self.rng.random()
        if pick < 0.85:
            return self.rng.choice(ELEMENTS)
        if pick < 0.995:
            return self.value()
        return self.rng.choice(["z", "q"]) * 9000    # bigger than an 8 KB quicklist node

    def elements(self, low=1, high=4) -> list:
        return [self.element() for _ in range(self.rng.randint(low, high))]

    def list_index(self):
        """A list index: mostly small (in range or just past either end)."""
        pick = self.rng.random()
        if pick < 0.8:
            return self.rng.randint(-8, 8)
        if pick < 0.87:
            return self.rng.randint(-300, 300)      # for the occasional long list
        if pick < 0.93:
            return self.rng.choice([LLONG_MAX, LLONG_MIN, "-9223372036854775807", 1000, -1000])
        return self.rng.choice(["x", "", "1.5", "99999999999999999999", " 1", "0x1", "-0", "01"])

    def list_count(self):
        """A count for LPOP/RPOP/LMPOP/LPOS/LREM: small, extreme or not a number."""
        pick = self.rng.random()
        if pick < 0.7:
            return self.rng.randint(0, 5)
        if pick < 0.8:
            return self.rng.randint(-3, -1)
        if pick < 0.9:
            return self.rng.choice([LLONG_MAX, LLONG_MIN, 100, "99999999999999999999"])
        return self.rng.choice(["x", "", "1.5", "-0", "+1"])

    def direction(self):
        pick = self.rng.random()
        if pick < 0.95:
            return self.rng.choice(["LEFT", "RIGHT", "left", "Right"])
        return self.rng.choice(["UP", "", "LEFTX"])

    def push(self):
        command = self.rng.choice(["LPUSH", "RPUSH", "LPUSH", "RPUSH", "LPUSHX", "RPUSHX"])
        pick = self.rng.random()
        if pick < 0.9:
            elements = self.elements(1, 6)
        elif pick < 0.98:
            elements = self.elements(10, 30)
        else:                                       # long lists span several nodes
            elements = [str(self.rng.randint(0, 99)) for _ in range(self.rng.randint(100, 300))]
        return Step((command, self.list_key(), *elements))

    def pop(self):
        argv = [self.rng.choice(["LPOP", "RPOP"]), self.list_key()]
        if self.rng.random() < 0.45:
            argv.append(self.list_count())
        return Step(tuple(argv))

    def llen(self):
        return Step(("LLEN", self.list_key()))

    def lrange(self):
        if self.rng.random() < 0.3:
            return Step(("LRANGE", self.list_key(), 0, -1))
        return Step(("LRANGE", self.list_key(), self.list_index(), self.list_index()))

    def lindex(self):
        return Step(("LINDEX", self.list_key(), self.list_index()))

    def lset(self):
        return Step(("LSET", self.list_key(), self.list_index(), self.element()))

    def linsert(self):
        where = self.rng.choice(["BEFORE", "AFTER", "before", "After"]) \
            if self.rng.random() < 0.95 else self.rng.choice(["MIDDLE", ""])
        return Step(("LINSERT", self.list_key(), where, self.element(), self.element()))

    def lrem(self):
        count = self.rng.randint(-3, 3) if self.rng.random() < 0.85 else self.list_count()
        return Step(("LREM", self.list_key(), count, self.element()))

    def ltrim(self):
        pick = self.rng.random()
        if pick < 0.7:      # trims that usually keep something
            bounds = (self.rng.randint(0, 2), self.rng.randint(-3, -1))
        else:
            bounds = (self.list_index(), self.list_index())
        return Step(("LTRIM", self.list_key(), *bounds))

    def lpos(self):
        argv = ["LPOS", self.list_key(), self.element()]
        options = []
        if self.rng.random() < 0.4:
            rank = self.rng.choice([1, 2, 3, -1, -2, -3]) if self.rng.random() < 0.8 else \
                self.rng.choice([0, LLONG_MAX, LLONG_MIN, "-9223372036854775807", "x", "1.5"])
            options.append(["RANK", rank])
        if self.rng.random() < 0.4:
            options.append(["COUNT", self.list_count()])
        if self.rng.random() < 0.3:
            options.append(["MAXLEN", self.list_count()])
        if self.rng.random() < 0.04:
            options.append([self.rng.choice(["RANK", "COUNT", "MAXLEN", "FOO"])])
        self.rng.shuffle(options)
        return Step(tuple(argv + [x for option in options for x in option]))

    def rpoplpush(self):
        return Step(("RPOPLPUSH", self.list_key(), self.list_key()))

    def lmove(self):
        source = self.list_key()
        destination = source if self.rng.random() < 0.2 else self.list_key()
        return Step(("LMOVE", source, destination, self.direction(), self.direction()))

    def numkeys(self, keys: list):
        """The numkeys argument for ``keys``: mostly right, now and then off or not a number."""
        numkeys = len(keys)
        pick = self.rng.random()
        if pick < 0.06:
            numkeys += self.rng.choice([1, -1, 5])
        elif pick < 0.1:
            numkeys = self.rng.choice([0, -1, "x", LLONG_MAX])
        return numkeys

    def lmpop(self):
        keys = [self.list_key() for _ in range(self.rng.randint(1, 3))]
        argv = ["LMPOP", self.numkeys(keys), *keys, self.direction()]
        pick = self.rng.random()
        if pick < 0.45:
            argv += ["COUNT", self.list_count()]
        elif pick < 0.5:
            argv += self.rng.choice([["COUNT"], ["COUNT", 1, "COUNT", 2], ["FOO", 1], ["EXTRA"]])
        return Step(tuple(argv))

    def blocking_timeout(self):
        if self.rng.random() < 0.7:
            return self.rng.choice(["0.001", "0.0001", "1e-3"])
        return self.rng.choice(["-1", "x", "", "1e300", "inf", "nan", "-0.5", "1e16"])

    def blocking_list(self):
        timeout = self.blocking_timeout()
        pick = self.rng.random()
        if pick < 0.3:
            keys = [self.list_key() for _ in range(self.rng.randint(1, 3))]
            return Step((self.rng.choice(["BLPOP", "BRPOP"]), *keys, timeout))
        if pick < 0.45:
            return Step(("BRPOPLPUSH", self.list_key(), self.list_key(), timeout))
        if pick < 0.7:
            return Step(("BLMOVE", self.list_key(), self.list_key(), self.direction(), self.direction(),
                         timeout))
        keys = [self.list_key() for _ in range(self.rng.randint(1, 3))]
        argv = ["BLMPOP", timeout, len(keys), *keys, self.direction()]
        if self.rng.random() < 0.5:
            argv += ["COUNT", self.list_count()]
        return Step(tuple(argv))

    def pubsub(self):
        channel = self.rng.choice(["news", "k1", "", "a*"])
        return Step(self.rng.choice([
            ("PUBLISH", channel, self.value()), ("SPUBLISH", channel, self.value()),
            ("PUBSUB", "NUMSUB", channel, "other"), ("PUBSUB", "NUMPAT"), ("PUBSUB", "CHANNELS"),
            ("PUBSUB", "CHANNELS", "n*"), ("PUBSUB", "SHARDCHANNELS"), ("PUBSUB", "SHARDNUMSUB", channel),
            ("UNSUBSCRIBE",), ("PUNSUBSCRIBE", channel), ("SUNSUBSCRIBE", channel),  # one reply each
            ("PUBSUB", "CHANNELS", "a", "b"), ("PUBLISH", channel),
        ]))

    def list_bad_arity(self):
        key = self.list_key()
        return Step(self.rng.choice([
            ("LPUSH", key), ("RPUSHX", key), ("LPOP",), ("RPOP", key, 1, 2), ("LLEN",),
            ("LRANGE", key, 0), ("LINDEX", key), ("LSET", key, 0), ("LINSERT", key, "BEFORE", "a"),
            ("LREM", key, 0), ("LTRIM", key, 0), ("LPOS", key), ("RPOPLPUSH", key),
            ("LMOVE", key, key, "LEFT"), ("LMPOP", 1, key), ("LMPOP", 1),
        ]))

    def bad_arity(self):
        return Step(self.rng.choice([("GET",), ("SET", self.key()), ("INCRBY", self.key()),
                                     ("MSET", self.key()), ("GETRANGE", self.key(), 1),
                                     ("EXPIRE", self.key()), ("LCS", self.key()),
                                     ("OBJECT", "ENCODING")]))

    def unknown_command(self):
        return Step((self.rng.choice(["GETT", "sett", "FOO"]), self.key(), self.value()))

    # ---------------------------------------------------------- hash cmds
    def hash_key(self) -> str:
        """Mostly a key only hash commands write, else a shared one (WRONGTYPE)."""
        return self.rng.choice(HASH_KEYS) if self.rng.random() < 0.75 else self.key()

    def field(self):
        pick = self.rng.random()
        if pick < 0.9:
            return self.rng.choice(FIELDS)
        if pick < 0.997:
            return self.value()
        return "F" * 65                         # longer than hash-max-listpack-value

    def fields(self, low=1, high=4) -> list:
        return [self.field() for _ in range(self.rng.randint(low, high))]

    def hash_value(self):
        pick = self.rng.random()
        if pick < 0.7:
            return self.value()
        if pick < 0.99:
            return self.rng.choice(ELEMENTS)
        return self.rng.choice(["v" * 64, "w" * 65, "z" * 200])

    def field_values(self, low=1, high=4) -> list:
        return [x for f in self.fields(low, high) for x in (f, self.hash_value())]

    def hset(self):
        if self.rng.random() < 0.006:           # past 512 (or a lowered limit)
            count = self.rng.randint(100, 600)
            pairs = [x for i in range(count) for x in (f"f{i}", str(self.rng.randint(0, 99)))]
        else:
            pairs = self.field_values(1, 4)
        return Step(("HSET", self.hash_key(), *pairs))

    def hmset(self):
        return Step(("HMSET", self.hash_key(), *self.field_values(1, 3)))

    def hsetnx(self):
        return Step(("HSETNX", self.hash_key(), self.field(), self.hash_value()))

    def hget(self):
        return Step(("HGET", self.hash_key(), self.field()))

    def hmget(self):
        return Step(("HMGET", self.hash_key(), *self.fields(1, 5)))

    def hdel(self):
        return Step(("HDEL", self.hash_key(), *self.fields(1, 4)))

    def hlen(self):
        return Step(("HLEN", self.hash_key()))

    def hstrlen(self):
        return Step(("HSTRLEN", self.hash_key(), self.field()))

    def hexists(self):
        return Step(("HEXISTS", self.hash_key(), self.field()))

    def hgetall_family(self):
        key = self.hash_key()
        return Step((self.rng.choice(["HGETALL", "HGETALL", "HKEYS", "HVALS"]), key),
                    HASH_ORDER, ("OBJECT", "ENCODING", key))

    def hincrby(self):
        field = self.field() if self.rng.random() < 0.5 else self.rng.choice(["n0", "n1"])
        return Step(("HINCRBY", self.hash_key(), field, self.integer_arg()))

    def hincrbyfloat(self):
        field = self.field() if self.rng.random() < 0.5 else self.rng.choice(["n0", "n2"])
        return Step(("HINCRBYFLOAT", self.hash_key(), field, self.float_arg()))

    def random_count(self, large: list, bad: list) -> list:
        """The optional count of HRANDFIELD/SRANDMEMBER: absent, small (either sign),
        large (never hugely negative: Redis would build that many replies) or bad."""
        pick = self.rng.random()
        if pick < 0.25:
            return []
        if pick < 0.85:
            return [self.rng.randint(-20, 20)]
        if pick < 0.93:
            return [self.rng.choice(large)]
        return [self.rng.choice(bad)]

    def hrandfield(self):
        key = self.hash_key()
        argv = ["HRANDFIELD", key, *self.random_count(
            [100, 600, LLONG_MAX, HALF_LONG_MAX],
            ["x", "", "1.5", LLONG_MIN, "4611686018427387904"])]
        if len(argv) == 3:
            pick = self.rng.random()
            if pick < 0.45:
                argv.append(self.rng.choice(["WITHVALUES", "withvalues"]))
            elif pick < 0.5:
                argv += self.rng.choice([["WITHVALUE"], ["WITHVALUES", "x"], ["FOO"]])
        return Step(tuple(argv), RANDFIELD, ("HGETALL", key))

    def hscan_all(self):
        cursor = "0" if self.rng.random() < 0.93 else \
            self.rng.choice(["x", "1.5", "18446744073709551616", " 0"])
        argv = ["HSCAN", self.hash_key(), cursor]
        if self.rng.random() < 0.4:
            argv += ["MATCH", self.rng.choice(["f*", "*", "a", "f[0-2]", "?", "n*"])]
        if self.rng.random() < 0.4:
            argv += ["COUNT", self.rng.randint(1, 20)]
        if self.rng.random() < 0.05:
            argv += self.rng.choice([["COUNT", 0], ["COUNT", "x"], ["NOVALUES"], ["MATCH"],
                                     ["BOGUS", 1]])
        return Step(tuple(argv), HSCAN_ALL)

    def hash_config(self):
        """Lower (mostly restore) the listpack limits so hashes convert."""
        if self.rng.random() < 0.5:
            return Step(("CONFIG", "SET", "hash-max-listpack-entries",
                         self.rng.choice([512, 512, 512, 512, 8, 2])))
        return Step(("CONFIG", "SET", "hash-max-listpack-value", self.rng.choice([64, 64, 64, 5])))

    # ------------------------------------------------------- transactions
    def multi(self):
        if self.rng.random() < 0.03:
            return Step(("MULTI", "x"))             # refused: no transaction starts
        self.queued = 0
        self.transaction_length = self.rng.choice([0, 1, 2, 3, 3, 4, 5, 6, 8])
        return Step(("MULTI",))

    def watch(self):
        return Step(("WATCH", *self.any_keys_list(1, 3)))

    def unwatch(self):
        return Step(("UNWATCH",))

    def exec_outside_multi(self):
        return Step((self.rng.choice(["EXEC", "DISCARD"]),))

    def in_transaction(self):
        """The next step inside MULTI: a queued command, or the end of the transaction."""
        if self.queued >= self.transaction_length:
            self.queued = None
            pick = self.rng.random()
            if pick < 0.12:
                return Step(("DISCARD",))
            if pick < 0.15:
                return Step(("EXEC", "x"))          # EXECABORT with the reason
            return Step(("EXEC",))
        self.queued += 1
        pick = self.rng.random()
        if pick < 0.02:
            return Step(("MULTI",))                 # nested: an error, the transaction goes on
        if pick < 0.04:
            return Step(("WATCH", self.any_key()))  # an error too
        if pick < 0.05:
            return Step(("UNWATCH",))               # queued
        for _ in range(50):
            step = self.rng.choices(self.queue_builders, self.queue_weights)[0]()
            if step.compare == EXACT and not step.probe:
                return step
        return Step(("PING",))

    def hash_bad_arity(self):
        key = self.hash_key()
        return Step(self.rng.choice([
            ("HSET", key), ("HSET", key, "f"), ("HSET", key, "f", "v", "g"), ("HMSET", key, "f"),
            ("HSETNX", key, "f"), ("HGET", key), ("HMGET", key), ("HDEL", key), ("HLEN",),
            ("HSTRLEN", key), ("HEXISTS", key, "f", "g"), ("HKEYS",), ("HGETALL", key, "x"),
            ("HINCRBY", key, "f"), ("HINCRBYFLOAT", key, "f", 1, 2), ("HRANDFIELD",),
            ("HSCAN", key),
        ]))

    # ----------------------------------------------------------- set cmds
    def set_key(self) -> str:
        """Mostly a key only set commands write, else a shared one (WRONGTYPE)."""
        return self.rng.choice(SET_KEYS) if self.rng.random() < 0.75 else self.key()

    def set_keys(self, low=1, high=3) -> List[str]:
        return [self.set_key() for _ in range(self.rng.randint(low, high))]

    def member(self):
        pick = self.rng.random()
        if pick < 0.7:
            return self.rng.choice(INT_MEMBERS)
        if pick < 0.97:
            return self.rng.choice(STRING_MEMBERS)
        return self.value()

    def members(self, low=1, high=4) -> list:
        return [self.member() for _ in range(self.rng.randint(low, high))]

    def sadd(self):
        pick = self.rng.random()
        if pick < 0.006:                        # past 512 (or a lowered limit)
            start = self.rng.randint(-50, 50)
            members = [str(start + i) for i in range(self.rng.randint(100, 700))]
        elif pick < 0.4:                        # integers only: keeps intsets intsets
            members = [self.rng.choice(INT_MEMBERS) for _ in range(self.rng.randint(1, 4))]
        else:
            members = self.members(1, 4)
        return Step(("SADD", self.set_key(), *members))

    def srem(self):
        return Step(("SREM", self.set_key(), *self.members(1, 4)))

    def sismember(self):
        return Step(("SISMEMBER", self.set_key(), self.member()))

    def smismember(self):
        return Step(("SMISMEMBER", self.set_key(), *self.members(1, 5)))

    def scard(self):
        return Step(("SCARD", self.set_key()))

    def smembers(self):
        key = self.set_key()
        return Step(("SMEMBERS", key), SET_ORDER, ("OBJECT", "ENCODING", key))

    def spop(self):
        """SPOP whose outcome is certain: a count covering any set (the whole set,
        the key deleted), zero, or a bad count."""
        pick = self.rng.random()
        if pick < 0.7:
            count = self.rng.choice([10 ** 6, LLONG_MAX])
        elif pick < 0.85:
            count = 0
        else:
            count = self.rng.choice([-1, "x", "", "-0", LLONG_MIN, "9223372036854775808"])
        argv = ["SPOP", self.set_key(), count]
        if self.rng.random() < 0.03:
            argv.append(1)                      # a syntax error
        return Step(tuple(argv), SET_BUILT, ("CONFIG", "GET", "set-max-intset-entries"))

    def spop_random(self):
        key = self.set_key()
        if self.rng.random() < 0.5:
            return Step(("SPOP", key), SPOP_RANDOM)
        return Step(("SPOP", key, self.rng.randint(1, 6)), SPOP_RANDOM)

    def srandmember(self):
        key = self.set_key()
        argv = ["SRANDMEMBER", key, *self.random_count(
            [100, 1000, LLONG_MAX], ["x", "", "1.5", LLONG_MIN, "9223372036854775808"])]
        if len(argv) == 3 and self.rng.random() < 0.04:
            argv.append("x")                    # a syntax error
        return Step(tuple(argv), SRANDMEMBER, ("SMEMBERS", key))

    def smove(self):
        source = self.set_key()
        destination = source if self.rng.random() < 0.15 else self.set_key()
        return Step(("SMOVE", source, destination, self.member()))

    def sinter(self):
        keys = self.set_keys(1, 3)
        if len(keys) == 1:                      # iterates the set itself
            return Step(("SINTER", keys[0]), SET_ORDER, ("OBJECT", "ENCODING", keys[0]))
        return Step(("SINTER", *keys), SORTED)

    def sintercard(self):
        keys = self.set_keys(1, 3)
        argv = ["SINTERCARD", self.numkeys(keys), *keys]
        pick = self.rng.random()
        if pick < 0.4:
            argv += ["LIMIT", self.rng.choice([0, 1, 2, 3, 100])]
        elif pick < 0.47:
            argv += self.rng.choice([["LIMIT", -1], ["LIMIT", "x"], ["LIMIT"], ["FOO", 1],
                                     ["LIMIT", 1, "LIMIT", 2]])
        return Step(tuple(argv))

    def sunion(self):
        return Step(("SUNION", *self.set_keys(1, 3)), SET_BUILT,
                    ("CONFIG", "GET", "set-max-intset-entries"))

    def sdiff(self):
        keys = self.set_keys(1, 3)
        if len(keys) == 1:                      # copies the one set into a fresh one
            return Step(("SDIFF", keys[0]), SET_BUILT, ("CONFIG", "GET", "set-max-intset-entries"))
        return Step(("SDIFF", *keys), SORTED)

    def set_store(self):
        command = self.rng.choice(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"])
        return Step((command, self.set_key(), *self.set_keys(1, 3)))

    def sscan_all(self):
        cursor = "0" if self.rng.random() < 0.93 else \
            self.rng.choice(["x", "1.5", "18446744073709551616", " 0"])
        argv = ["SSCAN", self.set_key(), cursor]
        if self.rng.random() < 0.4:
            argv += ["MATCH", self.rng.choice(["*", "1*", "-*", "?", "a", "[a-c]*"])]
        if self.rng.random() < 0.4:
            argv += ["COUNT", self.rng.randint(1, 20)]
        if self.rng.random() < 0.05:
            argv += self.rng.choice([["COUNT", 0], ["COUNT", "x"], ["MATCH"], ["BOGUS", 1]])
        return Step(tuple(argv), SSCAN_ALL)

    def set_config(self):
        """Lower (mostly restore) set-max-intset-entries so sets convert by size."""
        return Step(("CONFIG", "SET", "set-max-intset-entries",
                     self.rng.choice([512, 512, 512, 512, 8, 2, 0, 1000])))

    def set_bad_arity(self):
        key = self.set_key()
        return Step(self.rng.choice([
            ("SADD", key), ("SREM", key), ("SMEMBERS",), ("SMEMBERS", key, key),
            ("SISMEMBER", key), ("SMISMEMBER", key), ("SCARD",), ("SPOP",), ("SRANDMEMBER",),
            ("SMOVE", key, key), ("SINTER",), ("SINTERCARD", 1), ("SINTERSTORE", key),
            ("SUNION",), ("SUNIONSTORE", key), ("SDIFF",), ("SDIFFSTORE", key), ("SSCAN", key),
        ]))
    # -------------------------------------------------------- bitmap cmds
    def bit_offset(self):
        """Mostly a small offset; sometimes one that needs growth, or a bad one."""
        pick = self.rng.random()
        if pick < 0.8:
            return self.rng.randint(0, 200)
        if pick < 0.87:
            return self.rng.randint(0, 100000)
        return self.rng.choice([-1, "x", "", "1.5", 4294967296, LLONG_MAX, "-0", " 1"])

    def bit_range(self) -> list:
        """Optional start/end[/unit] for BITCOUNT (BITPOS adds its own shapes)."""
        bound = lambda: self.rng.choice([self.rng.randint(-20, 20),  # noqa: E731
                                         self.rng.randint(-400, 400), LLONG_MIN, LLONG_MAX, "x"]
                                        if self.rng.random() < 0.1 else [self.rng.randint(-20, 20)])
        shape = self.rng.random()
        if shape < 0.35:
            return []
        if shape < 0.7:
            return [bound(), bound()]
        if shape < 0.95:
            return [bound(), bound(), self.rng.choice(["BIT", "BYTE", "bit", "byte"])]
        return self.rng.choice([[bound()], [bound(), bound(), "BITS"], [0, -1, "BIT", "x"]])

    def setbit(self):
        value = self.rng.choice([0, 1, 1, 0]) if self.rng.random() < 0.93 else \
            self.rng.choice([2, -1, "x", "", "01"])
        return Step(("SETBIT", self.key(), self.bit_offset(), value))

    def getbit(self):
        return Step(("GETBIT", self.any_key(), self.bit_offset()))

    def bitcount(self):
        return Step(("BITCOUNT", self.any_key(), *self.bit_range()))

    def bitpos(self):
        bit = self.rng.choice([0, 1]) if self.rng.random() < 0.95 else self.rng.choice([2, -1, "x"])
        argv = ["BITPOS", self.any_key(), bit]
        shape = self.rng.random()
        small = lambda: self.rng.randint(-20, 20)  # noqa: E731
        if shape < 0.3:
            pass
        elif shape < 0.5:
            argv.append(small())
        elif shape < 0.75:
            argv += [small(), small()]
        elif shape < 0.97:
            argv += [small(), small(), self.rng.choice(["BIT", "BYTE"])]
        else:
            argv += self.rng.choice([["x"], [0, "x"], [0, -1, "bits"], [LLONG_MIN, LLONG_MAX, "BIT"]])
        return Step(tuple(argv))

    def bitop(self):
        op = self.rng.choice(["AND", "OR", "XOR", "NOT", "and", "Or"])
        if self.rng.random() < 0.04:
            op = self.rng.choice(["NAND", ""])
        count = 1 if op == "NOT" and self.rng.random() < 0.9 else self.rng.randint(1, 3)
        return Step(("BITOP", op, self.key(), *[self.any_key() for _ in range(count)]))

    def bitfield_op(self) -> list:
        signed = self.rng.random() < 0.5
        bits = self.rng.choice([self.rng.randint(1, 16), 8, 32, 63] + ([64] if signed else []))
        kind = ("i" if signed else "u") + str(bits)
        if self.rng.random() < 0.05:
            kind = self.rng.choice(["u64", "i65", "i0", "x8", "u", "I8"])
        offset = self.rng.choice([self.rng.randint(0, 100), f"#{self.rng.randint(0, 6)}"]) \
            if self.rng.random() < 0.95 else self.rng.choice([-1, "#-1", "x", "#", 4294967296])
        op = self.rng.choice(["GET", "SET", "INCRBY"])
        argv = [op, kind, offset]
        if op != "GET":
            limit = 1 << min(bits + 1, 63)
            argv.append(self.rng.choice([self.rng.randint(-limit, limit), self.rng.randint(-3, 3),
                                         LLONG_MAX, LLONG_MIN]) if self.rng.random() < 0.97 else "x")
        return argv

    def bitfield(self):
        argv = ["BITFIELD", self.key()]
        for _ in range(self.rng.randint(0, 4)):
            if self.rng.random() < 0.25:
                argv += ["OVERFLOW", self.rng.choice(["WRAP", "SAT", "FAIL", "sat"])
                         if self.rng.random() < 0.95 else "MAX"]
            argv += self.bitfield_op()
        if self.rng.random() < 0.03:
            argv.append(self.rng.choice(["GET", "OVERFLOW", "FOO"]))
        return Step(tuple(argv))

    def bitfield_ro(self):
        argv = ["BITFIELD_RO", self.any_key()]
        for _ in range(self.rng.randint(0, 3)):
            argv += self.bitfield_op() if self.rng.random() < 0.15 else \
                ["GET", self.rng.choice(["u8", "i5", "i64", "u1"]), self.rng.randint(0, 80)]
        return Step(tuple(argv))

    def bitmap_bad_arity(self):
        key = self.key()
        return Step(self.rng.choice([
            ("SETBIT", key, 1), ("GETBIT", key), ("BITCOUNT",), ("BITPOS", key),
            ("BITOP", "AND", key), ("BITFIELD",), ("BITFIELD_RO",),
        ]))

    # --------------------------------------------------- hyperloglog cmds
    def hll_key(self) -> str:
        """Mostly a key only sketch commands write, else a shared one."""
        return self.rng.choice(HLL_KEYS) if self.rng.random() < 0.85 else self.key()

    def pfadd(self):
        pick = self.rng.random()
        if pick < 0.9:
            members = [self.element() for _ in range(self.rng.randint(0, 5))]
        elif pick < 0.98:
            members = [str(self.rng.getrandbits(32)) for _ in range(self.rng.randint(20, 300))]
        else:                       # enough to turn the sketch dense
            members = [f"m{self.rng.getrandbits(48)}" for _ in range(self.rng.randint(1500, 4000))]
        return Step(("PFADD", self.hll_key(), *members))

    def pfcount(self):
        return Step(("PFCOUNT", *[self.hll_key() for _ in range(self.rng.randint(1, 3))]))

    def pfmerge(self):
        return Step(("PFMERGE", self.hll_key(), *[self.hll_key() for _ in range(self.rng.randint(0, 3))]))

    def get_sketch(self):
        """GET of a sketch: its bytes (cached count included) must be Redis's."""
        return Step(("GET", self.rng.choice(HLL_KEYS)))

    def pfdebug(self):
        sub = self.rng.choice(["ENCODING", "DECODE", "TODENSE", "GETREG", "encoding"]) \
            if self.rng.random() < 0.95 else "FOO"
        return Step(("PFDEBUG", sub, self.hll_key()))

    def hll_config(self):
        return Step(("CONFIG", "SET", "hll-sparse-max-bytes",
                     self.rng.choice([3000, 3000, 3000, 200, 0, 8000])))

    def hll_bad_arity(self):
        return Step(self.rng.choice([("PFADD",), ("PFCOUNT",), ("PFMERGE",), ("PFDEBUG", "GETREG"),
                                     ("PFSELFTEST", "x")]))

    # ----------------------------------------------------------- geo cmds
    def geo_key(self) -> str:
        """Mostly a key only geo commands write, else a shared one (WRONGTYPE)."""
        return self.rng.choice(GEO_KEYS) if self.rng.random() < 0.88 else self.key()

    def geo_member(self):
        return self.rng.choice(GEO_MEMBERS) if self.rng.random() < 0.97 else self.value()

    def geo_coordinates(self) -> list:
        """Near one of a few places (so searches find things), anywhere, on the limits,
        or invalid."""
        pick = self.rng.random()
        if pick < 0.8:
            lon, lat = self.rng.choice(GEO_PLACES)
            return [f"{lon + self.rng.uniform(-1, 1):.6f}", f"{lat + self.rng.uniform(-1, 1):.6f}"]
        if pick < 0.85:
            return [f"{self.rng.uniform(-180, 180):.5f}", f"{self.rng.uniform(-85, 85):.5f}"]
        if pick < 0.98:
            return list(self.rng.choice([("180", "0"), ("-180", "85.05112878"), ("0", "-85.05112878"),
                                         ("0", "0")]))
        return list(self.rng.choice([("180.1", "0"), ("0", "85.06"), ("abc", "1"), ("1", ""),
                                     ("inf", "0"), ("nan", "0")]))

    def geo_unit(self) -> str:
        return self.rng.choice(["km", "km", "mi", "KM", "Mi", "m", "ft"]) \
            if self.rng.random() < 0.97 else self.rng.choice(["parsec", "", "kms"])

    def geo_size(self) -> str:
        pick = self.rng.random()
        if pick < 0.93:
            return self.rng.choice(["0", "1", "50", "150", "150", "400", "400", "1000", "3000",
                                    "20000"])
        return self.rng.choice(["-1", "abc", "1e400", "inf", "0.5", "40000000"])

    def geoadd(self):
        argv = ["GEOADD", self.geo_key()]
        for flag in ("NX", "XX", "CH"):
            if self.rng.random() < 0.1:
                argv.append(flag)
        if self.rng.random() < 0.01:                # past zset-max-listpack-entries
            triples = [x for i in range(self.rng.randint(100, 200))
                       for x in (*self.geo_coordinates(), f"bulk{i}")]
        else:
            triples = [x for _ in range(self.rng.randint(1, 6))
                       for x in (*self.geo_coordinates(), self.geo_member())]
        if self.rng.random() < 0.03:
            triples = triples[:-1]                  # not a multiple of three
        return Step(tuple(argv + triples))

    def geopos(self):
        return Step(("GEOPOS", self.geo_key(), *[self.geo_member() for _ in range(self.rng.randint(1, 4))]))

    def geohash(self):
        return Step(("GEOHASH", self.geo_key(), *[self.geo_member() for _ in range(self.rng.randint(1, 4))]))

    def geodist(self):
        argv = ["GEODIST", self.geo_key(), self.geo_member(), self.geo_member()]
        if self.rng.random() < 0.6:
            argv.append(self.geo_unit())
        if self.rng.random() < 0.03:
            argv.append("extra")
        return Step(tuple(argv))

    def geo_options(self, store: bool) -> list:
        parts = []
        for word in ("WITHDIST", "WITHHASH", "WITHCOORD"):
            if self.rng.random() < (0.03 if store else 0.3):
                parts.append([word])
        if self.rng.random() < 0.5:
            parts.append([self.rng.choice(["ASC", "DESC"])])
        if self.rng.random() < 0.4:
            count = ["COUNT", self.rng.choice([1, 2, 3, 5, 10, 1, 2, 0, -1, "x"])]
            if self.rng.random() < 0.3:
                count.append("ANY")
            parts.append(count)
        elif self.rng.random() < 0.03:
            parts.append(["ANY"])
        self.rng.shuffle(parts)
        return [x for part in parts for x in part]

    def geo_search_argv(self, store: bool) -> list:
        form = self.rng.choice(["GEOSEARCHSTORE", "GEORADIUS", "GEORADIUSBYMEMBER"] if store else
                               ["GEOSEARCH", "GEOSEARCH", "GEORADIUS", "GEORADIUS_RO",
                                "GEORADIUSBYMEMBER", "GEORADIUSBYMEMBER_RO"])
        # Mostly a destination of its own: stores of empty results delete it.
        destination = self.rng.choice(GEO_STORE_KEYS) if self.rng.random() < 0.8 else self.geo_key()
        if form.startswith("GEOSEARCH"):
            argv = [form] + ([destination] if store else []) + [self.geo_key()]
            centre = ["FROMMEMBER", self.geo_member()] if self.rng.random() < 0.5 else \
                ["FROMLONLAT", *self.geo_coordinates()]
            shape = ["BYRADIUS", self.geo_size(), self.geo_unit()] if self.rng.random() < 0.5 \
                else ["BYBOX", self.geo_size(), self.geo_size(), self.geo_unit()]
            parts = [centre, shape, self.geo_options(store)]
            if store and self.rng.random() < 0.4:
                parts.append(["STOREDIST"])
            if self.rng.random() < 0.05:
                parts.pop(self.rng.randrange(2))    # no centre, or no shape
            if self.rng.random() < 0.05:
                self.rng.shuffle(parts)
            return argv + [x for part in parts for x in part]
        if form.startswith("GEORADIUSBYMEMBER"):
            argv = [form, self.geo_key(), self.geo_member()]
        else:
            argv = [form, self.geo_key(), *self.geo_coordinates()]
        argv += [self.geo_size(), self.geo_unit()] + self.geo_options(store)
        if store:
            argv += [self.rng.choice(["STORE", "STOREDIST"]), destination]
        return argv

    def geo_search(self):
        return Step(tuple(self.geo_search_argv(store=False)))

    def geo_store(self):
        return Step(tuple(self.geo_search_argv(store=True)))

    def geo_bad_arity(self):
        key = self.geo_key()
        return Step(self.rng.choice([
            ("GEOADD", key, "1", "1"), ("GEOPOS",), ("GEOHASH",), ("GEODIST", key, "a"),
            ("GEOSEARCH", key, "FROMLONLAT", "1", "1"), ("GEOSEARCHSTORE", key, key, "BYRADIUS",
                                                        "1", "km"),
            ("GEORADIUS", key, "1", "1", "1"), ("GEORADIUSBYMEMBER", key, "a", "1"),
            ("GEORADIUS_RO", key), ("GEORADIUSBYMEMBER_RO", key, "a"),
        ]))
