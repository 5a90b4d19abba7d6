"""The core in Brazilian Portuguese: the catalogues are complete, compiled and up to date, and
the command line, the errors and their hints speak the user's language.

Catalogue checks: every msgid of both templates (.pot) has a non-fuzzy pt_BR translation; the
committed .mo files are what the .po files compile to; the templates hold every text the
sources mark (extracted again into a temporary folder: this fails when a text is added and
`scripts/i18n` is not run); a translation keeps its msgid's placeholders.
"""

from __future__ import annotations

import gettext
import io
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from aidesk import formats, i18n
from aidesk.errors import (
    DeadlineExceeded,
    InvalidKey,
    LimitExceeded,
    NoProviderAvailable,
    ProviderUnavailable,
)

ROOT = Path(__file__).resolve().parents[1]
LOCALE = i18n.LOCALE_DIR
DOMAINS = ("aidesk", "aidesk_ui")
CONFIGS = {"aidesk": "babel-core.cfg", "aidesk_ui": "babel-ui.cfg"}
FIELD = re.compile(r"\{[^{}]*\}")  # {name}
PERCENT = re.compile(r"%(?:\([a-z_]+\))?[sdr]")  # argparse's %s and %(name)s


def po(domain: str) -> Catalog:
    with open(LOCALE / "pt_BR" / "LC_MESSAGES" / f"{domain}.po", "rb") as file:
        return read_po(file, locale="pt_BR")


def pot(path: Path) -> Catalog:
    with open(path, "rb") as file:
        return read_po(file)


def msgids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}


def test_every_module_that_marks_texts_is_extracted() -> None:
    """A package missing from babel-core.cfg / babel-ui.cfg would stay English silently."""
    patterns = [line.strip()[len("[python: "):-1]
                for cfg in CONFIGS.values()
                for line in (LOCALE / cfg).read_text(encoding="utf-8").splitlines()
                if line.startswith("[python: ")]
    covered = {path for pattern in patterns  # Babel's `**.py` is any depth, `**/*.py` here
               for path in ROOT.glob(pattern.replace("**.py", "**/*.py"))}
    marking = {path for path in (ROOT / "aidesk").rglob("*.py")
               if re.search(r"\b(_|N_|ngettext)\(", path.read_text(encoding="utf-8"))}
    assert sorted(str(p.relative_to(ROOT)) for p in marking - covered) == []


# -- the catalogues -----------------------------------------------------------------------------
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_text_has_a_portuguese_translation(domain: str) -> None:
    template = pot(LOCALE / f"{domain}.pot")
    catalogue = po(domain)
    missing, fuzzy = [], []
    for message in template:
        if not message.id:
            continue
        found = catalogue.get(message.id)
        strings = () if found is None else (
            found.string if isinstance(found.string, tuple) else (found.string,))
        if found is None or not all(strings):
            missing.append(message.id)
        elif found.fuzzy:
            fuzzy.append(message.id)
    assert len(template) > 100
    assert not missing, f"{len(missing)} texts of {domain} have no translation: {missing[:10]}"
    assert not fuzzy, f"{len(fuzzy)} translations of {domain} are fuzzy: {fuzzy[:10]}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_compiled_catalogue_matches_the_po_file(domain: str) -> None:
    buffer = io.BytesIO()
    write_mo(buffer, po(domain), use_fuzzy=False)
    buffer.seek(0)
    expected = gettext.GNUTranslations(buffer)
    with open(LOCALE / "pt_BR" / "LC_MESSAGES" / f"{domain}.mo", "rb") as file:
        committed = gettext.GNUTranslations(file)
    ours = {k: v for k, v in expected._catalog.items() if k != ""}  # type: ignore[attr-defined]
    theirs = {k: v for k, v in committed._catalog.items() if k != ""}  # type: ignore[attr-defined]
    assert ours == theirs, (f"{domain}.mo is not the compiled {domain}.po: run scripts/i18n and "
                            "commit the .mo")


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_templates_hold_every_marked_text(domain: str, tmp_path: Path) -> None:
    script = (ROOT / "scripts" / "i18n").read_text(encoding="utf-8")
    keywords = re.search(r"keywords=\((.*)\)", script)
    assert keywords is not None, "scripts/i18n names its keywords in keywords=(…)"
    pybabel = Path(sys.executable).with_name("pybabel")
    out = tmp_path / f"{domain}.pot"
    subprocess.run([str(pybabel), "extract", "-F", str(LOCALE / CONFIGS[domain]),
                    *keywords.group(1).split(), "--omit-header", "-o", str(out), "."],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    fresh, committed = msgids(pot(out)), msgids(pot(LOCALE / f"{domain}.pot"))
    added, removed = fresh - committed, committed - fresh
    assert not added and not removed, (
        f"aidesk/locale/{domain}.pot is out of date: run scripts/i18n and translate the new "
        f"entries. New: {sorted(map(str, added))[:10]}; gone: {sorted(map(str, removed))[:10]}")


@pytest.mark.parametrize("domain", DOMAINS)
def test_translations_keep_the_placeholders(domain: str) -> None:
    wrong = []
    for message in po(domain):
        if not message.id:
            continue
        ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        strings = [str(s) for s in (message.string if isinstance(message.string, tuple)
                                    else (message.string,))]
        for index, text in enumerate(strings):
            source = ids[min(index, len(ids) - 1)]
            for pattern in (FIELD, PERCENT):
                if sorted(pattern.findall(source)) != sorted(pattern.findall(text)):
                    wrong.append((source, text))
    assert not wrong, "placeholders differ:\n" + "\n".join(f"{a!r} → {b!r}" for a, b in wrong)


def test_marketing_labels_are_translated_but_the_prompt_is_not() -> None:
    from aidesk.features.marketing import PRESETS, MarketingFields, build_prompt

    fields = MarketingFields(product="Pão", audience="Famílias", tone="Friendly")
    english = build_prompt("social_post", fields)
    i18n.activate("pt_BR")
    assert i18n._(PRESETS["social_post"].label) == "Publicação para redes sociais"
    assert i18n._("Friendly") == "Amigável"
    assert build_prompt("social_post", fields) == english  # the AI gets the same instruction
    assert "Tone: Friendly" in english[1]


# -- errors and their hints, per surface ----------------------------------------------------------
def test_errors_in_portuguese_with_the_hint_of_each_surface() -> None:
    i18n.activate("pt_BR")
    error = NoProviderAvailable("default")
    assert error.message_for("cli") == (
        "Nenhum provedor de IA está configurado e ativado no espaço de trabalho 'default'. "
        "Adicione uma chave com `aidesk keys set openai`.")
    assert error.message_for("gui").endswith("Adicione uma chave em Integrações.")
    assert error.user_message == error.message_for("cli")  # the CLI is the default surface
    i18n.set_surface("gui")
    assert error.user_message == error.message_for("gui") and str(error) == error.user_message
    assert "`" not in InvalidKey("openai").user_message
    assert "Configurações (Ctrl+,)" in DeadlineExceeded(30).user_message
    assert ProviderUnavailable("local").user_message == (
        "Servidor local: o serviço está sobrecarregado ou fora do ar. Tente de novo em alguns "
        "minutos."), "the desktop names a provider as people write it"
    i18n.set_surface("cli")
    assert ProviderUnavailable("groq").user_message == (
        "groq: o serviço está sobrecarregado ou fora do ar. Tente de novo em alguns minutos."
    ), "the command line names it by the id an admin types"


def test_limit_refusal_says_the_reset_in_local_time() -> None:
    resets = datetime(2026, 11, 26, tzinfo=UTC)
    i18n.activate("pt_BR")
    refused = LimitExceeded("tokens_per_day", 1000, 990, resets)
    local = formats.date_time(resets)
    assert re.fullmatch(r"\d\d/\d\d/2026 \d\d:\d\d", local)
    assert refused.message_for("cli") == (
        f"Limite do espaço de trabalho atingido: tokens por dia é 1000 (usado: 990). Ele é "
        f"zerado em {local}. Aumente-o com `aidesk config set limits.tokens_per_day N`.")
    assert refused.message_for("gui").endswith("Aumente-o em Configurações (Ctrl+,).")


def test_decimal_numbers_in_messages_use_the_languages_decimal_sign() -> None:
    i18n.activate("pt_BR")
    refused = LimitExceeded("cost_per_month", 2.5, 2.75, datetime(2026, 12, 1, tzinfo=UTC))
    assert "custo por mês (USD) é 2,5 (usado: 2,75)" in refused.text
    assert formats.plain(200000) == "200000" and formats.plain(1.5) == "1,5"
    assert (formats.bucket("2026-11-06"), formats.bucket("2026-11")) == ("06/11", "11/2026")
    i18n.activate("en")
    assert formats.plain(1.5) == "1.5"
    assert formats.bucket("2026-11-06") == "11/6"


def test_router_hints_follow_the_surface(core, ws) -> None:  # type: ignore[no-untyped-def]
    from aidesk.errors import NotConfigured
    from aidesk.router.route import skip_hop

    with pytest.raises(NotConfigured) as cli:
        core.router.resolve(ws, "groq", None, None)
    assert cli.value.user_message.endswith("Add one with `aidesk keys set groq`.")
    i18n.set_surface("gui")
    i18n.activate("pt_BR")
    with pytest.raises(NotConfigured) as gui:
        core.router.resolve(ws, "groq", None, None)
    assert gui.value.user_message == ("Groq: nenhuma chave de API definida. Adicione uma em "
                                      "Integrações.")
    tested = datetime.now(UTC) - timedelta(hours=1)
    config = core.workspaces.config(ws.tenant_id, "openai")
    from dataclasses import replace

    hop = skip_hop(replace(config, enabled=True, key_fingerprint="f", last_test_status="rejected",
                           last_test_at=tested))
    assert hop is not None
    assert hop.message == f"chave recusada no último teste, em {formats.date_time(tested)}"


# -- the command line, as a user runs it ---------------------------------------------------------
def run_cli(data_dir: Path, *argv: str, lang: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
    env.update(LANG=lang, LANGUAGE="", AIDESK_DATA_DIR=str(data_dir))
    command = Path(sys.executable).with_name("aidesk")
    args = [str(command)] if command.exists() else [sys.executable, "-m", "aidesk"]
    return subprocess.run([*args, *argv], env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)


def test_cli_says_in_portuguese_that_the_prompt_is_empty(tmp_path: Path) -> None:
    done = run_cli(tmp_path / "data", "ask", "", lang="pt_BR.UTF-8")
    assert done.returncode == 1, done.stderr
    assert done.stderr == ("aidesk: O pedido está vazio: passe-o como argumento ou pela entrada "
                           "padrão (stdin).\n")
    english = run_cli(tmp_path / "data", "ask", "", lang="C.UTF-8")
    assert english.returncode == 1
    assert english.stderr == "aidesk: The prompt is empty: pass it as an argument or on stdin.\n"


def test_argparse_texts_in_portuguese(tmp_path: Path) -> None:
    wrong = run_cli(tmp_path / "data", "ask", "--bogus", "x", lang="pt_BR.UTF-8")
    assert wrong.returncode == 2
    assert wrong.stderr == ("aidesk: argumentos não reconhecidos: --bogus; veja "
                            "`aidesk --help`.\n")
    helped = run_cli(tmp_path / "data", "keys", "--help", lang="pt_BR.UTF-8")
    assert helped.returncode == 0
    assert helped.stdout.startswith("uso: aidesk keys")
    assert "opções:" in helped.stdout and "mostra esta ajuda e sai" in helped.stdout
    assert "testa uma chave e a salva" in helped.stdout


def test_the_language_setting_overrides_the_system_language(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = run_cli(data, "config", "set", "ui.language", "en", lang="pt_BR.UTF-8")
    assert done.returncode == 0, done.stderr
    english = run_cli(data, "ask", "", lang="pt_BR.UTF-8")
    assert english.stderr.startswith("aidesk: The prompt is empty"), english.stderr
    assert run_cli(data, "config", "set", "ui.language", "pt_BR", lang="C").returncode == 0
    portuguese = run_cli(data, "ask", "", lang="C")
    assert portuguese.stderr.startswith("aidesk: O pedido está vazio"), portuguese.stderr
    assert run_cli(data, "config", "set", "ui.language", "system", lang="C").returncode == 0
    assert run_cli(data, "ask", "", lang="pt_BR.UTF-8").stderr.startswith(
        "aidesk: O pedido está vazio")
