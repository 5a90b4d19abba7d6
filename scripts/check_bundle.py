"""Smoke-test the packaged app in dist/aidesk/ the way a user and an admin would use it.

Runs the bundle's own executable (never the source) in a scratch data folder:
`--smoke` offscreen, then keys saved to the OS keyring and one real call per provider
kind against the provider emulator (`tests/emulator`, started here on 127.0.0.1), the
database check, then dates and messages in Brazilian Portuguese. Exits non-zero with the
failing step's output. Needs a Secret Service for the key steps: scripts/check-bundle runs
it inside a private D-Bus session.

    python scripts/check_bundle.py [dist/aidesk/aidesk]
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.emulator.common import reply_text  # noqa: E402
from tests.emulator.remote import RemoteEmulator  # noqa: E402

PROVIDERS = ("local", "openai", "anthropic", "gemini", "groq", "openrouter")


def run(exe: Path, env: dict[str, str], *args: str, stdin: str = "",
        timeout: float = 60) -> str:
    started = time.monotonic()
    out = subprocess.run([str(exe), *args], input=stdin, capture_output=True, text=True,
                         env=env, timeout=timeout)
    took = time.monotonic() - started
    if out.returncode != 0:
        raise SystemExit(f"bundle check FAILED: aidesk {' '.join(args)} exited "
                         f"{out.returncode} after {took:.1f} s\n{out.stdout}{out.stderr}")
    print(f"  ok  aidesk {' '.join(args)} ({took:.1f} s)")
    return out.stdout


def main() -> int:
    exe = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist" / "aidesk" / "aidesk"
    if not exe.exists():
        raise SystemExit(f"bundle check FAILED: {exe} does not exist; run scripts/build first")
    with tempfile.TemporaryDirectory() as tmp, RemoteEmulator() as emu:
        env = {**os.environ, "AIDESK_DATA_DIR": str(Path(tmp) / "data"),
               "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(Path(tmp) / "config")}
        smoke = run(exe, env, "--smoke", timeout=45)
        for line in smoke.splitlines():
            if not line.startswith("epochs:"):
                print(f"      {line}")
        if "core ready" not in smoke or "keyring:" not in smoke:
            raise SystemExit(f"bundle check FAILED: --smoke printed no readiness\n{smoke}")
        shots = Path(tmp) / "shots"
        run(exe, env, "--smoke", "--screenshots", str(shots), timeout=90)
        from aidesk.ui.tabs import TABS

        pictured = sorted(p.name for p in shots.glob("*.png"))
        if len(pictured) < 2 * len(TABS):  # every tab, built in the bundle, at two sizes
            raise SystemExit(f"bundle check FAILED: only {pictured} were pictured")
        print(f"      every tab built and pictured: {len(pictured)} PNGs")
        for provider in PROVIDERS:
            run(exe, env, "config", "set", f"providers.{provider}.base_url",
                emu.base_url(provider))
            if provider != "local":
                run(exe, env, "keys", "set", provider, stdin=emu.key(provider) + "\n")
        run(exe, env, "keys", "check")
        for provider in PROVIDERS:
            prompt = f"pacote {provider}"
            answer = run(exe, env, "ask", "--provider", provider, "--no-cache", prompt)
            model = run(exe, env, "config", "get", f"providers.{provider}.model").strip()
            if answer.strip() != reply_text(provider, model, prompt):
                raise SystemExit(f"bundle check FAILED: {provider} answered {answer!r}")
        run(exe, env, "db", "check")
        check_chat(exe, env)
        check_meeting(exe, env, Path(tmp))
        check_images(exe, env, emu, Path(tmp))
        check_sync(exe, env)
        portuguese = env | {"LANGUAGE": "pt_BR", "LANG": "pt_BR.UTF-8"}
        listed = run(exe, portuguese, "db", "restore")  # dates by locale: Babel's data
        if not re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", listed):
            raise SystemExit(f"bundle check FAILED: no pt-BR date in\n{listed}")
        refused = subprocess.run([str(exe), "ask", ""], capture_output=True, text=True,
                                 env=portuguese, timeout=60)
        if refused.returncode != 1 or "vazio" not in refused.stderr:
            raise SystemExit("bundle check FAILED: the empty prompt was not refused in "
                             f"Portuguese: {refused.stderr!r}")
        print("  ok  aidesk ask '' in pt-BR: " + refused.stderr.strip())
    print(f"bundle check: ok ({exe})")
    return 0


def check_chat(exe: Path, env: dict[str, str]) -> None:
    """The importers' libraries in the bundle: charset-normalizer and ftfy repair a latin-1
    mojibake export, lingua labels its languages; then one structured chat call (a summary)."""
    import json

    export = (ROOT / "tests" / "imports" / "corpus" / "encoding"
              / "Conversa do WhatsApp com Maria Souza (latin-1 mojibake).txt")
    messages = json.loads(run(exe, env, "import", str(export), "--json"))
    said = " ".join(m["text"] for m in messages)
    if "Pão Quente" not in said or "Ã" in said:
        raise SystemExit(f"bundle check FAILED: the mojibake was not repaired: {said[:300]!r}")
    if "pt" not in {m["language"] for m in messages}:
        raise SystemExit("bundle check FAILED: no message was detected as Portuguese")
    [summary] = json.loads(run(exe, env, "chat", "summarize", str(export), "--json"))
    if summary["error"] or not summary["summary"]["executive_summary"]:
        raise SystemExit(f"bundle check FAILED: no summary in {summary!r:.300}")
    print(f"      {len(messages)} messages imported, repaired and summarised")


def check_meeting(exe: Path, env: dict[str, str], tmp: Path) -> None:
    """PyAV (FFmpeg) in the bundle: a WhatsApp-style .opus voice note is not a type the
    transcription endpoints take, so the packaged app decodes it and sends it as FLAC."""
    import json

    from tests.meeting_support import pcm, write_encoded

    voice = write_encoded(tmp / "voz.ogg", pcm(["bom", "dia", 0.6, "equipe"]))
    voice = voice.rename(tmp / "audio da reunião.opus")
    meeting = json.loads(run(exe, env, "meeting", "summarize", str(voice), "--json"))
    if not meeting["transcript"].startswith("Audio audio-da-reuniao-part01.flac:") or \
            not meeting["summary"]:
        raise SystemExit(f"bundle check FAILED: the voice note was not cut and summarised: "
                         f"{meeting!r:.300}")
    print(f"      a {meeting['duration_s']} s .opus decoded, sent as FLAC and summarised")


def check_images(exe: Path, env: dict[str, str], emu: RemoteEmulator, tmp: Path) -> None:
    """Stability's multipart request (httpx2) and its PNG, saved to the gallery and copied."""
    import json

    run(exe, env, "config", "set", "providers.stability.base_url", emu.base_url("stability"))
    run(exe, env, "keys", "set", "stability", stdin=emu.key("stability") + "\n")
    made = json.loads(run(exe, env, "images", "generate", "--provider", "stability",
                          "--out", str(tmp / "imagens"), "--json", "pão de queijo na mesa"))
    [image] = made["images"]
    copy = Path(image["copy"])
    if made["provider"] != "stability" or not copy.read_bytes().startswith(b"\x89PNG"):
        raise SystemExit(f"bundle check FAILED: no PNG from Stability: {made!r:.300}")
    print(f"      a {image['width']}x{image['height']} PNG from Stability saved and copied")


def check_sync(exe: Path, env: dict[str, str]) -> None:
    """The bundle's psycopg and central migrations: migrate, push the calls above, twice."""
    import json
    import secrets

    import psycopg

    name = f"aidesk_bundle_{secrets.token_hex(4)}"
    admin = "host=127.0.0.1 port=5432 user=postgres dbname=test"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        run(exe, env, "config", "set", "sync.dsn", f"postgresql://postgres@127.0.0.1:5432/{name}")
        run(exe, env, "sync", "migrate")
        first = json.loads(run(exe, env, "sync", "--json"))
        again = json.loads(run(exe, env, "sync", "--json"))
        with psycopg.connect(admin.replace("dbname=test", f"dbname={name}")) as conn:
            row = conn.execute("SELECT count(*), count(DISTINCT client_uuid) "
                               "FROM ai_usage_logs").fetchone()
        pushed = first["pushed"].get("ai_usage_logs", 0)
        if row is None or row[0] != row[1] or row[0] < len(PROVIDERS) or row[0] != pushed \
                or sum(again["pushed"].values()) != 0 or again["pending"] != 0:
            raise SystemExit(f"bundle check FAILED: sync pushed {first}, then {again}; "
                             f"the centre has {row}")
        print(f"      {pushed} usage rows pushed to PostgreSQL once, none twice")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
