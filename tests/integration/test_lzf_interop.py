"""LZF and CRC64 interoperability with real Redis 7.0, in both directions.

Redwing's codecs (Sources/CRC64/lzf.c and crc64.c) are compiled with ``cc`` into a small
helper in a temp dir; the tests then

* write RDB v10 files whose string values are LZF-compressed by our compressor, with our
  CRC64 trailer, and check that ``redis-check-rdb`` accepts them and ``redis-server`` loads
  every key with the right value (and that a damaged trailer is refused, so the check bites);
* RESTORE DUMP payloads built the same way into a running redis-server;
* let redis-server SAVE long compressible strings and read them back out of its dump.rdb
  with our decompressor, checking the file's CRC64 trailer with ours.

They use only /usr/bin/redis-server (not the server under test) and skip when it,
redis-check-rdb or cc is missing.
"""

from __future__ import annotations

import random
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from rdb_builder import length as rdb_length
from server_process import REFERENCE_BINARY, REPO_ROOT, ServerProcess

CODECS = REPO_ROOT / "Sources" / "CRC64"
RDB_VERSION = 10  # Redis 7.0

pytestmark = pytest.mark.skipif(
    not (REFERENCE_BINARY.exists() and shutil.which("redis-check-rdb") and shutil.which("cc")),
    reason="needs redis-server, redis-check-rdb and cc",
)

HELPER_SOURCE = r"""
#include "rw_codecs.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* helper compress | decompress LEN | crc64 : stdin to stdout; exit 3 when the codec says 0 */
static unsigned char *slurp(size_t *n) {
    size_t cap = 1 << 16;
    unsigned char *p = malloc(cap);
    *n = 0;
    for (size_t r; (r = fread(p + *n, 1, cap - *n, stdin)) > 0;) {
        *n += r;
        if (*n == cap) p = realloc(p, cap *= 2);
    }
    return p;
}

int main(int argc, char **argv) {
    size_t n;
    unsigned char *in = slurp(&n);
    if (argc == 2 && !strcmp(argv[1], "compress")) {
        /* as Redis's RDB writer: keep the result only if it saves more than 4 bytes */
        if (n <= 4) return 3;
        unsigned char *out = malloc(n);
        size_t m = rw_lzf_compress(in, n, out, n - 4);
        if (!m) return 3;
        fwrite(out, 1, m, stdout);
    } else if (argc == 3 && !strcmp(argv[1], "decompress")) {
        size_t want = strtoull(argv[2], NULL, 10);
        unsigned char *out = malloc(want ? want : 1);
        if (rw_lzf_decompress(in, n, out, want) != want || !want) return 3;
        fwrite(out, 1, want, stdout);
    } else if (argc == 2 && !strcmp(argv[1], "crc64")) {
        printf("%llu\n", (unsigned long long)rw_crc64(0, in, n));
    } else {
        return 2;
    }
    return 0;
}
"""


class Codecs:
    """Our LZF and CRC64, run through the compiled helper."""

    def __init__(self, binary: Path):
        self.binary = binary

    def _run(self, data: bytes, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.binary), *args], input=data, capture_output=True,
                              timeout=60)

    def compress(self, data: bytes) -> bytes | None:
        done = self._run(data, "compress")
        assert done.returncode in (0, 3), done.stderr
        return done.stdout if done.returncode == 0 else None

    def decompress(self, data: bytes, length: int) -> bytes | None:
        done = self._run(data, "decompress", str(length))
        assert done.returncode in (0, 3), done.stderr
        return done.stdout if done.returncode == 0 else None

    def crc64(self, data: bytes) -> int:
        done = self._run(data, "crc64")
        assert done.returncode == 0, done.stderr
        return int(done.stdout)


@pytest.fixture(scope="module")
def codecs(tmp_path_factory) -> Codecs:
    work = tmp_path_factory.mktemp("lzf-helper")
    (work / "helper.c").write_text(HELPER_SOURCE)
    binary = work / "helper"
    subprocess.run(["cc", "-O2", "-I", str(CODECS / "include"), str(work / "helper.c"),
                    str(CODECS / "lzf.c"), str(CODECS / "crc64.c"), "-o", str(binary),
                    "-lpthread"], check=True, capture_output=True, timeout=120)
    return Codecs(binary)


# ---------------------------------------------------------------- RDB encoding

def plain_string(s: bytes) -> bytes:
    return rdb_length(len(s)) + s


def lzf_string(codecs: Codecs, value: bytes) -> bytes:
    """0xC3, compressed length, original length, our LZF bytes. The value must compress."""
    compressed = codecs.compress(value)
    assert compressed is not None, f"{len(value)}-byte test value does not compress"
    return b"\xc3" + rdb_length(len(compressed)) + rdb_length(len(value)) + compressed


def with_crc(codecs: Codecs, body: bytes) -> bytes:
    return body + struct.pack("<Q", codecs.crc64(body))


def rdb_file(codecs: Codecs, items: dict[bytes, bytes]) -> bytes:
    """A minimal RDB v10: header, SELECTDB 0, string keys with LZF values, EOF, CRC64."""
    body = b"REDIS%04d" % RDB_VERSION + b"\xfe\x00"
    for key, value in items.items():
        body += b"\x00" + plain_string(key) + lzf_string(codecs, value)
    return with_crc(codecs, body + b"\xff")


# ---------------------------------------------------------------- RDB decoding

class RdbReader:
    """Just enough of the RDB format to read the string keys of a file Redis saved."""

    def __init__(self, data: bytes, codecs: Codecs):
        self.data, self.pos, self.codecs = data, 0, codecs
        self.lzf_keys: set[bytes] = set()  # keys whose value was LZF-compressed

    def take(self, n: int) -> bytes:
        chunk = self.data[self.pos:self.pos + n]
        assert len(chunk) == n, "truncated RDB"
        self.pos += n
        return chunk

    def length(self) -> tuple[int, int | None]:
        """(length, None) or (0, special encoding 0..3) for 11xxxxxx."""
        first = self.take(1)[0]
        kind = first >> 6
        if kind == 0:
            return first & 0x3F, None
        if kind == 1:
            return (first & 0x3F) << 8 | self.take(1)[0], None
        if kind == 3:
            return 0, first & 0x3F
        if first == 0x80:
            return struct.unpack(">I", self.take(4))[0], None
        assert first == 0x81, f"bad length byte {first:#x}"
        return struct.unpack(">Q", self.take(8))[0], None

    def string(self) -> tuple[bytes, bool]:
        """(value, was LZF-compressed)."""
        n, special = self.length()
        if special is None:
            return self.take(n), False
        if special in (0, 1, 2):
            size = 1 << special
            return str(int.from_bytes(self.take(size), "little", signed=True)).encode(), False
        assert special == 3, f"unknown string encoding {special}"
        compressed_len, _ = self.length()
        length, _ = self.length()
        value = self.codecs.decompress(self.take(compressed_len), length)
        assert value is not None, "our decompressor refused an LZF string Redis wrote"
        return value, True

    def read(self) -> dict[bytes, bytes]:
        assert self.take(9) == b"REDIS%04d" % RDB_VERSION
        keys: dict[bytes, bytes] = {}
        while True:
            op = self.take(1)[0]
            if op == 0xFF:  # EOF, then the CRC64 of everything up to here
                break
            if op == 0xFA:  # AUX name value
                self.string(), self.string()
            elif op == 0xFE:  # SELECTDB
                self.length()
            elif op == 0xFB:  # RESIZEDB
                self.length(), self.length()
            elif op == 0xFC:  # expire in ms
                self.take(8)
            elif op == 0xFD:  # expire in s
                self.take(4)
            else:
                assert op == 0, f"only string keys expected, got type {op}"
                key, _ = self.string()
                keys[key], compressed = self.string()
                if compressed:
                    self.lzf_keys.add(key)
        return keys


# ---------------------------------------------------------------- values

def text_value(size: int, seed: int) -> bytes:
    rng = random.Random(seed)
    words = [b"user", b"session", b"redis", b"snapshot", b"value", b"{\"id\":", b"}, ", b"\n"]
    out = bytearray()
    while len(out) < size:
        out += rng.choice(words) if rng.random() < 0.8 else str(rng.randrange(10**6)).encode()
        out += b" "
    return bytes(out[:size])


def interop_values() -> dict[bytes, bytes]:
    """Short (just over Redis's 20-byte threshold) to long, 6/14/32-bit length forms."""
    return {
        b"short": b"abcabcabcabcabcabcabcabc",  # 24 bytes
        b"abc": b"abc" * 1000,
        b"zeros": bytes(70_000),  # lengths in the 32-bit form
        b"text": text_value(50_000, 1),
        b"mixed": text_value(3000, 2) + random.Random(3).randbytes(500) + b"x" * 300,
        b"big": text_value(1 << 20, 4),
    }


def start_redis(workdir: Path, *args: str) -> ServerProcess:
    return ServerProcess(binary=REFERENCE_BINARY, workdir=workdir, args=list(args)).start()


# ---------------------------------------------------------------- tests

def test_redis_loads_an_rdb_we_compressed(codecs, tmp_path):
    values = interop_values()
    (tmp_path / "ours.rdb").write_bytes(rdb_file(codecs, values))

    check = subprocess.run(["redis-check-rdb", str(tmp_path / "ours.rdb")], capture_output=True,
                           text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Checksum OK" in check.stdout  # checked, not skipped (a zero trailer is skipped)
    assert "RDB looks OK" in check.stdout

    server = start_redis(tmp_path, "--dbfilename", "ours.rdb")
    try:
        r = server.client()
        assert r.dbsize() == len(values)
        for key, value in values.items():
            assert r.get(key) == value, key
    finally:
        server.stop()


def test_redis_refuses_our_rdb_with_a_damaged_crc(codecs, tmp_path):
    # The control for the test above: Redis does verify the trailer we write.
    good = rdb_file(codecs, {b"k": b"abc" * 100})
    bad = good[:-8] + bytes([good[-8] ^ 1]) + good[-7:]
    (tmp_path / "bad.rdb").write_bytes(bad)
    check = subprocess.run(["redis-check-rdb", str(tmp_path / "bad.rdb")], capture_output=True,
                           text=True, timeout=60)
    assert check.returncode != 0
    assert "RDB CRC error" in check.stdout


def test_redis_restores_dump_payloads_we_compressed(codecs, tmp_path):
    server = start_redis(tmp_path)
    try:
        r = server.client()
        for key, value in interop_values().items():
            payload = with_crc(codecs, b"\x00" + lzf_string(codecs, value) + struct.pack("<H", RDB_VERSION))
            assert r.restore(key, 0, payload) == b"OK"
            assert r.get(key) == value, key
    finally:
        server.stop()


def test_we_read_lzf_strings_redis_saved(codecs, tmp_path):
    values = {
        b"k": b"abc" * 1000,
        b"text": text_value(200_000, 5),
        b"short": b"x" * 21,  # just over the threshold: Redis compresses it
        b"noise": random.Random(6).randbytes(5000),  # does not compress: stored as is
    }
    server = start_redis(tmp_path, "--dbfilename", "dump.rdb")
    try:
        r = server.client()
        for key, value in values.items():
            r.set(key, value)
        assert r.save()
    finally:
        server.stop()

    data = (tmp_path / "dump.rdb").read_bytes()
    reader = RdbReader(data, codecs)
    assert reader.read() == values
    assert reader.lzf_keys == {b"k", b"text", b"short"}
    # the trailer: CRC64 of everything before it, as our crc64 computes it
    assert reader.pos == len(data) - 8
    assert struct.unpack("<Q", data[-8:])[0] == codecs.crc64(data[:-8])
