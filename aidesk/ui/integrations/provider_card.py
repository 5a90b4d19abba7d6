"""One provider's card in action: test, save and remove keys; save model, base URL, enabled.

The card never reads a stored key: a test that needs it fetches it on the worker thread.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from aidesk.i18n import _
from aidesk.ui.integrations.card_view import CardView
from aidesk.ui.integrations.outcome import REJECTED, UNVERIFIED, check_text
from aidesk.ui.names import provider_name

if TYPE_CHECKING:
    from aidesk.core import Core
    from aidesk.router.keycheck import KeyCheck
    from aidesk.ui.context import UiContext
    from aidesk.workspaces import ProviderConfig, Workspace

TEST_TIMEOUT_S = 15.0  # a key test is short; the user can also cancel it


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ProviderCard(CardView):
    changed = Signal(object)  # the provider's new ProviderConfig, after a save on the worker

    def __init__(self, ctx: UiContext, provider: str, parent: QWidget | None = None) -> None:
        super().__init__(provider, parent)
        self.ctx = ctx
        self._test_job: Any = None
        self.enabled_box.clicked.connect(self._enabled_clicked)
        self.key_edit.textChanged.connect(self._key_edited)
        self.key_edit.returnPressed.connect(lambda: self.test_connection())
        self.test_button.clicked.connect(lambda: self.test_connection())
        self.save_button.clicked.connect(lambda: self.save_key())
        self.remove_button.clicked.connect(lambda: self.remove_key())
        self.rollout_button.clicked.connect(lambda: self.roll_out())
        self.base_url_edit.editingFinished.connect(self._base_url_finished)
        self.model_box.activated.connect(lambda _i: self._model_finished())
        line = self.model_box.lineEdit()
        assert line is not None
        line.editingFinished.connect(self._model_finished)

    def _key_edited(self) -> None:
        self._typed_check = None

    def _stale(self, generation: int) -> bool:
        return generation != self._generation

    def _fail(self, exc: BaseException) -> None:
        self.ctx.messenger.failure(exc, self)
        self.show_error(exc)

    def on_job(self, job: Any, done: Any) -> None:
        """`done(result)` unless the card was reloaded meanwhile; a failure on the card."""
        self._on(job, done)

    def _on(self, job: Any, done: Any) -> None:
        generation = self._generation
        job.done.connect(lambda result: None if self._stale(generation) else done(result))
        job.failed.connect(lambda exc: None if self._stale(generation) else self._fail(exc))

    # -- test -----------------------------------------------------------------------------------
    def test_connection(self, then_save: bool = False) -> None:
        if self._test_job is not None:  # the button reads "Cancel test" while one runs
            self._test_job.cancel()
            return
        ws, config = self.workspace, self.config
        if ws is None or config is None or not self.test_button.isEnabled():
            return
        typed = self.key_edit.text().strip() if self.meta.needs_key else ""
        if self.meta.needs_key and not typed and config.key_fingerprint is None:
            self.say("error", _("There is no key to test: paste the key into the API key field."))
            return
        provider = self.provider
        base_url = self.base_url_edit.text().strip().rstrip("/") or None
        model = self.model_box.currentText().strip() or self.meta.default_model
        timeout = min(float(config.options.get("timeout_s", TEST_TIMEOUT_S)), TEST_TIMEOUT_S)
        needs_key = self.meta.needs_key

        async def work(core: Core) -> tuple[KeyCheck | None, ProviderConfig | None]:
            import asyncio

            from aidesk.redact import register_secret
            from aidesk.router.keycheck import verify_key

            key: str | None = typed or None
            if typed:
                register_secret(typed)
            elif needs_key:
                key = await asyncio.to_thread(core.keys.get, ws.tenant_id, provider)
                if key is None:
                    return None, None
            # a stored key's outcome is remembered for a rollout (a typed one's when saved)
            check = await verify_key(provider, key, base_url=base_url, model=model,
                                     timeout_s=timeout,
                                     tenant_id=None if typed else ws.tenant_id)
            if typed or not core.workspaces.config(ws.tenant_id, provider).stored:
                return check, None
            core.workspaces.record_test(ws.tenant_id, provider, check.outcome, check.message)
            return check, core.workspaces.config(ws.tenant_id, provider)

        self._set_busy(True, cancellable=True)
        job = self.ctx.bridge.run(work)
        self._test_job = job
        job.cancelled.connect(self._test_cancelled)
        for signal in (job.done, job.failed, job.cancelled):
            signal.connect(lambda *_: setattr(self, "_test_job", None))
        self._on(job, lambda result: self._tested(*result, typed=typed, then_save=then_save))

    def _test_cancelled(self) -> None:
        self._set_busy(False)
        self.say("info", _("Test cancelled. Nothing was saved."))

    def _tested(self, check: KeyCheck | None, config: ProviderConfig | None, *, typed: str,
                then_save: bool) -> None:
        self._set_busy(False)
        if check is None:
            self.say("error", _("The stored key is missing from the OS keyring. Paste the key "
                                "again and save it."))
            return
        self.show_check(check)
        still_typed = bool(typed) and self.key_edit.text().strip() == typed
        if still_typed:
            self._typed_check = (_digest(typed), check)
            if check.ok and not then_save:
                self.say(check.outcome, check_text(check) + " " + _("Press Save key to keep it."))
        if config is not None and self.workspace is not None:
            self.set_config(self.workspace, config, reset=False)
            self.changed.emit(config)
            if check.ok:  # the stored key passed
                self.verified_stored()
        if then_save and still_typed:  # the field was edited meanwhile: save nothing
            self._decide_save(typed, check)

    # -- key ------------------------------------------------------------------------------------
    def save_key(self) -> None:
        typed = self.key_edit.text().strip()
        if not typed:
            self.say("error",
                     _("Paste the key into the API key field first, then press Save key."))
            self.key_edit.setFocus()
            return
        known = self._typed_check
        if known is not None and known[0] == _digest(typed):
            self._decide_save(typed, known[1])
        else:
            self.test_connection(then_save=True)  # a key is tested before it is saved

    def _decide_save(self, typed: str, check: KeyCheck) -> None:
        label = provider_name(self.provider)
        if check.outcome == REJECTED:
            confirmed = self.ctx.messenger.ask(
                self, _("Key rejected"),
                _("{provider} rejected this key when it was tested. If you save it, AIDesk "
                  "skips {provider} until the key is replaced.\n\nSave it only if you are "
                  "sure the test was wrong.").format(provider=label),
                _("Save rejected key anyway"))
        elif check.outcome == UNVERIFIED:
            confirmed = self.ctx.messenger.ask(
                self, _("Key not verified"),
                _("AIDesk could not verify this key: {reason}\n\nSave it anyway and test it "
                  "again later?").format(reason=check_text(check)),
                _("Save without verifying"))
        else:
            confirmed = True
        if not confirmed:
            self.say(check.outcome, check_text(check) + " " + _("The key was not saved."))
            return
        ws, provider = self.workspace, self.provider
        assert ws is not None

        def work(core: Core) -> ProviderConfig:
            from aidesk.router.keycheck import store_key

            store_key(core.workspaces, core.keys, ws, provider, typed, check)
            return core.workspaces.config(ws.tenant_id, provider)

        self.save_button.setEnabled(False)
        self._on(self.ctx.bridge.call(work), lambda config: self._saved(config, check))

    def _saved(self, config: ProviderConfig, check: KeyCheck) -> None:
        assert self.workspace is not None
        self.set_config(self.workspace, config, reset=False)
        if check.ok:  # the key just saved is the one that passed the test
            self.verified_stored()
        self.save_button.setEnabled(True)
        self._typed_check = None
        self.key_edit.clear()
        self.say(check.outcome, _("Saved: key {mask} is in the OS keyring.").format(
            mask=config.key_mask) + " " + check_text(check))
        self.ctx.messenger.info(_("{provider} key saved for this workspace.").format(
            provider=provider_name(self.provider)))
        self.changed.emit(config)

    def remove_key(self) -> None:
        ws, provider, label = self.workspace, self.provider, provider_name(self.provider)
        if ws is None or self.config is None or self.config.key_fingerprint is None:
            return
        if not self.ctx.messenger.ask(
                self, _("Remove key"),
                _("Delete the {provider} key ({mask}) of workspace {workspace} from the OS "
                  "keyring? AIDesk stops using {provider} here until you add a key again."
                  ).format(provider=label, mask=self.config.key_mask, workspace=ws.name),
                _("Remove key")):
            return

        def work(core: Core) -> ProviderConfig:
            from aidesk.router.keycheck import forget_key

            forget_key(core.workspaces, core.keys, ws, provider)
            return core.workspaces.config(ws.tenant_id, provider)

        self._on(self.ctx.bridge.call(work), self._removed)

    def _removed(self, config: ProviderConfig) -> None:
        assert self.workspace is not None
        self.set_config(self.workspace, config, reset=True)
        self.say("info", _("Key removed. Paste a new {provider} key to use it again.").format(
            provider=provider_name(self.provider)))
        self.changed.emit(config)

    # -- rollout to the team's central database ------------------------------------------------
    def set_config(self, workspace: Workspace, config: ProviderConfig, *,
                   reset: bool = True) -> None:
        super().set_config(workspace, config, reset=reset)
        self.update_rollout()

    def verified_stored(self) -> None:
        """The stored key passed a connection test now: it may be rolled out."""
        self.update_rollout()

    def update_rollout(self) -> None:
        """"Roll out to team…" is enabled while the stored key is the one that last passed a
        test in this process (aidesk.router.keycheck keeps that, as the rollout checks)."""
        ws, config, provider = self.workspace, self.config, self.provider
        fp = config.key_fingerprint if config is not None else None
        if not self.meta.needs_key or ws is None or fp is None:
            self.rollout_button.setEnabled(False)
            return

        def verified(_core: Core) -> bool:
            from aidesk.router.keycheck import verified_in_process

            return verified_in_process(ws.tenant_id, provider) == fp

        generation = self._generation
        job = self.ctx.bridge.call(verified)
        job.done.connect(lambda ok: None if self._stale(generation)
                         else self.rollout_button.setEnabled(bool(ok)))

    def roll_out(self) -> None:
        from aidesk.ui.integrations.rollout import roll_out

        roll_out(self)

    # -- settings -------------------------------------------------------------------------------
    def _enabled_clicked(self, checked: bool) -> None:
        self._save_setting("enabled", "true" if checked else "false",
                           _("Enabled.") if checked else _("Disabled: AIDesk will not use it."))

    def _base_url_finished(self) -> None:
        config = self.config
        value = self.base_url_edit.text().strip().rstrip("/")
        if config is not None and value != (config.base_url or ""):
            self._save_setting("base_url", value or "default",
                               _("Base URL saved: {url}.").format(url=value) if value
                               else _("Base URL saved: the default."))

    def _model_finished(self) -> None:
        config = self.config
        value = self.model_box.currentText().strip()
        if config is not None and value and value != config.model:
            self._save_setting("model", value, _("Model saved: {model}.").format(model=value))

    def _save_setting(self, field: str, value: str, done_text: str) -> None:
        ws, provider = self.workspace, self.provider
        if ws is None:
            return

        def work(core: Core) -> ProviderConfig:
            from aidesk import settings

            settings.set(core.workspaces, ws, f"providers.{provider}.{field}", value)
            return core.workspaces.config(ws.tenant_id, provider)

        def saved(config: ProviderConfig) -> None:
            assert self.workspace is not None
            self.set_config(self.workspace, config, reset=False)
            self.ctx.messenger.info(f"{provider_name(self.provider)}: {done_text}")
            self.changed.emit(config)

        def failed(exc: BaseException) -> None:
            self._fail(exc)  # a refused base URL or model stays in its field to be corrected
            if field == "enabled" and self.config is not None:
                self.enabled_box.setChecked(self.config.stored and self.config.enabled)

        generation = self._generation
        job = self.ctx.bridge.call(work)
        job.done.connect(lambda c: None if self._stale(generation) else saved(c))
        job.failed.connect(lambda e: None if self._stale(generation) else failed(e))
