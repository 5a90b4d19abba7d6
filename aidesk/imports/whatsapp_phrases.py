"""What WhatsApp writes besides people's words, in Portuguese, English and Spanish: system
notices, deleted-message notices, media placeholders; and a chat's title from its file name.

Android writes a system notice without a sender ("12/03/2024 10:00 - Maria adicionou João");
iOS writes it after a sender (the group, or the contact) with U+200E before the text, and
marks media the same way ("‎imagem ocultada", "‎<anexado: 00000012-PHOTO-….jpg>").
"""

from __future__ import annotations

import re

from aidesk.imports.model import MessageKind

LRM = "\u200e"

MEDIA = re.compile(
    r"<\s*(?:m[íi]dia oculta|arquivo de m[íi]dia oculto|media omitted|multimedia omitido|"
    r"medios omitidos)\s*>"
    r"|^(?:imagem|[áa]udio|v[íi]deo|figurinha|documento|gif|cart[ãa]o d[eo] contato|"
    r"image|audio|video|sticker|document|contact card|imagen|pegatina|documento)"
    r"\s+(?:ocultad[oa]|omitid[oa]|omitted)$"
    r"|^\S.*\.\w{2,5} \((?:arquivo anexado|file attached|archivo adjunto)\)$"
    r"|<\s*(?:anexado|attached|adjunto):\s*[^>]+>"
    r"|^(?:visualiza[çc][ãa]o [úu]nica|view once (?:photo|video|message))$",
    re.IGNORECASE)

MEDIA_ENDS = (")", "oculta", "ocultada", "ocultado", "omitida", "omitido", "omitted", "única",
              "unica", "once photo", "once video", "once message", "Oculta", "OCULTA")
DELETED = re.compile(
    r"^(?:(?:esta|essa) mensagem foi apagada(?: por um admin)?|(?:.+ )?apagou esta mensagem|"
    r"this message was deleted|you deleted this message|"
    r"se elimin[óo] este mensaje|eliminaste este mensaje)\.?$", re.IGNORECASE)

CALL = re.compile(
    r"^(?:chamada de (?:voz|v[íi]deo) perdida|missed (?:voice|video) call|"
    r"llamada (?:de voz|de video) perdida)\.?$", re.IGNORECASE)

# A notice that quotes a name can hold ": " inside the quotes, so the part before it looks
# like a sender: `Maria mudou o nome de "Campanha: verão" para …`.
QUOTING_NOTICE = re.compile(
    r"criou o grupo|criou este grupo|mudou o (?:nome|assunto)|alterou o (?:nome|assunto)|"
    r"mudou a descri[çc][ãa]o|created group|created this group|changed the subject|"
    r"changed the group|changed this group|cre[óo] el grupo|cambi[óo] (?:el asunto|el nombre)",
    re.IGNORECASE)

EDITED = re.compile(
    r"\s*<(?:esta mensagem foi editada|mensagem editada|this message was edited|"
    r"se edit[óo] este mensaje)>$", re.IGNORECASE)

# Words only one language's notices use: the locale hint when dates do not tell day from month.
PT_WORDS = re.compile(
    r"criptografia|m[íi]dia oculta|ocultad[ao]|omitid[ao]|anexado|adicionou|apagada|"
    r"criou o grupo|saiu$|mensagens tempor[áa]rias", re.IGNORECASE | re.MULTILINE)
EN_WORDS = re.compile(
    r"end-to-end encrypted|media omitted|omitted$|attached|\badded\b|was deleted|"
    r"created group|\bleft$|disappearing messages", re.IGNORECASE | re.MULTILINE)

TITLE = re.compile(
    r"^(?:conversa do whatsapp com|whatsapp chat with|whatsapp chat -|whatsapp chat con|"
    r"conversa do whatsapp -|chat de whatsapp con|chat whatsapp con|whatsapp-chat mit)\s+",
    re.IGNORECASE)
COPY_SUFFIX = re.compile(r"\s*\(\d+\)$")


def classify(sender: str, text: str) -> tuple[str, str, MessageKind]:
    """(sender, text, kind) for a line's sender part and text as the export wrote them.
    The patterns run only where a cheap test says they may match (a chat's every line)."""
    marked = LRM in text[:2]
    body = text.replace(LRM, "").strip() if marked or LRM in text else text.strip()
    first = body.split("\n", 1)[0]
    if ("<" in first or first.endswith(MEDIA_ENDS)) and MEDIA.search(first):
        return sender, body, "media"
    if len(body) < 64 and (DELETED.match(body) or CALL.match(body)):
        return sender, body, "system"
    if marked:  # iOS: a notice after the group's or the contact's name
        return "", body, "system"
    return sender, EDITED.sub("", body) if body.endswith(">") else body, "text"


def title_from_name(name: str) -> str:
    """The chat's title from a file or zip name: "Conversa do WhatsApp com Maria Souza.txt"
    → "Maria Souza"; other names: the name without its extension."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    for ext in (".txt", ".zip", ".csv", ".tsv", ".json"):
        if base.lower().endswith(ext):
            base = base[: -len(ext)]
            break
    base = COPY_SUFFIX.sub("", base.strip())
    return TITLE.sub("", base).strip() or base
