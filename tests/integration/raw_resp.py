"""A tiny RESP2/RESP3 client over a plain socket.

redis-py hides exactly what protocol tests need to see: the bytes on the
wire, error strings verbatim, RESP3 types, and whether the server closed the
connection.  This module keeps those visible.
"""

from __future__ import annotations

import socket
import time
from typing import Union

Arg = Union[str, bytes, int]


def encode_command(*args: Arg) -> bytes:
    """Encode one command as a RESP multibulk array."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        if isinstance(arg, int):
            arg = str(arg)
        if isinstance(arg, str):
            arg = arg.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(parts)


class Error(Exception):
    """A RESP error reply, kept as its exact text (without the leading '-')."""

    def __init__(self, message: bytes):
        super().__init__(message)
        self.message = message

    def __eq__(self, other):
        return isinstance(other, Error) and other.message == self.message

    def __hash__(self):
        return hash(self.message)

    def __repr__(self):
        return f"Error({self.message!r})"


def err(message: str) -> Error:
    """Shorthand for an expected error reply: ``err("ERR syntax error")``."""
    return Error(message.encode())


WRONGTYPE = err("WRONGTYPE Operation against a key holding the wrong kind of value")
NOT_INTEGER = err("ERR value is not an integer or out of range")
SYNTAX = err("ERR syntax error")


def parse_reply(data: bytes):
    """Decode one complete reply held in ``data`` (as ``read_reply`` would)."""
    parser = RawConnection.__new__(RawConnection)
    parser.sock = None
    parser.buffer = data
    parser._recording = None
    return parser.read_reply()


class Push(list):
    """A RESP3 push ('>') frame."""


class Closed(Exception):
    """The server closed the connection."""


class RawConnection:
    """A socket plus a buffered RESP reader.

    ``call()`` sends one command and returns the decoded reply;
    ``call_raw()`` returns the exact bytes of the reply instead.  Errors are returned as
    ``Error`` values rather than raised, so tests can compare them directly.
    """

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 5.0):
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buffer = b""
        self._recording: list[bytes] | None = None

    # -- sending
    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_command(self, *args: Arg) -> None:
        self.send(encode_command(*args))

    def call(self, *args: Arg):
        self.send_command(*args)
        return self.read_reply()

    def call_raw(self, *args: Arg) -> bytes:
        self.send_command(*args)
        return self.read_raw_reply()

    # -- receiving
    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise Closed()
        self.buffer += chunk

    def _line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            self._fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        if self._recording is not None:
            self._recording.append(line + b"\r\n")
        return line

    def _exact(self, size: int) -> bytes:
        while len(self.buffer) < size + 2:
            self._fill()
        data, self.buffer = self.buffer[:size + 2], self.buffer[size + 2:]
        if self._recording is not None:
            self._recording.append(data)
        return data[:size]

    def read_reply(self):
        """Decode one reply.  Maps/attributes become dicts, sets become sets
        when hashable (else lists), nulls become None, doubles floats."""
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            return Error(rest)
        if kind == b":":
            return int(rest)
        if kind in (b"$", b"="):
            size = int(rest)
            return None if size < 0 else self._exact(size)
        if kind == b"!":
            return Error(self._exact(int(rest)))
        if kind in (b"*", b">", b"~"):
            count = int(rest)
            if count < 0:
                return None
            items = [self.read_reply() for _ in range(count)]
            if kind == b">":
                return Push(items)
            if kind == b"~":
                try:
                    return set(items)
                except TypeError:
                    return items
            return items
        if kind in (b"%", b"|"):
            count = int(rest)
            return {self._hashable(self.read_reply()): self.read_reply() for _ in range(count)}
        if kind == b"_":
            return None
        if kind == b"#":
            return rest == b"t"
        if kind == b",":
            return float(rest)
        if kind == b"(":
            return int(rest)
        raise AssertionError(f"unknown RESP type byte in {line!r}")

    @staticmethod
    def _hashable(value):
        return tuple(value) if isinstance(value, list) else value

    def read_raw_reply(self) -> bytes:
        """The exact bytes of the next complete reply (any RESP version)."""
        self._recording = []
        try:
            self.read_reply()
            return b"".join(self._recording)
        finally:
            self._recording = None

    def read_available(self, wait: float = 0.2) -> bytes:
        """Everything the server sends within ``wait`` seconds (may be b"")."""
        deadline = time.monotonic() + wait
        data, self.buffer = self.buffer, b""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return data
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return data
            finally:
                self.sock.settimeout(self.timeout)
            if not chunk:
                return data
            data += chunk

    def read_until_closed(self, timeout: float = 5.0) -> bytes:
        """Read until EOF.  Raises AssertionError if the server keeps the
        connection open longer than ``timeout``."""
        deadline = time.monotonic() + timeout
        data, self.buffer = self.buffer, b""
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"connection still open after {timeout}s; got {data!r}")
                self.sock.settimeout(remaining)
                try:
                    chunk = self.sock.recv(65536)
                except socket.timeout:
                    continue
                except ConnectionResetError:
                    return data
                if not chunk:
                    return data
                data += chunk
        finally:
            self.sock.settimeout(self.timeout)

    def is_closed(self, wait: float = 2.0) -> bool:
        """True if the server closes the connection within ``wait`` seconds."""
        try:
            self.read_until_closed(timeout=wait)
            return True
        except AssertionError:
            return False

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def unknown_commands(conn: RawConnection, *names: str) -> list[str]:
    """Those of ``names`` the server does not know: COMMAND INFO answers nil
    for them.  An error reply (e.g. NOAUTH) counts as knowing them all."""
    reply = conn.call("COMMAND", "INFO", *names)
    if isinstance(reply, Error):
        return []
    return [name for name, info in zip(names, reply) if info is None]
