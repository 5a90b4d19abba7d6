"""OpenAI chat-completions wire, with the Groq, OpenRouter and local (Ollama-like) variants."""

from __future__ import annotations

import json
import time
from typing import Any

from .common import (
    Call,
    Fault,
    Response,
    chunk_limit,
    content_text,
    count_tokens,
    mask_key,
    reply_text,
    sleep_then,
    sse_data,
    word_chunks,
)
from .schema_fill import fill

_ERROR_KINDS = frozenset(
    {"invalid_key", "permission", "model_not_found", "rate_limit", "quota", "overloaded",
     "server_error", "bad_request"}
)
_CREATED = 1_717_000_000
_OWNERS = {"meta-llama": "Meta", "llama": "Meta", "openai": "OpenAI", "qwen": "Alibaba Cloud"}
_OR_PRICE = ("0.00000015", "0.0000006")  # OpenRouter per-token prices (prompt, completion)

# kind -> (status, type, code, message); {model}, {key}, {ra} are filled in.
_OPENAI_ERRORS: dict[str, tuple[int, str, str | None, str]] = {
    "bad_request": (400, "invalid_request_error", "context_length_exceeded",
                    "This model's maximum context length is 128000 tokens."),
    "invalid_key": (401, "invalid_request_error", "invalid_api_key",
                    "Incorrect API key provided: {key}. You can find your API key at "
                    "https://platform.openai.com/account/api-keys."),
    "missing_key": (401, "invalid_request_error", None,
                    "You didn't provide an API key. You need to provide your API key in an "
                    "Authorization header using Bearer auth (i.e. Authorization: Bearer "
                    "YOUR_KEY)."),
    "permission": (403, "invalid_request_error", "insufficient_permissions",
                   "You have insufficient permissions for this operation."),
    "model_not_found": (404, "invalid_request_error", "model_not_found",
                        "The model `{model}` does not exist or you do not have access to it."),
    "rate_limit": (429, "requests", "rate_limit_exceeded",
                   "Rate limit reached for {model} in organization org-emulator on requests per "
                   "min (RPM): Limit 3, Used 3, Requested 1. Please try again in {ra}s."),
    "quota": (429, "insufficient_quota", "insufficient_quota",
              "You exceeded your current quota, please check your plan and billing details."),
    "overloaded": (503, "server_error", None,
                   "The engine is currently overloaded, please try again later."),
    "server_error": (500, "server_error", None,
                     "The server had an error while processing your request. Sorry about that!"),
    "bad_json": (400, "invalid_request_error", None,
                 "We could not parse the JSON body of your request. (HINT: This likely means "
                 "you aren't using your HTTP library correctly.)"),
}
_GROQ_MESSAGES = {"invalid_key": "Invalid API Key", "missing_key": "Invalid API Key",
                  "server_error": "Internal Server Error", "overloaded": "Service Unavailable"}
_LOCAL_MESSAGES = {"model_not_found": 'model "{model}" not found, try pulling it first'}
_OPENROUTER_ERRORS: dict[str, tuple[int, str]] = {
    "bad_request": (400, "This endpoint's maximum context length is 128000 tokens."),
    "invalid_key": (401, "User not found."),
    "missing_key": (401, "No auth credentials found"),
    "permission": (403, "This key is not allowed to use {model}."),
    "model_not_found": (404, "No endpoints found for {model}."),
    "rate_limit": (429, "Rate limit exceeded: limit_rpm/{model}. Please retry shortly."),
    "quota": (402, "Insufficient credits. Add more using https://openrouter.ai/settings/credits"),
    "overloaded": (503, "Provider returned error: {model} is temporarily overloaded."),
    "server_error": (500, "Internal Server Error"),
    "bad_json": (400, "Invalid JSON body"),
}


def error(
    call: Call, kind: str, *, model: str = "", key: str | None = None,
    fault: Fault | None = None, message: str | None = None, status: int | None = None,
    param: str | None = None, code: str | None = None,
) -> Response:
    """Error response in the provider's shape; `kind` is a fault kind or an internal one."""
    ra = fault.retry_after_header if fault else "1"
    headers = {"retry-after": ra} if kind == "rate_limit" else {}
    fmt = {"model": model or "the model", "key": mask_key(key or ""), "ra": ra}
    if call.provider == "openrouter":
        st, msg = _OPENROUTER_ERRORS.get(kind, (status or 400, message or "Bad Request"))
        err: dict[str, Any] = {"code": status or st, "message": message or msg.format(**fmt)}
        if kind == "rate_limit":
            err["metadata"] = {"headers": {"X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "0"}}
        return Response.json(status or st, {"error": err}, headers)
    st, typ, cd, msg = _OPENAI_ERRORS.get(kind, (status or 400, "invalid_request_error", None, ""))
    if call.provider == "groq":
        msg = _GROQ_MESSAGES.get(kind, msg)
    elif call.provider == "local":
        msg = _LOCAL_MESSAGES.get(kind, msg)
    body: dict[str, Any] = {"message": message or msg.format(**fmt), "type": typ}
    if call.provider != "groq":
        body["param"] = param
    body["code"] = code or cd
    if kind == "rate_limit":
        headers.update({"x-ratelimit-limit-requests": "3", "x-ratelimit-remaining-requests": "0",
                        "x-ratelimit-reset-requests": f"{ra}s"})
    return Response.json(status or st, {"error": body}, headers)


def _model_obj(provider: str, model: str) -> dict[str, Any]:
    if provider == "openrouter":
        return {
            "id": model, "canonical_slug": model, "hugging_face_id": "",
            "name": model.split("/")[-1], "created": _CREATED,
            "description": f"{model} (emulated)", "context_length": 128000,
            "architecture": {"modality": "text->text", "input_modalities": ["text"],
                             "output_modalities": ["text"], "tokenizer": "Other",
                             "instruct_type": None},
            "pricing": {"prompt": _OR_PRICE[0], "completion": _OR_PRICE[1], "request": "0",
                        "image": "0"},
            "top_provider": {"context_length": 128000, "max_completion_tokens": 16384,
                             "is_moderated": False},
            "per_request_limits": None,
            "supported_parameters": ["max_tokens", "temperature", "response_format",
                                     "structured_outputs", "tools", "tool_choice", "stream"],
        }
    owner = {"openai": "system", "local": "library"}.get(provider) or _OWNERS.get(
        model.split("/")[0].split("-")[0], "Groq")
    obj: dict[str, Any] = {"id": model, "object": "model", "created": _CREATED, "owned_by": owner}
    if provider == "groq":
        obj.update(active=True, context_window=131072, public_apps=None,
                   max_completion_tokens=32768)
    return obj


def _find_model(call: Call, model: str) -> bool:
    if model in call.models:
        return True
    return call.provider == "local" and model.endswith(":latest") and model[:-7] in call.models


def route(call: Call) -> Response:
    path = call.path.rstrip("/")
    if call.provider != "local" and not (call.provider == "openrouter" and path == "/models"):
        key = call.bearer()
        if key is None or key not in call.valid_keys:
            return error(call, "invalid_key" if key else "missing_key", key=key)
    if call.method == "GET" and (path == "/models" or path.startswith("/models/")):
        fault = sleep_then(call, call.take_fault("list", False))
        if fault is not None:
            return error(call, fault.kind, fault=fault, key=call.bearer())
        if path == "/models":
            data = [_model_obj(call.provider, m) for m in call.models]
            return Response.json(200, {"object": "list", "data": data})
        model = path[len("/models/"):]
        if not _find_model(call, model):
            return error(call, "model_not_found", model=model)
        return Response.json(200, _model_obj(call.provider, model))
    if call.method == "GET" and path == "/key" and call.provider == "openrouter":
        fault = sleep_then(call, call.take_fault("list", False))
        if fault is not None:
            return error(call, fault.kind, fault=fault, key=call.bearer())
        key = call.bearer() or ""
        return Response.json(200, {"data": {
            "label": f"{key[:9]}...{key[-3:]}", "limit": 10.0, "limit_remaining": 9.5,
            "limit_reset": None, "include_byok_in_limit": False, "usage": 0.5,
            "usage_daily": 0.1, "usage_weekly": 0.3, "usage_monthly": 0.5, "byok_usage": 0.0,
            "is_free_tier": False, "is_provisioning_key": False,
        }})
    if call.method == "POST" and path == "/chat/completions":
        return _chat(call)
    api = {"openrouter": "/api/v1", "groq": "/openai/v1"}.get(call.provider, "/v1")
    return error(call, "not_found", status=404, message=f"Invalid URL ({call.method} {api}{path})")


def _chat(call: Call) -> Response:
    body = call.body
    if call.body_error or not isinstance(body, dict):
        return error(call, "bad_json")
    model = str(body.get("model") or "")
    stream = bool(body.get("stream"))
    fault = sleep_then(call, call.take_fault("generate", stream))
    if fault is not None and fault.kind in _ERROR_KINDS:
        return error(call, fault.kind, fault=fault, model=model, key=call.bearer())
    if not model:
        return error(call, "missing", message="you must provide a model parameter", param="model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return error(call, "missing", message="Missing required parameter: 'messages'.",
                     param="messages", code="missing_required_parameter")
    if not _find_model(call, model):
        return error(call, "model_not_found", model=model)
    if fault is not None and fault.kind == "malformed":
        if stream:
            return Response.sse([b'data: {"id": "chatcmpl-emu", "choices": [{"delta": \n\n'])
        return Response(200, b'{"id": "chatcmpl-emu", "object": "chat.completion", "choi',
                        {"content-type": "application/json"})
    prompt_tokens = sum(count_tokens(content_text(m.get("content")))
                        for m in messages if isinstance(m, dict))
    last_user = next((content_text(m.get("content")) for m in reversed(messages)
                      if isinstance(m, dict) and m.get("role") == "user"), "")
    content, tool = _answer(call, body, model, last_user)
    completion_tokens = count_tokens(content if tool is None else tool[1])
    usage = _usage(call.provider, prompt_tokens, completion_tokens)
    cid = f"chatcmpl-emu{call.next_id()}"
    extras: dict[str, Any] = {"system_fingerprint": "fp_emulator"}
    if call.provider == "openrouter":
        extras = {"provider": "OpenAI"}
    if stream:
        return _stream(call, body, cid, model, extras, content, tool, usage, fault)
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    if tool is not None:
        message["content"] = None
        message["tool_calls"] = [{"id": f"call_emu{cid[-8:]}", "type": "function",
                                  "function": {"name": tool[0], "arguments": tool[1]}}]
    finish = "stop" if tool is None else "tool_calls"
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
    if chosen is not None:
        fn = chosen.get("function") or {}
        return "", (str(fn.get("name")), json.dumps(fill(fn.get("parameters") or {})))
    fmt = body.get("response_format") or {}
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema") or {}
        return json.dumps(fill(schema)), None
    text = reply_text(call.provider, model, prompt)
    if isinstance(fmt, dict) and fmt.get("type") == "json_object":
        return json.dumps({"reply": text}), None
    return text, None


def _usage(provider: str, prompt: int, completion: int) -> dict[str, Any]:
    usage: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": completion,
                             "total_tokens": prompt + completion}
    if provider == "openai":
        usage["prompt_tokens_details"] = {"cached_tokens": 0, "audio_tokens": 0}
        usage["completion_tokens_details"] = {
            "reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0}
    elif provider == "groq":
        p_time, c_time = round(prompt * 0.0001, 6), round(completion * 0.001, 6)
        usage.update(queue_time=0.001, prompt_time=p_time, completion_time=c_time,
                     total_time=round(p_time + c_time, 6))
    elif provider == "openrouter":
        p_cost, c_cost = prompt * 0.15 / 1e6, completion * 0.6 / 1e6
        usage.update(
            cost=(prompt * 0.15 + completion * 0.6) / 1e6, is_byok=False,
            prompt_tokens_details={"cached_tokens": 0, "audio_tokens": 0},
            cost_details={"upstream_inference_cost": None,
                          "upstream_inference_prompt_cost": p_cost,
                          "upstream_inference_completions_cost": c_cost},
            completion_tokens_details={"reasoning_tokens": 0, "image_tokens": 0},
        )
    return usage


def _stream(
    call: Call, body: dict[str, Any], cid: str, model: str, extras: dict[str, Any],
    content: str, tool: tuple[str, str] | None, usage: dict[str, Any], fault: Fault | None,
) -> Response:
    opts = body.get("stream_options") or {}
    include_usage = call.provider == "openrouter" or bool(opts.get("include_usage"))
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
    events.append(chunk({}, "stop" if tool is None else "tool_calls", **more))
    if include_usage:
        events.append(sse_data({"id": cid, "object": "chat.completion.chunk", "created": created,
                                "model": model, **extras, "choices": [], "usage": usage}))
    events.append(b"data: [DONE]\n\n")
    return Response.sse(events)

