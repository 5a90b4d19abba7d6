"""The task form: preset, product, audience, tone, language, length, free prompt and the AI."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from aidesk.features.marketing import (
    DEFAULT_LANGUAGE,
    DEFAULT_LENGTH,
    DEFAULT_PRESET,
    LANGUAGES,
    LENGTHS,
    MODULE,
    PRESETS,
    TONES,
    MarketingFields,
)
from aidesk.i18n import N_, _
from aidesk.ui.ai_selector import AISelector
from aidesk.ui.context import UiContext

# Texts defined once: marked with N_() and translated where shown.
PROMPT_HINTS = {
    "rewrite": N_("Paste the text you want improved."),
    "free": N_("Write what you need, e.g. Three slogans for an artisan bakery."),
}
PROMPT_HINT = N_("Optional: anything else to include, e.g. Mention free delivery on Saturdays.")
# What the prompt field means for each preset, with its mnemonic (&T is the task picker).
PROMPT_LABELS = {"rewrite": N_("Te&xt to rewrite:"), "free": N_("&Your prompt:")}
PROMPT_LABEL = N_("&Extra instructions:")
PRODUCT_HINT = N_("e.g. Sourdough bread baked every morning")
FormState = tuple[str, MarketingFields]


class MarketingForm(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.preset = QComboBox()
        for preset in PRESETS.values():
            self.preset.addItem(_(preset.label), preset.id)
        self.product = QLineEdit()
        self.product.setPlaceholderText(_(PRODUCT_HINT))
        self.audience = QLineEdit()
        self.audience.setPlaceholderText(_("e.g. Families in the neighbourhood"))
        self.tone = QComboBox()
        self.tone.setEditable(True)
        for tone in TONES:
            self.tone.addItem(_(tone), tone)
        self.tone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.language = QComboBox()
        for lang in LANGUAGES.values():
            self.language.addItem(_(lang.label), lang.code)
        self.length = QComboBox()
        for code, label in LENGTHS.items():
            self.length.addItem(_(label), code)
        self.prompt = QPlainTextEdit()
        self.prompt.setTabChangesFocus(True)
        self.prompt.setMinimumHeight(90)
        self.selector = AISelector(ctx, MODULE)
        self.prompt_label = QLabel()

        rows: list[tuple[str | QLabel, QWidget, str]] = [
            (_("&Task:"), self.preset, _("Task")),
            (_("&Product or service:"), self.product, _("Product or service")),
            (_("Au&dience:"), self.audience, _("Audience")),
            (_("T&one:"), self.tone, _("Tone")),
            (_("&Language:"), self.language, _("Language")),
            (_("Lengt&h:"), self.length, _("Length")),
            (self.prompt_label, self.prompt, ""),
            (_("&AI:"), self.selector, _("AI provider")),
        ]
        for text_or_label, field, name in rows:
            row_label = (QLabel(text_or_label) if isinstance(text_or_label, str)
                         else text_or_label)
            row_label.setBuddy(field)
            if name:
                field.setAccessibleName(name)
            layout.addRow(row_label, field)
        self.reset()
        self.preset.currentIndexChanged.connect(self._preset_changed)

    def fields_in_tab_order(self) -> list[QWidget]:
        return [self.preset, self.product, self.audience, self.tone, self.language,
                self.length, self.prompt, self.selector]

    def tone_value(self) -> str:
        """The tone for the prompt: a listed tone by its English name, else what was typed."""
        text = self.tone.currentText()
        index = self.tone.findText(text)
        data = self.tone.itemData(index) if index >= 0 else None
        return str(data) if data else text

    def preset_id(self) -> str:
        return str(self.preset.currentData())

    def fields(self) -> MarketingFields:
        return MarketingFields(
            product=self.product.text(), audience=self.audience.text(),
            tone=self.tone_value(), language=str(self.language.currentData()),
            length=str(self.length.currentData()), prompt=self.prompt.toPlainText())

    def state(self) -> FormState:
        return self.preset_id(), self.fields()

    def restore(self, state: FormState | None) -> None:
        """Show a saved state, or the defaults (empty fields) when None."""
        preset, fields = state or (DEFAULT_PRESET, MarketingFields(
            tone=TONES[0], language=DEFAULT_LANGUAGE, length=DEFAULT_LENGTH))
        self.preset.setCurrentIndex(max(0, self.preset.findData(preset)))
        self.product.setText(fields.product)
        self.audience.setText(fields.audience)
        index = self.tone.findData(fields.tone)
        if index >= 0:
            self.tone.setCurrentIndex(index)
        else:
            self.tone.setCurrentText(fields.tone)
        self.language.setCurrentIndex(max(0, self.language.findData(fields.language)))
        self.length.setCurrentIndex(max(0, self.length.findData(fields.length)))
        self.prompt.setPlainText(fields.prompt)
        self._preset_changed()

    def reset(self) -> None:
        self.restore(None)

    def field_widget(self, name: str) -> QWidget:
        """The input named by `IncompleteForm.field`."""
        return {"product": self.product, "prompt": self.prompt}.get(name, self.preset)

    def _preset_changed(self) -> None:
        preset = self.preset_id()
        needs_text = PRESETS[preset].needs_text
        label = _(PROMPT_LABELS.get(preset, PROMPT_LABEL))
        self.prompt_label.setText(label)
        self.prompt.setAccessibleName(label.replace("&", "").rstrip(":").strip())
        self.prompt.setPlaceholderText(_(PROMPT_HINTS.get(preset, PROMPT_HINT)))
        self.product.setPlaceholderText(
            _("Optional for this task") if needs_text else _(PRODUCT_HINT))
