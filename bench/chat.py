"""Chat benchmarks.

Import: a 50,000-message WhatsApp export (Android, pt-BR: several senders, short and
long messages put together from parts so that few repeat, multi-line messages, media,
notices, some English and Spanish) is written to a temp dir, then read with
`aidesk.imports.read_path` (language detection on) in a fresh process per run: the time is
that call's, building lingua's detector included, and the peak memory is that process's
ru_maxrss (interpreter and imports included). The figures are the medians of the runs.

Sentiment: 500 stored messages of one conversation labelled by `chat_batch.analyse_all` at
its default concurrency, against the emulator in its own process (as bench/router.py runs
it) answering every call after 200 ms. Throughput in messages per second against the bound
that concurrency allows (concurrency × batch size / latency); at least 0.8 of it is ok.
The run labels 25 batches of 20 and the conversation's own label, after a warm-up run
(SDK and schema imports, price tables, one connection per slot): the steady throughput.

    python bench/chat.py [--messages 50000] [--runs 3] [--sentiment 500]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SENDERS = ("Maria Souza", "Agência Aurora", "João Pereira", "Beatriz Rocha",
           "+55 11 98765-4321", "Carlos Lima")
SHORT = ("ok", "blz", "👍", "kkkkk", "Bom dia!", "obrigado!", "Show!", "valeu", "Sim",
         "Perfeito 👏", "😂😂", "Combinado", "Pode ser", "Top demais", "Boa noite",
         "Certo", "Beleza, obrigada", "Já vi", "Vou ver")
# Messages are put together from parts, so that few of the longer ones repeat (as in a
# real chat, where "ok" repeats and sentences do not).
PT = (("Bom dia", "Boa tarde", "Oi {name}", "Olá pessoal", "Gente", "{name}", "Pessoal"),
      ("vocês conseguem mandar", "preciso aprovar", "vamos revisar", "já enviei",
       "pode ajustar", "o cliente pediu para mudar", "acabei de receber",
       "a gente precisa fechar", "consegue me passar", "ficou faltando"),
      ("o relatório da campanha de {month}", "as artes do carrossel",
       "o orçamento de R$ {money},00", "a proposta da {client}",
       "os números do tráfego pago", "o calendário de posts de {month}",
       "o vídeo do lançamento", "as fotos da vitrine nova", "o texto do anúncio",
       "a planilha de leads"),
      ("até sexta-feira", "hoje às {hour}h", "amanhã cedo", "na reunião de {day}",
       "ainda esta semana", "antes do feriado", "depois do almoço", "até o dia {date}"),
      ("?", "!", ", por favor.", ". Obrigado!", ". Abraços", " 🙏", "."))
EN = (("Hi {name}", "Hello team", "Good morning", "Hey"),
      ("could you send", "we need to approve", "I just sent", "please update"),
      ("the campaign report for {month}", "the invoice", "the new ad copy",
       "the launch video"),
      ("by Friday", "today at {hour}", "tomorrow morning", "before the meeting"),
      ("?", ". Thanks!", "."))
ES = (("Hola {name}", "Buenos días", "Hola equipo"),
      ("pueden enviarme", "necesitamos aprobar", "ya envié"),
      ("el presupuesto actualizado", "el informe de {month}", "las fotos nuevas"),
      ("antes del viernes", "hoy a las {hour}", "mañana temprano"),
      ("?", ". ¡Gracias!", "."))
NAMES = ("Maria", "João", "Bia", "Carlos", "Ana", "Pedro", "Lu", "Rafa", "Sarah", "Mike")
MONTHS = ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho")
DAYS = ("segunda", "terça", "quarta", "quinta", "sexta")
CLIENTS = ("Padaria Pão Quente", "Clínica Sorriso", "Loja Verão", "Pet Amigo", "Café Central")
MEDIA = ("<Mídia oculta>", "IMG-20240116-WA{n:04d}.jpg (arquivo anexado)",
         "PTT-20240116-WA{n:04d}.opus (arquivo anexado)")
NOTICES = ("Esta mensagem foi apagada", "Você apagou esta mensagem")
SYSTEM = ("{a} adicionou {b}", "{a} saiu", "{a} mudou a imagem deste grupo")


def sentence(rng: random.Random, parts: Sequence[Sequence[str]]) -> str:
    """5 to 15 words: a chat's sentences are short, and not all have every part."""
    opener, verb, thing, when, end = (rng.choice(p) for p in parts)
    text = f"{opener}, {verb} {thing}" if rng.random() < 0.5 else f"{verb} {thing}"
    text = text[0].upper() + text[1:]
    if rng.random() < 0.6:
        text += f" {when}"
    text += end
    return text.format(name=rng.choice(NAMES), month=rng.choice(MONTHS),
                       money=f"{rng.randint(1, 40)}.{rng.randint(0, 9)}00",
                       client=rng.choice(CLIENTS), hour=rng.randint(8, 19),
                       day=rng.choice(DAYS), date=rng.randint(1, 28))


def message(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.40:
        return rng.choice(SHORT)
    parts = EN if roll < 0.43 else ES if roll < 0.45 else PT
    if roll < 0.57:
        return "\n".join(sentence(rng, parts) for _ in range(rng.randint(2, 4)))
    return sentence(rng, parts)


def generate_export(path: Path, messages: int, seed: int = 9) -> None:
    """A WhatsApp export of `messages` messages, as Android writes it in pt-BR."""
    rng = random.Random(seed)
    moment = datetime(2023, 1, 2, 8, 0)
    lines = ["02/01/2023 08:00 - As mensagens e as ligações são protegidas com a criptografia "
             "de ponta a ponta e ficam somente entre você e os participantes desta conversa."]
    for n in range(1, messages):
        moment += timedelta(minutes=rng.choice((0, 1, 1, 2, 5, 12, 40, 180)))
        stamp = moment.strftime("%d/%m/%Y %H:%M")
        sender = rng.choice(SENDERS)
        roll = rng.random()
        if roll < 0.01:
            other = rng.choice(SENDERS)
            lines.append(f"{stamp} - " + rng.choice(SYSTEM).format(a=sender, b=other))
            continue
        if roll < 0.09:
            text = rng.choice(MEDIA).format(n=n % 10000)
        elif roll < 0.11:
            text = rng.choice(NOTICES)
        else:
            text = message(rng)
        lines.append(f"{stamp} - {sender}: {text}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def child(path: str) -> None:
    """Run in the measured process: one import, then time, memory and counts as JSON."""
    import resource

    from aidesk.imports import read_path

    start = time.perf_counter()
    convs = read_path(Path(path))
    seconds = time.perf_counter() - start
    messages = convs[0].messages
    print(json.dumps({
        "seconds": seconds,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "messages": len(messages),
        "labelled": sum(m.language is not None for m in messages),
    }))


def line(name: str, value: float, unit: str, target: float) -> bool:
    ok = value < target
    print(f"{name}: {value:.2f} {unit} (target < {target:g}) {'ok' if ok else 'MISS'}")
    return ok


def bench_import(messages: int = 50_000, runs: int = 3) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "Conversa do WhatsApp com Agência Aurora.txt"
        generate_export(export, messages)
        size_mb = export.stat().st_size / 1e6
        results, walls = [], []
        for _ in range(runs):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, __file__, "--child", str(export)],
                                  capture_output=True, text=True, check=True, cwd=ROOT)
            walls.append(time.perf_counter() - start)
            results.append(json.loads(done.stdout))
    first = results[0]
    print(f"import: {size_mb:.1f} MB export, {first['messages']} messages read, "
          f"{first['labelled']} with a language; whole process "
          f"{statistics.median(walls):.2f} s (Python start-up and imports included)")
    ok = first["messages"] == messages
    if not ok:
        print(f"import: {messages} messages written, {first['messages']} read: MISS")
    seconds = statistics.median(r["seconds"] for r in results)
    rss = statistics.median(r["rss_mb"] for r in results)
    ok = line(f"import {messages // 1000}k messages", seconds, "s", 3) and ok
    return line("import peak memory", rss, "MB", 300) and ok


def bench_sentiment(messages: int = 500, latency_s: float = 0.2) -> bool:
    """Sentiment throughput of `analyse_all` against the emulator (see the module docstring)."""
    import asyncio

    from aidesk.features import chat, chat_batch, chat_store
    from aidesk.imports.model import ChatMessage, Conversation
    from tests.emulator.remote import RemoteEmulator
    from tests.support import configure, make_core

    rng = random.Random(5)
    start = datetime(2024, 1, 15, 9, 0)

    def conversation(title: str, count: int) -> Conversation:
        texts = [f"{i}. {sentence(rng, PT)}" for i in range(count)]
        return Conversation(title, f"{title}.txt", "whatsapp", tuple(
            ChatMessage(SENDERS[i % 2], start + timedelta(minutes=i), text, "text", "pt", i + 1)
            for i, text in enumerate(texts)))

    concurrency, size = chat_batch.DEFAULT_CONCURRENCY, chat.BATCH_SIZE
    warm_up, measured = conversation("Aquecimento", concurrency * size), conversation(
        "Agência Aurora", messages)
    if any(len(b) != size for b in chat.batches(measured.messages)[: messages // size]):
        raise SystemExit("bench: the messages do not fill batches of 20; shorten them")
    # Every full batch carries the ids 1..20, so one scripted answer fits each of them.
    labels = {"labels": [{"id": i, "sentiment": "neutral", "reason": "mensagem informativa"}
                         for i in range(1, size + 1)]}
    verdict = {"sentiment": "positive", "reason": "conversa cordial"}
    with tempfile.TemporaryDirectory() as tmp, RemoteEmulator() as emu:
        core = make_core(Path(tmp))
        ws = core.workspaces.get()
        configure(core, ws, emu, "openai")
        warm, cid = chat_store.save_conversations(core.db, ws.tenant_id, [warm_up, measured])
        emu.reply("openai", json.dumps(labels), match="Classify each message")
        emu.reply("openai", json.dumps(verdict), match="Classify the conversation")
        emu.latency("openai", latency_s)

        async def run() -> tuple[chat_batch.BatchReport, float]:
            try:
                await chat_batch.analyse_all(core.router, core.db, ws, [warm])
                began = time.perf_counter()
                report = await chat_batch.analyse_all(core.router, core.db, ws, [cid])
                return report, time.perf_counter() - began
            finally:
                await core.router.aclose()

        report, seconds = asyncio.run(run())
        core.close()
    calls = -(-messages // size) + 1
    rate, bound = messages / seconds, concurrency * size / latency_s
    ok = report.ok and report.messages_labelled == messages and rate >= 0.8 * bound
    print(f"sentiment: {messages} messages in {calls} calls ({calls - 1} batches and the "
          f"conversation's label), {concurrency} at a time, {latency_s * 1000:.0f} ms per "
          f"call: {seconds:.2f} s")
    print(f"sentiment {messages} messages: {rate:.0f} msg/s, {rate / bound:.2f}x (target >= "
          f"0.8x of {bound:.0f} msg/s bound) {'ok' if ok else 'MISS'}")
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Chat benchmarks.")
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sentiment", type=int, default=500, metavar="MESSAGES",
                        help="messages labelled in the sentiment part")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    ok = bench_import(args.messages, args.runs)
    ok = bench_sentiment(args.sentiment) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
