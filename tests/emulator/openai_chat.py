"""`POST /chat/completions` of OpenAI, Groq, OpenRouter and local servers, plain and streamed.

Sources (each behaviour below names its own):
- Response and chunk shapes: https://platform.openai.com/docs/api-reference/chat/object and
  /chat/streaming; the openai SDK models openai/types/chat/chat_completion.py `ChatCompletion`,
  chat_completion_chunk.py `ChatCompletionChunk`, openai/types/completion_usage.py
  `CompletionUsage` (prompt_tokens includes `prompt_tokens_details.cached_tokens`;
  completion_tokens includes `completion_tokens_details.reasoning_tokens`,
  https://platform.openai.com/docs/guides/prompt-caching and /guides/reasoning).
- `finish_reason` values stop | length | tool_calls | content_filter: openai/types/chat/
  chat_completion.py `Choice.finish_reason`.
- Usage in a stream only with `stream_options.include_usage`, as one last chunk with
  `choices: []`: openai/types/chat/chat_completion_stream_options_param.py `include_usage`.
  Older Ollama (before 0.5.2) and some LM Studio builds ignore it (`no_stream_usage`).
- Groq's usage timings and `x_groq`: https://console.groq.com/docs/api-reference#chat-create.
- OpenRouter usage always carries `cost`: https://openrouter.ai/docs/use-cases/usage-accounting;
  errors after the stream started arrive in a 200 chunk with `error` and finish_reason "error"
  (https://openrouter.ai/docs/api/reference/errors-and-debugging).
- Strict structured output (OpenAI): every object needs `additionalProperties: false` and every
  property in `required`: https://platform.openai.com/docs/guides/structured-outputs#supported-schemas
  (the openai SDK enforces the same in openai/lib/_pydantic.py `_ensure_strict_json_schema`).
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from .common import (
    Call,
    Fault,
    Response,
    chunk_limit,
    content_text,
    count_tokens,
    json_object,
    reply_text,
    shaped_text,
    sse_data,
    word_chunks,
)
from .openai_errors import error, unsupported_parameter
from .schema_fill import fill

# OpenRouter's per-token prices in this emulator (prompt, completion): deliberately unlike the
# genai-prices figure for openai/gpt-4o-mini (0.15/0.60 per MTok), so a test can tell the
# provider-reported cost from a computed one.
OPENROUTER_PRICE = (0.2e-6, 0.8e-6)
_REASONING = re.compile(r"^(o\d|gpt-5)")
_FINISH = {"stop": "stop", "length": "length", "filtered": "content_filter"}


def is_reasoning_model(model: str) -> bool:
    """OpenAI's o-series and gpt-5 family (https://platform.openai.com/docs/guides/reasoning)."""
    return bool(_REASONING.match(model))


def refuse_params(call: Call, body: dict[str, Any], model: str) -> Response | None:
    """OpenAI proper refuses `max_tokens` and a non-default `temperature` on reasoning models."""
    if call.provider != "openai" or not is_reasoning_model(model):
        return None
    if body.get("max_tokens") is not None:
        return unsupported_parameter(call, "max_tokens")
    temperature = body.get("temperature")
    if temperature is not None and temperature != 1:
        return unsupported_parameter(call, "temperature", temperature)
    return None


def strict_schema_problem(schema: Any, context: str = "()") -> str | None:
    """Why OpenAI's strict mode refuses `schema`, in its own words, or None."""
    if not isinstance(schema, dict):
        return None
    for key in ("$defs", "definitions"):
        for name, sub in (schema.get(key) or {}).items():
            problem = strict_schema_problem(sub, f"('{key}', '{name}')")
            if problem:
                return problem
    props = schema.get("properties")
    if schema.get("type") == "object" or isinstance(props, dict):
        if schema.get("additionalProperties") is not False:
            return (f"In context={context}, 'additionalProperties' is required to be supplied "
                    "and to be false.")
        missing = [k for k in props or {} if k not in (schema.get("required") or [])]
        if missing:
            return (f"In context={context}, 'required' is required to be supplied and to be an "
                    f"array including every key in properties. Missing '{missing[0]}'.")
        for name, sub in (props or {}).items():
            problem = strict_schema_problem(sub, f"('properties', '{name}')")
            if problem:
                return problem
    subs = [schema.get("items"), *(schema.get("anyOf") or []), *(schema.get("allOf") or [])]
    return next((p for p in (strict_schema_problem(s, context) for s in subs) if p), None)


def chat(call: Call, body: dict[str, Any], model: str, fault: Fault | None) -> Response:
    stream = bool(body.get("stream"))
    refused = refuse_params(call, body, model)
    if refused is not None:
        return refused
    raw_fmt, raw_spec = body.get("response_format"), None
    fmt: dict[str, Any] = raw_fmt if isinstance(raw_fmt, dict) else {}
    raw_spec = fmt.get("json_schema")
    spec: dict[str, Any] = raw_spec if isinstance(raw_spec, dict) else {}
    if call.provider == "openai" and fmt.get("type") == "json_schema" and spec.get("strict"):
        problem = strict_schema_problem(spec.get("schema"))
        if problem:
            return error(call, "invalid_schema", param="response_format",
                         message=f"Invalid schema for response_format '{spec.get('name')}': "
                                 f"{problem}")
    messages = body["messages"]
    prompt_tokens = sum(count_tokens(content_text(m.get("content")))
                        for m in messages if isinstance(m, dict))
    last_user = next((content_text(m.get("content")) for m in reversed(messages)
                      if isinstance(m, dict) and m.get("role") == "user"), "")
    content, tool = _answer(call, body, model, last_user)
    outcome = "stop"
    if tool is None:
        content, outcome = shaped_text(fault, content)
    thoughts = fault.thoughts if fault is not None else 0
    completion_tokens = count_tokens(content if tool is None else tool[1]) + thoughts
    usage = _usage(call.provider, prompt_tokens, completion_tokens, fault)
    cid = f"chatcmpl-emu{call.next_id()}"
    extras: dict[str, Any] = {"system_fingerprint": "fp_emulator"}
    if call.provider == "openrouter":
        extras = {"provider": "OpenAI"}
    finish = _FINISH[outcome] if tool is None else "tool_calls"
    if stream:
        return _stream(call, body, cid, model, extras, content, tool, usage, fault, finish)
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    if outcome == "filtered":
        message["content"] = None
    if tool is not None:
        message["content"] = None
        message["tool_calls"] = [{"id": f"call_emu{cid[-8:]}", "type": "function",
                                  "function": {"name": tool[0], "arguments": tool[1]}}]
    result: dict[str, Any] = {
        "id": cid, "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": usage, **extras,
    }
    if call.provider == "groq":
        result["x_groq"] = {"id": f"req_emu{cid[-8:]}"}
    return Response.json(200, result, {"x-request-id": f"req_emu{cid[-8:]}"})


def _answer(
    call: Call, body: dict[str, Any], model: str, prompt: str
) -> tuple[str, tuple[str, str] | None]:
    """(text content, (tool name, JSON arguments) or None)."""
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict)]
    choice = body.get("tool_choice")
    chosen: dict[str, Any] | None = None
    if isinstance(choice, dict) and choice.get("type") == "function":
        name = (choice.get("function") or {}).get("name")
        chosen = next((t for t in tools if (t.get("function") or {}).get("name") == name), None)
    elif choice == "required" and tools:
        chosen = tools[0]
    fmt = body.get("response_format") or {}
    schema: Any = None
    if chosen is not None:
        schema = (chosen.get("function") or {}).get("parameters") or {}
    elif isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema") or {}
    scripted = call.scripted(prompt, schema)
    if chosen is not None:
        fn = chosen.get("function") or {}
        if scripted is None:
            return "", (str(fn.get("name")), json.dumps(fill(schema)))
        if json_object(scripted) is not None:
            return "", (str(fn.get("name")), scripted)
        return scripted, None  # prose instead of the call: content, finish "stop"
    if scripted is not None:
        # Under json_schema the answer is the message content, whatever it holds: a model
        # outside strict mode (or a server that ignores the schema) can write anything there.
        return scripted, None
    if schema is not None:
        return json.dumps(fill(schema)), None
    text = reply_text(call.provider, model, prompt)
    if isinstance(fmt, dict) and fmt.get("type") == "json_object":
        return json.dumps({"reply": text}), None
    return text, None


def _usage(provider: str, prompt: int, completion: int, fault: Fault | None) -> dict[str, Any]:
    cached = fault.cache_read if fault is not None else 0  # part of prompt_tokens
    reasoning = fault.thoughts if fault is not None else 0  # part of completion_tokens
    prompt = max(prompt, cached)  # the cached part belongs to the prompt
    usage: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": completion,
                             "total_tokens": prompt + completion}
    if provider == "openai":
        usage["prompt_tokens_details"] = {"cached_tokens": cached, "audio_tokens": 0}
        usage["completion_tokens_details"] = {
            "reasoning_tokens": reasoning, "audio_tokens": 0, "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0}
    elif provider == "groq":
        p_time, c_time = round(prompt * 0.0001, 6), round(completion * 0.001, 6)
        usage.update(queue_time=0.001, prompt_time=p_time, completion_time=c_time,
                     total_time=round(p_time + c_time, 6))
        if cached:
            usage["prompt_tokens_details"] = {"cached_tokens": cached}
    elif provider == "openrouter":
        p_cost, c_cost = prompt * OPENROUTER_PRICE[0], completion * OPENROUTER_PRICE[1]
        usage.update(
            cost=p_cost + c_cost, is_byok=False,
            prompt_tokens_details={"cached_tokens": cached, "audio_tokens": 0},
            cost_details={"upstream_inference_cost": None,
                          "upstream_inference_prompt_cost": p_cost,
                          "upstream_inference_completions_cost": c_cost},
            completion_tokens_details={"reasoning_tokens": reasoning, "image_tokens": 0},
        )
    elif cached:
        usage["prompt_tokens_details"] = {"cached_tokens": cached}
    return usage


def _stream(
    call: Call, body: dict[str, Any], cid: str, model: str, extras: dict[str, Any],
    content: str, tool: tuple[str, str] | None, usage: dict[str, Any], fault: Fault | None,
    finish: str,
) -> Response:
    opts = body.get("stream_options") or {}
    include_usage = call.provider == "openrouter" or bool(opts.get("include_usage"))
    if fault is not None and fault.kind == "no_stream_usage":
        include_usage = False
    created = int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None, **more: Any) -> bytes:
        obj: dict[str, Any] = {
            "id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
            **extras,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            **more,
        }
        if include_usage and call.provider != "openrouter":
            obj["usage"] = None
        return sse_data(obj)

    events: list[bytes] = []
    if call.provider == "openrouter":
        events.append(b": OPENROUTER PROCESSING\n\n")
    first: dict[str, Any] = {}
    if call.provider == "groq":
        first = {"x_groq": {"id": f"req_emu{cid[-8:]}"}}
    events.append(chunk({"role": "assistant", "content": ""}, **first))
    pieces: list[dict[str, Any]]
    if tool is None:
        pieces = [{"content": p} for p in word_chunks(content)]
    else:
        call_id = f"call_emu{cid[-8:]}"
        head = {"index": 0, "id": call_id, "type": "function",
                "function": {"name": tool[0], "arguments": ""}}
        pieces = [{"tool_calls": [head]}] + [
            {"tool_calls": [{"index": 0, "function": {"arguments": p}}]}
            for p in word_chunks(tool[1])]
    limit = chunk_limit(fault)
    for delta in pieces[:limit] if limit is not None else pieces:
        events.append(chunk(delta))
    if fault is not None and fault.kind == "cut_stream":
        return Response.sse(events, cut=True)
    if fault is not None and fault.kind == "stream_error":
        err = {"code": "server_error", "message": "Provider disconnected unexpectedly"}
        if call.provider == "openrouter":
            events.append(sse_data({"id": cid, "object": "chat.completion.chunk",
                                    "created": created, "model": model, **extras, "error": err,
                                    "choices": [{"index": 0, "delta": {"content": ""},
                                                 "finish_reason": "error"}]}))
        else:
            events.append(sse_data({"error": {"message": err["message"], "type": "server_error",
                                              "param": None, "code": None}}))
        return Response.sse(events)
    more: dict[str, Any] = {}
    if call.provider == "groq":
        more = {"x_groq": {"id": f"req_emu{cid[-8:]}", "usage": usage}}
    events.append(chunk({}, finish, **more))
    if include_usage:
        events.append(sse_data({"id": cid, "object": "chat.completion.chunk", "created": created,
                                "model": model, **extras, "choices": [], "usage": usage}))
    events.append(b"data: [DONE]\n\n")
    return Response.sse(events)
