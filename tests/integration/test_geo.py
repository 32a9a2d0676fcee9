"""Geo commands (GEOADD, GEOPOS, GEOHASH, GEODIST, GEOSEARCH[STORE], GEORADIUS*)
compared reply-for-reply, bytes included, with a real redis-server 7.0.

Random points (clustered, spread over the globe, near the poles and the
antimeridian, and repeated under several names so distances tie) go into a
small set (listpack) and a large one (skiplist) on both servers; thousands of
random searches with every option are then sent to both, pipelined, in RESP2
and RESP3, and must answer identically: the same members in the same order,
distances to the fourth decimal, hashes, coordinates to the last digit.
Stores are compared through the destination's contents and encoding.  Error
cases are compared too, and the most important strings are spelled out.
"""

from __future__ import annotations

import random

import pytest

from raw_resp import Error, RawConnection, encode_command, err

pytestmark = pytest.mark.needs_commands("GEOADD", "GEOSEARCH", "ZADD")

UNITS = ["m", "km", "ft", "mi", "M", "Km", "FT", "mI"]
BATCH = 100


class Twin:
    """The same commands to the server under test and to real Redis."""

    def __init__(self, server, reference, resp3: bool = False):
        self.test = RawConnection(server.port, timeout=30)
        self.ref = RawConnection(reference.port, timeout=30)
        if resp3:
            for conn in (self.test, self.ref):
                conn.call("HELLO", "3")

    def close(self):
        self.test.close()
        self.ref.close()

    def run(self, commands: list) -> list:
        """Sends `commands` in pipelined batches; asserts every reply is equal and
        returns the replies (raw bytes)."""
        replies = []
        for start in range(0, len(commands), BATCH):
            batch = commands[start:start + BATCH]
            payload = b"".join(encode_command(*argv) for argv in batch)
            self.test.send(payload)
            self.ref.send(payload)
            for argv in batch:
                got = self.test.read_raw_reply()
                want = self.ref.read_raw_reply()
                assert got == want, (f"\ncommand: {' '.join(map(str, argv))}\n"
                                     f"redwing: {got[:600]!r}\nredis:   {want[:600]!r}")
                replies.append(want)
        return replies

    def call(self, *argv):
        return self.run([argv])[0]


@pytest.fixture
def twin(server, reference):
    pair = Twin(server, reference)
    yield pair
    pair.close()


@pytest.fixture
def twin3(server, reference):
    pair = Twin(server, reference, resp3=True)
    yield pair
    pair.close()


# ------------------------------------------------------------------ data

def coordinate(rng: random.Random) -> tuple:
    """A longitude, latitude pair from one of several regimes."""
    pick = rng.random()
    if pick < 0.45:                                    # a few dense cities
        lon, lat = rng.choice([(13.36, 38.11), (2.35, 48.85), (-73.98, 40.75), (151.2, -33.86),
                               (139.69, 35.68)])
        return lon + rng.gauss(0, 0.6), lat + rng.gauss(0, 0.4)
    if pick < 0.75:                                    # anywhere
        return rng.uniform(-180, 180), rng.uniform(-85.05, 85.05)
    if pick < 0.85:                                    # near the poles
        return rng.uniform(-180, 180), rng.choice([1, -1]) * rng.uniform(78, 85.05112878)
    if pick < 0.95:                                    # near the antimeridian
        return rng.choice([1, -1]) * rng.uniform(176, 180), rng.uniform(-60, 60)
    return rng.choice([(180, 0), (-180, 0), (0, 85.05112878), (0, -85.05112878), (0, 0),
                       (180, 85.05112878), (-180, -85.05112878)])


def make_points(rng: random.Random, count: int) -> list:
    points = []
    for i in range(count):
        if points and rng.random() < 0.1:              # same place, another name: ties
            lon, lat = rng.choice(points)[1:]
        else:
            lon, lat = coordinate(rng)
        points.append((f"p{i}", lon, lat))
    return points


def load(twin: Twin, key: str, points: list) -> None:
    commands = []
    for start in range(0, len(points), 50):
        argv = ["GEOADD", key]
        for name, lon, lat in points[start:start + 50]:
            argv += [repr(lon), repr(lat), name]
        commands.append(argv)
    twin.run(commands)


def distance_arg(rng: random.Random):
    """A radius / width / height: log-uniform from a meter to the whole Earth, now and
    then exactly zero or a plain integer."""
    pick = rng.random()
    if pick < 0.03:
        return "0"
    if pick < 0.15:
        return str(rng.choice([1, 10, 100, 1000, 5000, 20000]))
    return repr(10 ** rng.uniform(0, 7.4) / rng.choice([1, 1, 1000, 0.3048, 1609.34]))


def center(rng: random.Random, points: list) -> tuple:
    if rng.random() < 0.6:
        _, lon, lat = rng.choice(points)
        lon = min(180, max(-180, lon + rng.gauss(0, 0.3)))
        lat = min(85.05112878, max(-85.05112878, lat + rng.gauss(0, 0.2)))
        return lon, lat
    return coordinate(rng)


def options(rng: random.Random, store: bool) -> list:
    """WITH*, order and COUNT [ANY] in a random order (no WITH* for stores)."""
    parts = []
    if not store:
        for word in ("WITHDIST", "WITHHASH", "WITHCOORD"):
            if rng.random() < 0.35:
                parts.append([rng.choice([word, word.lower()])])
    if rng.random() < 0.6:
        parts.append([rng.choice(["ASC", "DESC", "asc", "desc"])])
    if rng.random() < 0.45:
        count = [ "COUNT", rng.choice([1, 2, 3, 5, 10, 50, rng.randint(1, 400)])]
        if rng.random() < 0.35:
            count.append("ANY")
        parts.append(count)
    rng.shuffle(parts)
    return [x for part in parts for x in part]


def search_command(rng: random.Random, key: str, points: list, store_key=None) -> list:
    """One random search in any of the six forms (a store form when `store_key`)."""
    lon, lat = center(rng, points)
    member = rng.choice(points)[0] if rng.random() < 0.95 else "nosuchmember"
    forms = ["GEOSEARCH", "GEORADIUS", "GEORADIUS_RO", "GEORADIUSBYMEMBER",
             "GEORADIUSBYMEMBER_RO"] if store_key is None else \
        ["GEOSEARCHSTORE", "GEORADIUS", "GEORADIUSBYMEMBER"]
    form = rng.choice(forms)
    if form.startswith("GEOSEARCH"):
        argv = [form] + ([store_key] if store_key else []) + [key]
        if rng.random() < 0.5:
            argv += ["FROMMEMBER", member]
        else:
            argv += ["FROMLONLAT", repr(lon), repr(lat)]
        if rng.random() < 0.5:
            argv += ["BYRADIUS", distance_arg(rng), rng.choice(UNITS)]
        else:
            argv += ["BYBOX", distance_arg(rng), distance_arg(rng), rng.choice(UNITS)]
        argv += options(rng, store_key is not None)
        if store_key and rng.random() < 0.5:
            argv.append("STOREDIST")
        return argv
    if form.startswith("GEORADIUSBYMEMBER"):
        argv = [form, key, member, distance_arg(rng), rng.choice(UNITS)]
    else:
        argv = [form, key, repr(lon), repr(lat), distance_arg(rng), rng.choice(UNITS)]
    argv += options(rng, store_key is not None)
    if store_key:
        argv += [rng.choice(["STORE", "STOREDIST"]), store_key]
    return argv


# ------------------------------------------------------------- searches

@pytest.mark.parametrize("size,seed", [(60, 1), (110, 2), (400, 3), (900, 4)])
def test_random_searches_match_redis(twin, size, seed):
    """Small sizes stay listpack-encoded, large ones are skiplists."""
    rng = random.Random(seed)
    points = make_points(rng, size)
    load(twin, "geo", points)
    expected = b"$8\r\nlistpack\r\n" if size <= 128 else b"$8\r\nskiplist\r\n"
    assert twin.call("OBJECT", "ENCODING", "geo") == expected
    twin.run([search_command(rng, "geo", points) for _ in range(2500)])


def test_random_searches_match_redis_resp3(twin3):
    rng = random.Random(11)
    points = make_points(rng, 300)
    load(twin3, "geo", points)
    twin3.run([search_command(rng, "geo", points) for _ in range(1500)])


def test_random_stores_match_redis(twin):
    rng = random.Random(21)
    points = make_points(rng, 350)
    load(twin, "geo", points)
    commands = []
    for i in range(600):
        destination = rng.choice(["dst", "dst2", "geo2"])
        commands.append(search_command(rng, "geo", points, store_key=destination))
        commands.append(["ZRANGE", destination, 0, -1, "WITHSCORES"])
        commands.append(["OBJECT", "ENCODING", destination])
        commands.append(["PTTL", destination])
    twin.run(commands)


def test_searches_on_searched_stores(twin):
    """STOREDIST leaves scores that are distances, not geohashes: decoding them must
    still match (Redis converts any score to bits the way x86 C does)."""
    rng = random.Random(31)
    points = make_points(rng, 200)
    load(twin, "geo", points)
    commands = []
    for _ in range(100):
        commands.append(search_command(rng, "geo", points, store_key="d"))
        names = [name for name, _, _ in rng.sample(points, 5)]
        commands.append(["GEOPOS", "d", *names])
        commands.append(["GEOHASH", "d", *names])
        commands.append(["GEODIST", "d", names[0], names[1], rng.choice(UNITS)])
        commands.append(["GEOSEARCH", "d", "FROMMEMBER", names[0], "BYRADIUS", "20000",
                         "km", "WITHHASH", "WITHCOORD", "WITHDIST"])
    twin.run(commands)


def test_ties_are_ordered_like_redis(twin):
    """Many members at a handful of places: equal distances, ordered by Redis's
    qsort (everything returned) or pqsort (COUNT keeps fewer)."""
    rng = random.Random(41)
    places = [(rng.uniform(-10, 10), rng.uniform(40, 50)) for _ in range(4)]
    points = [(f"m{i:03d}", *rng.choice(places)) for i in range(240)]
    load(twin, "ties", points)
    commands = []
    for _ in range(400):
        lon, lat = rng.choice(places)
        argv = ["GEOSEARCH", "ties", "FROMLONLAT", repr(lon + rng.gauss(0, 1)),
                repr(lat + rng.gauss(0, 1)), "BYRADIUS", "3000", "km",
                rng.choice(["ASC", "DESC"])]
        if rng.random() < 0.7:
            argv += ["COUNT", rng.randint(1, 240)]
        commands.append(argv)
    twin.run(commands)


def test_positions_hashes_and_distances_match_redis(twin, twin3):
    rng = random.Random(51)
    points = make_points(rng, 300)
    load(twin, "geo", points)
    load(twin3, "geo3", points)
    names = [name for name, _, _ in points] + ["missing"]
    commands = []
    for _ in range(300):
        chosen = rng.sample(names, rng.randint(1, 8))
        commands.append(["GEOPOS", "geo", *chosen])
        commands.append(["GEOHASH", "geo", *chosen])
        argv = ["GEODIST", "geo", rng.choice(names), rng.choice(names)]
        if rng.random() < 0.7:
            argv.append(rng.choice(UNITS))
        commands.append(argv)
    twin.run(commands)
    twin3.run([[argv[0], "geo3", *argv[2:]] for argv in commands])


def test_scores_that_are_not_geohashes_decode_like_redis(twin, twin3):
    """Negative, fractional, huge and infinite scores, and the limits themselves."""
    scores = ["-1", "0.5", "-0.5", "1e20", "1e300", "-1e300", "inf", "-inf",
              "4503599627370496", "9007199254740992", "9223372036854775808",
              "18446744073709551616", "18446744073709549568", "-9223372036854775808",
              "-9223372036854777856", "4503599627370495", "0", "1", "123456789.75"]
    argv = ["ZADD", "odd"]
    for i, score in enumerate(scores):
        argv += [score, f"s{i}"]
    for pair in (twin, twin3):
        pair.call(*argv)
        pair.call("GEOADD", "odd", "180", "0", "east", "-180", "0", "west", "0",
                  "85.05112878", "north", "0", "-85.05112878", "south", "180",
                  "85.05112878", "corner")
        names = [f"s{i}" for i in range(len(scores))] + ["east", "west", "north", "south",
                                                         "corner"]
        pair.call("GEOPOS", "odd", *names)
        pair.call("GEOHASH", "odd", *names)
        for name in names:
            pair.call("GEODIST", "odd", name, "s16", "km")
            pair.call("GEOSEARCH", "odd", "FROMMEMBER", name, "BYRADIUS", "1", "km",
                      "WITHHASH", "WITHCOORD", "WITHDIST")
            pair.call("GEOSEARCH", "odd", "FROMMEMBER", name, "BYBOX", "40000", "40000",
                      "km", "WITHHASH", "ASC")


def test_extreme_shapes_match_redis(twin):
    """Zero, huge and infinite sizes; centres on the limits."""
    rng = random.Random(61)
    points = make_points(rng, 250)
    load(twin, "geo", points)
    centres = [("180", "0"), ("-180", "0"), ("0", "85.05112878"), ("0", "-85.05112878"),
               ("179.9999", "85"), ("-179.9999", "-85"), ("0", "0")]
    sizes = ["0", "1e-300", "0.001", "1", "6000", "20037726.37", "40000000", "1e300", "inf"]
    commands = []
    for lon, lat in centres:
        for size in sizes:
            for unit in ("m", "km"):
                commands.append(["GEOSEARCH", "geo", "FROMLONLAT", lon, lat, "BYRADIUS", size,
                                 unit, "WITHDIST"])
                commands.append(["GEOSEARCH", "geo", "FROMLONLAT", lon, lat, "BYBOX", size,
                                 rng.choice(sizes), unit, "WITHHASH", "DESC"])
                commands.append(["GEORADIUS", "geo", lon, lat, size, unit, "COUNT", 3,
                                 "ANY"])
    twin.run(commands)


# ---------------------------------------------------------------- basics

def test_documented_example(conn):
    """Redis's own GEOADD/GEODIST/GEORADIUS example, reply for reply."""
    assert conn.call("GEOADD", "Sicily", "13.361389", "38.115556", "Palermo",
                     "15.087269", "37.502669", "Catania") == 2
    assert conn.call("GEODIST", "Sicily", "Palermo", "Catania") == b"166274.1516"
    assert conn.call("GEODIST", "Sicily", "Palermo", "Catania", "km") == b"166.2742"
    assert conn.call("GEOHASH", "Sicily", "Palermo", "Catania", "x") == \
        [b"sqc8b49rny0", b"sqdtr74hyu0", None]
    assert conn.call("GEOPOS", "Sicily", "Palermo", "x") == \
        [[b"13.36138933897018433", b"38.11555639549629859"], None]
    assert conn.call("GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "ASC") == \
        [[b"Catania", b"56.4413"], [b"Palermo", b"190.4424"]]
    assert conn.call("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400",
                     "km", "ASC", "WITHCOORD", "WITHDIST", "WITHHASH") == [
        [b"Catania", b"56.4413", 3479447370796909,
         [b"15.08726745843887329", b"37.50266842333162032"]],
        [b"Palermo", b"190.4424", 3479099956230698,
         [b"13.36138933897018433", b"38.11555639549629859"]]]
    assert conn.call("ZSCORE", "Sicily", "Palermo") == b"3479099956230698"


def test_distances_round_like_redis_not_like_printf(conn):
    """Redis prints distances with llrint(d * 10000), not "%.4f": when the scaled
    product rounds onto a tie the last digit differs (printf would say ...2473)."""
    conn.call("GEOADD", "fp", "50.12511953762393", "33.6187360432027", "a",
              "-101.96537734688927", "58.98141783562741", "b", "-49.05045210498369",
              "-9.362191314336968", "c", "160.02597474729038", "-45.984949364927644", "d")
    assert conn.call("GEODIST", "fp", "a", "b") == b"9402257.2472"
    assert conn.call("GEODIST", "fp", "c", "d", "ft") == b"43362617.3684"
    assert conn.call("GEOSEARCH", "fp", "FROMMEMBER", "c", "BYRADIUS", "50000", "km",
                     "WITHDIST", "DESC", "COUNT", "1") == [[b"d", b"13216.9258"]]


def test_resp3_shapes(raw):
    conn = raw()
    conn.call("HELLO", "3")
    conn.call("GEOADD", "Sicily", "13.361389", "38.115556", "Palermo")
    assert conn.call_raw("GEOPOS", "Sicily", "Palermo", "x") == \
        b"*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n"
    assert conn.call_raw("GEODIST", "Sicily", "Palermo", "x") == b"_\r\n"
    assert conn.call_raw("GEOHASH", "Sicily", "x") == b"*1\r\n_\r\n"
    assert conn.call_raw("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "m",
                         "WITHDIST", "WITHHASH", "WITHCOORD") == \
        (b"*1\r\n*4\r\n$7\r\nPalermo\r\n$6\r\n0.0000\r\n:3479099956230698\r\n"
         b"*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n")


def test_geoadd_is_zadd(conn):
    assert conn.call("GEOADD", "g", "1", "2", "a", "3", "4", "b") == 2
    assert conn.call("GEOADD", "g", "NX", "5", "6", "a", "7", "8", "c") == 1
    assert conn.call("GEOADD", "g", "XX", "CH", "5", "6", "a", "9", "9", "d") == 1
    assert conn.call("GEOADD", "g", "CH", "5", "6", "a") == 0
    assert conn.call("ZCARD", "g") == 3
    assert conn.call("GEOADD", "missing", "XX", "1", "1", "a") == 0
    assert conn.call("EXISTS", "missing") == 0
    assert conn.call("TYPE", "g") == b"zset"


def test_errors(conn):
    conn.call("GEOADD", "g", "13.361389", "38.115556", "Palermo")
    conn.call("SET", "s", "x")
    wrongtype = err("WRONGTYPE Operation against a key holding the wrong kind of value")
    cases = [
        (("GEOADD", "g", "200", "10", "x"),
         err("ERR invalid longitude,latitude pair 200.000000,10.000000")),
        (("GEOADD", "g", "10", "-85.06", "x"),
         err("ERR invalid longitude,latitude pair 10.000000,-85.060000")),
        (("GEOADD", "g", "inf", "0", "x"), err("ERR invalid longitude,latitude pair inf,0.000000")),
        (("GEOADD", "g", "abc", "10", "x"), err("ERR value is not a valid float")),
        (("GEOADD", "g", "10", "10"), err("ERR wrong number of arguments for 'geoadd' command")),
        (("GEOADD", "g", "NX", "XX", "1", "1", "a"), err("ERR syntax error")),
        (("GEOADD", "g", "CH", "CH", "CH"), err("ERR syntax error")),
        (("GEOADD", "g", "GT", "1", "1", "a"), err("ERR syntax error")),
        (("GEOADD", "s", "1", "1", "a"), wrongtype),
        (("GEOPOS", "s", "a"), wrongtype),
        (("GEODIST", "g", "a", "b", "km", "x"), err("ERR syntax error")),
        (("GEODIST", "s", "a", "b", "parsecs"),
         err("ERR unsupported unit provided. please use M, KM, FT, MI")),
        (("GEOSEARCH", "g", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"),
         err("ERR could not decode requested zset member")),
        (("GEORADIUSBYMEMBER", "g", "nope", "1", "km"),
         err("ERR could not decode requested zset member")),
        (("GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "-1", "km"),
         err("ERR radius cannot be negative")),
        (("GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "x", "km"),
         err("ERR need numeric radius")),
        (("GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYBOX", "x", "1", "km"),
         err("ERR need numeric width")),
        (("GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYBOX", "1", "x", "km"),
         err("ERR need numeric height")),
        (("GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYBOX", "1", "-1", "km"),
         err("ERR height or width cannot be negative")),
        (("GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "parsec"),
         err("ERR unsupported unit provided. please use M, KM, FT, MI")),
        (("GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km", "COUNT", "0"),
         err("ERR COUNT must be > 0")),
        (("GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km", "COUNT", "x"),
         err("ERR value is not an integer or out of range")),
        (("GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km", "ANY"),
         err("ERR the ANY argument requires COUNT argument")),
        (("GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km", "COUNT"),
         err("ERR syntax error")),
        (("GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km", "STORE", "x"),
         err("ERR syntax error")),
        (("GEOSEARCH", "g", "FROMLONLAT", "1", "1", "FROMMEMBER", "a", "BYRADIUS", "1", "km"),
         err("ERR syntax error")),
        (("GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km", "BYBOX", "1", "1",
          "km"), err("ERR syntax error")),
        (("geoSearch", "g", "BYBOX", "1", "1", "km", "ASC"),
         err("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geoSearch")),
        (("GEOSEARCH", "g", "FROMLONLAT", "1", "1", "ASC", "WITHDIST"),
         err("ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH")),
        (("GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km", "WITHDIST"),
         err("ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD "
             "options")),
        (("GEORADIUS", "g", "1", "1", "1", "km", "WITHHASH", "STORE", "d"),
         err("ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and "
             "WITHCOORD options")),
        (("GEORADIUS_RO", "g", "1", "1", "1", "km", "STORE", "d"), err("ERR syntax error")),
        (("GEORADIUS", "g", "1", "1", "1"),
         err("ERR wrong number of arguments for 'georadius' command")),
        (("GEOSEARCH", "s", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"), wrongtype),
    ]
    for argv, expected in cases:
        assert conn.call(*argv) == expected, argv


def test_error_precedence_matches_redis(twin):
    """Which error wins when several apply, and missing keys (which skip the member
    lookup but not the option checks)."""
    twin.call("GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669",
              "Catania")
    twin.call("SET", "s", "x")
    twin.run([
        ["GEORADIUS", "s", "200", "0", "-1", "parsec"],
        ["GEORADIUS", "missing", "200", "0", "1", "km"],
        ["GEORADIUS", "missing", "10", "0", "-1", "km"],
        ["GEORADIUSBYMEMBER", "missing", "x", "-1", "parsec"],
        ["GEORADIUSBYMEMBER", "missing", "x", "1", "km", "STORE", "g2"],
        ["GEORADIUSBYMEMBER", "missing", "x", "1", "km", "WITHDIST", "STORE", "g2"],
        ["GEORADIUSBYMEMBER", "g", "x", "-1", "parsec"],
        ["GEORADIUSBYMEMBER", "g", "Palermo", "-1", "parsec"],
        ["GEOSEARCH", "missing", "FROMMEMBER", "x", "BYRADIUS", "1", "km", "ANY"],
        ["GEOSEARCH", "missing", "FROMMEMBER", "x", "BYRADIUS", "1", "km"],
        ["GEOSEARCH", "g", "FROMMEMBER", "x", "BYRADIUS", "-1", "km"],
        ["GEOSEARCH", "g", "BYRADIUS", "-1", "km", "FROMMEMBER", "x"],
        ["GEOSEARCH", "g", "FROMMEMBER", "Palermo", "FROMMEMBER", "Catania", "BYRADIUS", "1",
         "km", "BYRADIUS", "200", "km", "WITHDIST"],
        ["GEOSEARCH", "g", "FROMLONLAT", "1", "1", "FROMLONLAT", "15", "37", "BYRADIUS", "200",
         "km"],
        ["GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km", "COUNT", "1",
         "COUNT", "-1"],
        ["GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT", "5",
         "COUNT", "1", "DESC", "ASC"],
        ["GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST"],
        ["GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", b"k\x00m"],
        ["GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", b"km\x00x",
         b"withdist\x00"],
        ["GEOSEARCHSTORE", "g2", "missing", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"],
        ["GEOSEARCHSTORE", "g2", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km",
         "STOREDIST", "STOREDIST"],
        ["ZRANGE", "g2", "0", "-1", "WITHSCORES"],
        ["GEOSEARCHSTORE", "g2", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"],
        ["EXISTS", "g2"],
        ["GEORADIUS", "g", "15", "37", "200", "km", "STORE", "s", "STOREDIST", "g3"],
        ["TYPE", "s"],
        ["ZRANGE", "g3", "0", "-1", "WITHSCORES"],
        ["GEORADIUS", "g", "15", "37", "200", "km", "STORE", "g"],
        ["ZRANGE", "g", "0", "-1", "WITHSCORES"],
        ["GEOPOS", "missing", "a", "b"],
        ["GEOHASH", "missing", "a"],
        ["GEODIST", "missing", "a", "b", "parsecs"],
        ["GEODIST", "missing", "a", "b"],
    ])


def test_store_replaces_any_type_and_ttl(twin):
    twin.call("GEOADD", "g", "1", "1", "a", "1.001", "1.001", "b")
    twin.run([
        ["RPUSH", "dst", "x"],
        ["EXPIRE", "dst", 1000],
        ["GEOSEARCHSTORE", "dst", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "10", "km"],
        ["TYPE", "dst"],
        ["PTTL", "dst"],
        ["OBJECT", "ENCODING", "dst"],
    ])


def test_store_encodings_follow_the_listpack_limits(twin):
    rng = random.Random(71)
    points = [(f"member-{i}", rng.uniform(0, 1), rng.uniform(0, 1)) for i in range(200)]
    load(twin, "g", points)
    twin.call("GEOADD", "g", "0.5", "0.5", "x" * 70)
    twin.run([
        ["GEOSEARCHSTORE", "d1", "g", "FROMLONLAT", "0.5", "0.5", "BYRADIUS", "500", "km",
         "COUNT", "128"],
        ["OBJECT", "ENCODING", "d1"],
        ["GEOSEARCHSTORE", "d2", "g", "FROMLONLAT", "0.5", "0.5", "BYRADIUS", "500", "km",
         "COUNT", "129"],
        ["OBJECT", "ENCODING", "d2"],
        ["GEOSEARCHSTORE", "d3", "g", "FROMLONLAT", "0.5", "0.5", "BYRADIUS", "1", "m"],
        ["OBJECT", "ENCODING", "d3"],
        ["ZRANGE", "d3", "0", "-1", "WITHSCORES"],
    ])


def test_search_sees_another_clients_writes(raw):
    writer, reader = raw(), raw()
    assert writer.call("GEOADD", "shared", "2.35", "48.85", "paris") == 1
    assert reader.call("GEOSEARCH", "shared", "FROMLONLAT", "2.3", "48.8", "BYRADIUS", "10",
                       "km") == [b"paris"]
    assert writer.call("GEOADD", "shared", "2.29", "48.86", "eiffel") == 1
    assert reader.call("GEOSEARCHSTORE", "near", "shared", "FROMMEMBER", "paris", "BYRADIUS",
                       "10", "km", "ASC") == 2
    assert sorted(writer.call("ZRANGE", "near", "0", "-1")) == [b"eiffel", b"paris"]
    assert writer.call("ZREM", "shared", "paris") == 1
    assert reader.call("GEOSEARCH", "shared", "FROMMEMBER", "paris", "BYRADIUS", "10",
                       "km") == err("ERR could not decode requested zset member")
