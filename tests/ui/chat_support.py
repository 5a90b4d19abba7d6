"""Helpers for the Chat and Leads tab tests: an emulated model that answers every chat and
lead request by content, the tab on a fresh workspace, imports through the real widgets."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from aidesk.ui.column_map import ColumnMapDialog
from aidesk.workspaces import Workspace

DATA = Path(__file__).parent / "data"
MARIA = DATA / "Conversa do WhatsApp com Maria Souza.txt"
JOHN = DATA / "WhatsApp Chat with John Carter.txt"
CRM = DATA / "crm-export.csv"
LEADS = DATA / "leads-crm.csv"
RULES = (("urgente", "urgent"), ("procon", "urgent"), ("wrong", "negative"),
         ("péssimo", "negative"), ("disappointed", "negative"), ("obrigad", "positive"),
         ("thank", "positive"))
TRANSLATIONS = {
    "The invoice you sent is wrong and we are very disappointed with the delay.":
        "A fatura que vocês enviaram está errada e estamos muito decepcionados com o atraso.",
}


def label_of(text: str) -> str:
    low = text.lower()
    return next((label for word, label in RULES if word in low), "neutral")


def items(prompt: str) -> list[dict[str, Any]]:
    """The JSON array of messages a chat prompt ends with."""
    value = json.loads(prompt[prompt.index("\n[") + 1:])
    assert isinstance(value, list)
    return value


def model(prompt: str, schema: Any) -> str:
    """What an obliging model answers to each tool's prompt (chosen by the schema's fields)."""
    fields = set((schema or {}).get("properties", {}))
    if "labels" in fields:
        return json.dumps({"labels": [
            {"id": item["id"], "sentiment": label_of(item["text"]),
             "reason": f"motivo da mensagem {item['id']}"} for item in items(prompt)]})
    if "sentiment" in fields:
        last = items(prompt)[-1]["text"]
        return json.dumps({"sentiment": label_of(last),
                           "reason": "a última mensagem pede resposta hoje"})
    if "executive_summary" in fields:
        return json.dumps({"executive_summary": "Cliente quer gestão de Instagram até R$ 3.000.",
                           "open_questions": ["A proposta chegou?"],
                           "next_steps": ["Reenviar a proposta hoje", "Ligar para a Maria"]})
    if "replies" in fields:
        return json.dumps({"language": "en", "replies": [
            "Hi John, we are sorry about the invoice; a corrected one is on its way.",
            "Hello John, thanks for your patience. We will fix the invoice today.",
            "John, apologies for the delay. Can we call you this afternoon?"]})
    if "translation" in fields:
        for original, translated in TRANSLATIONS.items():
            if json.dumps(original, ensure_ascii=False) in prompt or original in prompt:
                return json.dumps({"source_language": "en", "translation": translated})
        if "Podemos" in prompt or "podemos" in prompt:
            return json.dumps({"source_language": "pt",
                               "translation": "We can send the new invoice tomorrow."})
        return json.dumps({"source_language": "en", "translation": "Tradução de teste."})
    if "temperature" in fields:
        hot = "Beatriz" in prompt
        return json.dumps({
            "summary": "Pediu orçamento de 300 ovos e quer fechar até sexta." if hot
            else "Só pensa em marketing no segundo semestre.",
            "interests": ["Páscoa", "Ovos personalizados", "Anúncios"] if hot else ["Newsletter"],
            "score": 86 if hot else 22, "temperature": "hot" if hot else "cold",
            "reasons": ["Orçamento aprovado", "Prazo curto"] if hot else ["Sem urgência"],
            "next_actions": ["Enviar proposta hoje"] if hot else ["Retomar em julho"]})
    raise AssertionError(f"unexpected request {prompt[:80]!r} {sorted(fields)}")


def pick_files(monkeypatch: pytest.MonkeyPatch, paths: list[Path]) -> None:
    """The next file dialog answers with these files."""
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *a, **k: ([str(p) for p in paths], "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(paths[0]), "")))


def in_mapping_dialog(act: Callable[[ColumnMapDialog], None], seen: list[Any]) -> None:
    """Run `act` on the next column-mapping dialog (it accepts or rejects it)."""

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ColumnMapDialog):
            QTimer.singleShot(30, look)
            return
        seen.append(dialog)
        act(dialog)

    QTimer.singleShot(30, look)


def configure_openai(core: Any, ws: Workspace, emulator: Any) -> None:
    from tests.support import configure

    configure(core, ws, emulator, "openai")
