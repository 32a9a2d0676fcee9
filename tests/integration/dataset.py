"""Build and compare whole datasets (every type and encoding) across servers.

``fill_every_type`` writes a seeded dataset that exercises each RDB encoding Redis 7.0 uses:
int/embstr/raw strings (some compressible), small and large lists, listpack and hashtable
hashes and sorted sets, intset and hashtable sets, keys with TTLs, and several databases.
``dump_dataset`` reads a server's whole dataset back in a canonical form, so two servers can
be compared with ``==`` whatever their internal order.
"""

from __future__ import annotations

import random

import redis


def fill_every_type(client: redis.Redis, seed: int = 1, scale: int = 1, dbs=(0, 1, 3)) -> None:
    rnd = random.Random(seed)
    for db in dbs:
        c = client
        pipe = c.pipeline(transaction=False)
        pipe.execute_command("SELECT", db)
        p = f"d{db}:"
        # Strings: integers of every width, short, long, compressible, binary.
        for i, v in enumerate([0, 1, -1, 127, -128, 128, 32767, -32768, 32768, 2**31 - 1,
                               -2**31, 2**31, 2**63 - 1, -2**63]):
            pipe.set(f"{p}int:{i}", v)
        pipe.set(f"{p}embstr", "hello world")
        pipe.set(f"{p}raw", "x" * 100)
        pipe.set(f"{p}compressible", "abcdefgh" * 500)
        pipe.set(f"{p}binary", bytes(range(256)) * 3)
        pipe.set(f"{p}empty", "")
        pipe.set(f"{p}leading-zero", "007")
        for i in range(50 * scale):
            pipe.set(f"{p}s:{i}", rnd.choice(["v", "value-%d" % i, "%d" % rnd.randint(-10**12, 10**12),
                                              "y" * rnd.randint(20, 300)]))
        # Lists: small, multi-node, mixed integers.
        pipe.rpush(f"{p}list:small", "a", "b", 1, -5, 300, 70000, 2**40, "c" * 70)
        pipe.rpush(f"{p}list:big", *[rnd.choice(["e%d" % i, i, "z" * 100]) for i in range(3000 * scale)])
        # Hashes: listpack and hashtable (many fields, and one long value).
        pipe.hset(f"{p}hash:small", mapping={"f1": "v1", "f2": 2, "f3": "x" * 30})
        pipe.hset(f"{p}hash:big", mapping={f"field{i}": f"val{i}" for i in range(700 * scale)})
        pipe.hset(f"{p}hash:longval", mapping={"a": "1", "b": "q" * 200})
        # Sets: intset of each width, hashtable of strings.
        pipe.sadd(f"{p}set:int16", *range(-100, 100))
        pipe.sadd(f"{p}set:int32", 1, 70000, -70000)
        pipe.sadd(f"{p}set:int64", 1, 2**40, -2**40)
        pipe.sadd(f"{p}set:strings", *[f"m{i}" for i in range(300 * scale)])
        pipe.sadd(f"{p}set:bigints", *range(1000 * scale))
        # Sorted sets: listpack and skiplist, integer and fractional scores, infinities.
        pipe.zadd(f"{p}zset:small", {"a": 1, "b": 2.5, "c": -3, "d": float("inf"), "e": float("-inf"),
                                     "f": 0.1})
        pipe.zadd(f"{p}zset:big", {f"m{i}": rnd.uniform(-1e6, 1e6) for i in range(500 * scale)})
        pipe.zadd(f"{p}zset:long", {"x" * 100: 1, "y": 2})
        # HyperLogLog (a string) and a bitmap.
        pipe.pfadd(f"{p}hll", *[f"e{i}" for i in range(100)])
        pipe.setbit(f"{p}bits", 10000, 1)
        # TTLs far in the future (so no key expires during a test).
        pipe.set(f"{p}ttl:str", "v", ex=100000)
        pipe.rpush(f"{p}ttl:list", "a")
        pipe.expire(f"{p}ttl:list", 200000)
        pipe.execute()
    client.execute_command("SELECT", 0)


def dump_dataset(client: redis.Redis, dbs=range(16)) -> dict:
    """{db: {key: (type, value, has_ttl)}} for every non-empty database."""
    out = {}
    for db in dbs:
        c = client
        c.execute_command("SELECT", db)
        keys = list(c.scan_iter(count=1000))
        if not keys:
            continue
        data = {}
        for k in keys:
            t = c.type(k).decode()
            if t == "string":
                v = c.get(k)
            elif t == "list":
                v = tuple(c.lrange(k, 0, -1))
            elif t == "hash":
                v = tuple(sorted(c.hgetall(k).items()))
            elif t == "set":
                v = tuple(sorted(c.smembers(k)))
            elif t == "zset":
                v = tuple(c.zrange(k, 0, -1, withscores=True))
            else:
                v = None
            data[k] = (t, v, c.pttl(k) > 0)
        out[db] = data
    client.execute_command("SELECT", 0)
    return out


def encodings(client: redis.Redis, dbs=range(16)) -> dict:
    """{(db, key): OBJECT ENCODING} for every key."""
    out = {}
    for db in dbs:
        client.execute_command("SELECT", db)
        for k in client.scan_iter(count=1000):
            out[(db, k)] = client.object("encoding", k)
    client.execute_command("SELECT", 0)
    return out
