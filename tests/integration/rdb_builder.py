"""A small pure-Python writer of RDB files in the older formats (versions 6 to 9), for tests.

Redwing and Redis 7.0 write only version 10, so files of the formats Redis 2.6 ... 6.2 wrote
have to be made: ``RDBBuilder`` writes the header (``REDIS0006`` ... ``REDIS0009``), aux fields
(from version 7 on), ``SELECTDB``, ``RESIZEDB`` (from version 7 on), ``EXPIRETIME`` (seconds)
and ``EXPIRETIME_MS``, ``IDLE`` and ``FREQ`` (version 9), keys, ``EOF`` and the CRC-64 trailer
(or a zero trailer, meaning "not checked").

Values come from the ``*_value`` functions, each returning ``(type byte, body)`` in one of the
encodings such files hold: strings plain, int-encoded (8/16/32-bit) or LZF-compressed; the
plain list, set, hash and text-score zset of RDB's first versions; the binary-score zset-2;
and the packed blobs: zipmap hashes, ziplist lists, hashes and sorted sets, intsets of every
width, and quicklists of ziplists. The packed encoders (``ziplist``, ``zipmap``, ``intset``)
are written from the formats and can emit every variant a reader must handle.

Everything here is written from the format descriptions; nothing is taken from Redis's code.
"""

from __future__ import annotations

import re
import struct
from typing import Iterable, Optional, Sequence, Union

Element = Union[bytes, int]

# --------------------------------------------------------------------------------- CRC-64

_CRC64_POLY = 0x95AC9329AC4BC9B5  # Jones polynomial, bit-reflected


def _crc64_table() -> list[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ _CRC64_POLY if c & 1 else c >> 1
        table.append(c)
    return table


_CRC64_TABLE = _crc64_table()


def crc64(data: bytes, crc: int = 0) -> int:
    """Redis's CRC-64 (Jones, reflected, initial value 0, no final xor), one table lookup per
    byte; `crc` continues an earlier sum."""
    for b in data:
        crc = _CRC64_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


# ------------------------------------------------------------------------------------ LZF

def lzf_literals(data: bytes) -> bytes:
    """`data` as an LZF stream of literal runs only (a valid stream that compresses nothing):
    a control byte 0...31 says 1...32 literal bytes follow."""
    out = bytearray()
    for i in range(0, len(data), 32):
        chunk = data[i:i + 32]
        out.append(len(chunk) - 1)
        out += chunk
    return bytes(out)


def lzf_compress(data: bytes) -> bytes:
    """A greedy LZF compressor: literal runs, and back references (3 to 264 bytes from up to
    8192 bytes back) wherever the last occurrence of the next three bytes is in reach.

    A back reference is `LLLooooo oooooooo` with L = length - 2 (1...6), or `111ooooo`,
    `length - 9`, `oooooooo` for longer ones; o is the distance minus one.
    """
    out = bytearray()
    literal = bytearray()
    last: dict[bytes, int] = {}

    def flush_literals():
        for i in range(0, len(literal), 32):
            chunk = literal[i:i + 32]
            out.append(len(chunk) - 1)
            out.extend(chunk)
        literal.clear()

    i, n = 0, len(data)
    while i < n:
        key = data[i:i + 3]
        ref = last.get(key) if len(key) == 3 else None
        if len(key) == 3:
            last[key] = i
        if ref is not None and i - ref <= 8192:
            length = 3
            while i + length < n and length < 264 and data[ref + length] == data[i + length]:
                length += 1
            flush_literals()
            off = i - ref - 1
            code = length - 2
            if code < 7:
                out.append(code << 5 | off >> 8)
            else:
                out.append(7 << 5 | off >> 8)
                out.append(code - 7)
            out.append(off & 0xFF)
            for k in range(i + 1, min(i + length, n - 2)):
                last[data[k:k + 3]] = k
            i += length
        else:
            literal.append(data[i])
            i += 1
    flush_literals()
    return bytes(out)


# ----------------------------------------------------------------------------- primitives

def length(n: int) -> bytes:
    """An RDB length: 6 bits, 14 bits (high bits first), or 0x80 + u32 / 0x81 + u64 big-endian."""
    if n < 1 << 6:
        return bytes([n])
    if n < 1 << 14:
        return bytes([0x40 | n >> 8, n & 0xFF])
    if n <= 0xFFFFFFFF:
        return b"\x80" + struct.pack(">I", n)
    return b"\x81" + struct.pack(">Q", n)


_STRICT_INT = re.compile(rb"-?[1-9][0-9]*|0")


def strict_int(b: bytes) -> Optional[int]:
    """The integer `b` spells as Redis's string2ll accepts it (no sign "+", no leading zeros,
    no "-0", within 64 bits), else None."""
    if len(b) > 20 or not _STRICT_INT.fullmatch(b):
        return None
    v = int(b)
    return v if -2**63 <= v < 2**63 else None


def string(value: Element, how: str = "auto") -> bytes:
    """A string as RDB stores it. `how`: "plain" (length + bytes), "int" (0xC0/C1/C2 + 1/2/4
    bytes little-endian; the value must be such an integer), "lzf" (0xC3, compressed and
    original lengths, an LZF stream with back references), "lzf-literals" (the same with a
    literal-only stream), or "auto": int-encoded when it is an integer of at most 32 bits,
    else plain."""
    b = str(value).encode() if isinstance(value, int) else value
    if how == "auto":
        v = strict_int(b)
        how = "int" if v is not None and -2**31 <= v < 2**31 else "plain"
    if how == "plain":
        return length(len(b)) + b
    if how == "int":
        v = strict_int(b)
        assert v is not None, f"{b!r} is not an integer"
        if -2**7 <= v < 2**7:
            return b"\xc0" + struct.pack("<b", v)
        if -2**15 <= v < 2**15:
            return b"\xc1" + struct.pack("<h", v)
        return b"\xc2" + struct.pack("<i", v)
    if how in ("lzf", "lzf-literals"):
        packed = lzf_compress(b) if how == "lzf" else lzf_literals(b)
        return b"\xc3" + length(len(packed)) + length(len(b)) + packed
    raise ValueError(how)


def text_double(d: float) -> bytes:
    """A score as the first zset type stores it: a length byte and "%.17g" text, or 254 for
    +inf and 255 for -inf (253, NaN, is never valid in a sorted set)."""
    if d == float("inf"):
        return b"\xfe"
    if d == float("-inf"):
        return b"\xff"
    t = b"%.17g" % d
    return bytes([len(t)]) + t


def binary_double(d: float) -> bytes:
    return struct.pack("<d", d)


def score_text(d: float) -> bytes:
    """A score as text the way Redis formats one for a ziplist ("%.17g", "inf", "-inf")."""
    if d == float("inf"):
        return b"inf"
    if d == float("-inf"):
        return b"-inf"
    if d == int(d) and abs(d) < 2**53:
        return b"%d" % int(d)
    return b"%.17g" % d


# ------------------------------------------------------------------------------- ziplist

def ziplist_entry_body(element: Element) -> bytes:
    """An entry's encoding and payload. Byte strings that are integers (as string2ll reads
    them, under 32 bytes) are stored as integers, as Redis's ziplist does: 0...12 in the 4-bit
    immediate (0xF1 + v), then int8 (0xFE), int16 (0xC0), int24 (0xF0), int32 (0xD0), int64
    (0xE0). Other strings take a 6-bit (00pppppp), 14-bit (01pppppp qqqqqqqq) or 32-bit
    (0x80 + u32 big-endian) length."""
    v = element if isinstance(element, int) else (strict_int(element) if len(element) < 32 else None)
    if v is not None:
        if 0 <= v <= 12:
            return bytes([0xF1 + v])
        if -2**7 <= v < 2**7:
            return b"\xfe" + struct.pack("<b", v)
        if -2**15 <= v < 2**15:
            return b"\xc0" + struct.pack("<h", v)
        if -2**23 <= v < 2**23:
            return b"\xf0" + (v & 0xFFFFFF).to_bytes(3, "little")
        if -2**31 <= v < 2**31:
            return b"\xd0" + struct.pack("<i", v)
        return b"\xe0" + struct.pack("<q", v)
    n = len(element)
    if n < 1 << 6:
        return bytes([n]) + element
    if n < 1 << 14:
        return bytes([0x40 | n >> 8, n & 0xFF]) + element
    return b"\x80" + struct.pack(">I", n) + element


def ziplist(elements: Iterable[Element], wide_prevlen: Iterable[int] = ()) -> bytes:
    """A ziplist: zlbytes u32 LE, zltail u32 LE (offset of the last entry), zllen u16 LE
    (65535 when the count does not fit), entries, 0xFF. Each entry starts with the size of
    the one before: one byte below 254, else 0xFE + u32 LE. Indexes in `wide_prevlen` get the
    5-byte form even when the size before them is small (Redis keeps it to avoid cascading
    updates)."""
    wide = set(wide_prevlen)
    entries = bytearray()
    previous = 0
    tail = 10
    count = 0
    for i, e in enumerate(elements):
        body = ziplist_entry_body(e)
        if previous >= 254 or i in wide:
            prevlen = b"\xfe" + struct.pack("<I", previous)
        else:
            prevlen = bytes([previous])
        tail = 10 + len(entries)
        entries += prevlen + body
        previous = len(prevlen) + len(body)
        count += 1
    total = 10 + len(entries) + 1
    return struct.pack("<IIH", total, tail, min(count, 65535)) + entries + b"\xff"


# -------------------------------------------------------------------------------- zipmap

def _zipmap_length(n: int) -> bytes:
    return bytes([n]) if n < 254 else b"\xfe" + struct.pack("<I", n)


def zipmap(pairs: Sequence[tuple[bytes, bytes]], free: dict[int, int] | None = None) -> bytes:
    """A zipmap (hashes before Redis 2.6): zmlen (the pair count, 254 once it does not fit),
    then per pair `len key len free value` plus `free` unused bytes, then 0xFF. A length is one
    byte below 254, else 0xFE + u32 LE. `free` maps pair indexes to their unused bytes."""
    free = free or {}
    out = bytearray([min(len(pairs), 254)])
    for i, (k, v) in enumerate(pairs):
        spare = free.get(i, 0)
        out += _zipmap_length(len(k)) + k + _zipmap_length(len(v)) + bytes([spare]) + v
        out += b"\x00" * spare
    out.append(0xFF)
    return bytes(out)


# -------------------------------------------------------------------------------- intset

def intset(values: Iterable[int], width: int) -> bytes:
    """An intset: encoding u32 LE (2, 4 or 8: bytes per member), count u32 LE, then the
    members little-endian, in the order given (ascending, for a valid one)."""
    fmt = {2: "<h", 4: "<i", 8: "<q"}[width]
    values = list(values)
    return struct.pack("<II", width, len(values)) + b"".join(struct.pack(fmt, v) for v in values)


# ------------------------------------------------------------------------- value encoders

TYPE_STRING, TYPE_LIST, TYPE_SET, TYPE_ZSET, TYPE_HASH, TYPE_ZSET2 = 0, 1, 2, 3, 4, 5
TYPE_HASH_ZIPMAP, TYPE_LIST_ZIPLIST, TYPE_SET_INTSET = 9, 10, 11
TYPE_ZSET_ZIPLIST, TYPE_HASH_ZIPLIST, TYPE_LIST_QUICKLIST = 12, 13, 14


def blob(b: bytes, compress: bool) -> bytes:
    """A packed blob as a string, LZF-compressed as Redis's writer does when asked."""
    return string(b, "lzf" if compress else "plain")


def string_value(v: Element, how: str = "auto"):
    return TYPE_STRING, string(v, how)


def list_value(items: Sequence[Element]):
    return TYPE_LIST, length(len(items)) + b"".join(string(e) for e in items)


def set_value(members: Sequence[Element]):
    return TYPE_SET, length(len(members)) + b"".join(string(m) for m in members)


def zset_value(pairs: Sequence[tuple[bytes, float]]):
    """Type 3: members with text scores."""
    return TYPE_ZSET, length(len(pairs)) + b"".join(string(m) + text_double(s) for m, s in pairs)


def zset2_value(pairs: Sequence[tuple[bytes, float]]):
    """Type 5: members with binary scores."""
    return TYPE_ZSET2, length(len(pairs)) + b"".join(string(m) + binary_double(s) for m, s in pairs)


def hash_value(pairs: Sequence[tuple[bytes, Element]]):
    return TYPE_HASH, length(len(pairs)) + b"".join(string(f) + string(v) for f, v in pairs)


def hash_zipmap_value(pairs, free=None, compress=False):
    return TYPE_HASH_ZIPMAP, blob(zipmap(pairs, free), compress)


def list_ziplist_value(items, wide_prevlen=(), compress=False):
    return TYPE_LIST_ZIPLIST, blob(ziplist(items, wide_prevlen), compress)


def set_intset_value(values, width, compress=False):
    return TYPE_SET_INTSET, blob(intset(values, width), compress)


def zset_ziplist_value(pairs, compress=False):
    """Type 12: member, score pairs in (score, member) order, as a sorted set's ziplist keeps
    them (Redis loads the blob as it is, so the order is the writer's duty)."""
    ordered = sorted(pairs, key=lambda p: (p[1], p[0]))
    flat = [x for m, s in ordered for x in (m, score_text(s))]
    return TYPE_ZSET_ZIPLIST, blob(ziplist(flat), compress)


def hash_ziplist_value(pairs, compress=False):
    return TYPE_HASH_ZIPLIST, blob(ziplist([x for p in pairs for x in p]), compress)


def quicklist_value(nodes: Sequence[Sequence[Element]], compress=False):
    """Type 14: a node count, then each node as a ziplist blob."""
    return TYPE_LIST_QUICKLIST, length(len(nodes)) + b"".join(blob(ziplist(n), compress) for n in nodes)


# --------------------------------------------------------------------------------- files

OP_IDLE, OP_FREQ, OP_AUX, OP_RESIZEDB = 0xF8, 0xF9, 0xFA, 0xFB
OP_EXPIRETIME_MS, OP_EXPIRETIME, OP_SELECTDB, OP_EOF = 0xFC, 0xFD, 0xFE, 0xFF


class RDBBuilder:
    """Writes one RDB file of `version` (6...9) in order: call `aux`, `select_db`,
    `resize_db` and `key` as the file should read, then `finish`. Opcodes a version does not
    have are refused, so a test cannot make a file no Redis of that version wrote."""

    def __init__(self, version: int, checksum: bool = True):
        assert 6 <= version <= 9, version
        self.version = version
        self.checksum = checksum
        self.out = bytearray(b"REDIS%04d" % version)

    def aux(self, name: str, value: Element) -> None:
        assert self.version >= 7, "aux fields came with version 7"
        self.out += bytes([OP_AUX]) + string(name.encode()) + string(value)

    def select_db(self, db: int) -> None:
        self.out += bytes([OP_SELECTDB]) + length(db)

    def resize_db(self, keys: int, expires: int) -> None:
        assert self.version >= 7, "RESIZEDB came with version 7"
        self.out += bytes([OP_RESIZEDB]) + length(keys) + length(expires)

    def key(self, key: Element, typed_value, expire_ms: Optional[int] = None,
            expire_s: Optional[int] = None, idle: Optional[int] = None,
            freq: Optional[int] = None, key_how: str = "auto") -> None:
        """One key: its expiry (EXPIRETIME_MS, or EXPIRETIME in seconds), its IDLE or FREQ,
        then type, key and value (`typed_value` from one of the *_value functions)."""
        if expire_ms is not None:
            self.out += bytes([OP_EXPIRETIME_MS]) + struct.pack("<q", expire_ms)
        if expire_s is not None:
            self.out += bytes([OP_EXPIRETIME]) + struct.pack("<i", expire_s)
        if idle is not None or freq is not None:
            assert self.version >= 9, "IDLE and FREQ came with version 9"
        if idle is not None:
            self.out += bytes([OP_IDLE]) + length(idle)
        if freq is not None:
            self.out += bytes([OP_FREQ, freq])
        t, body = typed_value
        self.out += bytes([t]) + string(key, key_how) + body

    def finish(self) -> bytes:
        """EOF and the trailer: the CRC-64 of everything before it, or 0 ("not checked")."""
        self.out.append(OP_EOF)
        self.out += struct.pack("<Q", crc64(bytes(self.out)) if self.checksum else 0)
        return bytes(self.out)
