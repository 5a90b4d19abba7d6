"""Stability AI: `GET /v1/user/balance` and `POST /v2beta/stable-image/generate/{core,ultra,sd3}`.

Sources: Stability's REST reference (https://platform.stability.ai/docs/api-reference, as
generated into tryAGI/StabilityAI src/libs/StabilityAI/openapi.yaml and its models):
- generation takes `multipart/form-data` only, `prompt` required (1–10000 characters),
  `aspect_ratio` one of 16:9 1:1 21:9 2:3 3:2 4:5 5:4 9:16 9:21, `output_format` png | jpeg |
  webp (default png), sd3's `model` (sd3.5-large, sd3.5-large-turbo, sd3.5-medium,
  sd3.5-flash); `accept: image/*` (the default) answers the bytes with `finish-reason` and
  `seed` headers, `accept: application/json` answers {image (base64), finish_reason, seed};
- errors {"id", "name", "errors": [...]}: 400 `bad_request`, 403 `content_moderation` ("Your
  request was flagged by our content moderation system, as a result your request was denied
  and you were not charged."), 413 over 10 MiB, 422, 429 (150 requests in 10 s), 500; 402
  `payment_required` when out of credits (seen from the API in TEAMuP-dev/HARP#338);
- `GET /v1/user/balance` → {"credits": float}; v1 errors {"id", "name", "message"} (401
  `unauthorized` for a missing or wrong key).
Fault kinds: invalid_key → 401, moderated → 403, quota/billing → 402, rate_limit → 429 with
retry-after, overloaded → 503, server_error → 500, bad_request → 400, filtered → 200 with
finish-reason CONTENT_FILTERED.
"""

from __future__ import annotations

import base64
from typing import Any

from .common import Call, Fault, Response, sleep_then
from .images_wire import png
from .multipart import parse

ASPECTS = ("16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21")
SD3_MODELS = ("sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3.5-flash")
MAX_BYTES = 10 * 1024 * 1024
_ERRORS: dict[str, tuple[int, str, str]] = {
    "invalid_key": (401, "unauthorized", "Incorrect API key provided"),
    "permission": (401, "unauthorized", "Incorrect API key provided"),
    "moderated": (403, "content_moderation",
                  "Your request was flagged by our content moderation system, as a result your "
                  "request was denied and you were not charged."),
    "quota": (402, "payment_required", "Your account does not have enough credits for this "
                                       "request. Buy more at https://platform.stability.ai/"
                                       "account/credits"),
    "rate_limit": (429, "rate_limit_exceeded", "You have exceeded the rate limit of 150 "
                                               "requests within a 10 second period."),
    "overloaded": (503, "service_unavailable", "The service is temporarily unavailable."),
    "server_error": (500, "internal_error", "An unexpected server error has occurred."),
    "bad_request": (400, "bad_request", "prompt: cannot be longer than 10000 characters"),
    "model_not_found": (404, "not_found", "model: must be one of " + ", ".join(SD3_MODELS)),
}
_ERRORS["billing"] = _ERRORS["quota"]


def _error(kind: str, fault: Fault | None = None, *, v1: bool = False,
           message: str | None = None, status: int | None = None) -> Response:
    st, name, text = _ERRORS.get(kind, (status or 400, "bad_request", ""))
    body: dict[str, Any] = {"id": "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4", "name": name}
    if v1:
        body["message"] = message or text
    else:
        body["errors"] = [message or text]
    headers = {"retry-after": fault.retry_after_header} if kind == "rate_limit" and fault else {}
    return Response.json(status or st, body, headers)


def route(call: Call) -> Response:
    path = call.path.rstrip("/")
    v1 = path.startswith("/v1/")
    key = call.bearer()
    if key is None or key not in call.valid_keys:
        return _error("invalid_key", v1=v1, message=None if key else
                      "authorization: missing authorization header")
    if call.method == "GET" and path == "/v1/user/balance":
        fault = sleep_then(call, call.take_fault("list", False))
        if fault is not None:
            return _error(fault.kind, fault, v1=True)
        return Response.json(200, {"credits": 97.5})
    endpoint = path.removeprefix("/v2beta/stable-image/generate/")
    if call.method == "POST" and endpoint in ("core", "ultra", "sd3"):
        return _generate(call, endpoint)
    return _error("not_found", status=404, message=f"{call.method} {path}: not found")


def _generate(call: Call, endpoint: str) -> Response:
    if len(call.raw) > MAX_BYTES:
        return _error("too_large", status=413, message="payload too large")
    form = parse(call.headers, call.raw)
    if form is None:
        return _error("bad_request", message="content-type: must be multipart/form-data")
    fault = sleep_then(call, call.take_fault("generate", False))
    if fault is not None and fault.kind in _ERRORS:
        return _error(fault.kind, fault)
    prompt = form.fields.get("prompt", "")
    if not prompt:
        return _error("bad_request", message="prompt: is required")
    aspect = form.fields.get("aspect_ratio", "1:1")
    if aspect not in ASPECTS:
        return _error("bad_request", message=f"aspect_ratio: must be one of {', '.join(ASPECTS)}")
    fmt = form.fields.get("output_format", "png")
    if fmt not in ("png", "jpeg", "webp"):
        return _error("bad_request", message="output_format: must be one of png, jpeg, webp")
    model = form.fields.get("model", "sd3.5-large") if endpoint == "sd3" else endpoint
    if endpoint == "sd3" and model not in SD3_MODELS:
        return _error("model_not_found")
    # Only PNG is really encoded here; asking for another format still gets PNG bytes.
    image = png(f"{model}:{aspect}:{prompt}")
    finish = "CONTENT_FILTERED" if fault is not None and fault.kind == "filtered" else "SUCCESS"
    seed = int.from_bytes(image[-12:-8], "big") % 4294967294
    accept = call.headers.get("accept", "image/*")
    if accept.startswith("application/json"):
        return Response.json(200, {"image": base64.b64encode(image).decode(),
                                   "finish_reason": finish, "seed": seed})
    if not accept.startswith("image/"):
        return _error("bad_request", message="accept: must be image/* or application/json")
    return Response(200, image, {"content-type": "image/png", "finish-reason": finish,
                                 "seed": str(seed)})
