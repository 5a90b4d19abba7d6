"""Stability AI: images only, through httpx2 (no SDK).

Sources: Stability's REST reference as generated into tryAGI/StabilityAI
(src/libs/StabilityAI/openapi.yaml, "the official REST v2beta Stable Image API from
https://api.stability.ai/v2alpha/openapi"; https://platform.stability.ai/docs/api-reference):
- `POST /v2beta/stable-image/generate/{core,ultra,sd3}`, `multipart/form-data` with `prompt`
  and optional `aspect_ratio` (16:9 1:1 21:9 2:3 3:2 4:5 5:4 9:16 9:21), `output_format`
  (png jpeg webp), `seed`, `negative_prompt`; sd3 also `model` (sd3.5-large,
  sd3.5-large-turbo, sd3.5-medium, sd3.5-flash). `Accept: image/*` answers the image bytes with
  `finish-reason` (SUCCESS, or CONTENT_FILTERED: generated but blurred by moderation) and
  `seed` headers; `Accept: application/json` answers `{image (base64), finish_reason, seed}`.
  One image per request.
- Errors `{"id", "name", "errors": [...]}`: 400 invalid parameters, 403 `content_moderation`
  ("Your request was flagged by our content moderation system … you were not charged"), 413
  request over 10 MiB, 422 well-formed but rejected, 429 over 150 requests in 10 s, 500.
  402 `payment_required` when the credits are used up (TEAMuP-dev/HARP#338 shows it from
  Stability's API); 401 for a missing or wrong key.
- Key test: `GET /v1/user/balance` → `{"credits": 0.41}` (v1 errors `{"id","name","message"}`).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from aidesk.errors import (
    BadRequest,
    ContentFiltered,
    InvalidKey,
    MalformedResponse,
    ModelNotFound,
    Moderated,
    OutOfCredits,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    Unsupported,
)
from aidesk.i18n import _
from aidesk.providers.base import UNKNOWN_USAGE, ModelInfo, ProviderInfo, ProviderSettings, Usage
from aidesk.providers.common import http_timeout, retry_after, transport_error
from aidesk.providers.media import (
    GeneratedImage,
    ImageRequest,
    ImageResult,
    image_mime,
    one_by_one,
)

# Model → endpoint under /v2beta/stable-image/generate/ (the sd3 family names its model).
ENDPOINTS = {"core": "core", "ultra": "ultra", "sd3.5-large": "sd3",
             "sd3.5-large-turbo": "sd3", "sd3.5-medium": "sd3", "sd3.5-flash": "sd3"}
MODELS = tuple(sorted(ENDPOINTS))


class FilteredImage(ContentFiltered):
    """CONTENT_FILTERED: Stability generated (and billed) the image but blurred it."""

    billed_images = 1


class StabilityProvider:
    def __init__(self, settings: ProviderSettings, meta: ProviderInfo) -> None:
        import httpx2

        self.id = settings.provider
        self.client = httpx2.AsyncClient(
            base_url=(settings.base_url or meta.default_base_url).rstrip("/"),
            headers={"Authorization": f"Bearer {settings.api_key or ''}",
                     "Stability-Client-ID": "AIDesk"},
            timeout=http_timeout(settings))

    async def aclose(self) -> None:
        await self.client.aclose()

    async def list_models(self) -> list[ModelInfo]:
        """The key test: a real, free call (the balance). Stability lists no v2beta models."""
        response = await self._send("GET", "/v1/user/balance", "")
        try:
            float(response.json()["credits"])
        except (ValueError, KeyError, TypeError):
            raise MalformedResponse(self.id, _("the balance answer has no credits")) from None
        return [ModelInfo(m, m) for m in MODELS]

    async def generate_images(self, request: ImageRequest) -> ImageResult:
        """One request per image, run together; the images that came are kept, and a
        shortfall is noted (each image is billed on its own, a blurred one too)."""

        async def make() -> tuple[GeneratedImage, Usage]:
            return await self._one(request), UNKNOWN_USAGE

        try:
            images, _usages, failures, note = await one_by_one(request.count, make)
        except FilteredImage as first:
            first.billed_images = request.count  # every one came back blurred, and billed
            raise
        filtered = sum(isinstance(f, FilteredImage) for f in failures)
        return ImageResult(tuple(images), request.model,
                           billing={"images": float(len(images) + filtered)}, note=note)

    async def _one(self, request: ImageRequest) -> GeneratedImage:
        endpoint = ENDPOINTS.get(request.model)
        if endpoint is None:
            raise ModelNotFound(self.id, _("Stability models: {models}").format(
                models=", ".join(MODELS)), model=request.model)
        fields = {"prompt": request.prompt, "output_format": request.output_format}
        if request.aspect_ratio:
            fields["aspect_ratio"] = request.aspect_ratio
        if endpoint == "sd3":
            fields["model"] = request.model
        # (None, value): a plain form field, so the body is multipart/form-data as required.
        files = {name: (None, value) for name, value in fields.items()}
        response = await self._send("POST", f"/v2beta/stable-image/generate/{endpoint}",
                                    request.model, files=files, accept="image/*")
        return self._image(response)

    def _image(self, response: Any) -> GeneratedImage:
        kind = response.headers.get("content-type", "")
        if kind.startswith("application/json"):
            body = response.json()
            try:
                data = base64.b64decode(body["image"], validate=True)
            except (KeyError, TypeError, ValueError):
                raise MalformedResponse(self.id, _("the answer has no image")) from None
            finish, seed = body.get("finish_reason"), body.get("seed")
        else:
            data = response.content
            finish, seed = response.headers.get("finish-reason"), response.headers.get("seed")
        if finish == "CONTENT_FILTERED":
            raise FilteredImage(self.id, _("the image was blurred by Stability's moderation"))
        mime = image_mime(data)
        if mime is None:
            raise MalformedResponse(self.id, _("the answer is not a PNG, JPEG or WebP image"))
        return GeneratedImage(data, mime, seed=_int(seed))

    async def _send(self, method: str, path: str, model: str, *,
                    files: Mapping[str, Any] | None = None, accept: str = "application/json"
                    ) -> Any:
        try:
            response = await self.client.request(method, path, files=files,
                                                 headers={"Accept": accept})
        except Exception as exc:
            mapped = transport_error(self.id, exc)
            if mapped is None:
                raise
            raise mapped from None
        if response.status_code >= 400:
            raise self.status_error(response.status_code, _body(response), response.headers,
                                    model)
        return response

    def status_error(self, status: int, body: Any, headers: Mapping[str, str],
                     model: str) -> ProviderError:
        name = str(body.get("name") or "") if isinstance(body, dict) else ""
        detail = _detail(body)
        if status == 403 or name == "content_moderation":
            return Moderated(self.id, detail, status=status)
        if status == 401:
            return InvalidKey(self.id, detail, status=status)
        if status == 402 or name == "payment_required":
            return OutOfCredits(self.id, detail, status=status)
        if status == 404:
            return ModelNotFound(self.id, detail, model=model, status=status)
        if status == 422:  # well-formed but refused (e.g. a parameter this model lacks)
            return Unsupported(self.id, detail, status=status)
        if status == 429:
            return RateLimited(self.id, detail, retry_after=retry_after(headers), status=status)
        if status in (408, 504):
            return ProviderTimeout(self.id, detail, status=status)
        if status >= 500:
            return ProviderUnavailable(self.id, detail, status=status)
        return BadRequest(self.id, detail, status=status)  # 400, 413: the request itself


def _body(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:300]


def _detail(body: Any) -> str:
    """`errors` (v2beta) or `message` (v1) of Stability's error body."""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            return "; ".join(str(e) for e in errors)
        if body.get("message"):
            return str(body["message"])
        return str(body.get("name") or "")
    return str(body or "")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def build(settings: ProviderSettings, meta: ProviderInfo) -> StabilityProvider:
    return StabilityProvider(settings, meta)
