"""The inspector's "How likely was…" keeps its last question per token, as "Why this token?" keeps its
explanation: another token and back (or the other tab and back) shows the typed words and their figures again at
once, with no model pass; an adapter switch forgets them, and a Text token's are kept under its text.
pytest-qt on the real window, the tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core import session  # noqa: E402
from gui_windows import STORY, WAIT_MS, answered_window, text_opened, window_with_text  # noqa: E402


@pytest.fixture
def probe_passes(monkeypatch):
    """Each model pass of "How likely was…" (an answer's token or a Text token's), counted."""
    passes = []
    for name in ("probe_word", "probe_text_word"):
        real = getattr(session, name)

        def counted(*args, real=real, name=name):
            passes.append(name)
            return real(*args)

        monkeypatch.setattr(session, name, counted)
    return passes


def _show_answer_token(window, index: int):
    card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
    card.view.select_token(index)
    window.show_token(card, index)
    return card


def _asked(qtbot, window, words: str) -> str:
    box = window.inspector.probe
    box.edit.setText(words)
    qtbot.keyClick(box.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "vocabulary" in box.result.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)
    return box.result.text()


def test_an_answer_tokens_question_shows_again_when_its_token_is_chosen_again(qtbot, qapp, tiny_model_dir,
                                                                              probe_passes):
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        box = window.inspector.probe
        _show_answer_token(window, 2)
        said = _asked(qtbot, window, "Paris")
        assert probe_passes == ["probe_word"]
        _show_answer_token(window, 1)  # another token: none of its own yet
        assert box.result.text() == ""
        box.edit.setText("London")  # typed there, not asked
        _show_answer_token(window, 2)  # back: the words asked here and their figures, at once
        assert box.edit.text() == "Paris" and box.result.text() == said and box.result.isVisible()
        assert probe_passes == ["probe_word"] and not window.chat.lane.find("probe"), "asked the model again"
        window.set_mode("text")  # the other tab and back: the ringed token shows them too
        text_opened(qtbot, window)
        window.set_mode("chat")
        assert (box.message_id, box.index) == (window.inspector.message_id, 2)
        assert box.edit.text() == "Paris" and box.result.text() == said
        assert probe_passes == ["probe_word"]


def test_an_adapter_switch_forgets_the_questions(qtbot, qapp, tiny_model_dir, probe_passes):
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        box = window.inspector.probe
        _show_answer_token(window, 2)
        _asked(qtbot, window, "Paris")
        _show_answer_token(window, 1)
        with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
            window.chat.sync_adapter()  # the store's choice (the base model) put on again: a switch
        _show_answer_token(window, 2)
        assert box.result.text() == "", "figures of the model before the switch were shown"
        assert box.remembered == {}


def test_a_text_tokens_question_is_kept_under_its_text(qtbot, qapp, tiny_model_dir, probe_passes):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        box, records = window.inspector.probe, window.text_view.heatmap.records
        window.text_mode.show_token(5, records[5])
        said = _asked(qtbot, window, "sea")
        window.text_mode.show_token(3, records[3])
        assert box.result.text() == ""
        window.text_mode.show_token(5, records[5])
        assert box.edit.text() == "sea" and box.result.text() == said
        assert probe_passes == ["probe_text_word"] and not window.chat.lane.find("probe")
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):  # the text before the token changes
            window.text_view.editor.setPlainText("The " + STORY)
        records = window.text_view.heatmap.records
        window.text_mode.show_token(5, records[5])
        assert box.edit.isEnabled() and box.result.text() == "", "an answer about another text was shown"
