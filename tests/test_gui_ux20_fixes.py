"""ux20: usertest 8's branch card, status bar and Text export notice (pytest-qt, offscreen,
tiny random GPT-2, a real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui_windows import WAIT_MS, opened_window  # noqa: E402


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=8, seed=5) as window:
        window.set_mode("chat")  # the tiny model has no chat template: it opens in Text mode
        yield window


def answer_cards(window):
    QApplication.processEvents()
    return [c for c in window.transcript.cards if c.role == "assistant"]


def ask(qtbot, window, text="Hello there"):
    window.prompt.setFocus()
    qtbot.keyClicks(window.prompt, text)
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(window.send_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def wear_adapter(qtbot, window, tiny_model_dir) -> int:
    from desktop_app.core import adapters
    from tiny_model import random_lora

    store, loaded = window.chat.store, window.chat.loaded
    aid = adapters.save_adapter(store, random_lora(tiny_model_dir, 3, std=0.5), window.paths,
                                base_model=loaded.model_id, run_id=None, parent_id=None, settings={}, metrics={})
    adapters.activate(store, aid, loaded.model_id)
    with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
        window.chat.sync_adapter()
    assert window.chat.loaded.adapter_id == aid
    return aid


def test_a_branch_from_the_base_models_answer_names_both_writers_and_keeps_their_figures(
        window, qtbot, tiny_model_dir):
    """C3: a branch made under adapter 1 from the base model's answer said "adapter 1" and
    showed the shared tokens with adapter 1's probabilities."""
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    original, first_id = list(card.records), card.message_id
    assert "base model" in card.role_label.text()
    aid = wear_adapter(qtbot, window, tiny_model_dir)
    card = answer_cards(window)[-1]
    assert card.message_id == first_id
    index = min(3, len(original) - 1)
    qtbot.mouseClick(card.view.viewport(), Qt.MouseButton.LeftButton, pos=card.view.span_rect(index).center())
    row = next(i for i, a in enumerate(original[index].top) if a.id != original[index].id)
    window.inspector.pick(row)
    assert window.inspector.branch_button.isEnabled()
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(window.inspector.branch_button, Qt.MouseButton.LeftButton)
    new_id = blocker.args[0]["message_id"]
    window.chat.tasks.store.wait()
    branched = window.chat.store.token_records(new_id)
    assert branched[:index] == original[:index], "the shared tokens keep the figures they were written with"
    card = answer_cards(window)[-1]
    assert card.message_id == new_id and card.message_id != first_id
    assert [round(r.logprob, 6) for r in card.records[:index]] == [round(r.logprob, 6) for r in original[:index]]
    title = card.role_label.text()
    assert f"base model, then adapter {aid}" in title, title
    assert f"first {index} tokens were written by the base model" in card.role_label.toolTip()
    from desktop_app.core.session import written_by_its_writer

    store = window.chat.store  # the compare view reads a message's own records as its writer's only when they are
    assert written_by_its_writer(store.get_message(first_id)) and not written_by_its_writer(store.get_message(new_id))
    from desktop_app.core.token_context import writer_of

    branch = store.get_message(new_id)  # "Why this token?" compares a token's figure with its own writer's
    assert writer_of(branch, index - 1) is None and writer_of(branch, index) == aid


def test_a_narrow_window_still_shows_the_models_precision(qtbot, qapp, tiny_model_dir, tmp_path):
    """Usertest 8: at 826 px the status bar read "SmolLM2-135M-Instruct (bundled, offline) · cpu",
    its precision cut away, as if it were not known yet; the name's note and pieces go first now."""
    import shutil

    folder = shutil.copytree(tiny_model_dir, tmp_path / "Tiny-GPT2-Random-Weights-For-Tests (local copy)")
    with opened_window(qtbot, qapp, folder, max_new=8) as window:
        window.resize(826, 600)
        qtbot.waitUntil(lambda: window.width() <= 900, timeout=WAIT_MS)
        QApplication.processEvents()
        label, loaded = window.model_label, window.chat.loaded
        room = label.contentsRect().width()
        assert label.fontMetrics().horizontalAdvance(label.text()) > room, "the whole line does not fit"
        shown = label.fitted(label.text(), label.fontMetrics(), room)
        assert shown.endswith(f"cpu \u00b7 {loaded.precision_label}"), shown
        assert shown.startswith("Tiny-GPT2"), shown


def test_a_text_export_leaves_the_editor_its_room(qtbot, qapp, tiny_model_dir, tmp_path):
    """Usertest 8: after "exported heat.png" a line of its own under the narrow Text bar pushed
    the editor down; the window's status bar says where the file went now."""
    from gui_windows import STORY, window_with_text

    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        window.resize(826, 600)
        qtbot.waitUntil(lambda: window.width() <= 900, timeout=WAIT_MS)
        for _ in range(3):  # the panels' fit and the banner's lines follow the new width
            QApplication.processEvents()
        view = window.text_view
        assert view.bar.status_line.indexOf(view.status) >= 0, "narrow: the tab's status words have a row of their own"
        editor_top = view.editor.mapTo(window, view.editor.rect().topLeft()).y()
        path = view.analysis_tools.export("png", str(tmp_path / "heat.png"))
        QApplication.processEvents()
        assert path == tmp_path / "heat.png" and path.exists()
        assert window.statusBar().currentMessage() == f"Saved {path}"
        assert not view.status.isVisible()
        assert view.editor.mapTo(window, view.editor.rect().topLeft()).y() == editor_top, "the editor did not move"
