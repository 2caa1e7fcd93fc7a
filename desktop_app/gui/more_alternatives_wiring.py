""""Show N more"'s wiring: the inspector's button (gui/inspector_alternatives.py) to the chat model's lane
(gui/chat_reads.py ``more_alternatives``), connected once when the window is built."""

from __future__ import annotations

from desktop_app.gui.word_probe_view import TEXT_WAITS


def start_more(window) -> None:
    """Read the inspector's token's next alternatives on the model lane; the inspector hears the answer under the
    token it asked for (another token shown meanwhile drops it)."""
    inspector, chat = window.inspector, window.chat
    token = inspector.more_token
    answers = (lambda alternatives: inspector.show_more(token, alternatives),
               lambda error: inspector.more_failed(token, str(error)), lambda _task: inspector.more_failed(token, ""))
    if chat.loaded is None:
        inspector.more_failed(token, "No model is loaded yet.")
    elif inspector.message_id is not None:
        chat.more_alternatives(inspector.message_id, inspector.index, *answers)
    else:
        make_context = window.text_mode.explainer.context_maker(inspector.index)
        if make_context is None:
            inspector.more_failed(token, TEXT_WAITS)
            return
        chat.more_text_alternatives(make_context, *answers)


def wire_more_alternatives(window) -> None:
    window.inspector.more_asked.connect(lambda: start_more(window))
