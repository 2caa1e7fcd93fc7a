"""The inspector's "How likely was…" in the real window on the tiny GPT-2: typed, Enter, the figures appear;
the scoring runs on the model lane while the GUI thread goes on; a second question replaces the first; a
prompt's token has no box."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt, QTimer  # noqa: E402

from desktop_app.core import session  # noqa: E402
from desktop_app.core.prompts import encode  # noqa: E402
from gui_windows import WAIT_MS, answered_window  # noqa: E402


def _shown(window, role: str, index: int):
    card = [c for c in window.transcript.cards if c.role == role][-1]
    card.view.select_token(index)
    window.show_token(card, index)
    return card


@pytest.fixture
def held_probes(monkeypatch):
    """session.probe_word made to wait, on the lane, until the test lets it go: (let go events, waits' outcomes)."""
    real, gates, waited = session.probe_word, [], []

    def held(*args):
        gate = threading.Event()
        gates.append(gate)
        waited.append(gate.wait(timeout=WAIT_MS / 1000))
        return real(*args)

    monkeypatch.setattr(session, "probe_word", held)
    return gates, waited


def test_enter_shows_the_words_chance_and_the_gui_thread_goes_on_meanwhile(qtbot, qapp, tiny_model_dir, held_probes):
    gates, waited = held_probes
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        _shown(window, "assistant", 2)
        box = window.inspector.probe
        assert box.isVisible() and box.edit.isEnabled()
        qtbot.keyClicks(box.edit, "Paris")
        qtbot.keyClick(box.edit, Qt.Key.Key_Return)
        assert box.result.text() == "Scoring \u201cParis\u201d\u2026"  # Enter came back before the result
        qtbot.waitUntil(lambda: len(gates) == 1, timeout=WAIT_MS)  # the scoring runs on the lane ...
        QTimer.singleShot(0, gates[0].set)  # ... and goes on only once the GUI thread turns its event loop
        qtbot.waitUntil(lambda: "vocabulary" in box.result.text(), timeout=WAIT_MS)
        assert waited == [True]
        said = box.result.text()
        assert "\u201c\u2423Paris\u201d" in said or "\u201cParis\u201d" in said
        assert "written token" in said
        qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)


def test_a_second_question_replaces_the_first(qtbot, qapp, tiny_model_dir, held_probes):
    gates, waited = held_probes
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        _shown(window, "assistant", 1)
        box = window.inspector.probe
        box.edit.setText("Paris")
        qtbot.keyClick(box.edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: len(gates) == 1, timeout=WAIT_MS)
        box.edit.setText("London")
        qtbot.mouseClick(box.button, Qt.MouseButton.LeftButton)
        assert "London" in box.result.text()
        gates[0].set()  # the first ends (cancelled, or its result dropped); the second runs after it
        qtbot.waitUntil(lambda: len(gates) == 2, timeout=WAIT_MS)
        gates[1].set()
        qtbot.waitUntil(lambda: "vocabulary" in box.result.text(), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)
        assert "London" in box.result.text() and "Paris" not in box.result.text()


def test_the_written_tokens_own_text_is_the_written_token_and_a_prompt_has_no_box(qtbot, qapp, tiny_model_dir):
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
        tokenizer = window.chat.loaded.tokenizer
        index = next(i for i, r in enumerate(card.records)
                     if r.text.strip() and encode(tokenizer, r.text) == [r.id])
        _shown(window, "assistant", index)
        box = window.inspector.probe
        box.edit.setText(card.records[index].text)
        qtbot.keyClick(box.edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "vocabulary" in box.result.text(), timeout=WAIT_MS)
        assert "That is the written token." in box.result.text()
        assert f"ranks {card.records[index].rank:,} of" in box.result.text()
        user = [c for c in window.transcript.cards if c.role == "user"][-1]
        # a prompt's token as the chat shows it (no branch, nothing busy): no question to ask of it
        window.inspector.show_token(user.message_id, 0, card.records[0], can_branch=False)
        assert not box.isVisible()


def test_a_question_asked_while_another_answer_streams_is_read_between_its_tokens(qtbot, qapp, tiny_model_dir,
                                                                                  held_probes):
    gates, _waited = held_probes
    with answered_window(qtbot, qapp, tiny_model_dir) as window:
        first = [c for c in window.transcript.cards if c.role == "assistant"][-1]
        window.popover.max_new.setValue(60)
        window.prompt.setPlainText("And then?")
        window.send()
        qtbot.waitUntil(lambda: window.chat.generating and window.cards.streaming is not None
                        and len(window.cards.streaming.records) > 0, timeout=WAIT_MS)
        window.show_token(window.cards.streaming, 0)
        box = window.inspector.probe
        assert box.isVisible() and not box.edit.isEnabled()  # the answer being written: it says it waits
        assert "once it ends" in box.result.text()
        first.view.select_token(1)
        window.show_token(first, 1)
        assert box.isVisible() and box.edit.isEnabled()  # another answer is being written: it still asks
        box.edit.setText("Paris")
        qtbot.keyClick(box.edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: len(gates) == 1, timeout=WAIT_MS)
        # the lane's thread is in the probe now: had it waited for the answer, the answer would have ended
        assert window.chat.generating
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
            gates[0].set()
        qtbot.waitUntil(lambda: "vocabulary" in box.result.text(), timeout=WAIT_MS)
        streamed = [c for c in window.transcript.cards if c.role == "assistant"][-1]
        streamed.view.select_token(0)
        window.show_token(streamed, 0)
        assert box.isVisible() and box.edit.isEnabled() and box.result.text() == ""


def test_the_text_tabs_inspector_asks_too_and_its_own_text_gives_the_heatmaps_figure(qtbot, qapp, tiny_model_dir):
    from gui_windows import STORY, window_with_text

    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        records = window.text_view.heatmap.records
        tokenizer = window.chat.loaded.tokenizer
        index = next(i for i, r in enumerate(records) if i > 3 and r.text.strip() and encode(tokenizer, r.text) == [r.id])
        window.text_mode.show_token(index, records[index])
        box = window.inspector.probe
        assert box.isVisible() and box.edit.isEnabled() and box.in_text
        box.edit.setText(records[index].text)
        qtbot.keyClick(box.edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "vocabulary" in box.result.text(), timeout=WAIT_MS)
        assert "That is the written token." in box.result.text()
        assert f"ranks {records[index].rank:,} of" in box.result.text()
        qtbot.waitUntil(lambda: not window.chat.lane.busy, timeout=WAIT_MS)
