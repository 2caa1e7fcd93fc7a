""""How likely was…"'s wiring: the inspector's box (gui/word_probe_view.py) to the chat model's lane
(gui/chat_reads.py ``probe_word``), connected once when the window is built."""

from __future__ import annotations

from desktop_app.core.word_probe import probe_lines
from desktop_app.gui.word_probe_view import TEXT_WAITS, WordProbeBox


def start_probe(chat, box: WordProbeBox, message_id: int, index: int, text: str) -> None:
    """Score ``text`` on the model lane; the box hears the result under the ticket it asked with."""
    ticket = box.ticket
    if chat.loaded is None:
        box.failed(ticket, "No model is loaded yet.")
        return
    task = chat.probe_word(message_id, index, text, *_answers_to(box, ticket))
    box.running(lambda: chat.lane.cancel(task))


def start_text_probe(window, box: WordProbeBox, index: int, text: str) -> None:
    """Score ``text`` at token ``index`` of the Text tab's text, after the text as its shown analysis read it."""
    ticket = box.ticket
    make_context = window.text_mode.explainer.context_maker(index)
    if make_context is None:
        box.failed(ticket, "No model is loaded yet." if window.chat.loaded is None else TEXT_WAITS)
        return
    task = window.chat.probe_text_word(make_context, index, text, *_answers_to(box, ticket))
    box.running(lambda: window.chat.lane.cancel(task))


def _answers_to(box: WordProbeBox, ticket):
    """The lane task's success, failure and cancel callbacks, each told to the box under ``ticket``."""
    return (lambda probe: box.show_result(ticket, probe_lines(probe), probe),
            lambda error: box.failed(ticket, str(error)), lambda _task: box.failed(ticket, ""))


def wire_word_probe(window) -> None:
    box = window.inspector.probe
    box.asked.connect(lambda message_id, index, text: start_probe(window.chat, box, message_id, index, text))
    box.text_asked.connect(lambda index, text: start_text_probe(window, box, index, text))
    window.chat.model_loaded.connect(lambda _model: box.forget())
    window.chat.adapter_changed.connect(lambda _adapter: box.forget())
