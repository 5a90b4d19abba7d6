"""The emulator's HTTP server: routing, request log, faults, latency and the control endpoints.

A streamed answer is sent chunked and ends by closing the connection: google-genai reads an SSE
body until the connection closes (google/genai/_api_client.py `HttpResponse`), and a cut stream
(no terminating chunk) is what httpx2 reports as RemoteProtocolError. Status 529 carries the
reason phrase "Overloaded" as Anthropic sends it (https://docs.anthropic.com/en/api/errors).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import socketserver
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import TracebackType
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from . import anthropic_wire, gemini_wire, media_wire, multipart, openai_wire, stability_wire
from .common import (
    DEFAULT_KEYS,
    DEFAULT_MODELS,
    FAULT_KINDS,
    LIST_FAULT_KINDS,
    PROVIDERS,
    STREAM_ONLY_KINDS,
    Call,
    Fault,
    Reply,
    Response,
)

# A test's answer function (in-process only): (prompt text, schema or None) -> answer text.
Replier = Callable[[str, Any], str]
# A test's ear (in-process only): (file name, audio bytes) -> (transcript, seconds) or None.
Listener = Callable[[str, bytes], tuple[str, float] | None]

# (URL prefix, provider); the wire modules see the path after the prefix. Longest first.
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("/groq/openai/v1", "groq"),
    ("/openrouter/api/v1", "openrouter"),
    ("/openai/v1", "openai"),
    ("/local/v1", "local"),
    ("/anthropic", "anthropic"),
    ("/gemini", "gemini"),
    ("/stability", "stability"),
)
_WIRES: dict[str, Callable[[Call], Response]] = {
    # images and transcription first (media_wire.py), then chat and the rest
    "openai": media_wire.wrap(openai_wire.route),
    "groq": media_wire.wrap(openai_wire.route),
    "openrouter": media_wire.wrap(openai_wire.route),
    "local": openai_wire.route,
    "anthropic": anthropic_wire.route,
    "gemini": gemini_wire.route,
    "stability": stability_wire.route,
}
_REASONS: dict[int, str] = {529: "Overloaded"}


def base_url_for(url: str, provider: str) -> str:
    """The base URL an SDK uses for `provider` on an emulator listening at `url`."""
    return url + next(p for p, prov in _PREFIXES if prov == provider)


class RecordedRequest(NamedTuple):
    provider: str
    method: str
    path: str  # the full request path as received, including the query string
    headers: dict[str, str]  # lower-case names
    body: Any  # parsed JSON, or None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _dispatch(self) -> None:
        self.server.emulator._handle(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch


class _Server(HTTPServer):
    """One daemon thread per connection; every connection is tracked so stop() can end it."""

    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, emulator: Emulator, port: int) -> None:
        self.emulator = emulator
        self.conns: dict[socket.socket, threading.Thread] = {}
        self.conns_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would also do a reverse DNS lookup (getfqdn); not needed here.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_conn, args=(request, client_address), daemon=True
        )
        with self.conns_lock:
            self.conns[request] = thread
        thread.start()

    def _serve_conn(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            with self.conns_lock:
                self.conns.pop(request, None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up (timeouts, cancelled streams) are normal here

    def close_connections(self, timeout: float) -> None:
        with self.conns_lock:
            conns = list(self.conns.items())
        for sock, _ in conns:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for _, thread in conns:
            thread.join(max(0.0, deadline - time.monotonic()))


class Emulator:
    """Local HTTP server speaking OpenAI, Groq, OpenRouter, local, Anthropic and Gemini wire."""

    def __init__(
        self,
        keys: Mapping[str, str | Iterable[str]] | None = None,
        models: Mapping[str, Iterable[str]] | None = None,
        *,
        record_requests: bool = True,
        port: int = 0,
    ) -> None:
        self._keys: dict[str, tuple[str, ...]] = {p: (k,) for p, k in DEFAULT_KEYS.items()}
        for provider, value in (keys or {}).items():
            self._check_provider(provider)
            self._keys[provider] = (value,) if isinstance(value, str) else tuple(value)
        self._models: dict[str, tuple[str, ...]] = dict(DEFAULT_MODELS)
        for provider, ids in (models or {}).items():
            self._check_provider(provider)
            self._models[provider] = tuple(ids)
        self._initial_models = dict(self._models)
        self._record = record_requests
        self._port = port
        self._lock = threading.Lock()
        self._faults: dict[str, list[Fault]] = {p: [] for p in PROVIDERS}
        self._latency: dict[str, tuple[float, float]] = {}
        self._replies: dict[str, list[Reply]] = {p: [] for p in PROVIDERS}
        self._repliers: dict[str, Replier] = {}
        self._listeners: dict[str, Listener] = {}
        self._log: list[RecordedRequest] = []
        self._ids = itertools.count(1)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self) -> Emulator:
        if self._server is None:
            self._stopping.clear()
            self._server = _Server(self, self._port)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="provider-emulator",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        server.close_connections(timeout=5.0)
        if thread is not None:
            thread.join(5.0)
        self._server = self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---- addresses, keys, models -----------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("emulator not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def base_url(self, provider: str) -> str:
        self._check_provider(provider)
        return base_url_for(self.url, provider)

    def key(self, provider: str) -> str:
        self._check_provider(provider)
        return self._keys[provider][0] if self._keys[provider] else ""

    def models(self, provider: str) -> list[str]:
        self._check_provider(provider)
        return list(self._models[provider])

    def add_model(self, provider: str, model: str) -> None:
        """Serve one more model (until reset), e.g. one that has no known price."""
        self._check_provider(provider)
        with self._lock:
            self._models[provider] = (*self._models[provider], model)

    # ---- faults, latency, log --------------------------------------------------------------
    def fault(
        self,
        provider: str,
        kind: str,
        *,
        times: int | None = None,
        retry_after: float | None = None,
        after_chunks: int | None = None,
        seconds: float | None = None,
        reason: str | None = None,
        cache_read: int = 0,
        cache_write: int = 0,
        thoughts: int = 0,
    ) -> None:
        """Make the next `times` matching requests (None: all until reset) fail with `kind`
        (or play the scenario `kind`; see common.FAULT_KINDS)."""
        self._check_provider(provider)
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        if times is not None and times <= 0:
            return
        with self._lock:
            self._faults[provider].append(Fault(kind, times, retry_after, after_chunks, seconds,
                                                reason, cache_read, cache_write, thoughts))

    def latency(self, provider: str, seconds: float, *, per_chunk: float = 0.0) -> None:
        """Delay every response (and the first SSE byte); `per_chunk` delays each SSE event."""
        self._check_provider(provider)
        with self._lock:
            if seconds <= 0 and per_chunk <= 0:
                self._latency.pop(provider, None)
            else:
                self._latency[provider] = (max(seconds, 0.0), max(per_chunk, 0.0))

    # ---- scripted answers -------------------------------------------------------------------
    def reply(self, provider: str, text: str, *, times: int | None = None,
              match: str | None = None) -> None:
        """Answer the next `times` generation requests (None: all until reset) with `text`
        instead of the default answer: prose, JSON that breaks the schema, wrong ids.

        Plain and structured requests alike, streamed or not. Replies queue up in order; a
        reply with `match` only answers prompts (the last user message) that contain it, so
        two kinds of request can be scripted apart. Each wire module sends the text where its
        provider puts an answer: message content (OpenAI-compatible), a text part (Gemini),
        and for Anthropic a forced tool's `input` when the text is a JSON object, else a text
        block (see anthropic_wire.py)."""
        self._check_provider(provider)
        if times is not None and times <= 0:
            return
        with self._lock:
            self._replies[provider].append(Reply(text, times, match))

    def replier(self, provider: str, fn: Replier | None) -> None:
        """Answer every generation request of `provider` with `fn(prompt, schema)` (until
        reset; None removes it). `prompt` is the last user message's text and `schema` the
        JSON schema the request carries as the wire sends it (OpenAI `response_format`
        schema, Anthropic tool `input_schema`, Gemini `responseJsonSchema`), or None.
        Scripted `reply` texts come first. In-process only: a function cannot cross the
        control API."""
        self._check_provider(provider)
        with self._lock:
            if fn is None:
                self._repliers.pop(provider, None)
            else:
                self._repliers[provider] = fn

    def listener(self, provider: str, fn: Listener | None) -> None:
        """Transcribe every upload to `provider`'s transcription endpoint with `fn(file name,
        audio bytes)` -> (text, seconds), e.g. by decoding real audio (until reset; None
        removes it; `fn` returning None keeps the default answer, audio_wire.speech). The
        seconds are the duration the answer reports, which the provider bills. In-process
        only."""
        self._check_provider(provider)
        with self._lock:
            if fn is None:
                self._listeners.pop(provider, None)
            else:
                self._listeners[provider] = fn

    def _heard(self, provider: str, name: str, data: bytes) -> tuple[str, float] | None:
        with self._lock:
            fn = self._listeners.get(provider)
        return None if fn is None else fn(name, data)

    def _scripted(self, provider: str, prompt: str, schema: Any) -> str | None:
        with self._lock:
            replies = self._replies[provider]
            for i, reply in enumerate(replies):
                if reply.match is not None and reply.match not in prompt:
                    continue
                if reply.remaining is not None:
                    reply.remaining -= 1
                    if reply.remaining <= 0:
                        del replies[i]
                return reply.text
            fn = self._repliers.get(provider)
        return None if fn is None else fn(prompt, schema)

    def reset(self) -> None:
        with self._lock:
            for faults in self._faults.values():
                faults.clear()
            for replies in self._replies.values():
                replies.clear()
            self._repliers.clear()
            self._listeners.clear()
            self._latency.clear()
            self._log.clear()
            self._models = dict(self._initial_models)
            self._ids = itertools.count(1)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._log)

    def requests_for(self, provider: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.provider == provider]

    # ---- internals -------------------------------------------------------------------------
    @staticmethod
    def _check_provider(provider: str) -> None:
        if provider not in PROVIDERS:
            raise ValueError(f"unknown provider {provider!r}; expected one of {PROVIDERS}")

    def _take_fault(self, provider: str, endpoint: str, stream: bool) -> Fault | None:
        with self._lock:
            faults = self._faults[provider]
            for i, fault in enumerate(faults):
                if endpoint != "generate" and fault.kind not in LIST_FAULT_KINDS:
                    continue
                if fault.kind in STREAM_ONLY_KINDS and not stream:
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        del faults[i]
                return Fault(**asdict(fault))
        return None

    def _next_id(self) -> str:
        with self._lock:
            return f"{next(self._ids):08d}"

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def _handle(self, h: _Handler) -> None:
        split = urlsplit(h.path)
        path = split.path
        headers = {k.lower(): v for k, v in h.headers.items()}
        raw = _read_body(h, headers)
        body: Any = None
        body_error = False
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                body_error = True
        if path.startswith("/_emulator/"):
            self._write(h, self._control(h.command, path, body), 0.0)
            return
        provider, rel = "unknown", path
        for prefix, prov in _PREFIXES:
            if path == prefix or path.startswith(prefix + "/"):
                provider, rel = prov, path[len(prefix):] or "/"
                break
        with self._lock:
            if self._record:
                logged = body if body is not None else multipart.recorded(headers, raw)
                self._log.append(RecordedRequest(provider, h.command, h.path, headers, logged))
            delay, per_chunk = self._latency.get(provider, (0.0, 0.0))
        if provider == "unknown":
            msg = f"no emulated provider at {path}"
            self._write(h, Response.json(404, {"error": {"message": msg}}), 0.0)
            return
        self._sleep(delay)
        call = Call(
            provider=provider,
            method=h.command,
            path=rel,
            query=dict(parse_qsl(split.query)),
            headers=headers,
            body=body,
            body_error=body_error,
            valid_keys=frozenset(self._keys[provider]),
            models=self._models[provider],
            take_fault=lambda endpoint, stream: self._take_fault(provider, endpoint, stream),
            sleep=self._sleep,
            next_id=self._next_id,
            scripted=lambda prompt, schema: self._scripted(provider, prompt, schema),
            heard=lambda name, data: self._heard(provider, name, data),
            raw=raw,
        )
        try:
            resp = _WIRES[provider](call)
        except Exception as exc:  # an emulator bug: say so loudly instead of dropping the line
            traceback.print_exc()
            resp = Response.json(500, {"error": {"message": f"emulator bug: {exc!r}"}})
        self._write(h, resp, per_chunk)

    def _control(self, method: str, path: str, body: Any) -> Response:
        args = body if isinstance(body, dict) else {}
        try:
            if path == "/_emulator/health":
                return Response.json(200, {"ok": True})
            if path == "/_emulator/requests" and method == "GET":
                return Response.json(200, [r._asdict() for r in self.requests])
            if path == "/_emulator/reset" and method == "POST":
                self.reset()
            elif path == "/_emulator/fault" and method == "POST":
                self.fault(
                    args["provider"],
                    args["kind"],
                    times=args.get("times"),
                    retry_after=args.get("retry_after"),
                    after_chunks=args.get("after_chunks"),
                    seconds=args.get("seconds"),
                    reason=args.get("reason"),
                    cache_read=int(args.get("cache_read", 0)),
                    cache_write=int(args.get("cache_write", 0)),
                    thoughts=int(args.get("thoughts", 0)),
                )
            elif path == "/_emulator/reply" and method == "POST":
                text = args["text"]
                if not isinstance(text, str):
                    raise TypeError("text must be a string")
                self.reply(args["provider"], text, times=args.get("times"),
                           match=args.get("match"))
            elif path == "/_emulator/latency" and method == "POST":
                self.latency(
                    args["provider"], float(args.get("seconds", 0.0)),
                    per_chunk=float(args.get("per_chunk", 0.0)),
                )
            else:
                return Response.json(404, {"error": f"unknown control endpoint {method} {path}"})
        except (KeyError, TypeError, ValueError) as exc:
            return Response.json(400, {"error": f"bad control request: {exc!r}"})
        return Response.json(200, {"ok": True})

    def _write(self, h: _Handler, resp: Response, per_chunk: float) -> None:
        status = f"{resp.status} {_reason(resp.status)}"
        lines = [f"HTTP/1.1 {status}"]
        lines += [f"{k}: {v}" for k, v in resp.headers.items()]
        if resp.events is None:
            lines.append(f"content-length: {len(resp.body)}")
            if h.close_connection:
                lines.append("connection: close")
            h.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + resp.body)
            return
        h.close_connection = True
        lines += ["transfer-encoding: chunked", "connection: close"]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        frames = [b"%x\r\n%s\r\n" % (len(e), e) for e in resp.events if e]
        end = b"" if resp.cut else b"0\r\n\r\n"
        if per_chunk <= 0:
            h.wfile.write(head + b"".join(frames) + end)
            return
        h.wfile.write(head)
        for frame in frames:
            self._sleep(per_chunk)
            if self._stopping.is_set():
                return
            h.wfile.write(frame)
        h.wfile.write(end)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return _REASONS.get(status, "Unknown")


def _read_body(h: _Handler, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        parts: list[bytes] = []
        while True:
            size = int(h.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while h.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            parts.append(h.rfile.read(size))
            h.rfile.readline()
    length = int(headers.get("content-length") or 0)
    return h.rfile.read(length) if length > 0 else b""


__all__ = ["Emulator", "RecordedRequest"]
