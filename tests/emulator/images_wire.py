"""Image answers: OpenAI `POST /images/generations` and OpenRouter's image chat completions,
both with real (tiny) PNGs.

Sources:
- OpenAI: https://platform.openai.com/docs/api-reference/images/create and the openai SDK
  (openai/types/image_generate_params.py: `n` 1–10; sizes 1024x1024, 1536x1024, 1024x1536 and
  auto for the GPT image models; `response_format` "Unsupported for GPT image models, which
  always return base64-encoded images"; openai/types/images_response.py `ImagesResponse`
  {created, data[{b64_json}], output_format, quality, size, usage{input_tokens,
  input_tokens_details{image_tokens, text_tokens}, output_tokens, output_tokens_details,
  total_tokens}}). A refused prompt is 400 `moderation_blocked`, type
  `image_generation_user_error` (as reported verbatim in jeffstric/ZJT#480).
- OpenRouter: https://openrouter.ai/docs/guides/overview/multimodal/image-generation:
  chat completions with `modalities: ["image", "text"]`, `image_config.aspect_ratio`; the
  message carries `images: [{type: "image_url", image_url: {url: "data:image/png;base64,…"}}]`
  beside its text content; usage with `cost` as for any OpenRouter answer.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import time
import zlib
from typing import Any

from .common import (
    ERROR_KINDS,
    MEDIA_MODELS,
    Call,
    Fault,
    Response,
    content_text,
    count_tokens,
)
from .openai_errors import error

OPENAI_SIZES = ("1024x1024", "1536x1024", "1024x1536", "auto")
# Output tokens per image at medium quality (https://platform.openai.com/docs/guides/
# image-generation "Cost and latency": 1056 for a square image).
IMAGE_TOKENS = 1056
OPENROUTER_IMAGE_COST = 0.039  # US$ per image the emulated OpenRouter reports in usage.cost


def png(seed: str, size: int = 8) -> bytes:
    """A valid size×size RGB PNG coloured by the SHA-256 of `seed` (PNG spec, ISO/IEC 15948:
    signature, IHDR, one IDAT of zlib-compressed scanlines with filter byte 0, IEND)."""
    digest = hashlib.sha256(seed.encode()).digest()
    rows = b"".join(  # each row: filter type 0, then RGB triples taken from the digest
        b"\x00" + b"".join(digest[(x + y) % 30:(x + y) % 30 + 3] for x in range(size))
        for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _moderated(call: Call) -> Response:
    return Response.json(400, {"error": {
        "message": "Your request was rejected by the safety system. If you believe this is an "
                   "error, contact us at help.openai.com and include the request ID "
                   "req_emulator. safety_violations=[violence].",
        "type": "image_generation_user_error", "param": None, "code": "moderation_blocked"}})


def openai_images(call: Call) -> Response:
    body = call.body
    if call.body_error or not isinstance(body, dict):
        return error(call, "bad_json")
    model = str(body.get("model") or "")
    fault = call.take_fault("generate", False)
    if fault is not None and fault.kind == "slow":
        call.sleep(2.0 if fault.seconds is None else fault.seconds)
        fault = None
    if fault is not None and fault.kind == "moderated":
        return _moderated(call)
    if fault is not None and fault.kind in ERROR_KINDS:
        return error(call, fault.kind, fault=fault, model=model, key=call.bearer())
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt:
        return error(call, "missing", message="Missing required parameter: 'prompt'.",
                     param="prompt", code="missing_required_parameter")
    if model not in MEDIA_MODELS.get(call.provider, ()):
        return error(call, "model_not_found", model=model)
    if "response_format" in body:
        return error(call, "unknown", param="response_format", code="unknown_parameter",
                     message="Unknown parameter: 'response_format'.")
    size = body.get("size", "auto")
    if size not in OPENAI_SIZES:
        return error(call, "invalid", param="size", code="invalid_value",
                     message=f"Invalid value: '{size}'. Supported values are: '1024x1024', "
                             "'1024x1536', '1536x1024', and 'auto'.")
    n = body.get("n", 1)
    if not isinstance(n, int) or not 1 <= n <= 10:
        return error(call, "invalid", param="n", code="integer_above_max_value",
                     message=f"Invalid 'n': integer out of range; expected 1 to 10, got {n}.")
    data = [{"b64_json": base64.b64encode(png(f"{model}:{prompt}:{i}")).decode()}
            for i in range(n)]
    text_tokens = count_tokens(prompt)
    return Response.json(200, {
        "created": int(time.time()), "data": data, "background": "opaque",
        "output_format": body.get("output_format", "png"), "quality": "medium",
        "size": "1024x1024" if size == "auto" else size,
        "usage": {"input_tokens": text_tokens,
                  "input_tokens_details": {"image_tokens": 0, "text_tokens": text_tokens},
                  "output_tokens": IMAGE_TOKENS * n,
                  "output_tokens_details": {"image_tokens": IMAGE_TOKENS * n, "text_tokens": 0},
                  "total_tokens": text_tokens + IMAGE_TOKENS * n}})


def is_image_chat(call: Call) -> bool:
    body = call.body
    return (call.provider == "openrouter" and isinstance(body, dict)
            and "image" in (body.get("modalities") or []))


def openrouter_images(call: Call) -> Response:
    """An OpenRouter chat completion asked for images: one image and a line of text."""
    body: dict[str, Any] = call.body
    model = str(body.get("model") or "")
    fault: Fault | None = call.take_fault("generate", False)
    if fault is not None and fault.kind == "slow":
        call.sleep(2.0 if fault.seconds is None else fault.seconds)
        fault = None
    if fault is not None and fault.kind in ERROR_KINDS:
        return error(call, fault.kind, fault=fault, model=model, key=call.bearer())
    if model not in MEDIA_MODELS.get(call.provider, ()):
        return error(call, "model_not_found", model=model)
    messages = body.get("messages") or []
    prompt = content_text(messages[-1].get("content")) if messages else ""
    aspect = (body.get("image_config") or {}).get("aspect_ratio", "1:1")
    url = "data:image/png;base64," + base64.b64encode(png(f"{model}:{aspect}:{prompt}")).decode()
    text = "Here is your image."
    prompt_tokens, completion_tokens = count_tokens(prompt), 1290
    cid = f"gen-emu{call.next_id()}"
    return Response.json(200, {
        "id": cid, "provider": "Google", "model": model, "object": "chat.completion",
        "created": int(time.time()),
        "choices": [{"logprobs": None, "finish_reason": "stop", "native_finish_reason": "STOP",
                     "index": 0, "message": {
                         "role": "assistant", "content": text, "refusal": None,
                         "reasoning": None,
                         "images": [{"type": "image_url", "image_url": {"url": url},
                                     "index": 0}]}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens,
                  "cost": OPENROUTER_IMAGE_COST, "is_byok": False,
                  "prompt_tokens_details": {"cached_tokens": 0},
                  "completion_tokens_details": {"reasoning_tokens": 0, "image_tokens": 1290}}})
