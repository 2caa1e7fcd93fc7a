"""The main window's model: loading one (the status bar, the banners, the transcript's welcome), choosing one in
the model dialog, loading it again with other weights, and what the window shows once a load has gone well or
failed. The window keeps its ``load_model``, ``model_dialog``, ``choose_model`` and ``reload_with_precision``
(the toolbar, the banners, "Why this token?"'s Exact weights and the tests call them there); they come here.
"""

from __future__ import annotations


def load(window, spec: str | None) -> None:
    """Open a model (spec as --model takes it) in ``window``, in the background."""
    window.model_spec = spec
    window.status.loading(spec)
    window.notices.load_starting(spec)
    window.chat.load_model(spec)
    window._update_buttons()


def dialog(window):
    """The model dialog, the model in use (or the one asked for last) chosen in it."""
    from desktop_app.gui.model_dialog import ModelDialog, spec_in_use  # at first use, not at the window's start

    loaded = window.chat.loaded
    in_use = spec_in_use(loaded.source) if loaded is not None else None
    return ModelDialog(window.paths, in_use or window.model_spec, window, precision=window.chat.precision,
                       lane=window.tasks.files, in_use=in_use, device=window.chat.device)


def choose(window) -> None:
    """The model dialog; the model chosen there loads, its weights' precision kept for the next start."""
    chosen = window.model_dialog()
    if chosen.exec() and chosen.spec():
        window.chat.precision = chosen.precision()
        window.settings.setValue("precision", window.chat.precision)
        window.load_model(chosen.spec())


def reload_with_precision(window, precision: str) -> None:
    """The model in use again, with other weights (core.precision: exact, fast, ...), as
    the model dialog would load it; the choice is kept for the next start."""
    from desktop_app.gui.model_dialog import spec_in_use

    loaded = window.chat.loaded
    window.chat.precision = precision
    window.settings.setValue("precision", precision)
    window.load_model(spec_in_use(loaded.source) if loaded is not None else window.model_spec)


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
