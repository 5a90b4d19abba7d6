"""Importer tests: WhatsApp, CSV, JSON, encodings, bad files, languages, leads, the CLI."""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
WHATSAPP = CORPUS / "whatsapp"
ANDROID_PT = WHATSAPP / "Conversa do WhatsApp com Maria Souza.txt"
ANDROID_EN = WHATSAPP / "WhatsApp Chat with John Carter.txt"
IOS_PT = WHATSAPP / "WhatsApp Chat - Padaria Pão Quente" / "_chat.txt"
IOS_EN = WHATSAPP / "WhatsApp Chat - Sarah Miller" / "_chat.txt"
GROUP_PT = WHATSAPP / "Conversa do WhatsApp com Campanha Verão 24.txt"
