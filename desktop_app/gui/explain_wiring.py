"""Why this token?'s wiring: the inspector's section (gui/explain_view.py) to the window's model,
transcript and Text tab. ``start_explain`` and ``start_text_explain`` are the one place the
feature touches the task manager; ``wire_explain`` connects the section once, when the window is
built; ``wire_exact`` the reload with Exact weights and the way back."""

from __future__ import annotations

from desktop_app.gui.explain_overlays import clear_attribution, show_attribution
from desktop_app.gui.explain_reveal import place_in_cards
from desktop_app.gui.explain_view import ExplainView


def start_explain(chat, view: ExplainView, message_id: int, index: int) -> None:
    """Explain on the model lane (the one place this feature touches the task manager); the
    view hears its parts as they come and can stop it while it waits or runs."""
    _start(chat, view, lambda *handlers, **progress: chat.explain_token(message_id, index, *handlers, **progress))


def start_text_explain(chat, view: ExplainView, make_context) -> None:
    """Explain a Text mode token: ``make_context(loaded)`` gives its core.token_context.TokenContext."""
    _start(chat, view, lambda *handlers, **progress: chat.explain_text_token(make_context, *handlers, **progress))


def _start(chat, view: ExplainView, submit) -> None:
    run = submit(*_handlers(view, view.ticket), on_progress=_progress(view, view.ticket))
    view.running(run.cancel, lambda: _go_on(chat, view, run))


def _go_on(chat, view: ExplainView, run) -> bool:
    """After a pause for an answer: the attribution goes on from the points it had (False: it
    cannot, and the view asks again from the start)."""
    ticket = view.ticket
    if not chat.resume_explain(run, *_handlers(view, ticket), on_progress=_progress(view, ticket)):
        return False
    view.running(run.cancel, lambda: _go_on(chat, view, run))
    return True


def _handlers(view: ExplainView, ticket: int):
    return (lambda result: view.show_result(ticket, result), lambda error: view.failed(ticket, str(error)),
            lambda _task: view.cancelled(ticket))


def _progress(view: ExplainView, ticket: int):
    return lambda item: view.show_part(ticket, item)


def wire_explain(window) -> None:
    """Connect the inspector's section to the window's model and transcript."""
    view = window.inspector.explain

    def requested(message_id: int, index: int) -> None:
        if window.chat.loaded is None:
            view.failed(view.ticket, "No model is loaded yet.")
            return
        start_explain(window.chat, view, message_id, index)

    def toggled(on: bool) -> None:
        clear_attribution(window.transcript)
        if on and view.result is not None and window.selected_card in window.transcript.cards:
            show_attribution(window.transcript, window.selected_card, view.result)

    def place(a, i: int):
        explained = next((c for c in window.transcript.cards if c.message_id == view.message_id), None)
        found = place_in_cards(window.transcript.cards, explained, a, view.index, i)
        return None if found is None else (window.transcript, found[0].view, found[1], found[2])

    view.requested.connect(requested)
    view.overlay_toggled.connect(toggled)
    view.places[False] = place  # a ranked word clicked: found on the chat's cards
    view.model_busy = lambda: window.chat.generating
    window.chat.explain_paused.connect(view.pause_for_answer)
    window.chat.state_changed.connect(lambda _state: view.resume())
    window.chat.model_loaded.connect(lambda _model: view.forget())  # its figures were of the model before
    window.chat.adapter_changed.connect(lambda _adapter: view.forget())
    view.cleared.connect(lambda: clear_attribution(window.transcript))
    wire_exact(window, view)


def wire_exact(window, view: ExplainView) -> None:
    """"Explain again with Exact weights": the model reloads as the model dialog would reload
    it at Exact (the choice is kept), then the token is explained again: an answer's at once,
    a Text token once the text is analysed with the new weights (its heatmap is redrawn)."""
    def reload() -> None:
        if not window.reload_with_precision("exact"):  # a fine-tune holds the model: the view says it stays
            view.exact_failed()

    def loaded(model) -> None:
        view.precision_choice = window.chat.precision
        view.precision_loaded(model.precision)
        if view.pending_exact is not None and not view.pending_exact[2]:
            view.resume_exact()

    view.precision_choice = window.chat.precision
    view.exact_requested.connect(reload)
    view.back_requested.connect(window.reload_with_precision)
    window.chat.model_loaded.connect(loaded)
    window.chat.model_failed.connect(lambda _message: view.exact_failed())
    window.text_mode.controller.analysed.connect(
        lambda *_: view.pending_exact is not None and view.pending_exact[2] and view.resume_exact())
