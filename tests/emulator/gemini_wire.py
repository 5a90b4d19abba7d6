"""Gemini (Generative Language API) wire: models, generateContent, streamGenerateContent (SSE).

Sources:
- Models list and `x-goog-api-key`: https://ai.google.dev/api/models#method:-models.list.
- Response, candidates, finish reasons, prompt feedback and usage:
  https://ai.google.dev/api/generate-content#v1beta.GenerateContentResponse (google-genai
  google/genai/types.py `GenerateContentResponse`, `Candidate`, `FinishReason`, `BlockedReason`,
  `GenerateContentResponseUsageMetadata`). `promptTokenCount` includes
  `cachedContentTokenCount`; `thoughtsTokenCount` is output billed beside
  `candidatesTokenCount`; `totalTokenCount` is their sum.
- A thinking model can spend `maxOutputTokens` on thoughts and end MAX_TOKENS with a candidate
  that has no parts (https://github.com/googleapis/python-genai/issues/811).
- A blocked prompt has no candidates, only `promptFeedback.blockReason`; a filtered answer ends
  SAFETY / RECITATION / PROHIBITED_CONTENT / ... without content.
- Errors `{"error": {"code", "message", "status", "details"}}`:
  https://ai.google.dev/gemini-api/docs/troubleshooting; a bad key is 400 INVALID_ARGUMENT with
  ErrorInfo reason API_KEY_INVALID. 429 RESOURCE_EXHAUSTED says "You exceeded your current quota"
  both for a per-minute rate (QuotaFailure quotaId ...PerMinute..., RetryInfo) and for a spent
  daily quota (quotaId ...PerDay...): bodies as reported in
  https://github.com/google-gemini/gemini-cli/issues/8437 and
  https://github.com/langgenius/dify/issues/19838; prepaid credits run out with "Your prepayment
  credits are depleted" (https://github.com/JeffOtano/roni/pull/125).
- An API version without `responseJsonSchema` answers 400 "Unknown name" for it.
- Streams end by closing the connection: google-genai reads SSE until close
  (google/genai/_api_client.py `HttpResponse._aiter_response_stream`).
"""

from __future__ import annotations

import json
from typing import Any

from .common import (
    ERROR_KINDS,
    Call,
    Fault,
    Response,
    count_tokens,
    dumps,
    reply_text,
    shaped_text,
    sleep_then,
    word_chunks,
)
from .schema_fill import fill

_VERSIONS = ("/v1beta", "/v1", "/v1alpha")
_ERRORS: dict[str, tuple[int, str, str]] = {
    "bad_request": (400, "INVALID_ARGUMENT", "The input token count exceeds the maximum."),
    "invalid_key": (400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key."),
    "permission": (403, "PERMISSION_DENIED", "The caller does not have permission"),
    "model_not_found": (404, "NOT_FOUND",
                        "models/{model} is not found for API version {version}, or is not "
                        "supported for generateContent. Call ListModels to see the list of "
                        "available models and their supported methods."),
    "rate_limit": (429, "RESOURCE_EXHAUSTED",
                   "You exceeded your current quota, please check your plan and billing details. "
                   "For more information on this error, head to: "
                   "https://ai.google.dev/gemini-api/docs/rate-limits. Please retry in {ra}s."),
    "quota": (429, "RESOURCE_EXHAUSTED",
              "You exceeded your current quota, please check your plan and billing details. For "
              "more information on this error, head to: "
              "https://ai.google.dev/gemini-api/docs/rate-limits."),
    "billing": (429, "RESOURCE_EXHAUSTED",
                "Your prepayment credits are depleted. Please go to AI Studio at "
                "https://ai.studio/projects to manage your project and billing."),
    "schema_unsupported": (400, "INVALID_ARGUMENT",
                           "Invalid JSON payload received. Unknown name \"responseJsonSchema\" "
                           "at 'generation_config': Cannot find field."),
    "overloaded": (503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
    "server_error": (500, "INTERNAL",
                     "An internal error has occurred. Please retry or report in "
                     "https://developers.generativeai.google/guide/troubleshooting"),
    "bad_json": (400, "INVALID_ARGUMENT", "Invalid JSON payload received. Unexpected token."),
    "not_found": (404, "NOT_FOUND", "Method not found."),
}
_ERRORS["moderated"] = _ERRORS["permission"]
_FINISH = {"stop": "STOP", "length": "MAX_TOKENS"}
_INFO = {
    "gemini-2.5-flash": ("Gemini 2.5 Flash", 1_048_576, 65_536),
    "gemini-2.5-pro": ("Gemini 2.5 Pro", 1_048_576, 65_536),
    "gemini-2.5-flash-lite": ("Gemini 2.5 Flash-Lite", 1_048_576, 65_536),
    "gemini-2.0-flash": ("Gemini 2.0 Flash", 1_048_576, 8_192),
}
_METHODS = ["generateContent", "countTokens", "createCachedContent", "batchGenerateContent"]


def error(
    call: Call, kind: str, *, model: str = "", version: str = "v1beta",
    fault: Fault | None = None, message: str | None = None,
) -> Response:
    status, code, msg = _ERRORS.get(kind, (400, "INVALID_ARGUMENT", ""))
    ra = fault.retry_after_header if fault else "1"
    text = message or msg.format(model=model, version=version, ra=ra)
    details: list[dict[str, Any]] = []
    headers: dict[str, str] = {}
    if kind == "invalid_key":
        details = [
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
             "domain": "googleapis.com",
             "metadata": {"service": "generativelanguage.googleapis.com"}},
            {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US",
             "message": text},
        ]
    elif kind == "rate_limit":
        headers["retry-after"] = ra
        details = [
            {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
                "quotaMetric":
                    "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                "quotaDimensions": {"location": "global", "model": model},
                "quotaValue": "10"}]},
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{ra}s"},
        ]
    elif kind == "quota":
        details = [
            {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
                "quotaMetric":
                    "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
                "quotaDimensions": {"location": "global", "model": model},
                "quotaValue": "250"}]},
            {"@type": "type.googleapis.com/google.rpc.Help", "links": [{
                "description": "Learn more about Gemini API quotas",
                "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]},
        ]
    err: dict[str, Any] = {"code": status, "message": text, "status": code}
    if details:
        err["details"] = details
    return Response.json(status, {"error": err}, {**headers, "content-type":
                                                  "application/json; charset=UTF-8"})


def _model_obj(model: str) -> dict[str, Any]:
    name, limit_in, limit_out = _INFO.get(model, (model, 1_048_576, 8_192))
    return {"name": f"models/{model}", "version": "001", "displayName": name,
            "description": f"{name} (emulated)", "inputTokenLimit": limit_in,
            "outputTokenLimit": limit_out, "supportedGenerationMethods": _METHODS,
            "temperature": 1, "topP": 0.95, "topK": 64, "maxTemperature": 2, "thinking": True}


def route(call: Call) -> Response:
    key = call.headers.get("x-goog-api-key") or call.query.get("key")
    if not key or key not in call.valid_keys:
        return error(call, "invalid_key")
    version = next((v for v in _VERSIONS if call.path.startswith(v + "/")), None)
    if version is None:
        return error(call, "not_found")
    rest = call.path[len(version):].rstrip("/")
    ver = version[1:]
    if call.method == "GET" and (rest == "/models" or rest.startswith("/models/")):
        fault = sleep_then(call, call.take_fault("list", False))
        if fault is not None:
            return error(call, fault.kind, fault=fault, version=ver)
        if rest == "/models":
            return Response.json(200, {"models": [_model_obj(m) for m in call.models]})
        model = rest[len("/models/"):]
        if model not in call.models:
            return error(call, "model_not_found", model=model, version=ver)
        return Response.json(200, _model_obj(model))
    if call.method == "POST" and rest.startswith("/models/") and ":" in rest:
        model, _, method = rest[len("/models/"):].partition(":")
        if method in ("generateContent", "streamGenerateContent", "countTokens"):
            return _generate(call, model, method, ver)
    return error(call, "not_found")


def _texts(content: Any) -> str:
    if not isinstance(content, dict):
        return ""
    parts = content.get("parts") or []
    return "\n".join(p["text"] for p in parts if isinstance(p, dict) and isinstance(
        p.get("text"), str))


def _generate(call: Call, model: str, method: str, version: str) -> Response:
    body = call.body
    if call.body_error or not isinstance(body, dict):
        return error(call, "bad_json")
    if method == "countTokens" and isinstance(body.get("generateContentRequest"), dict):
        body = body["generateContentRequest"]
    stream = method == "streamGenerateContent"
    fault = None
    if method != "countTokens":
        fault = sleep_then(call, call.take_fault("generate", stream))
    if fault is not None and fault.kind in ERROR_KINDS:
        return error(call, fault.kind, fault=fault, model=model, version=version)
    contents = body.get("contents")
    if not isinstance(contents, list) or not contents:
        return error(call, "missing",
                     message="* GenerateContentRequest.contents: contents is not specified\n")
    if model not in call.models:
        return error(call, "model_not_found", model=model, version=version)
    prompt_tokens = count_tokens(_texts(body.get("systemInstruction"))) + sum(
        count_tokens(_texts(c)) for c in contents)
    details = [{"modality": "TEXT", "tokenCount": prompt_tokens}]
    if method == "countTokens":
        return Response.json(200, {"totalTokens": prompt_tokens, "promptTokensDetails": details})
    if fault is not None and fault.kind == "malformed":
        if stream:
            return Response.sse([b'data: {"candidates": [{"content": \r\n\r\n'])
        return Response(200, b'{"candidates": [{"content": {"parts": [{"te',
                        {"content-type": "application/json; charset=UTF-8"})
    last_user = next((_texts(c) for c in reversed(contents)
                      if isinstance(c, dict) and c.get("role", "user") == "user"), "")
    text, outcome = shaped_text(fault, _answer(call, body, model, last_user))
    kind = fault.kind if fault is not None else ""
    thoughts = fault.thoughts if fault is not None else 0
    cached = fault.cache_read if fault is not None else 0
    out_tokens = count_tokens(text)
    prompt_tokens = max(prompt_tokens, cached)  # cachedContentTokenCount is part of the prompt
    rid = f"emu{call.next_id()}"
    usage: dict[str, Any] = {"promptTokenCount": prompt_tokens}
    if out_tokens:
        usage["candidatesTokenCount"] = out_tokens
    usage["totalTokenCount"] = prompt_tokens + out_tokens + thoughts
    if cached:
        usage["cachedContentTokenCount"] = cached
        usage["cacheTokensDetails"] = [{"modality": "TEXT", "tokenCount": cached}]
    usage["promptTokensDetails"] = details
    if thoughts:
        usage["thoughtsTokenCount"] = thoughts
    partial = {"promptTokenCount": prompt_tokens, "totalTokenCount": prompt_tokens,
               "promptTokensDetails": details}
    headers = {"content-type": "application/json; charset=UTF-8"}
    if kind == "blocked_prompt":
        blocked = {"promptFeedback": {"blockReason": fault.reason if fault and fault.reason
                                      else "SAFETY", "safetyRatings": _RATINGS},
                   "usageMetadata": partial, "modelVersion": model, "responseId": rid}
        if not stream:
            return Response.json(200, blocked, headers)
        return Response.sse([b"data: " + dumps(blocked) + b"\r\n\r\n"],
                            {"content-type": "text/event-stream"})

    def response(piece: str, final: bool) -> dict[str, Any]:
        cand: dict[str, Any] = {"content": {"parts": [{"text": piece}], "role": "model"}}
        if not piece and (kind == "empty" or (final and outcome != "stop")):
            cand["content"] = {"role": "model"}  # no parts at all
        if final and outcome == "filtered":
            cand = {"finishReason": fault.reason if fault and fault.reason else "SAFETY",
                    "safetyRatings": _RATINGS}
        elif final:
            cand["finishReason"] = _FINISH[outcome]
        cand["index"] = 0
        return {"candidates": [cand], "usageMetadata": usage if final else partial,
                "modelVersion": model, "responseId": rid}

    if not stream:
        return Response.json(200, response(text, True), headers)
    pieces = word_chunks(text) or [""]
    cut = kind in ("cut_stream", "stream_error")
    if cut and fault is not None:
        pieces = pieces[: fault.chunks]
    events = [b"data: " + dumps(response(p, not cut and i == len(pieces) - 1)) + b"\r\n\r\n"
              for i, p in enumerate(pieces)]
    sse_headers = {"content-type": "text/event-stream"}
    if kind == "cut_stream":
        return Response.sse(events, sse_headers, cut=True)
    if kind == "stream_error":
        code, status, msg = 500, "INTERNAL", _ERRORS["server_error"][2]
        err = {"error": {"code": code, "message": msg, "status": status}}
        events.append(b"data: " + dumps(err) + b"\r\n\r\n")
    return Response.sse(events, sse_headers)


_RATINGS = [
    {"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH", "blocked": True},
    {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"},
]


def _answer(call: Call, body: dict[str, Any], model: str, prompt: str) -> str:
    config = body.get("generationConfig") or {}
    json_mode = config.get("responseMimeType") == "application/json"
    schema = (config.get("responseJsonSchema") or config.get("responseSchema")) if json_mode \
        else None
    scripted = call.scripted(prompt, schema or None)
    if scripted is not None:  # a text part, JSON mode or not (the model wrote what it wrote)
        return scripted
    text = reply_text(call.provider, model, prompt)
    if not json_mode:
        return text
    if schema:
        return json.dumps(fill(schema))
    return json.dumps({"reply": text})
