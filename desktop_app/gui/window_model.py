"""The main window's model: loading one (the status bar, the banners, the transcript's welcome), choosing one in
the model dialog, loading it again with other weights, and what the window shows once a load has gone well or
failed. The window keeps its ``load_model``, ``model_dialog``, ``choose_model`` and ``reload_with_precision``
(the toolbar, the banners, "Why this token?"'s Exact weights and the tests call them there); they come here.
"""

from __future__ import annotations


def load(window, spec: str | None) -> bool:
    """Open a model (spec as --model takes it) in ``window``, in the background; False: refused while a
    fine-tune runs (``held_by_finetune``), the status bar saying why."""
    if refused(window):
        return False
    window.model_spec = spec
    window.status.loading(spec)
    window.notices.load_starting(spec)
    window.chat.load_model(spec)
    window._update_buttons()
    return True


def held_by_finetune(window) -> str | None:
    """Why no model may load now, or None: a fine-tune trains from the model in use, and its adapter is put on
    that model when it ends; another model (or the same one with other weights) in its place meanwhile left the
    run's adapter on a model it was not made for, and two models in memory."""
    from desktop_app.gui.off_words import FINETUNE_HOLDS_MODEL

    return FINETUNE_HOLDS_MODEL if window.finetune.running else None


def refused(window) -> bool:
    """A load asked for while a fine-tune runs: refused, the status bar saying why."""
    why = held_by_finetune(window)
    if why is not None:
        window.statusBar().showMessage(why, 8000)
    return why is not None


def dialog(window):
    """The model dialog, the model in use (or the one asked for last) chosen in it."""
    from desktop_app.gui.model_dialog import ModelDialog, spec_in_use  # at first use, not at the window's start

    loaded = window.chat.loaded
    in_use = spec_in_use(loaded.source) if loaded is not None else None
    chosen = ModelDialog(window.paths, in_use or window.model_spec, window, precision=window.chat.precision,
                         lane=window.tasks.files, in_use=in_use, device=window.chat.device)
    chosen.held_because = lambda: held_by_finetune(window)
    chosen.follow_hold()
    # the run may end (or be cancelled, or fail) while the dialog is open: Load follows
    window.finetune.running_changed.connect(chosen.follow_hold)
    return chosen


def choose(window) -> None:
    """The model dialog; the model chosen there loads, its weights' precision kept for the next start."""
    chosen = window.model_dialog()
    accepted = chosen.exec() and chosen.spec() and held_by_finetune(window) is None
    spec, precision = chosen.spec(), chosen.precision()
    chosen.deleteLater()  # (its connection to the fine-tune goes with it)
    if accepted:
        window.chat.precision = precision
        window.settings.setValue("precision", window.chat.precision)
        window.load_model(spec)


def reload_with_precision(window, precision: str) -> bool:
    """The model in use again, with other weights (core.precision: exact, fast, ...), as
    the model dialog would load it; the choice is kept for the next start. False: refused (``load``)."""
    from desktop_app.gui.model_dialog import spec_in_use

    if refused(window):  # (the precision in use stays the choice)
        return False
    loaded = window.chat.loaded
    window.chat.precision = precision
    window.settings.setValue("precision", precision)
    return window.load_model(spec_in_use(loaded.source) if loaded is not None else window.model_spec)


def show_progress(window, progress) -> None:
    """A load's stage, in the status bar and in the transcript's welcome."""
    window.status.load_stage(progress.stage, progress.done, progress.total)
    window.transcript.empty.set_status(progress.stage + "\u2026")


def model_loaded(window, loaded) -> None:
    """A load that went well: every part of the window that names or uses the model follows it."""
    window.status.model_loaded(loaded, window.chat.adapter_label)
    window.error_banner.hide()  # an earlier model's failure no longer applies to this one
    window.notices.model_loaded(loaded.model_id)
    window.transcript.empty.set_status(f"Ready: {loaded.source.display_name}")
    window.prompt_area.set_model_name(loaded.source.display_name)
    window.writer.model_id, window.writer.tokenizer = loaded.model_id, loaded.tokenizer
    window.writer.recount()
    window.finetune_side.model_loaded()
    if window.model_spec is not None:
        window.settings.setValue("model_spec", window.model_spec)
    window.settings.setValue("model_id", loaded.model_id)  # its adapters are listed at the next start
    window._busy(window.tasks.model.busy)
    window._update_buttons()
    if window.legend.score_prompts.isChecked():
        window.cards.score_prompts_toggled(True)
    window.text_mode.model_loaded(loaded)


def model_failed(window, message: str) -> None:
    """The error, and which model still answers: "could not be loaded" alone read as if none
    were, while the one in use went on answering (usertest16)."""
    loaded = window.chat.loaded
    window.status.model_failed(model_in_use=loaded is not None)
    if loaded is None:
        window.transcript.empty.set_status("The model could not be loaded.")
        window.show_error(f"The model could not be loaded. {message}")
    else:
        name = loaded.source.display_name
        window.transcript.empty.set_status(f"Ready: {name}")
        said = message.rstrip()
        said += "" if said.endswith((".", "!", "?")) else "."
        window.show_error(f"The model could not be loaded. {said} Still using {name}.")
    window._update_buttons()
