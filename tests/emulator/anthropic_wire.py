"""Anthropic Messages API wire: models, messages (plain, tool use, JSON output), SSE stream.

Sources:
- Models list `{data, has_more, first_id, last_id}`: https://docs.anthropic.com/en/api/models-list;
  `x-api-key` or Bearer auth plus `anthropic-version`: https://docs.anthropic.com/en/api/versioning.
- Messages response and usage: https://docs.anthropic.com/en/api/messages (anthropic SDK
  anthropic/types/message.py `Message`, usage.py `Usage`, message_delta_usage.py
  `MessageDeltaUsage`, output_tokens_details.py `OutputTokensDetails.thinking_tokens`).
- Prompt caching: `input_tokens` counts only the tokens after the last cache breakpoint; the whole
  prompt is input_tokens + cache_read_input_tokens + cache_creation_input_tokens
  (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance).
- Stop reasons end_turn | max_tokens | stop_sequence | tool_use | pause_turn | refusal:
  https://docs.anthropic.com/en/api/handling-stop-reasons (anthropic/types/stop_reason.py).
- Stream events and `event: error` mid-stream (`{"type": "error", "error": {"type":
  "overloaded_error", ...}}`): https://docs.anthropic.com/en/docs/build-with-claude/streaming
  #error-events; the SDK skips events without an `event:` line and raises `event: error` as a
  status error on the 200 response (anthropic/_streaming.py `Stream.__stream__`).
- Errors `{"type": "error", "error": {"type", "message"}}` with 400 invalid_request_error,
  401, 402 billing_error, 403, 404, 429, 500 api_error, 529 overloaded_error:
  https://docs.anthropic.com/en/api/errors. Out of credit usually arrives as 400
  invalid_request_error "Your credit balance is too low to access the Anthropic API. ..."
  (https://github.com/anthropics/anthropic-sdk-python/issues/ reports, see PROVIDERS.md Traps).
- A tool `input_schema` the API cannot use: 400 invalid_request_error naming
  `tools.0.custom.input_schema` (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use).
- Scripted answers (`Emulator.reply`) to a forced tool: a JSON object becomes the tool_use
  block's `input` (the SDK's `ToolUseBlock.input: Dict[str, object]`,
  anthropic/types/tool_use_block.py), sent as is: without `strict: true` on the tool the API
  does not guarantee the input matches `input_schema` (anthropic/types/tool_param.py
  `strict`: "guarantees schema validation on tool names and inputs";
  https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs). Any other text
  becomes a `text` block ending `end_turn` (anthropic/types/text_block.py), the shape of a
  prose answer: what Claude sends with `tool_choice` auto, and what an Anthropic-compatible
  gateway or proxy may send even when the tool was forced (the first-party API prefills a
  forced tool call, https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/
  implement-tool-use#forcing-tool-use, so there it is the rare case), so the provider's
  "no tool call in the answer" path is exercised.
"""

from __future__ import annotations

import json
from typing import Any

from .common import (
    ERROR_KINDS,
    Call,
    Fault,
    Response,
    chunk_limit,
    content_text,
    count_tokens,
    json_object,
    reply_text,
    shaped_text,
    sleep_then,
    sse_data,
    word_chunks,
)
from .schema_fill import fill

# kind -> (status, error type, message)
_ERRORS: dict[str, tuple[int, str, str]] = {
    "bad_request": (400, "invalid_request_error", "prompt is too long: 250000 tokens > 200000"),
    "invalid_key": (401, "authentication_error", "invalid x-api-key"),
    "missing_key": (401, "authentication_error", "x-api-key header is required"),
    "permission": (403, "permission_error",
                   "Your API key does not have permission to use the specified resource."),
    "model_not_found": (404, "not_found_error", "model: {model}"),
    "rate_limit": (429, "rate_limit_error",
                   "Number of requests has exceeded your per-minute rate limit. Please try again "
                   "later."),
    "quota": (400, "invalid_request_error",
              "Your credit balance is too low to access the Anthropic API. Please go to Plans & "
              "Billing to upgrade or purchase credits."),
    "billing": (402, "billing_error",
                "Your credit balance is too low to access the Anthropic API. Please go to Plans "
                "& Billing to upgrade or purchase credits."),
    "schema_unsupported": (400, "invalid_request_error",
                           "tools.0.custom.input_schema: JSON schema is invalid. It must match "
                           "JSON Schema draft 2020-12 (https://json-schema.org/draft/2020-12)."),
    "overloaded": (529, "overloaded_error", "Overloaded"),
    "server_error": (500, "api_error", "Internal server error"),
    "bad_json": (400, "invalid_request_error",
                 "There was an error parsing the body of your request. Please send valid JSON."),
    "not_found": (404, "not_found_error", "Not Found"),
}
_ERRORS["moderated"] = _ERRORS["permission"]
_STOP = {"stop": "end_turn", "length": "max_tokens", "filtered": "refusal"}
_DISPLAY = {
    "claude-3-5-haiku-latest": ("Claude Haiku 3.5", "2024-10-22T00:00:00Z"),
    "claude-sonnet-4-5": ("Claude Sonnet 4.5", "2025-09-29T00:00:00Z"),
    "claude-haiku-4-5": ("Claude Haiku 4.5", "2025-10-15T00:00:00Z"),
    "claude-sonnet-4-6": ("Claude Sonnet 4.6", "2026-02-17T00:00:00Z"),
    "claude-opus-4-7": ("Claude Opus 4.7", "2026-04-16T00:00:00Z"),
}


def error(
    call: Call, kind: str, *, model: str = "", fault: Fault | None = None,
    message: str | None = None,
) -> Response:
    status, typ, msg = _ERRORS.get(kind, (400, "invalid_request_error", ""))
    rid = f"req_emu{call.next_id()}"
    headers = {"request-id": rid}
    if kind == "rate_limit":
        headers["retry-after"] = fault.retry_after_header if fault else "1"
        headers["anthropic-ratelimit-requests-limit"] = "50"
        headers["anthropic-ratelimit-requests-remaining"] = "0"
    if kind == "overloaded":
        headers["x-should-retry"] = "true"
    body = {"type": "error", "error": {"type": typ, "message": message or msg.format(model=model)},
            "request_id": rid}
    return Response.json(status, body, headers)


def _model_obj(model: str) -> dict[str, Any]:
    name, created = _DISPLAY.get(model, (model.replace("-", " ").title(), "2025-01-01T00:00:00Z"))
    return {"type": "model", "id": model, "display_name": name, "created_at": created}


def route(call: Call) -> Response:
    path = call.path.rstrip("/")
    key = call.headers.get("x-api-key") or call.bearer()
    if not key:
        return error(call, "missing_key")
    if key not in call.valid_keys:
        return error(call, "invalid_key")
    if "anthropic-version" not in call.headers:
        return error(call, "missing", message="anthropic-version: header is required")
    if call.method == "GET" and (path == "/v1/models" or path.startswith("/v1/models/")):
        fault = sleep_then(call, call.take_fault("list", False))
        if fault is not None:
            return error(call, fault.kind, fault=fault)
        if path == "/v1/models":
            data = [_model_obj(m) for m in call.models]
            return Response.json(200, {"data": data, "has_more": False,
                                       "first_id": data[0]["id"] if data else None,
                                       "last_id": data[-1]["id"] if data else None})
        model = path[len("/v1/models/"):]
        if model not in call.models:
            return error(call, "model_not_found", model=model)
        return Response.json(200, _model_obj(model))
    if call.method == "POST" and path in ("/v1/messages", "/v1/messages/count_tokens"):
        return _messages(call, count_only=path.endswith("count_tokens"))
    return error(call, "not_found")


def _messages(call: Call, *, count_only: bool) -> Response:
    body = call.body
    if call.body_error or not isinstance(body, dict):
        return error(call, "bad_json")
    model = str(body.get("model") or "")
    stream = bool(body.get("stream")) and not count_only
    fault = None if count_only else sleep_then(call, call.take_fault("generate", stream))
    if fault is not None and fault.kind in ERROR_KINDS:
        return error(call, fault.kind, fault=fault, model=model)
    required = ("model", "messages") if count_only else ("model", "max_tokens", "messages")
    for name in required:
        if body.get(name) is None:
            return error(call, "missing", message=f"{name}: Field required")
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        return error(call, "missing", message="messages: at least one message is required")
    if not count_only and (not isinstance(body["max_tokens"], int) or body["max_tokens"] < 1):
        return error(call, "missing", message="max_tokens: Input should be greater than 0")
    if model not in call.models:
        return error(call, "model_not_found", model=model)
    prompt_tokens = count_tokens(content_text(body.get("system"))) + sum(
        count_tokens(content_text(m.get("content"))) for m in messages if isinstance(m, dict))
    if count_only:
        return Response.json(200, {"input_tokens": prompt_tokens})
    if fault is not None and fault.kind == "malformed":
        if stream:
            return Response.sse([b'event: message_start\ndata: {"type": "message_start", "mes\n\n'])
        return Response(200, b'{"id": "msg_emu", "type": "message", "cont',
                        {"content-type": "application/json"})
    last_user = next((content_text(m.get("content")) for m in reversed(messages)
                      if isinstance(m, dict) and m.get("role") == "user"), "")
    mid = f"msg_emu{call.next_id()}"
    block = _answer(call, body, model, last_user, mid)
    outcome = "stop"
    if block["type"] == "text":
        block["text"], outcome = shaped_text(fault, block["text"])
    text = block["text"] if block["type"] == "text" else json.dumps(block["input"])
    thoughts = fault.thoughts if fault is not None else 0
    output_tokens = count_tokens(text) + thoughts
    stop = "tool_use" if block["type"] == "tool_use" else _STOP[outcome]
    read = fault.cache_read if fault is not None else 0
    write = fault.cache_write if fault is not None else 0
    # The cached part belongs to the prompt: a prompt shorter than it claims counts as 0 fresh.
    cache = {"input_tokens": max(prompt_tokens - read - write, 0),
             "cache_creation_input_tokens": write,
             "cache_read_input_tokens": read}
    usage: dict[str, Any] = {**cache, "output_tokens": output_tokens, "service_tier": "standard"}
    if thoughts:
        usage["output_tokens_details"] = {"thinking_tokens": thoughts}
    content: list[dict[str, Any]] = []
    if thoughts:
        content.append({"type": "thinking", "thinking": "emulated thinking",
                        "signature": "c2lnbmF0dXJl"})
    if not (block["type"] == "text" and block["text"] == "" and outcome != "stop"):
        content.append(block)  # a refused or spent answer carries no empty text block
    if fault is not None and fault.kind == "empty":
        content = []
    message: dict[str, Any] = {"id": mid, "type": "message", "role": "assistant", "model": model,
                               "content": content, "stop_reason": stop, "stop_sequence": None,
                               "usage": usage}
    headers = {"request-id": f"req_{mid}"}
    if not stream:
        return Response.json(200, message, headers)
    start = {**message, "content": [], "stop_reason": None,
             "usage": {**usage, "output_tokens": 1}}
    events = [sse_data({"type": "message_start", "message": start}, "message_start")]
    if fault is not None and fault.kind == "stream_error" and fault.chunks == 0:
        return _stream_error(events, fault, headers)  # after message_start, before any block
    for index, item in enumerate(content):
        events += _block_events(index, item, fault)
        if fault is not None and fault.kind in ("cut_stream", "stream_error") and (
                item["type"] != "thinking"):
            if fault.kind == "cut_stream":
                return Response.sse(events, headers, cut=True)
            return _stream_error(events, fault, headers)
    events.append(sse_data({"type": "message_delta",
                            "delta": {"stop_reason": stop, "stop_sequence": None},
                            "usage": {**cache, "output_tokens": output_tokens}}, "message_delta"))
    events.append(sse_data({"type": "message_stop"}, "message_stop"))
    return Response.sse(events, headers)


def _stream_error(events: list[bytes], fault: Fault, headers: dict[str, str]) -> Response:
    kind = fault.reason or "overloaded_error"
    message = {"overloaded_error": "Overloaded", "api_error": "Internal server error",
               "rate_limit_error": "Rate limited"}.get(kind, kind)
    events.append(sse_data({"type": "error", "error": {"type": kind, "message": message}},
                           "error"))
    return Response.sse(events, headers)


def _block_events(index: int, block: dict[str, Any], fault: Fault | None) -> list[bytes]:
    """content_block_start, deltas (cut short by a stream fault), content_block_stop."""
    if block["type"] == "text":
        empty: dict[str, Any] = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": p} for p in word_chunks(block["text"])]
    elif block["type"] == "thinking":
        empty = {"type": "thinking", "thinking": "", "signature": ""}
        deltas = [{"type": "thinking_delta", "thinking": block["thinking"]},
                  {"type": "signature_delta", "signature": block["signature"]}]
    else:
        empty = {**block, "input": {}}
        deltas = [{"type": "input_json_delta", "partial_json": p}
                  for p in word_chunks(json.dumps(block["input"]))]
    events = [sse_data({"type": "content_block_start", "index": index, "content_block": empty},
                       "content_block_start")]
    if index == 0:
        events.append(sse_data({"type": "ping"}, "ping"))
    limit = chunk_limit(fault) if block["type"] != "thinking" else None
    for delta in deltas[:limit] if limit is not None else deltas:
        events.append(sse_data({"type": "content_block_delta", "index": index, "delta": delta},
                               "content_block_delta"))
    if limit is None:
        events.append(sse_data({"type": "content_block_stop", "index": index},
                               "content_block_stop"))
    return events


def _answer(
    call: Call, body: dict[str, Any], model: str, prompt: str, mid: str
) -> dict[str, Any]:
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict)]
    choice = body.get("tool_choice") or {}
    chosen: dict[str, Any] | None = None
    if isinstance(choice, dict) and choice.get("type") == "tool":
        chosen = next((t for t in tools if t.get("name") == choice.get("name")), None)
    elif isinstance(choice, dict) and choice.get("type") == "any" and tools:
        chosen = tools[0]
    fmt = (body.get("output_config") or {}).get("format") or body.get("output_format") or {}
    schema: Any = None
    if chosen is not None:
        schema = chosen.get("input_schema") or {"type": "object"}
    elif isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        schema = fmt.get("schema") or {}
    scripted = call.scripted(prompt, schema)
    if chosen is not None:
        tool_input = fill(schema) if scripted is None else json_object(scripted)
        if tool_input is not None:
            return {"type": "tool_use", "id": f"toolu_emu{mid[-8:]}", "name": chosen.get("name"),
                    "input": tool_input}
    if scripted is not None:
        return {"type": "text", "text": scripted}  # prose: a text block, stop end_turn
    if schema is not None:
        return {"type": "text", "text": json.dumps(fill(schema))}
    return {"type": "text", "text": reply_text(call.provider, model, prompt)}
