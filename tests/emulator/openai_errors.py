"""Error bodies of the OpenAI chat-completions wire and its Groq, OpenRouter and local variants.

Sources:
- OpenAI: https://platform.openai.com/docs/guides/error-codes (statuses, `insufficient_quota`),
  the body shape `{"error": {"message", "type", "param", "code"}}` is what the openai SDK reads in
  openai/_exceptions.py `APIError.__init__` (code, param, type from the body).
- Reasoning models refuse `max_tokens` and a non-default `temperature` with 400
  `unsupported_parameter` / `unsupported_value` (param set): reported verbatim in
  https://github.com/griptape-ai/ComfyUI-Griptape/issues/312 and
  https://github.com/ITSpecialist111/ai_automation_suggester/issues/38; the openai SDK documents
  `max_tokens` as "not compatible with o-series models" (openai/types/chat/
  completion_create_params.py `CompletionCreateParamsBase.max_tokens`).
- OpenRouter: https://openrouter.ai/docs/api/reference/errors-and-debugging (`{"error": {"code",
  "message", "metadata"}}`, 401 bad key, 402 no credit, 403 input flagged by moderation with
  `metadata.reasons`, `flagged_input`, `provider_name`, `model_slug`).
"""

from __future__ import annotations

from typing import Any

from .common import Call, Fault, Response, mask_key

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
              "You exceeded your current quota, please check your plan and billing details. For "
              "more information on this error, read the docs: "
              "https://platform.openai.com/docs/guides/error-codes/api-errors."),
    "overloaded": (503, "server_error", None,
                   "The engine is currently overloaded, please try again later."),
    "server_error": (500, "server_error", None,
                     "The server had an error while processing your request. Sorry about that!"),
    "bad_json": (400, "invalid_request_error", None,
                 "We could not parse the JSON body of your request. (HINT: This likely means "
                 "you aren't using your HTTP library correctly.)"),
    "schema_unsupported": (400, "invalid_request_error", None,
                           "Invalid parameter: 'response_format' of type 'json_schema' is not "
                           "supported with this model."),
}
_OPENAI_ERRORS["billing"] = _OPENAI_ERRORS["quota"]
_OPENAI_ERRORS["moderated"] = _OPENAI_ERRORS["permission"]
_GROQ_MESSAGES = {"invalid_key": "Invalid API Key", "missing_key": "Invalid API Key",
                  "server_error": "Internal Server Error", "overloaded": "Service Unavailable",
                  "schema_unsupported": "This model does not support response format "
                                        "`json_schema`. See supported models at "
                                        "https://console.groq.com/docs/structured-outputs"}
_LOCAL_MESSAGES = {"model_not_found": 'model "{model}" not found, try pulling it first'}
_OPENROUTER_ERRORS: dict[str, tuple[int, str]] = {
    "bad_request": (400, "This endpoint's maximum context length is 128000 tokens."),
    "invalid_key": (401, "User not found."),
    "missing_key": (401, "No auth credentials found"),
    # OpenRouter has no per-key model permission: its 403 is the moderation refusal.
    "permission": (403, "{model} requires moderation on OpenAI. Your input was flagged for "
                        "\"harassment\". No credits were charged."),
    "model_not_found": (404, "No endpoints found for {model}."),
    "rate_limit": (429, "Rate limit exceeded: limit_rpm/{model}. Please retry shortly."),
    "quota": (402, "Insufficient credits. Add more using https://openrouter.ai/settings/credits"),
    "overloaded": (503, "Provider returned error: {model} is temporarily overloaded."),
    "server_error": (500, "Internal Server Error"),
    "bad_json": (400, "Invalid JSON body"),
    # Routing finds no provider that accepts the request's parameters (here response_format).
    "schema_unsupported": (404, "No endpoints found that can handle the requested parameters. "
                                "To learn more about provider routing, visit: "
                                "https://openrouter.ai/docs/provider-routing"),
}
_OPENROUTER_ERRORS["billing"] = _OPENROUTER_ERRORS["quota"]
_OPENROUTER_ERRORS["moderated"] = _OPENROUTER_ERRORS["permission"]


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
        if kind in ("permission", "moderated"):
            err["metadata"] = {"reasons": ["harassment"], "flagged_input": "you are all ...idiots",
                               "provider_name": "OpenAI", "model_slug": model or "the model"}
        return Response.json(status or st, {"error": err}, headers)
    st, typ, cd, msg = _OPENAI_ERRORS.get(kind, (status or 400, "invalid_request_error", None, ""))
    if call.provider == "groq":
        msg = _GROQ_MESSAGES.get(kind, msg)
    elif call.provider == "local":
        msg = _LOCAL_MESSAGES.get(kind, msg)
    if kind == "schema_unsupported":
        param = "response_format"
    body: dict[str, Any] = {"message": message or msg.format(**fmt), "type": typ}
    if call.provider != "groq":
        body["param"] = param
    body["code"] = code or cd
    if kind == "rate_limit":
        headers.update({"x-ratelimit-limit-requests": "3", "x-ratelimit-remaining-requests": "0",
                        "x-ratelimit-reset-requests": f"{ra}s"})
    return Response.json(status or st, {"error": body}, headers)


def unsupported_parameter(call: Call, param: str, value: Any = None) -> Response:
    """OpenAI's refusal of a parameter a reasoning model does not take."""
    if param == "max_tokens":
        return error(call, "unsupported", param=param, code="unsupported_parameter",
                     message="Unsupported parameter: 'max_tokens' is not supported with this "
                             "model. Use 'max_completion_tokens' instead.")
    return error(call, "unsupported", param=param, code="unsupported_value",
                 message=f"Unsupported value: '{param}' does not support {value} with this "
                         "model. Only the default (1) value is supported.")
