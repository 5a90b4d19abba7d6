"""multipart/form-data requests as the emulator reads them (uploads and Stability's forms).

Parsed with the standard library's email parser, the way RFC 7578 frames the parts: each part
has `Content-Disposition: form-data; name="…"` and, for a file, a `filename`. The openai SDK
sends `file` with its filename and the other fields as plain parts (openai/_files.py,
`_base_client._build_multipart`); httpx2 does the same for `files={"f": (None, "v")}`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any


@dataclass
class Upload:
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """What the request log keeps: the fields, and each file's name, type and size (never
        its bytes)."""
        out: dict[str, Any] = dict(self.fields)
        for name, upload in self.files.items():
            out[name] = {"filename": upload.filename, "content_type": upload.content_type,
                         "size": len(upload.data)}
        return out


def is_multipart(headers: dict[str, str]) -> bool:
    return headers.get("content-type", "").lower().startswith("multipart/form-data")


def parse(headers: dict[str, str], raw: bytes) -> Form | None:
    """The form, or None when the body is not multipart/form-data (or has no boundary)."""
    kind = headers.get("content-type", "")
    if not is_multipart(headers) or "boundary=" not in kind:
        return None
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + kind.encode("latin-1") + b"\r\n\r\n" + raw)
    if not message.is_multipart():
        return None
    form = Form()
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is None and part.get_content_type() == "text/plain" and not _has_type(part):
            form.fields[name] = data.decode("utf-8", "replace")
        else:
            form.files[name] = Upload(filename, part.get("content-type"), data)
    return form


def _has_type(part: Any) -> bool:
    return part.get("content-type") is not None


def recorded(headers: dict[str, str], raw: bytes) -> Any:
    """The request body as the log keeps it for a multipart request."""
    form = parse(headers, raw)
    return None if form is None else form.summary()
