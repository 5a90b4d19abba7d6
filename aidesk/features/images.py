"""Campaign, social and banner images (module `images`; no Qt).

A preset wraps the user's description in art direction for its format and picks a default
size; `generate` asks the router for 1–4 images and saves them in the workspace's gallery
(aidesk.features.image_store). Every press makes new images: image calls are never cached.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aidesk.i18n import N_, _
from aidesk.providers.media import ASPECTS, MAX_IMAGES, SIZES
from aidesk.router.media import check_image_input

if TYPE_CHECKING:
    from aidesk.features.image_store import ImageStore, StoredImage
    from aidesk.router import ImagesResult, Router
    from aidesk.workspaces import Workspace

MODULE = "images"
SIZE_CHOICES = (*SIZES, *ASPECTS)  # what the CLI and the tab offer, the router takes


@dataclass(frozen=True, slots=True)
class Preset:
    id: str
    label: str  # N_(): translated where shown
    hint: str  # N_()
    size: str  # the default size or aspect for this format
    direction: str  # art direction sent with the description (English: what image models
    #                 follow best; the description itself stays in the user's words)

    def prompt(self, description: str) -> str:
        return f"{self.direction} {description.strip()}"


PRESETS: dict[str, Preset] = {p.id: p for p in (
    Preset("campaign", N_("Campaign"),
           N_("A key visual for an advertising campaign, with room for a headline."),
           "1536x1024",
           "Key visual for an advertising campaign. Professional photography, clean "
           "composition, brand-safe, natural light, empty space for a headline. Subject:"),
    Preset("social", N_("Social post"),
           N_("A square, eye-catching image for Instagram or Facebook feeds."),
           "1:1",
           "Social media post image. Eye-catching, vibrant colours, mobile-first composition "
           "with one clear subject, no text in the image. Subject:"),
    Preset("banner", N_("Banner"),
           N_("A wide web or e-mail banner, with a calm side for text."),
           "16:9",
           "Wide web banner. Simple background, strong contrast, the subject on one side and "
           "calm empty space on the other for text, no text in the image. Subject:"),
)}


def compose(description: str, preset: str | None) -> str:
    """The prompt the provider gets: the description, wrapped by the preset if any."""
    if preset is None:
        return description.strip()
    if preset not in PRESETS:
        from aidesk.errors import ConfigError

        raise ConfigError(_("Unknown image preset '{preset}'; presets: {presets}.").format(
            preset=preset, presets=", ".join(PRESETS)))
    return PRESETS[preset].prompt(description)


def default_size(preset: str | None) -> str:
    return PRESETS[preset].size if preset in PRESETS else "1024x1024"


@dataclass(frozen=True, slots=True)
class Generated:
    result: ImagesResult
    images: list[StoredImage]


async def generate(
    router: Router, store: ImageStore, ws: Workspace, description: str, *,
    preset: str | None = None, size: str | None = None, count: int = 1,
    provider: str | None = None, model: str | None = None,
) -> Generated:
    """Make `count` (1–MAX_IMAGES) images and keep them in the workspace's gallery."""
    prompt = compose(description, preset)
    chosen = size or default_size(preset)
    check_image_input(description.strip(), chosen, count)
    result = await router.generate_images(ws, prompt, size=chosen, count=count,
                                          provider=provider, model=model, module=MODULE)
    stored = await asyncio.to_thread(store.save, ws.tenant_id, result, preset,
                                     description.strip())
    return Generated(result, stored)


__all__ = ["MAX_IMAGES", "MODULE", "PRESETS", "SIZE_CHOICES", "Generated", "Preset", "compose",
           "default_size", "generate"]
