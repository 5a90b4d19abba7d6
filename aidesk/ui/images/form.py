"""The Images tab's request form: preset, description, size or aspect, count, provider."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from aidesk.features.images import MAX_IMAGES, MODULE, PRESETS
from aidesk.i18n import N_, _
from aidesk.ui.ai_selector import AISelector

if TYPE_CHECKING:
    from aidesk.ui.context import UiContext

# (value the router takes, label); an aspect ratio reaches OpenAI as the standard size of
# the same orientation (aidesk.providers.media.orientation_size).
SIZE_LABELS: tuple[tuple[str, str], ...] = (
    ("1024x1024", N_("Square 1:1 (1024×1024)")),
    ("1536x1024", N_("Landscape 3:2 (1536×1024)")),
    ("1024x1536", N_("Portrait 2:3 (1024×1536)")),
    ("16:9", N_("Wide 16:9 (banners)")),
    ("9:16", N_("Tall 9:16 (stories)")),
    ("4:5", N_("Feed portrait 4:5")),
    ("5:4", N_("Landscape 5:4")),
    ("21:9", N_("Ultra-wide 21:9")),
    ("auto", N_("Automatic (the model decides)")),
)
_SAME = {"1:1": "1024x1024", "3:2": "1536x1024", "2:3": "1024x1536"}  # one entry per shape


class ImageForm(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preset_box = QComboBox()
        self.preset_box.setAccessibleName(_("Preset"))
        self.preset_box.addItem(_("No preset"), None)
        for preset in PRESETS.values():
            self.preset_box.addItem(_(preset.label), preset.id)
        self.preset_hint = QLabel()
        self.preset_hint.setWordWrap(True)
        self.preset_hint.setProperty("role", "hint")
        self.prompt = QPlainTextEdit()
        self.prompt.setAccessibleName(_("Image description"))
        self.prompt.setPlaceholderText(_("Describe the image: subject, setting, mood, colours. "
                                         "E.g. a latte with leaf art on a wooden counter, "
                                         "morning light."))
        self.prompt.setMinimumHeight(90)
        self.size_box = QComboBox()
        self.size_box.setAccessibleName(_("Size or aspect"))
        for value, label in SIZE_LABELS:
            self.size_box.addItem(_(label), value)
        self.count_box = QComboBox()
        for n in range(1, MAX_IMAGES + 1):
            self.count_box.addItem(str(n), n)
        self.count_box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.count_box.setAccessibleName(_("Number of images"))
        self.count_box.setToolTip(_("Each image is billed: 1 to {max} per press.").format(
            max=MAX_IMAGES))
        self.selector = AISelector(ctx, MODULE, capability="images")
        self.generate_button = QPushButton(_("&Generate"))
        self.generate_button.setToolTip(_("Make new images (Ctrl+Enter); every press is billed"))
        self.generate_button.setDefault(True)

        form = QFormLayout()  # a label with & gets its field as buddy: Alt+letter goes there
        form.addRow(_("&Preset:"), self.preset_box)
        form.addRow("", self.preset_hint)
        form.addRow(_("Si&ze:"), self.size_box)
        form.addRow(_("&Number:"), self.count_box)
        form.addRow(_("P&rovider:"), self.selector)
        describe = QLabel(_("&Description:"))
        describe.setBuddy(self.prompt)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(describe)
        layout.addWidget(self.prompt, 1)
        layout.addLayout(form)
        layout.addWidget(self.generate_button)
        self.preset_box.currentIndexChanged.connect(lambda _i: self._preset_chosen())
        self._preset_chosen()

    def _preset_chosen(self) -> None:
        preset = self.preset()
        if preset is None:
            self.preset_hint.setText(_("Your description is sent as it is."))
            return
        self.preset_hint.setText(_(PRESETS[preset].hint))
        self.set_size(PRESETS[preset].size)

    def preset(self) -> str | None:
        data = self.preset_box.currentData()
        return str(data) if data else None

    def chosen_size(self) -> str:
        return str(self.size_box.currentData())

    def set_size(self, size: str) -> None:
        index = self.size_box.findData(_SAME.get(size, size))
        if index >= 0:
            self.size_box.setCurrentIndex(index)

    def count(self) -> int:
        return int(self.count_box.currentData())

    def set_count(self, count: int) -> None:
        self.count_box.setCurrentIndex(max(0, self.count_box.findData(count)))

    def description(self) -> str:
        return self.prompt.toPlainText().strip()
