"""`aidesk images generate|list|delete`: campaign, social and banner images in the workspace's
gallery (the Images tab shows the same)."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aidesk.cli.chat_cmd import epilog
from aidesk.cli.context import core, print_json, print_table, run_async, workspace
from aidesk.errors import ConfigError
from aidesk.i18n import _, ngettext
from aidesk.redact import redact

if TYPE_CHECKING:
    from aidesk.features.image_store import StoredImage


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    from aidesk.features.images import MAX_IMAGES, PRESETS, SIZE_CHOICES

    images = sub.add_parser("images", help=_("campaign, social and banner images"),
                            description=_("Generate images and keep them in the workspace's "
                                          "gallery."))
    isub = images.add_subparsers(dest="action", metavar="ACTION", required=True)
    text = _("make 1 to {max} images from a description").format(max=MAX_IMAGES)
    gen = isub.add_parser(
        "generate", parents=[common], help=text, description=text,
        epilog=epilog(
            _("The image providers are tried in the workspace's order (OpenAI, OpenRouter, "
              "Stability AI: whichever have a key), falling back when one fails. Every run "
              "makes new images and is billed: nothing is cached."),
            _("Sizes: 1024x1024, 1536x1024, 1024x1536 or auto, or an aspect ratio (1:1, 3:2, "
              "2:3, 16:9, 9:16, 4:5, 5:4, 21:9); OpenAI gets the standard size of the same "
              "orientation. A preset adds art direction and its own default size: campaign "
              "(1536x1024), social (1:1), banner (16:9)."),
            _("--json prints {\"provider\", \"model\", \"size\", \"prompt\", \"cost_usd\", "
              "\"hops\": [...], \"note\", \"request_id\", \"images\": [{\"id\", \"file\", "
              "\"mime\", \"bytes\", \"width\", \"height\", \"cost_usd\", \"copy\"}]}.")),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    gen.add_argument("prompt", metavar="PROMPT", help=_("what the image should show"))
    gen.add_argument("--preset", choices=tuple(PRESETS), help=_("campaign, social or banner"))
    gen.add_argument("--size", choices=SIZE_CHOICES, metavar="SIZE",
                     help=_("a size or an aspect ratio (default: the preset's, else 1024x1024)"))
    gen.add_argument("--count", type=int, default=1, choices=range(1, MAX_IMAGES + 1),
                     metavar="N", help=_("how many images, 1 to {max} (default 1)").format(
                         max=MAX_IMAGES))
    gen.add_argument("--provider", metavar="ID",
                     help=_("try this provider first (openai, openrouter, stability)"))
    gen.add_argument("--model", metavar="NAME", help=_("the image model to use"))
    gen.add_argument("--out", type=Path, metavar="DIR",
                     help=_("also copy the images into this folder"))
    gen.add_argument("--json", action="store_true", help=_("print JSON (see below)"))
    gen.set_defaults(run=_generate)

    listing = isub.add_parser("list", parents=[common], help=_("the workspace's images"),
                              description=_("The workspace's images, newest first."))
    listing.add_argument("--json", action="store_true",
                         help=_("print a JSON list, one object per image"))
    listing.set_defaults(run=_list)

    delete = isub.add_parser("delete", parents=[common], help=_("delete an image"),
                             description=_("Delete an image: its file and its gallery entry."))
    delete.add_argument("id", metavar="ID", help=_("the image's id (see `aidesk images list`)"))
    delete.set_defaults(run=_delete)


def _generate(args: argparse.Namespace) -> int:
    from aidesk.features import images
    from aidesk.features.image_store import ImageStore

    out = args.out
    if out is not None and out.exists() and not out.is_dir():
        raise ConfigError(_("--out {path} is a file; give a folder.").format(path=out))
    c = core()
    ws = workspace(c, args)
    store = ImageStore(c.db, c.data_dir)
    made = run_async(c, images.generate(
        c.router, store, ws, args.prompt, preset=args.preset, size=args.size, count=args.count,
        provider=args.provider, model=args.model))
    copies = [_copy(image, out) for image in made.images] if out is not None else []
    result = made.result
    if args.json:
        print_json({
            "provider": result.provider, "model": result.model, "size": result.size,
            "prompt": redact(result.prompt), "cost_usd": result.cost_usd,
            "hops": [{"provider": h.provider, "error": h.message, "code": h.error,
                      "skipped": h.skipped} for h in result.hops],
            "note": result.note, "request_id": result.request_id,
            "images": [_image_json(image) | {"copy": str(copies[i]) if copies else None}
                       for i, image in enumerate(made.images)]})
        return 0
    for i, image in enumerate(made.images):
        print(copies[i] if copies else image.path)
    for hop in result.hops:
        line = _("skipped {provider}: {reason}") if hop.skipped else _(
            "fell back from {provider}: {reason}")
        print("aidesk: " + line.format(provider=hop.provider, reason=redact(hop.message)),
              file=sys.stderr)
    if result.note:
        print("aidesk: " + result.note, file=sys.stderr)
    from aidesk.formats import money

    count = ngettext("{count} image", "{count} images", len(made.images)).format(
        count=len(made.images))
    print(f"[{result.provider} {result.model}, {count}, {money(result.cost_usd)}, "
          f"{result.latency_ms} ms]", file=sys.stderr)
    return 0


def _copy(image: StoredImage, out: Path) -> Path:
    try:
        out.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copyfile(image.path, out / image.file_name))
    except OSError as exc:
        raise ConfigError(_("Cannot copy the image to {path}: {error}.").format(
            path=out, error=exc.strerror or exc)) from None


def _image_json(image: StoredImage) -> dict[str, Any]:
    data = image.as_json()
    data["prompt"] = redact(image.prompt)
    return data


def _list(args: argparse.Namespace) -> int:
    from aidesk.features.image_store import ImageStore
    from aidesk.formats import date_time, money

    c = core(read_only=True)
    ws = workspace(c, args)
    found = ImageStore(c.db, c.data_dir).gallery(ws.tenant_id)
    if args.json:
        print_json([_image_json(image) for image in found])
        return 0
    if not found:
        print(_("No images yet in workspace '{workspace}'.").format(workspace=ws.name),
              file=sys.stderr)
        return 0
    print_table((_("Created"), _("Id"), _("Provider"), _("Model"), _("Size"), _("Cost"),
                 _("Prompt")),
                [(date_time(i.created_at), i.id, i.provider, i.model, i.size,
                  money(i.cost_usd), _short(redact(i.prompt))) for i in found])
    return 0


def _short(text: str, limit: int = 50) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _delete(args: argparse.Namespace) -> int:
    from aidesk.features.image_store import ImageStore

    c = core()
    ws = workspace(c, args)
    if not ImageStore(c.db, c.data_dir).delete(ws.tenant_id, args.id.strip()):
        raise ConfigError(_("No image {id} in workspace '{workspace}'.").format(
            id=args.id.strip(), workspace=ws.name),
            cli_hint=_("See the ids with `aidesk images list`."))
    print(_("Deleted image {id}.").format(id=args.id.strip()))
    return 0
