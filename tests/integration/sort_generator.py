"""SORT and SORT_RO steps for the differential generator (``CommandGenerator``).

SORT reads whole collections and looks keys up through patterns, so what it
may be asked depends on what its keys can hold.  It gets keys of its own,
written only by the fillers here (no other command names them): lists sl0 and
sl1, a set of integers ss0 (an intset, unless CONFIG SET set-max-intset-entries
made it a hashtable), a sorted set sz0, weight strings w_<element> and weight
hashes h_<element> (fields n and s), and STORE destinations sd0 and sd1.  Shared keys (k*, l* and
whatever the other families write) are sorted too, in the forms whose answer
does not depend on what they hold.  The rules that keep every reply
deterministic:

* A hashtable set is never read unsorted (BY without '*' and no STORE): its
  iteration order is the hash table's.  ss0 is, but whole (no LIMIT, no GET)
  and compared like SMEMBERS: exactly when ``OBJECT ENCODING`` says intset,
  sorted otherwise.  With ALPHA and BY, equal or missing weights keep the order
  in which Redis loaded the elements, which for a hashtable set or a sorted set
  is again its hash table's: ss0, sz0 and shared keys never get ALPHA with a
  sorting BY; ALPHA on a shared key always has STORE (which compares bytes: no
  ties), since strcoll ties "a" and "a\\0b", and a shared key can be a
  hashtable set holding both.
* Redis parses weights with strtod but does not clear errno first, so once
  anything has left errno at ERANGE (a SCAN cursor past 2^64, an out-of-range
  double) every later numeric SORT that parses a number held as a string fails
  until something resets errno.  Integer-encoded values (canonical integers in
  a list or a listpack hash, integer strings) are read without strtod, and a
  value that is not a number fails either way; only those two kinds reach a
  numeric SORT here: list elements, weights and hash fields are integers or
  words, never "1.5", "" or "inf" (test_sort.py covers those, on fresh
  connections).  Set and sorted-set members are always strings to Redis, so
  ss0 and sz0 are sorted numerically only BY weights; so are shared keys,
  whose elements may be anything.
"""

from __future__ import annotations

from command_generator import EXACT_PROBED, LLONG_MAX, LLONG_MIN, SET_ORDER, Step

SORT_LISTS = ["sl0", "sl1"]
SORT_INTSET = "ss0"
SORT_ZSET = "sz0"
SORT_DESTINATIONS = ["sd0", "sd1"]
SORT_ELEMENTS = [str(i) for i in range(-3, 13)] + ["a", "b", "B", "ab", "\u00e9"]
INTEGERS = [str(i) for i in range(-3, 13)] + ["40000", "-5000000000"]
WEIGHTS = ["1", "2", "3", "-1", "0", "10", "-5", "7", "7", "40000", "x"]
WORDS = ["x", "y", "A", "\u00e9", "y", "b", "ab"]
SORTING_BY = ["w_*", "h_*->n", "h_*->s", "nokey_*", "w_*->n", "h_*", "k*"]
NUMERIC_BY = ["w_*", "h_*->n", "h_*->s", "nokey_*", "w_*->n", "h_*"]
GETS = ["#", "w_*", "h_*->s", "h_*->n", "k*", "l*", "nostar", "h_*->", b"#\x00"]


class SortSteps:
    """The SORT builders, drawing from the owning generator's random source."""

    def __init__(self, gen):
        self.gen = gen
        self.rng = gen.rng
        self.table = [(4, self.fill), (6, self.sort), (0.3, self.bad_sort)]

    def element(self) -> str:
        return self.rng.choice(SORT_ELEMENTS)

    # ------------------------------------------------------------- fillers
    def fill(self) -> Step:
        pick = self.rng.random()
        if pick < 0.3:
            values = [self.element() for _ in range(self.rng.randint(1, 12))]
            return Step((self.rng.choice(["RPUSH", "LPUSH"]), self.rng.choice(SORT_LISTS), *values))
        if pick < 0.42:
            members = [self.rng.choice(INTEGERS) for _ in range(self.rng.randint(1, 5))]
            return Step(("SADD", SORT_INTSET, *members))
        if pick < 0.57:
            pairs = [x for _ in range(self.rng.randint(1, 4))
                     for x in (self.rng.choice(["1", "2", "3", "-1", "0.5"]), self.element())]
            return Step(("ZADD", SORT_ZSET, *pairs))
        if pick < 0.77:
            return Step(("SET", "w_" + self.element(), self.rng.choice(WEIGHTS)))
        if pick < 0.95:
            fields = []
            if self.rng.random() < 0.8:
                fields += ["n", self.rng.choice(WEIGHTS)]
            if not fields or self.rng.random() < 0.8:
                fields += ["s", self.rng.choice(WORDS)]
            return Step(("HSET", "h_" + self.element(), *fields))
        victim = self.rng.choice(SORT_LISTS + [SORT_INTSET, SORT_ZSET, "w_" + self.element(),
                                               "h_" + self.element()])
        return Step(("DEL", victim))

    # --------------------------------------------------------------- SORT
    def limit(self) -> list:
        pick = self.rng.random()
        if pick < 0.6:
            return ["LIMIT", self.rng.randint(-2, 20), self.rng.randint(-2, 20)]
        if pick < 0.85:
            return ["LIMIT", self.rng.randint(0, 3), self.rng.randint(0, 3)]
        return ["LIMIT", self.rng.choice([LLONG_MIN, LLONG_MAX, 0, 5]),
                self.rng.choice([LLONG_MIN, LLONG_MAX, -1, 1])]

    def sort(self) -> Step:
        own = self.rng.random() < 0.7
        key = self.rng.choice(SORT_LISTS * 2 + [SORT_INTSET, SORT_ZSET]) if own \
            else self.gen.list_key()
        store = self.rng.random() < 0.3
        alpha = self.rng.random() < 0.4
        by = None
        pick = self.rng.random()
        if pick < 0.25:
            by = self.rng.choice(["nosort", b"no\x00*"])
        elif pick < 0.6:
            by = self.rng.choice(SORTING_BY if alpha else NUMERIC_BY)
        unsorted = by in ("nosort", b"no\x00*")
        if not own:
            # Shared keys: ALPHA only stored and never with a sorting BY; numeric only BY
            # weights; unsorted only stored (a hashtable set is then sorted as strings).
            if alpha:
                store = True
                by = by if unsorted else None
            elif by is None:
                by = self.rng.choice(NUMERIC_BY)
            if unsorted:
                store = True
        elif key in (SORT_ZSET, SORT_INTSET):
            # Members are strings to Redis: numeric only BY weights; ALPHA never with a
            # sorting BY (ties would follow the hash table).
            if not alpha and by is None:
                by = self.rng.choice(NUMERIC_BY)
            elif alpha and not unsorted:
                by = None
        argv = [key]
        if by is not None:
            argv += ["BY", by]
        if key == SORT_INTSET and by in ("nosort", b"no\x00*") and not store:
            argv.append(self.rng.choice(["ASC", "DESC"]))
            return Step(("SORT", *argv), SET_ORDER, ("OBJECT", "ENCODING", key))
        for _ in range(self.rng.choice([0, 0, 0, 1, 1, 2])):
            argv += ["GET", self.rng.choice(GETS)]
        if self.rng.random() < 0.5:
            argv += self.limit()
        if self.rng.random() < 0.5:
            argv.append(self.rng.choice(["ASC", "DESC", "desc"]))
        if alpha:
            argv.append(self.rng.choice(["ALPHA", "alpha"]))
        if store:
            destination = self.rng.choice(SORT_DESTINATIONS) if self.rng.random() < 0.8 \
                else self.gen.list_key()
            argv += ["STORE", destination]
            return Step(("SORT", *argv), EXACT_PROBED, ("LRANGE", destination, 0, -1))
        return Step((self.rng.choice(["SORT", "SORT", "SORT_RO"]), *argv))

    def bad_sort(self) -> Step:
        key = self.rng.choice(SORT_LISTS + [self.gen.key()])
        return Step(self.rng.choice([
            ("SORT",), ("SORT_RO",), ("SORT", key, "LIMIT", 1), ("SORT", key, "BY"),
            ("SORT", key, "FOO"), ("SORT", key, "LIMIT", "x", 1), ("SORT", key, "GET"),
            ("SORT_RO", key, "STORE", SORT_DESTINATIONS[0]), ("SORT", key, "STORE"),
            ("SORT", key, "LIMIT", 0, "99999999999999999999"),
        ]))
