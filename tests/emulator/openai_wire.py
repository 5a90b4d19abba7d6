"""OpenAI chat-completions wire, with the Groq, OpenRouter and local (Ollama-like) variants.

Sources: models list https://platform.openai.com/docs/api-reference/models/list (openai SDK
openai/types/model.py `Model`); Groq's extra model fields
https://console.groq.com/docs/api-reference#models-list; OpenRouter's /models and /key
https://openrouter.ai/docs/api-reference/list-available-models and
https://openrouter.ai/docs/api-reference/api-keys/get-current-key (its /models needs no key).
Chat completions live in openai_chat.py, error bodies in openai_errors.py.
"""

from __future__ import annotations

from typing import Any

from .common import ERROR_KINDS, Call, Response, sleep_then
from .openai_chat import OPENROUTER_PRICE, chat
from .openai_errors import error

_CREATED = 1_717_000_000
_OWNERS = {"meta-llama": "Meta", "llama": "Meta", "openai": "OpenAI", "qwen": "Alibaba Cloud"}
_OR_PRICE = tuple(f"{p:.10f}".rstrip("0") for p in OPENROUTER_PRICE)  # per token, as strings


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
    if fault is not None and fault.kind in ERROR_KINDS:
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
    return chat(call, body, model, fault)
