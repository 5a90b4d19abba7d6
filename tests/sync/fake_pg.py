"""A tiny server speaking just enough of PostgreSQL's wire protocol (v3) to refuse a login.

CI's PostgreSQL trusts every local login, so a wrong password cannot happen there. This one
refuses SSL (`N`), asks a cleartext password (AuthenticationCleartextPassword, as a real
server does for `password` in pg_hba.conf), records what the client sent, then answers an
ErrorResponse FATAL 28P01 "password authentication failed for user …" and hangs up: the
exact exchange libpq goes through against a real server with a wrong password.
Protocol reference: https://www.postgresql.org/docs/current/protocol-message-formats.html
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

SSL_REQUEST = 80877103
GSS_REQUEST = 80877104
PROTOCOL_3 = 196608


@dataclass
class FakePg:
    port: int
    startups: list[dict[str, str]] = field(default_factory=list)
    passwords: list[str] = field(default_factory=list)
    ssl_requests: int = 0


def _read(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("client went away")
        data += chunk
    return data


def _message(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body


def _error(sqlstate: str, text: str) -> bytes:
    fields = [b"SFATAL", b"VFATAL", b"C" + sqlstate.encode(), b"M" + text.encode(),
              b"Fauth.c", b"L1", b"Rauth_failed"]
    return _message(b"E", b"\0".join(fields) + b"\0\0")


def _serve_one(conn: socket.socket, state: FakePg) -> None:
    while True:
        (length,) = struct.unpack("!i", _read(conn, 4))
        body = _read(conn, length - 4)
        (code,) = struct.unpack("!i", body[:4])
        if code in (SSL_REQUEST, GSS_REQUEST):
            state.ssl_requests += code == SSL_REQUEST
            conn.sendall(b"N")  # no SSL, no GSS encryption here
            continue
        if code != PROTOCOL_3:
            return
        parts = body[4:].split(b"\0")
        state.startups.append({parts[i].decode(): parts[i + 1].decode()
                               for i in range(0, len(parts) - 1, 2) if parts[i]})
        break
    conn.sendall(_message(b"R", struct.pack("!i", 3)))  # AuthenticationCleartextPassword
    kind = _read(conn, 1)
    (length,) = struct.unpack("!i", _read(conn, 4))
    body = _read(conn, length - 4)
    if kind == b"p":
        state.passwords.append(body.rstrip(b"\0").decode())
    user = state.startups[-1].get("user", "")
    conn.sendall(_error("28P01", f'password authentication failed for user "{user}"'))


@contextmanager
def fake_pg() -> Iterator[FakePg]:
    """Listen on 127.0.0.1 (a free port) until the block ends; each connection is refused."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    state = FakePg(listener.getsockname()[1])
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _addr = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                with suppress(ConnectionError, OSError, struct.error):
                    _serve_one(conn, state)

    thread = threading.Thread(target=loop, name="fake-pg", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        thread.join(5)
        listener.close()
