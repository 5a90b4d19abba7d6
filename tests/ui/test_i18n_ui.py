"""The desktop in Brazilian Portuguese: every visible text of every tab and dialog is translated.

The window is built after `i18n.activate("pt_BR")`, with Qt's own catalogue (qtbase) installed
as `aidesk.ui.app.install_translations` does. Each tab and dialog is brought to a state that
shows its texts (keys checked, a text generated, a limit banner), then every visible widget's
texts are compared with the English source texts of the catalogues: a text that is still an
English msgid, or that carries English words, fails. Brand names, model ids, units, numbers,
paths, {placeholders} and the workspace's own name are allowed. Every tab of aidesk.ui.tabs.TABS
is checked as it first opens. The Chat and Leads tabs are checked with conversations and leads
imported and analysed: their lists, headers, badges, message notes, summary, replies, lead
card and column-mapping dialogs; the Bulk messages, Images and Meetings tabs with a leads CSV
mapped, previewed, written (paused on the way), images made with every preset, and a recording
transcribed and summarised: their tables' cells, the job list, the resume question, the
gallery, the details and the action items. Alt+letter shortcuts of the texts shown together
(the tab titles, the window's fields, the current tab's buttons and labelled fields) must not
clash in Portuguese. Screenshots of every tab are saved in pt-BR and in English at 1024×640
and 1600×1000 (test-artifacts/screenshots/i18n-*.png).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from PySide6.QtCore import (
    QAbstractListModel,
    QLibraryInfo,
    QLocale,
    QModelIndex,
    QSettings,
    Qt,
    QTimer,
    QTranslator,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPlainTextEdit,
    QStyleOptionViewItem,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from aidesk import i18n
from aidesk.ui.app import build_window
from aidesk.ui.assistant.tab import AssistantTab
from aidesk.ui.bridge import CoreBridge
from aidesk.ui.bulk.tab import BulkTab
from aidesk.ui.chat import looks
from aidesk.ui.chat.delegates import MessageDelegate
from aidesk.ui.chat.models import Role as ConversationRole
from aidesk.ui.chat.tab import ChatTab
from aidesk.ui.column_map import ColumnMapDialog
from aidesk.ui.images.tab import ImagesTab
from aidesk.ui.integrations.tab import IntegrationsTab
from aidesk.ui.leads.tab import LeadsTab
from aidesk.ui.main_window import MainWindow
from aidesk.ui.meetings.tab import MeetingsTab
from aidesk.ui.messages import CrashDialog
from aidesk.ui.tabs import TABS
from tests.support import configure
from tests.ui.chat_support import CRM, JOHN, LEADS, MARIA, in_mapping_dialog, model, pick_files
from tests.ui.conftest import shoot
from tests.ui.test_integrations import on_worker

SIZES = ((1024, 640), (1600, 1000))
CORE_CATALOGUE = i18n.LOCALE_DIR / "pt_BR" / "LC_MESSAGES" / "aidesk.mo"
WRONG_GROQ_KEY = "gsk_wrongwrongwrongwrong1234"
# Names and tokens that are the same in every language.
BRANDS = ("Anthropic (Claude)", "Google Gemini", "OpenRouter", "OpenAI", "Groq", "AIDesk",
          "Ollama", "LM Studio", "Claude", "Gemini", "Markdown", "WhatsApp", "Instagram",
          "Facebook", "Ctrl+Enter", "Ctrl+N", "Ctrl+Q", "Ctrl+C", "Ctrl+V", "Esc", "F1")
ALLOWED = [
    r"\b[a-z_]+(?:\.[a-z_]+)+\b",  # setting keys (limits.tokens_per_day)
    r"https?://\S+",  # addresses
    r"(?<![\w])/[\w./-]+",  # paths (data folder, crash report)
    r"\b[\w.-]*\d[\w.:/-]*\b",  # model ids, numbers, key masks (gpt-4o-mini, sk-…a1b2)
    r"\b(?:gpt|claude|gemini|llama|openai|anthropic|groq|openrouter|local)[\w.:/-]*",
    r"\*\.\w+",  # file patterns
    r"\S*…\S*",  # masked keys (sk-…a1b2)
    r"\b(?:ms|s|tokens?|US\$|R\$|URL|API|IA|AI|OK|SQLite)\b",
    r"\{\w+\}",  # a brief's placeholders, named after the file's columns ({nome}, {email})
]
# Words that give an English sentence away (none of them is also Portuguese).
_WORDS = """
the and your with key keys press paste please workspace provider providers save saved test
tested testing this that not yet you from will order cancel close file files name error
unexpected copy report ready enabled disabled model models show add remove check all generate
regenerate stop result text task tone language length audience product service settings help
edit view quit about open look folder back forward new used limit reached resets answered
skipped failed failing verified rejected connection advanced server address fallback
automatic dismiss writing done stopped optional instructions prompt rewrite friendly short
medium long social post email subject headline message free cost requests per hour day month
"""
ENGLISH = frozenset(_WORDS.split())


# -- language ----------------------------------------------------------------------------------
@contextmanager
def language(code: str) -> Iterator[None]:
    """Texts in `code` (ours and Qt's own), as aidesk.ui.app.install_translations sets them."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    i18n.activate(code)
    QLocale.setDefault(QLocale(code))
    translator = QTranslator()
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    installed = code != i18n.DEFAULT and translator.load(f"qtbase_{code}", folder)
    if installed:
        app.installTranslator(translator)
    try:
        yield
    finally:
        if installed:
            app.removeTranslator(translator)
        QLocale.setDefault(QLocale("en_US"))
        i18n.activate(i18n.DEFAULT)


def english_sources() -> tuple[set[str], list[re.Pattern[str]]]:
    """The English texts the Portuguese catalogues translate: plain ones, and patterns for
    the ones with {fields}."""
    plain: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for po in sorted((i18n.LOCALE_DIR / "pt_BR" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as f:
            catalog = read_po(f)
        for message in catalog:
            ids = [str(i) for i in (message.id if isinstance(message.id, (tuple, list))
                                    else (message.id,))]
            strings = [str(s or "") for s in (message.string if isinstance(
                message.string, (tuple, list)) else (message.string,))]
            for source in ids:
                text = normalise(source)
                if not text or text in (normalise(s) for s in strings):
                    continue  # empty, or the same in both languages ("{ms} ms")
                if "{" in source:
                    parts = re.split(r"\{\w+\}", text)
                    if sum(len(p.strip()) for p in parts) >= 4:
                        patterns.append(re.compile(".+?".join(map(re.escape, parts))))
                else:
                    plain.add(text)
    return plain, patterns


def normalise(text: str) -> str:
    text = re.sub(r"<[^>]+>", "", text).replace("&&", "\0").replace("&", "").replace("\0", "&")
    return " ".join(text.replace("\u00a0", " ").split())


# -- what the user sees --------------------------------------------------------------------------
def visible_texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every text a visible widget shows or announces."""
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisible():
            continue
        where = f"{type(w).__name__} {w.objectName() or ''}".strip()
        found: list[str] = [w.toolTip(), w.accessibleName(), w.accessibleDescription()]
        if w.isWindow():
            found.append(w.windowTitle())
        if isinstance(w, (QLabel, QAbstractButton)):
            found.append(w.text())
        if isinstance(w, (QLineEdit, QPlainTextEdit)):
            found.append(w.placeholderText())
        if isinstance(w, QGroupBox):
            found.append(w.title())
        if isinstance(w, QComboBox):
            found += [w.itemText(i) for i in range(w.count())]
            found += [w.itemData(i, Qt.ItemDataRole.ToolTipRole) or "" for i in range(w.count())]
        if isinstance(w, QListWidget):
            for i in range(w.count()):
                found += [w.item(i).text(), w.item(i).toolTip()]
        if isinstance(w, QTabWidget):
            found += [w.tabText(i) for i in range(w.count())]
        if isinstance(w, QHeaderView) and w.model() is not None:
            for section in range(w.count()):
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = w.model().headerData(section, w.orientation(), role)
                    found.append(value if isinstance(value, str) else "")
        if isinstance(w, QTextEdit) and w.isReadOnly():  # a summary, not a text being edited
            found += w.toPlainText().splitlines()
        for text in found:
            if isinstance(text, str) and text.strip():
                yield where, text
    for menu in root.findChildren(QMenu):
        yield "QMenu", menu.title()
        for action in menu.actions():
            if action.text():
                yield "QAction", action.text()


def core_texts() -> tuple[str, ...]:
    """English texts the desktop shows from the core (the marketing presets, the core's
    messages): the core's own catalogue (aidesk.po) translates them, not the desktop's."""
    from aidesk.features.marketing import LANGUAGES, LENGTHS, PRESETS, TONES

    labels = [p.label for p in PRESETS.values()] + list(TONES) + list(LENGTHS.values())
    labels += [lang.label for lang in LANGUAGES.values()]
    messages = ["the service is overloaded or down. Try again in a few minutes."]
    return tuple(sorted({*labels, *messages}, key=len, reverse=True))


def mnemonic_clashes(root: QWidget) -> list[str]:
    """Alt+letter shortcuts that different texts shown together share: the tab titles, the
    window's own fields and the current tab's buttons and labelled fields (a hidden tab's are
    off). The same text repeated (the same button on every provider card) is not a clash."""
    texts: dict[str, set[str]] = {}
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisible() or w.window() is not root.window():
            continue
        shown: list[str] = []
        if isinstance(w, QAbstractButton) or (isinstance(w, QLabel) and w.buddy() is not None):
            shown.append(w.text())
        elif isinstance(w, QGroupBox) and w.isCheckable():
            shown.append(w.title())
        elif isinstance(w, QTabBar):
            shown += [w.tabText(i) for i in range(w.count()) if w.isTabVisible(i)]
        for text in shown:
            found = re.search(r"&(\w)", text.replace("&&", ""))
            if found:
                texts.setdefault(found.group(1).lower(), set()).add(text)
    return [f"Alt+{letter.upper()} for {sorted(shared)}"
            for letter, shared in sorted(texts.items()) if len(shared) > 1]


class Checker:
    """Collects the texts that are not in Portuguese: the desktop's own, and the core's."""

    def __init__(self, data: tuple[str, ...] = ()) -> None:
        self.plain, self.patterns = english_sources()
        self.data = data  # user data shown as is (workspace names)
        self.core = core_texts()
        self.problems: dict[str, str] = {}
        self.core_problems: dict[str, str] = {}
        self.clashes: dict[str, str] = {}
        self.seen = 0

    def english(self, text: str) -> str | None:
        """Why `text` reads as English, or None."""
        norm = normalise(text)
        if norm in self.data:
            return None
        if norm in self.plain:
            return "an English msgid"
        for pattern in self.patterns:
            if pattern.fullmatch(norm):
                return f"English msgid /{pattern.pattern[:40]}…/"
        rest = norm
        for name in (*self.data, *BRANDS):
            rest = rest.replace(name, " ")
        for allowed in ALLOWED:
            rest = re.sub(allowed, " ", rest, flags=re.IGNORECASE)
        # Whole words, accents included: "Período" is not "per" + "odo".
        words = {w.lower() for w in re.findall(r"[^\W\d_]+", rest)}
        english = sorted(words & ENGLISH)
        return f"English words {english}" if english else None

    def check(self, root: QWidget, context: str) -> None:
        for where, text in visible_texts(root):
            self.seen += 1
            reason = self.english(text)
            if reason is None:
                continue
            key = f"{context}: {where}: {text!r}"
            own = text
            for core in self.core:
                own = own.replace(core, "")
            if own != text and (not own.strip() or self.english(own) is None):
                self.core_problems[key] = reason  # the English part comes from the core
            else:
                self.problems[key] = reason

    def check_texts(self, context: str, texts: list[tuple[str, str]]) -> None:
        """Texts no widget holds: what item delegates paint, what item views' models say."""
        for where, text in texts:
            if not text.strip():
                continue
            self.seen += 1
            reason = self.english(text)
            if reason is not None:
                self.problems[f"{context}: {where}: {text!r}"] = reason

    def check_mnemonics(self, root: QWidget, context: str) -> None:
        for clash in mnemonic_clashes(root):
            self.clashes[f"{context}: {clash}"] = ""

    def assert_clean(self) -> None:
        assert self.seen > 100, f"only {self.seen} texts were checked"
        clashes = "\n".join(sorted(self.clashes))
        assert not self.clashes, f"{len(self.clashes)} Alt+letter shortcuts clash:\n{clashes}"
        report = "\n".join(f"{k}  ({v})" for k, v in sorted(self.problems.items()))
        assert not self.problems, f"{len(self.problems)} texts are not translated:\n{report}"
        core = "\n".join(f"{k}  ({v})" for k, v in sorted(self.core_problems.items()))
        assert CORE_CATALOGUE.exists(), f"the core's catalogue {CORE_CATALOGUE} is missing"
        assert not self.core_problems, (
            f"{len(self.core_problems)} texts from the core are not translated:\n{core}")


# -- scenes ---------------------------------------------------------------------------------


def open_window(bridge: CoreBridge, qtbot: Any, tmp_path: Path, emulator: Any,
                code: str, *, prepare: bool = True) -> MainWindow:
    """Four providers at the emulator (Groq with a wrong key), then the main window
    (`prepare=False`: the providers as the test set them)."""
    def four(core: Any) -> None:
        ws = core.workspaces.get()
        configure(core, ws, emulator, "openai", "anthropic", "gemini", "groq",
                  keys={"groq": WRONG_GROQ_KEY})

    if prepare:
        on_worker(bridge, qtbot, four)
    return started_window(bridge, qtbot, tmp_path / f"ui-{code}.ini")


def started_window(bridge: CoreBridge, qtbot: Any, ini: Path) -> MainWindow:
    """The main window at 1024×640, shown and started (no dialogs), its settings in `ini`."""
    window = build_window(bridge, QSettings(str(ini), QSettings.Format.IniFormat))
    window.ctx.messenger.dialogs_enabled = False
    qtbot.addWidget(window)
    window.resize(*SIZES[0])
    window.show()
    window.complete_startup()
    qtbot.waitUntil(lambda: window.current is not None, timeout=10_000)
    return window


def show_tab(window: MainWindow, page: QWidget) -> None:
    holder = page.parentWidget()
    assert holder is not None
    window.tabs.setCurrentIndex(window.tabs.indexOf(holder))


def integrations(window: MainWindow, qtbot: Any, emulator: Any) -> IntegrationsTab:
    """Every key checked: verified, not verified and rejected cards, skipped providers."""
    tab = window.page(IntegrationsTab)
    assert isinstance(tab, IntegrationsTab)
    show_tab(window, tab)
    qtbot.waitUntil(lambda: tab.check_all_button.isEnabled(), timeout=10_000)
    emulator.fault("anthropic", "overloaded")
    qtbot.mouseClick(tab.check_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.progress.isVisible() and tab.check_all_button.isEnabled(),
                    timeout=20_000)
    emulator.reset()
    qtbot.waitUntil(lambda: "groq" in tab.fallback.skipped(), timeout=10_000)
    tab.cards["openai"].advanced_button.setChecked(True)
    return tab


def assistant(window: MainWindow, qtbot: Any, emulator: Any) -> AssistantTab:
    """A text generated after a fallback, and the limit banner."""
    tab = window.page(AssistantTab)
    assert isinstance(tab, AssistantTab)
    show_tab(window, tab)
    qtbot.waitUntil(lambda: len(tab.selector.providers()) >= 2, timeout=10_000)
    tab.form.product.setText("Pão de fermentação natural")
    tab.form.audience.setText("Famílias do bairro")
    emulator.fault("openai", "overloaded", times=1)
    qtbot.mouseClick(tab.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.running, timeout=15_000)
    assert tab.output.note.isVisible(), "the fallback note should show"
    from datetime import UTC, datetime, timedelta

    tab.banner.show_warning("cost_per_month", 41.5, 50.0,
                            datetime.now(UTC) + timedelta(days=3))
    return tab


def chat_texts(tab: ChatTab) -> list[tuple[str, str]]:
    """What the Chat tab's delegates paint: each conversation's line under its title and its
    tooltip, each message's time, badges and the note under a translated message."""
    texts: list[tuple[str, str]] = []
    proxy = tab.proxy
    for row in range(proxy.rowCount()):
        index = proxy.index(row, 0)
        for role in (Qt.ItemDataRole.ToolTipRole, ConversationRole.SUBTITLE):
            texts.append((f"conversation {index.data()}", str(index.data(role) or "")))
    delegate = tab.message_view.itemDelegate()
    assert isinstance(delegate, MessageDelegate)
    option = QStyleOptionViewItem()
    tab.message_view.initViewItemOption(option)
    for row in range(tab.messages.rowCount()):
        message = tab.messages.rows[row]
        where = f"message {row + 1} of {tab.heading.text()}"
        layout = delegate.layout(option, tab.messages.index(row))
        texts += [(where, tab.messages.time_text(row)), (where, layout.note_text),
                  (where, layout.link_text)]
        for look in (looks.sentiment(message.sentiment, message.reason or ""),
                     looks.language_tag(message.language)):
            if look is not None:
                texts += [(where, look.text), (where, look.tooltip)]
    return texts


def leads_texts(tab: LeadsTab) -> list[tuple[str, str]]:
    """The Leads table's cells (the temperature badge) and their tooltips."""
    texts: list[tuple[str, str]] = []
    for row in range(tab.proxy.rowCount()):
        for column in range(tab.proxy.columnCount()):
            index = tab.proxy.index(row, column)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                texts.append((f"lead row {row + 1}, column {column + 1}",
                              str(index.data(role) or "")))
    return texts


def check_mapping_dialog(checker: Checker, name: str,
                         fix: Callable[[ColumnMapDialog], None]) -> Callable[[], bool]:
    """Check the next column-mapping dialog as it opens (the guess, a required field still
    missing), then `fix` it, check it again and press OK; returns `done()`."""
    seen: list[Any] = []

    def act(dialog: ColumnMapDialog) -> None:
        context = f"{name} columns dialog"
        checker.check(dialog, context)
        checker.check_mnemonics(dialog, context)
        fix(dialog)
        checker.check(dialog, f"{context}, mapped")
        checker.check_mnemonics(dialog, f"{context}, mapped")
        shoot(dialog, f"i18n-pt_BR-dialog-{name}-columns")
        dialog.accept()

    in_mapping_dialog(act, seen)
    return lambda: bool(seen)


def open_conversation(tab: ChatTab, qtbot: Any, title: str) -> None:
    row = next(r for r in range(tab.proxy.rowCount()) if tab.proxy.index(r, 0).data() == title)
    tab.list.setCurrentIndex(tab.proxy.index(row, 0))
    qtbot.waitUntil(lambda: tab.heading.text() == title and tab.messages.rowCount() > 0,
                    timeout=10_000)


def chat(window: MainWindow, qtbot: Any, monkeypatch: pytest.MonkeyPatch,
         checker: Checker, emulator: Any) -> ChatTab:
    """Empty, then a CRM CSV (mapped in its dialog) and two WhatsApp exports imported and
    analysed; the English conversation with a message translated, replies suggested and one
    translated; the Portuguese one summarised."""
    tab = window.page(ChatTab)
    assert isinstance(tab, ChatTab)
    show_tab(window, tab)
    checker.check(window, "Chat, empty")
    checker.check_mnemonics(window, "Chat, empty")

    def fix(dialog: ColumnMapDialog) -> None:
        assert dialog.problem.isVisible(), "the guess leaves the sender to pick"
        dialog.choose("sender", "Pessoa")
        dialog.choose("time", "Momento")

    done = check_mapping_dialog(checker, "chat", fix)
    pick_files(monkeypatch, [CRM])
    qtbot.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: done() and not tab.importer.running and tab.proxy.rowCount() == 2,
                    timeout=20_000)
    pick_files(monkeypatch, [MARIA, JOHN])
    qtbot.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.importer.running and tab.proxy.rowCount() == 4,
                    timeout=20_000)
    checker.check(window, "Chat, imported")
    emulator.latency("openai", 0.6)  # the progress row stays long enough to be read
    qtbot.mouseClick(tab.analyse_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.progress.isVisible(), timeout=5_000)
    checker.check(window, "Chat, analysing")
    checker.check_mnemonics(window, "Chat, analysing")
    qtbot.waitUntil(lambda: not tab.tools.analysing and tab.analyse_all_button.isEnabled(),
                    timeout=30_000)
    emulator.latency("openai", 0)
    qtbot.waitUntil(lambda: all(r.sentiment for r in tab.conversations.rows), timeout=10_000)
    for index in range(tab.filter.count()):  # every filter, then back to all
        tab.filter.setCurrentIndex(index)
        checker.check_texts(f"Chat, filter {index + 1}", chat_texts(tab))
    tab.filter.setCurrentIndex(0)

    open_conversation(tab, qtbot, "Maria Souza")
    qtbot.mouseClick(tab.summarise_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.tools.summarising
                    and tab.insights.summary.summary is not None, timeout=15_000)
    checker.check(window, "Chat, Maria summarised")
    checker.check_texts("Chat, Maria", chat_texts(tab))
    checker.check_mnemonics(window, "Chat, Maria summarised")

    open_conversation(tab, qtbot, "John Carter")
    row = next(r for r in range(tab.messages.rowCount())
               if tab.messages.rows[r].language not in (None, "pt"))
    tab.message_view.setCurrentIndex(tab.messages.index(row))
    checker.check(window, "Chat, John, a message to translate")
    qtbot.mouseClick(tab.translate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.messages.translation(row) is not None, timeout=15_000)
    checker.check(window, "Chat, John, translated")
    checker.check_texts("Chat, John, translated", chat_texts(tab))
    checker.check_mnemonics(window, "Chat, John, translated")
    qtbot.mouseClick(tab.original_button, Qt.MouseButton.LeftButton)  # the original again
    checker.check(window, "Chat, John, original")
    checker.check_texts("Chat, John, original", chat_texts(tab))
    checker.check_mnemonics(window, "Chat, John, original")
    qtbot.mouseClick(tab.original_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tab.replies_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.tools.suggesting
                    and tab.insights.replies.translate_button.isVisible(), timeout=15_000)
    replies = tab.insights.replies
    replies.own.setPlainText("Podemos enviar a nova fatura amanhã.")
    qtbot.mouseClick(replies.translate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: replies.result.isVisible(), timeout=15_000)
    checker.check(window, "Chat, John, replies")
    checker.check_mnemonics(window, "Chat, John, replies")
    return tab


def leads(window: MainWindow, qtbot: Any, monkeypatch: pytest.MonkeyPatch,
          checker: Checker, emulator: Any) -> LeadsTab:
    """Empty, then a CRM export imported (mapped in its dialog), every lead analysed and the
    hottest one's card shown."""
    tab = window.page(LeadsTab)
    assert isinstance(tab, LeadsTab)
    show_tab(window, tab)
    checker.check(window, "Leads, empty")
    checker.check_mnemonics(window, "Leads, empty")

    def fix(dialog: ColumnMapDialog) -> None:
        dialog.choose("lead", "")  # nothing names the lead: the dialog says what is missing
        dialog.choose("email", "")
        dialog.choose("phone", "")
        assert dialog.problem.isVisible(), "a lead needs a name, e-mail or phone column"
        checker.check(dialog, "leads columns dialog, no lead column")
        dialog.choose("lead", "Nome")
        dialog.choose("email", "E-mail")
        dialog.choose("phone", "Telefone")

    done = check_mapping_dialog(checker, "leads", fix)
    pick_files(monkeypatch, [LEADS])
    qtbot.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: done() and tab.model.rowCount() == 2 and tab.job is None,
                    timeout=20_000)
    tab.table.selectRow(0)
    checker.check(window, "Leads, imported, not analysed")
    checker.check_texts("Leads, imported", leads_texts(tab))
    emulator.latency("openai", 0.6)
    qtbot.mouseClick(tab.analyse_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.progress.isVisible(), timeout=5_000)
    checker.check(window, "Leads, analysing")
    checker.check_mnemonics(window, "Leads, analysing")
    qtbot.waitUntil(lambda: tab.job is None and all(r.analysis for r in tab.model.rows),
                    timeout=30_000)
    emulator.latency("openai", 0)
    tab.table.selectRow(0)
    qtbot.waitUntil(lambda: tab.card.badge.isVisible(), timeout=5_000)
    checker.check(window, "Leads, card")
    checker.check_texts("Leads, analysed", leads_texts(tab))
    checker.check_mnemonics(window, "Leads, card")
    return tab


LEAD_NAMES = ("Beatriz Ramos", "John Carter", "Lucía Gómez", "Rafael Costa", "Ana Lima",
              "Bruno Alves", "Carla Dias", "Diego Rocha")
RECORDING = "Reunião com a Padaria.wav"


def model_texts(view: QAbstractItemView, where: str,
                skip: tuple[int, ...] = ()) -> list[tuple[str, str]]:
    """What an item view's model shows and says in tooltips, cell by cell (no widget holds
    these texts); `skip` columns hold the user's or the model's own words."""
    model, root = view.model(), QModelIndex()
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(root)
    texts: list[tuple[str, str]] = []
    for row in range(model.rowCount(root)):
        for column in range(columns):
            if column in skip:
                continue
            index = model.index(row, column)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                texts.append((f"{where} row {row + 1}, column {column + 1}",
                              str(index.data(role) or "")))
    return texts


def shoot_sizes(window: MainWindow, qtbot: Any, name: str) -> None:
    for width, height in SIZES:
        window.resize(width, height)
        qtbot.wait(80)
        shoot(window, f"i18n-pt_BR-{name}-{width}x{height}")
    window.resize(*SIZES[0])
    qtbot.wait(40)


def bulk(window: MainWindow, qtbot: Any, monkeypatch: pytest.MonkeyPatch, checker: Checker,
         emulator: Any, tmp_path: Path) -> BulkTab:
    """A leads CSV mapped in its dialog, a brief with a placeholder the file lacks, then a
    good one previewed, written one at a time with a pause on the way, and finished."""
    from aidesk.ui.bulk.models import MESSAGE
    from aidesk.ui.bulk.offer import question
    from tests.bulk_support import write_csv, writer
    from tests.ui.test_assistant import type_text

    emulator.replier("openai", writer)
    tab = window.page(BulkTab)
    assert isinstance(tab, BulkTab)
    show_tab(window, tab)
    checker.check(window, "Bulk, empty")
    checker.check_mnemonics(window, "Bulk, empty")
    languages = {1: "en", 2: "es"}
    leads_csv = write_csv(tmp_path / "clientes.csv", ("Nome", "Empresa", "Cidade", "Idioma"),
                          [(name, f"Empresa {i}", "Campinas", languages.get(i, ""))
                           for i, name in enumerate(LEAD_NAMES)])
    done = check_mapping_dialog(checker, "bulk", lambda dialog: None)
    pick_files(monkeypatch, [leads_csv])
    qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: done() and tab.leads is not None and not tab.busy, timeout=20_000)
    type_text(tab.brief.editor, "Convide {nome} para a loja do {bairro}.")
    qtbot.waitUntil(lambda: tab.brief.problem.isVisible(), timeout=5_000)
    checker.check(window, "Bulk, a placeholder the file lacks")
    tab.brief.set_text("Convide {nome} da {empresa} para a inauguração da loja de {cidade} "
                       "no sábado.")
    checker.check(window, "Bulk, file and brief")
    checker.check_mnemonics(window, "Bulk, file and brief")
    qtbot.mouseClick(tab.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.busy and tab.job is not None, timeout=20_000)
    qtbot.waitUntil(lambda: tab.model.rowCount() == len(LEAD_NAMES), timeout=10_000)
    tab.table.selectRow(1)
    checker.check(window, "Bulk, preview")
    checker.check_texts("Bulk, preview", model_texts(tab.table, "lead", skip=(MESSAGE,)))
    checker.check_mnemonics(window, "Bulk, preview")
    assert tab.job is not None
    checker.check_texts("Bulk, resume question", [("question", question(tab.job, 3))])
    shoot_sizes(window, qtbot, "bulk-preview")

    emulator.latency("openai", 0.4)  # one at a time (bulk.concurrency 1): a pause is seen
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.runner.last is not None and tab.runner.last.counts.done > 3,
                    timeout=15_000)
    checker.check(window, "Bulk, writing")
    checker.check_mnemonics(window, "Bulk, writing")
    qtbot.mouseClick(tab.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.resume_button.isVisible() and tab.runner.last is not None
                    and tab.runner.last.paused and tab.runner.last.counts.running == 0,
                    timeout=10_000)
    checker.check(window, "Bulk, paused")
    checker.check_mnemonics(window, "Bulk, paused")
    shoot(window, "i18n-pt_BR-bulk-paused-1024x640")
    emulator.latency("openai", 0)
    qtbot.mouseClick(tab.resume_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.runner.running and tab.job is not None
                    and tab.job.status == "done", timeout=30_000)
    qtbot.waitUntil(lambda: all(r.state == "done" for r in tab.model.rows), timeout=10_000)
    checker.check(window, "Bulk, written")
    checker.check_texts("Bulk, written", model_texts(tab.table, "lead", skip=(MESSAGE,)))
    checker.check_mnemonics(window, "Bulk, written")
    shoot_sizes(window, qtbot, "bulk")
    return tab


def images(window: MainWindow, qtbot: Any, checker: Checker, emulator: Any) -> ImagesTab:
    """Every preset's hint, two images made (the progress row on the way), the gallery, the
    details and the delete confirmation (answered No)."""
    from tests.ui.test_assistant import type_text

    tab = window.page(ImagesTab)
    assert isinstance(tab, ImagesTab)
    show_tab(window, tab)
    qtbot.waitUntil(lambda: tab.form.selector.count() > 1, timeout=10_000)
    checker.check(window, "Images, empty")
    checker.check_mnemonics(window, "Images, empty")
    form = tab.form
    for index in range(form.preset_box.count()):
        form.preset_box.setCurrentIndex(index)
        checker.check(form, f"Images, preset {form.preset_box.currentData()}")
    form.preset_box.setCurrentIndex(form.preset_box.findData("social"))
    type_text(form.prompt.viewport(), "Pão de queijo quentinho numa mesa de madeira")
    form.set_count(2)
    emulator.latency("openai", 0.6)
    qtbot.mouseClick(tab.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.progress.isVisible(), timeout=5_000)
    checker.check(window, "Images, making")
    checker.check_mnemonics(window, "Images, making")
    qtbot.waitUntil(lambda: tab.job is None and tab.model.total() == 2, timeout=20_000)
    emulator.latency("openai", 0)
    qtbot.waitUntil(lambda: all(tab.model.has_thumbnail(r.id) for r in tab.model.rows),
                    timeout=10_000)
    checker.check(window, "Images, made")
    checker.check_texts("Images, gallery", model_texts(tab.view, "image"))
    checker.check_mnemonics(window, "Images, made")
    shoot_sizes(window, qtbot, "images")
    done = inspect_modal(checker, "Delete image", lambda d: d.reject(), qtbot)
    qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(done, timeout=5_000)
    assert tab.model.total() == 2
    return tab


def meetings(window: MainWindow, qtbot: Any, monkeypatch: pytest.MonkeyPatch,
             checker: Checker, emulator: Any, tmp_path: Path) -> MeetingsTab:
    """A recording chosen, transcribed (the progress row on the way) and summarised: the
    facts, key points, decisions, action items (one owner never said), the open transcript
    and the past meetings list."""
    from PySide6.QtWidgets import QFileDialog

    from tests.meeting_support import listener, pcm, write_wav
    from tests.test_meetings import SCRIPT, summariser

    emulator.listener("openai", listener)
    emulator.replier("openai", summariser([]))
    tab = window.page(MeetingsTab)
    assert isinstance(tab, MeetingsTab)
    show_tab(window, tab)
    checker.check(window, "Meetings, empty")
    checker.check_mnemonics(window, "Meetings, empty")
    path = write_wav(tmp_path / RECORDING, pcm(SCRIPT))
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    checker.check(window, "Meetings, recording chosen")
    emulator.latency("openai", 0.6)
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.progress.isVisible(), timeout=5_000)
    checker.check(window, "Meetings, transcribing")
    checker.check_mnemonics(window, "Meetings, transcribing")
    qtbot.waitUntil(lambda: tab.job is None, timeout=30_000)
    emulator.latency("openai", 0)
    qtbot.waitUntil(lambda: tab.meetings.rowCount() == 1, timeout=10_000)
    tab.view.transcript_button.setChecked(True)
    checker.check(window, "Meetings, summarised")
    checker.check_texts("Meetings, action items", model_texts(tab.view.action_table, "action",
                                                              skip=(0,)))
    checker.check_texts("Meetings, past meetings", model_texts(tab.list, "meeting"))
    checker.check_mnemonics(window, "Meetings, summarised")
    shoot_sizes(window, qtbot, "meetings")
    return tab


def shoot_tabs(window: MainWindow, qtbot: Any, code: str) -> list[Path]:
    paths = []
    for width, height in SIZES:
        window.resize(width, height)
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            qtbot.wait(60)
            title = unicodedata.normalize("NFKD", normalise(window.tabs.tabText(index)))
            name = re.sub(r"[^a-z]", "", title.lower())  # integracoes, assistente
            paths.append(shoot(window, f"i18n-{code}-{index + 1}-{name}-{width}x{height}"))
    return paths


def inspect_modal(checker: Checker, context: str, close: Callable[[QDialog], None],
                  qtbot: Any) -> Callable[[], bool]:
    """Check the next modal dialog's texts, then close it; returns `done()`."""
    state = {"done": False}

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            QTimer.singleShot(30, look)
            return
        qtbot.wait(20)
        checker.check(dialog, context)
        shoot(dialog, f"i18n-pt_BR-dialog-{re.sub(r'[^a-z]+', '-', context.lower())}")
        close(dialog)
        state["done"] = True

    QTimer.singleShot(30, look)
    return lambda: state["done"]


def open_from_menu(window: MainWindow, qtbot: Any, keys: str | None, name: str) -> QDialog:
    """Trigger the menu action with this shortcut (else this English text), return the
    dialog it opens."""
    before = {id(d) for d in window.findChildren(QDialog) if d.isVisible()}
    for action in window.findChildren(QAction):
        shortcut = action.shortcut().toString()
        if (keys and shortcut == keys) or (not keys and action.text() == i18n._(name)):
            action.trigger()
            break
    else:
        raise AssertionError(f"no menu action for the {name} dialog")

    def opened() -> QDialog | None:
        found = [d for d in window.findChildren(QDialog)
                 if d.isVisible() and id(d) not in before]
        return found[0] if found else None

    qtbot.waitUntil(lambda: opened() is not None, timeout=5_000)
    qtbot.wait(600)  # values load on the worker
    dialog = opened()
    assert dialog is not None
    return dialog


# -- tests ---------------------------------------------------------------------------------------
def test_every_visible_text_is_in_portuguese(bridge: CoreBridge, qtbot: Any, tmp_path: Path,
                                             emulator: Any) -> None:
    with language("pt_BR"):
        window = open_window(bridge, qtbot, tmp_path, emulator, "pt_BR")
        assert window.tabs.tabText(0) == "&Integrações"
        checker = Checker(data=tuple(ws.name for ws in window.workspaces))
        checker.check(window, "start")
        checker.check_mnemonics(window, "start")

        tab = integrations(window, qtbot, emulator)
        checker.check(window, "Integrations")
        checker.check_mnemonics(window, "Integrations")
        for card in tab.cards.values():
            tab.card_scroll.ensureWidgetVisible(card)
            checker.check(card, f"card {card.provider}")

        # The confirmations of the Integrations tab (answered No: nothing changes).
        card = tab.cards["gemini"]
        done = inspect_modal(checker, "Remove key", lambda d: d.reject(), qtbot)
        qtbot.mouseClick(card.remove_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(done, timeout=5_000)
        groq = tab.cards["groq"]
        qtbot.keyClicks(groq.key_edit, WRONG_GROQ_KEY)
        done = inspect_modal(checker, "Key rejected", lambda d: d.reject(), qtbot)
        qtbot.mouseClick(groq.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(done, timeout=15_000)
        openai = tab.cards["openai"]
        qtbot.keyClicks(openai.key_edit, emulator.key("openai"))
        emulator.fault("openai", "overloaded")
        done = inspect_modal(checker, "Key not verified", lambda d: d.reject(), qtbot)
        qtbot.mouseClick(openai.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(done, timeout=15_000)
        emulator.reset()
        checker.check(window, "Integrations after the dialogs")

        assistant(window, qtbot, emulator)
        checker.check(window, "Assistant")
        checker.check_mnemonics(window, "Assistant")
        page = window.page(AssistantTab)
        assert isinstance(page, AssistantTab)
        for preset in range(page.form.preset.count()):
            page.form.preset.setCurrentIndex(preset)
            checker.check(page.form, f"preset {page.form.preset.currentData()}")
            checker.check_mnemonics(window, f"preset {page.form.preset.currentData()}")

        assert window.tabs.count() == len(TABS)
        for index, (title, _target) in enumerate(TABS):  # every tab, as it first opens
            window.tabs.setCurrentIndex(index)
            qtbot.wait(250)  # built on first show; its lists load on the worker
            name = normalise(i18n._(title))
            checker.check(window, f"tab {name}")
            checker.check_mnemonics(window, f"tab {name}")

        done = inspect_modal(checker, "New workspace", lambda d: d.reject(), qtbot)
        qtbot.mouseClick(window.new_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(done, timeout=5_000)

        for keys, title in (("Ctrl+,", "settings"), ("F1", "help"), (None, "&About AIDesk")):
            name = re.sub(r"[^a-z]+", "-", normalise(title).lower()).strip("-")
            dialog = open_from_menu(window, qtbot, keys, name if keys else title)
            checker.check(dialog, f"{name} dialog")
            for tabs in dialog.findChildren(QTabWidget):  # every page of the dialog
                for index in range(tabs.count()):
                    tabs.setCurrentIndex(index)
                    checker.check(dialog, f"{name} dialog, page {index + 1}")
                    shoot(dialog, f"i18n-pt_BR-dialog-{name}-{index + 1}")
            shoot(dialog, f"i18n-pt_BR-dialog-{name}")
            dialog.reject()

        crash = CrashDialog("Traceback (most recent call last):\n  ...\nValueError: boom",
                            window)
        qtbot.addWidget(crash)
        crash.show()
        checker.check(crash, "crash dialog")
        shoot(crash, "i18n-pt_BR-dialog-crash")
        crash.close()

        shoot_tabs(window, qtbot, "pt_BR")
        checker.check(window, "status bar")
        checker.assert_clean()


def test_chat_and_leads_tabs_in_portuguese(bridge: CoreBridge, qtbot: Any, tmp_path: Path,
                                           emulator: Any,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    emulator.replier("openai", model)
    with language("pt_BR"):
        window = open_window(bridge, qtbot, tmp_path, emulator, "pt_BR")
        assert [normalise(window.tabs.tabText(i)) for i in range(window.tabs.count())] == [
            "Integrações", "Assistente", "Chat", "Leads", "Mensagens em massa", "Imagens",
            "Reuniões", "Uso", "Auditoria"]
        names = [ws.name for ws in window.workspaces]
        # User data shown as it is: file names (the source of a conversation), the CSV's
        # column names and the conversations' titles.
        files = [path.name for path in (CRM, MARIA, JOHN, LEADS)]
        checker = Checker(data=(*names, *files, "Pessoa", "Momento", "Conteúdo da mensagem",
                                "Ticket", "John Carter"))
        page = chat(window, qtbot, monkeypatch, checker, emulator)
        chat_shots = []
        for title, name in (("John Carter", "chat"), ("Maria Souza", "chat-summary")):
            open_conversation(page, qtbot, title)  # John's replies, then Maria's summary
            page.insights.setCurrentIndex(0 if name == "chat-summary" else 1)
            for width, height in SIZES:
                window.resize(width, height)
                qtbot.wait(80)
                chat_shots.append(shoot(window, f"i18n-pt_BR-{name}-{width}x{height}"))
        window.resize(*SIZES[0])
        leads(window, qtbot, monkeypatch, checker, emulator)
        for width, height in SIZES:
            window.resize(width, height)
            qtbot.wait(80)
            shoot(window, f"i18n-pt_BR-leads-{width}x{height}")
        window.resize(*SIZES[0])

        # The Chat setting in the Settings dialog.
        dialog = open_from_menu(window, qtbot, "Ctrl+,", "settings")
        checker.check(dialog, "settings dialog")
        dialog.reject()
        checker.check(window, "status bar")
        checker.assert_clean()
    assert all(path.exists() for path in chat_shots)


def test_bulk_images_and_meetings_tabs_in_portuguese(bridge: CoreBridge, qtbot: Any,
                                                    tmp_path: Path, emulator: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def prepare(core: Any) -> None:
        from aidesk import settings

        ws = core.workspaces.get()
        configure(core, ws, emulator, "openai", "stability")
        settings.set(core.workspaces, ws, "bulk.concurrency", "1")

    on_worker(bridge, qtbot, prepare)
    with language("pt_BR"):
        window = open_window(bridge, qtbot, tmp_path, emulator, "pt_BR", prepare=False)
        names = [ws.name for ws in window.workspaces]
        checker = Checker(data=(*names, "clientes.csv", RECORDING, *LEAD_NAMES, "Campinas",
                                "Nome", "Empresa", "Cidade", "Idioma"))
        bulk(window, qtbot, monkeypatch, checker, emulator, tmp_path)
        images(window, qtbot, checker, emulator)
        meetings(window, qtbot, monkeypatch, checker, emulator, tmp_path)
        tab = window.page(IntegrationsTab)  # Stability AI's card and its place in the order
        assert isinstance(tab, IntegrationsTab)
        show_tab(window, tab)
        qtbot.waitUntil(lambda: any("Stability AI" in tab.fallback.list.item(i).text()
                                    for i in range(tab.fallback.list.count())), timeout=10_000)
        checker.check(window, "Integrations with Stability AI")
        checker.check_mnemonics(window, "Integrations with Stability AI")
        checker.check(window, "status bar")
        checker.assert_clean()


def test_usage_and_audit_tabs_in_portuguese(bridge: CoreBridge, qtbot: Any, tmp_path: Path,
                                            emulator: Any) -> None:
    """Calls seeded for the charts and the audit log: the Usage tab's charts (their hover
    texts), summary, limits (a limit set, its bar, the 80% banner and notification), and the
    Audit tab's table, filters, detail pane and retention row."""
    from aidesk.ui.audit.tab import AuditTab
    from aidesk.ui.usage.tab import UsageTab
    from tests.ui import test_audit_tab, test_usage_tab

    def prepare(core: Any) -> None:
        ws = test_usage_tab.seed(core)
        test_audit_tab.seed(core, ws.tenant_id)

    on_worker(bridge, qtbot, prepare)
    with language("pt_BR"):
        window = open_window(bridge, qtbot, tmp_path, emulator, "pt_BR")
        seeded_error = "The provider answered with a server error."  # the seed's own words
        checker = Checker(data=(*(ws.name for ws in window.workspaces), seeded_error))
        usage = window.page(UsageTab)
        assert isinstance(usage, UsageTab)
        show_tab(window, usage)
        qtbot.waitUntil(lambda: usage.loads >= 1, timeout=10_000)
        checker.check(window, "Usage")
        checker.check_mnemonics(window, "Usage")
        charts = list(usage.charts.values())
        checker.check_texts("Usage, chart hover", [
            (f"chart {n + 1}", chart.describe(0)) for n, chart in enumerate(charts)])
        loads = usage.loads
        usage.limits.edits["requests_per_hour"].setText("200")
        usage.limits.save.click()
        qtbot.waitUntil(lambda: usage.limits.uses["requests_per_hour"].value == 200
                        and usage.loads > loads, timeout=10_000)
        checker.check(window, "Usage, a limit set")
        checker.check_texts("Usage, limit bars", [
            (name, bar.text()) for name, bar in usage.limits.bars.items()])
        checker.check_texts("Usage, notifications", [
            ("notification", text) for text in usage.limits.notified])
        for width, height in SIZES:
            window.resize(width, height)
            qtbot.wait(80)
            shoot(window, f"i18n-pt_BR-usage-{width}x{height}")
        window.resize(*SIZES[0])

        audit = window.page(AuditTab)
        assert isinstance(audit, AuditTab)
        show_tab(window, audit)
        test_audit_tab.settle(qtbot, audit)
        audit.table.selectRow(0)
        qtbot.waitUntil(lambda: "Legenda 0" in audit.detail.toPlainText(), timeout=10_000)
        checker.check(window, "Audit")
        checker.check_mnemonics(window, "Audit")
        checker.check_texts("Audit, table", model_texts(audit.table, "call", skip=(7,)))
        for width, height in SIZES:
            window.resize(width, height)
            qtbot.wait(80)
            shoot(window, f"i18n-pt_BR-audit-{width}x{height}")
        checker.check(window, "status bar")
        checker.assert_clean()


def test_save_dialog_title_and_filters(bridge: CoreBridge, qtbot: Any, tmp_path: Path,
                                       emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file dialog is Qt's: ours are its title and file types."""
    from PySide6.QtWidgets import QFileDialog

    asked: dict[str, str] = {}

    def fake(parent: QWidget, title: str, suggested: str, filters: str) -> tuple[str, str]:
        asked.update(title=title, filters=filters)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    with language("pt_BR"):
        window = open_window(bridge, qtbot, tmp_path, emulator, "pt_BR")
        page = assistant(window, qtbot, emulator)
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert asked == {"title": "Salvar o texto", "filters": "Arquivos de texto (*.txt);;"
                     "Markdown (*.md);;Todos os arquivos (*)"}


def test_english_screenshots(bridge: CoreBridge, qtbot: Any, tmp_path: Path,
                             emulator: Any) -> None:
    with language("en"):
        window = open_window(bridge, qtbot, tmp_path, emulator, "en")
        integrations(window, qtbot, emulator)
        assistant(window, qtbot, emulator)
        paths = shoot_tabs(window, qtbot, "en")
    assert len(paths) == 2 * window.tabs.count()
    assert window.tabs.tabText(1) == "&Assistant"
