"""Helpers for the bulk-message tests: lead files, and an emulated model that writes each
lead's message from its prompt (so a test can tell which lead and language it was for)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]],
              delimiter: str = ";") -> Path:
    lines = [delimiter.join(header), *(delimiter.join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def lead_data(prompt: str) -> dict[str, Any]:
    """The lead's JSON a bulk prompt carries."""
    start = prompt.index("Lead data (JSON):\n") + len("Lead data (JSON):\n")
    value = json.loads(prompt[start:prompt.index("\n", start)])
    assert isinstance(value, dict)
    return value


def language_of(prompt: str) -> str:
    match = re.search(r"Write the message in (.+)\.$", prompt)
    assert match, prompt
    return match.group(1)


def writer(prompt: str, schema: Any) -> str:
    """A model that writes "[language] Olá <name>: <the brief as filled>"."""
    brief = prompt[len("Brief:\n"):prompt.index("\n\nLead data")]
    name = lead_data(prompt).get("nome", "?")
    return f"[{language_of(prompt)}] {name}: {brief}"
