"""Marketing presets and the prompt builder (no Qt, no network)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from aidesk.errors import AIDeskError
from aidesk.features import marketing as m
from aidesk.features.marketing import IncompleteForm, MarketingFields, build_prompt

FIELDS = MarketingFields(product="Pão de fermentação natural", audience="famílias do bairro",
                         tone="Friendly")


def test_every_issue_preset_exists_with_all_lengths() -> None:
    wanted = {"social_post", "ad_copy", "email_subjects", "landing_headline", "whatsapp",
              "rewrite"}
    assert wanted <= set(m.PRESETS)
    for preset in m.PRESETS.values():
        assert set(preset.sizes) == set(m.LENGTHS), preset.id
        assert preset.label and preset.task


def test_languages_default_to_brazilian_portuguese() -> None:
    assert list(m.LANGUAGES) == ["pt", "en", "es", "fr", "it"]
    assert m.MarketingFields().language == m.DEFAULT_LANGUAGE == "pt"
    system, _ = build_prompt("social_post", FIELDS)
    assert "Brazilian Portuguese" in system


@pytest.mark.parametrize(("code", "name"), [("en", "English"), ("es", "Spanish"),
                                            ("fr", "French"), ("it", "Italian")])
def test_language_goes_into_the_system_prompt(code: str, name: str) -> None:
    system, user = build_prompt("ad_copy", MarketingFields(product="Café", language=code))
    assert name in system and "Portuguese" not in system
    assert "Café" in user


def test_user_prompt_carries_task_length_and_every_field() -> None:
    fields = MarketingFields(product="Bolo de cenoura", audience="mães ocupadas",
                             tone="Fun", length="long", prompt="Mencione a entrega grátis")
    system, user = build_prompt("email_subjects", fields)
    assert "copywriter" in system
    assert m.PRESETS["email_subjects"].task in user
    assert "15 subject lines" in user
    for text in ("Bolo de cenoura", "mães ocupadas", "Tone: Fun", "Mencione a entrega grátis"):
        assert text in user


def test_empty_optional_fields_are_left_out() -> None:
    _, user = build_prompt("social_post", MarketingFields(product="Pizza"))
    assert "Target audience" not in user and "Tone" not in user and "instructions" not in user


def test_length_changes_size_and_max_tokens() -> None:
    short = build_prompt("social_post", MarketingFields(product="x", length="short"))[1]
    long = build_prompt("social_post", MarketingFields(product="x", length="long"))[1]
    assert short != long
    assert m.max_tokens("short") < m.max_tokens("medium") < m.max_tokens("long")
    assert m.max_tokens("nonsense") == m.max_tokens(m.DEFAULT_LENGTH)


def test_rewrite_needs_the_text_and_not_the_product() -> None:
    with pytest.raises(IncompleteForm) as info:
        build_prompt("rewrite", MarketingFields(product="Pizza"))
    assert info.value.field == "prompt" and "rewrite" in info.value.user_message
    _, user = build_prompt("rewrite", MarketingFields(prompt="Compre já nossa pizza!"))
    assert "Text to rewrite:\nCompre já nossa pizza!" in user


def test_presets_other_than_rewrite_need_a_product() -> None:
    with pytest.raises(IncompleteForm) as info:
        build_prompt("whatsapp", MarketingFields(product="  "))
    assert info.value.field == "product"
    assert isinstance(info.value, AIDeskError)


def test_free_prompt_preset_sends_the_prompt() -> None:
    _, user = build_prompt("free", MarketingFields(prompt="Três slogans para uma padaria"))
    assert "Três slogans para uma padaria" in user
    with pytest.raises(IncompleteForm):
        build_prompt("free", MarketingFields())


def test_unknown_preset_is_a_clear_error() -> None:
    with pytest.raises(IncompleteForm, match="Pick a task"):
        build_prompt("nope", FIELDS)


def test_prompt_label_names_the_field() -> None:
    assert m.prompt_label("rewrite") == "Text to rewrite"
    assert m.prompt_label("free") == "Your prompt"
    assert m.prompt_label("ad_copy") == "Extra instructions"


def test_the_same_fields_give_the_same_prompt() -> None:
    """The router's cache key includes the messages: identical forms must hit the cache."""
    assert build_prompt("social_post", FIELDS) == build_prompt("social_post", FIELDS)


def test_module_imports_no_qt_and_no_sqlalchemy() -> None:
    code = ("import sys, aidesk.features.marketing; "
            "print(any(m.split('.')[0] in ('PySide6', 'sqlalchemy') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
