"""Usertest 40, a new user teaching the model in a real window: what the Fine-tune tab left
unexplained (real widgets, pytest-qt, the tiny model)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.gui.ready_words import rating_count  # noqa: E402
from gui_windows import active, answer_modal, opened_window, press  # noqa: E402
from test_counts39_gui_counts import recount  # noqa: E402
from test_gui import WAIT_MS, ask, make_window  # noqa: E402,F401


def test_each_advanced_setting_says_what_it_sets(qtbot, qapp, tiny_model_dir):
    """"Epochs auto", "Learning rate auto" and "Held out 20 %" had no tooltip: what "auto" chose and
    what was held out, and from what, was nowhere in the window."""
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        panel = window.finetune_panel
        window.side_tabs.setCurrentWidget(panel)
        panel.advanced_button.setChecked(True)
        tips = {box: box.toolTip() for box in (panel.epochs, panel.max_steps, panel.lr, panel.heldout)}
        assert all(box.isEnabled() for box in tips)
        assert "auto:" in tips[panel.epochs] and "auto:" in tips[panel.lr], "what auto chooses"
        assert "training steps" in tips[panel.max_steps]
        assert "kept out of training" in tips[panel.heldout] and "rated questions" in tips[panel.heldout]
        assert len(set(tips.values())) == 4, "each field its own words"


def test_the_bad_answers_tile_does_not_say_its_own_dislikes_are_counted_elsewhere(make_window, qtbot):
    """The 👎 tile read "5 bad answers" and its tooltip "5 of them also have better answers you wrote,
    counted under better answers", as if the tile left them out; it counts them, and so does the total."""
    window = make_window(max_new_tokens=6)
    store, panel = window.chat.store, window.finetune_panel
    for question in ("Hello", "Why?"):
        answer = ask(qtbot, window, question)["message_id"]
        store.rate_message(answer, -1)
        store.set_correction(answer, f"A better answer to {question}")
    recount(qtbot, window)
    tile = panel.tiles["thumbs_down"]
    assert tile.number.text() == "2" and rating_count(panel.counts) == 4
    assert "counted under" not in tile.toolTip()
    assert tile.toolTip().endswith("2 of them also have better answers you wrote, which the model learns to "
                                   "prefer over them")


def test_the_status_bar_counts_known_re_asks_as_answers_as_the_panel_does(make_window):
    """A second run reused the first one's re-asks: the panel read "re-asking questions: 13 of 13 answers
    known already from an earlier run" and the status bar beside it "re-asking questions, token 13/13"."""
    from desktop_app.core.finetune_effect import KNOWN_PARTS
    from desktop_app.core.training import TrainProgress

    window = make_window(max_new_tokens=4)
    known = KNOWN_PARTS["reask"].format(done=13, total=13, s="s")
    report = TrainProgress("evaluating", 13, 13, eta_s=0.5, message=f"measuring your current model: {known}",
                           training_follows=True, part=(3, 3), measures="reask")
    window.finetune_side._running(True)
    window.finetune.progress.emit(report)
    QApplication.processEvents()
    # the pause's count is in its line's tooltip (words70)
    panel_line, status = window.finetune_panel.phase_label.toolTip(), window.finetune_side.label.text()
    assert "13 of 13 answers known already" in panel_line
    assert "token" not in status and "13/13" in status and "answers known" in status, status


def test_deleting_the_last_adapter_after_its_question_puts_the_keyboard_in_the_prompt(make_window, qtbot, tmp_path):
    """The last adapter deleted with a click and "Yes" to the question: the keyboard landed on "Colour by",
    where the next letters typed change the colouring, not in the prompt."""
    window = active(qtbot, make_window(max_new_tokens=6))
    folder = tmp_path / "adapter-1"
    folder.mkdir()
    (folder / "adapter_config.json").write_text("{}")
    adapter = window.chat.store.add_adapter(folder, base_model=window.chat.loaded.model_id)
    history = window.finetune_panel.history
    window.finetune_panel.refresh_adapters()
    window.show_finetune()
    history.select(adapter)
    seen: list = []
    with qtbot.waitSignal(window.finetune.adapters_changed, timeout=WAIT_MS):
        answer_modal("&Yes", seen)
        press(qtbot, history.delete_button)
    assert seen and seen[0][0].startswith("Delete adapter 1")
    qtbot.waitUntil(lambda: not history.list.isVisible(), timeout=WAIT_MS)
    active(qtbot, window)  # the question gone, the window active again: where does the keyboard go?
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=WAIT_MS)
    assert QApplication.focusWidget() is window.prompt, QApplication.focusWidget()
