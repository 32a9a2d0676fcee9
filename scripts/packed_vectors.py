#!/usr/bin/env python3
"""Regenerates Tests/ServerTests/PackedEncodingsVectors.swift from a real Redis 7.0.

Starts /usr/bin/redis-server on a free loopback port (temp dir, no saving), builds small
lists, hashes, sorted sets and sets, DUMPs them with `rdbcompression no`, cuts the listpack
or intset bytes out of each DUMP payload and writes them as Swift test vectors together with
the elements the test expects to decode. Long runs of one byte (the big strings) are written
as `.r(byte, count)` so the file stays readable; everything else is hex.

Usage: python3 scripts/packed_vectors.py [path-to-redis-server]
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

OUT = Path(__file__).resolve().parent.parent / "Tests/ServerTests/PackedEncodingsVectors.swift"

# DUMP payload types (rdb.h): the value encodings this script cuts blobs out of.
TYPE_SET_INTSET = 11
TYPE_HASH_LISTPACK = 16
TYPE_ZSET_LISTPACK = 17
TYPE_LIST_QUICKLIST_2 = 18


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Reader:
    """Reads RDB length-encoded fields out of a DUMP payload."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def byte(self) -> int:
        b = self.data[self.pos]
        self.pos += 1
        return b

    def length(self) -> int:
        b = self.byte()
        kind = b >> 6
        if kind == 0:
            return b & 0x3F
        if kind == 1:
            return ((b & 0x3F) << 8) | self.byte()
        if b == 0x80:
            v = int.from_bytes(self.data[self.pos:self.pos + 4], "big")
            self.pos += 4
            return v
        if b == 0x81:
            v = int.from_bytes(self.data[self.pos:self.pos + 8], "big")
            self.pos += 8
            return v
        raise ValueError(f"special string encoding {b:#x} (LZF or integer) where a blob was expected")

    def blob(self) -> bytes:
        n = self.length()
        v = self.data[self.pos:self.pos + n]
        self.pos += n
        return v


def blobs(payload: bytes) -> tuple[int, list[bytes]]:
    """The packed blobs inside one DUMP payload (one per quicklist node for lists)."""
    body = payload[:-10]  # 2 bytes RDB version + 8 bytes CRC64 trail every DUMP payload
    r = Reader(body)
    kind = r.byte()
    if kind == TYPE_LIST_QUICKLIST_2:
        out = []
        for _ in range(r.length()):
            container = r.length()
            assert container == 2, "expected packed (listpack) quicklist nodes only"
            out.append(r.blob())
    elif kind in (TYPE_HASH_LISTPACK, TYPE_ZSET_LISTPACK, TYPE_SET_INTSET):
        out = [r.blob()]
    else:
        raise ValueError(f"unexpected DUMP type {kind}")
    assert r.pos == len(body), "trailing bytes in payload"
    return kind, out


def crc64(data: bytes) -> int:
    """Redis's CRC-64/Jones (reflected, poly 0xad93d23594c935a9), as rw_crc64 computes it."""
    poly, crc = 0x95AC9329AC4BC9B5, 0  # the reflected polynomial
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
    return crc


assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA


def swift_blob(data: bytes) -> str:
    """`[.h("..."), .r(0x78, 5000), ...]`: hex, with runs of 16+ equal bytes compressed."""
    parts, hexbuf, i = [], [], 0
    while i < len(data):
        j = i
        while j < len(data) and data[j] == data[i]:
            j += 1
        if j - i >= 16:
            if hexbuf:
                parts.append(f'.h("{"".join(hexbuf)}")')
                hexbuf = []
            parts.append(f".r({data[i]:#04x}, {j - i})")
        else:
            hexbuf.extend(f"{b:02x}" for b in data[i:j])
        i = j
    if hexbuf:
        parts.append(f'.h("{"".join(hexbuf)}")')
    return "[" + ", ".join(parts) + "]"


def swift_bytes(s: bytes) -> str:
    """A Swift expression for one expected element."""
    if len(s) >= 16 and len(set(s)) == 1:
        return f"rep({s[0]:#04x}, {len(s)})"
    if all(32 <= c < 127 and c not in b'"\\' for c in s):
        return f'utf8("{s.decode()}")'
    return "hx(\"" + s.hex() + "\")"


def main() -> None:
    binary = sys.argv[1] if len(sys.argv) > 1 else "/usr/bin/redis-server"
    tmp = tempfile.mkdtemp(prefix="packed-vectors-")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--dir", tmp, "--daemonize", "no", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        r = redis.Redis(port=port)
        for _ in range(100):
            try:
                r.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        version = r.info("server")["redis_version"]
        r.config_set("rdbcompression", "no")
        emit(r, version)
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def emit(r: redis.Redis, version: str) -> None:
    def b(x) -> bytes:
        return x if isinstance(x, bytes) else str(x).encode()

    lists = {
        # The example of the task: every small encoding plus a 6-bit, 12-bit and 32-bit string.
        "mixed": ["a", 1, -1, 300, -5000, 70000, 123456789012, bytes(range(48, 118)), "y" * 5000],
        # Both sides of every integer width.
        "integerWidths": [0, 127, 128, -1, -4096, -4097, 4095, 4096, -32768, -32769, 32767, 32768,
                          8388607, 8388608, -8388608, -8388609, 2147483647, 2147483648,
                          -2147483648, -2147483649, 9223372036854775807, -9223372036854775808, 12],
        # Strings that look numeric but string2ll refuses: they must stay strings.
        "notIntegers": ["007", "-0", " 1", "1 ", "+1", "", "00", "-", "9223372036854775808",
                        "-9223372036854775809", "1.5", "0x1F", "12345678901234567890", "-01"],
        # 6-bit/12-bit string boundaries.
        "stringLengths": ["", "a" * 63, "b" * 64],
        "string4095": ["c" * 4095],
        "string4096": ["d" * 4096],
        # Entries of 127 and 128 bytes: the first backlen of one and of two bytes.
        "backlen127and128": ["e" * 125, "f" * 126],
        # Entries of 16382 and 16383 bytes: Redis gives the second a 3-byte backlen although
        # two bytes could hold it (lpEncodeBacklen's `l < 16383`).
        "backlen16382": ["g" * 16377],
        "backlen16383": ["h" * 16378],
    }
    hashes = {
        "hash": ["name", "redwing", "n", 123, "neg", -70000, "empty", "", "long", "v" * 64],
    }
    zsets = {
        # ZADD arguments (score, member). Redis stores member, then the score: as an integer
        # when double2ll takes it (integral, within ±2^62; -0 becomes 0), else d2string's
        # "%.17g" / "inf" / "-inf".
        "zset": [(1, "a"), (1.5, "b"), ("-0", "c"), (2.5e-5, "d"), (1e20, "e"),
                 (12345678901, "f"), (-3, "g"), ("inf", "h"), ("-inf", "i"),
                 (4611686018427387904, "j"), (4611686018427388928, "k"),
                 (-4611686018427387904, "l"), (0.1, "m")],
    }
    zset_elements = {
        "zset": ["i", "-inf", "l", -4611686018427387904, "g", -3, "c", 0,
                 "d", "2.5000000000000001e-05", "m", "0.10000000000000001", "a", 1, "b", "1.5",
                 "f", 12345678901, "j", 4611686018427387904, "k", "4.6116860184273889e+18",
                 "e", "1e+20", "h", "inf"],
    }
    intsets = {
        "intset16": [3, 1, 2, -32768, 32767],
        "intset32": [-70000, 5, 2147483647],
        "intset64": [1099511627776, -1, 0, -9223372036854775808, 9223372036854775807],
    }

    out = [f"// Generated by scripts/packed_vectors.py from Redis {version} DUMP payloads "
           "(rdbcompression no). Do not edit by hand.",
           "@testable import Server", "",
           "/// Listpack and intset bytes exactly as real Redis wrote them, and the elements",
           "/// they hold (strings as given to Redis; the test decides which are integers).",
           "/// Vector, Big and the blob helpers are in PackedEncodingsTests.swift.",
           "enum RedisVectors {"]

    def vector(name: str, blob: bytes, elements: list[bytes]) -> None:
        out.append(f"    static let {name} = Vector(")
        out.append(f"        blob: blob({swift_blob(blob)}),")
        out.append(f"        elements: [{', '.join(swift_bytes(e) for e in elements)}])")

    for name, items in lists.items():
        r.delete(name)
        r.rpush(name, *items)
        kind, parts = blobs(r.dump(name))
        assert kind == TYPE_LIST_QUICKLIST_2
        start = 0
        for i, part in enumerate(parts):
            n = int.from_bytes(part[4:6], "little")
            vector(name if len(parts) == 1 else f"{name}Node{i}", part,
                   [b(x) for x in items[start:start + n]])
            start += n
        assert start == len(items)
    for name, items in hashes.items():
        r.delete(name)
        r.hset(name, mapping=dict(zip(items[0::2], items[1::2])))
        kind, parts = blobs(r.dump(name))
        assert kind == TYPE_HASH_LISTPACK and len(parts) == 1
        vector(name, parts[0], [b(x) for x in items])
    for name, pairs in zsets.items():
        r.delete(name)
        r.execute_command("ZADD", name, *[x for p in pairs for x in p])
        kind, parts = blobs(r.dump(name))
        assert kind == TYPE_ZSET_LISTPACK and len(parts) == 1
        vector(name, parts[0], [b(x) for x in zset_elements[name]])
    for name, values in intsets.items():
        r.delete(name)
        r.sadd(name, *values)
        kind, parts = blobs(r.dump(name))
        assert kind == TYPE_SET_INTSET and len(parts) == 1
        vector(name, parts[0], [b(x) for x in sorted(values)])

    # Hashes of 32767 and 32768 fields "f<i>" → "<i>": 65534 elements keep their count in
    # the header, 65536 do not fit and Redis writes 65535 ("unknown"). Too big to spell out,
    # so the test rebuilds the elements and compares length, CRC64 and both ends.
    r.config_set("hash-max-listpack-entries", 100000)
    out.append("")
    for fields in (32767, 32768):
        name = f"bigHash{fields}"
        r.delete(name)
        pipe = r.pipeline(transaction=False)
        for lo in range(0, fields, 1000):
            pipe.hset(name, mapping={f"f{i}": i for i in range(lo, min(lo + 1000, fields))})
        pipe.execute()
        kind, parts = blobs(r.dump(name))
        assert kind == TYPE_HASH_LISTPACK and len(parts) == 1
        blob = parts[0]
        out.append(f"    /// HSET of f0...f{fields - 1} with values 0...{fields - 1}.")
        out.append(f"    static let {name} = Big(fields: {fields}, count: {len(blob)}, "
                   f"crc64: {crc64(blob):#018x},")
        out.append(f'        head: hx("{blob[:24].hex()}"), tail: hx("{blob[-24:].hex()}"))')

    out.append("}")
    OUT.write_text("\n".join(out) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
