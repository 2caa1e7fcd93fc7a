"""A fine-tune trains from the model in use and puts its adapter on that model when it ends: the model
dialog's Load stayed on while a run went, and a model loaded then replaced the one the run was made for.
Load is now off while a run goes, its line and tooltip saying why, and on again once the run ends (here:
cancelled, with the dialog still open); every other load (the window's load_model, "Explain again with
Exact weights"'s reload) is refused meanwhile, the status bar saying why. Real window, the tiny model, a
real fine-tune on the training lane."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.gui.chat import ChatState  # noqa: E402
from desktop_app.gui.model_dialog import LOOKING  # noqa: E402
from desktop_app.gui.off_words import FINETUNE_HOLDS_MODEL  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_gui_usertest9_fixes import TRAIN_MS, cancelled, rated_window  # noqa: E402


def _training(qtbot, window) -> None:
    """The run started from the Fine-tune tab, past its first step."""
    window.show_finetune()
    with qtbot.waitSignal(window.finetune.progress, timeout=TRAIN_MS,
                          check_params_cb=lambda p: p.phase == "training" and p.step >= 1):
        qtbot.mouseClick(window.finetune_panel.train_button, Qt.MouseButton.LeftButton)


def test_load_waits_for_the_fine_tune_and_comes_back_when_it_is_cancelled(make_window, qtbot, tiny_model_dir):
    window = rated_window(qtbot, make_window)
    dialog = None
    try:
        _training(qtbot, window)
        dialog = window.model_dialog()
        assert not dialog.load_button.isEnabled()
        assert dialog.load_button.toolTip() == FINETUNE_HOLDS_MODEL
        assert not dialog.held_line.isHidden() and dialog.held_line.text() == FINETUNE_HOLDS_MODEL
        assert window.load_model(str(tiny_model_dir)) is False
        assert window.reload_with_precision("exact") is False
        assert window.chat.state is not ChatState.LOADING and not window.tasks.model.find("load")
        assert window.statusBar().currentMessage() == FINETUNE_HOLDS_MODEL
        assert window.chat.precision != "exact", "a refused reload leaves the precision chosen as it was"
    finally:
        cancelled(qtbot, window)
    assert dialog.load_button.isEnabled() and dialog.load_button.toolTip() == "", "on again, the dialog still open"
    assert dialog.held_line.isHidden()
    assert window.load_model(str(tiny_model_dir)) is True
    with qtbot.waitSignal(window.chat.model_loaded, timeout=TRAIN_MS):
        pass
    # its listing runs on the files lane: let it end here, not in the next test's window
    qtbot.waitUntil(lambda: dialog.local.count() and dialog.local.item(0).text() != LOOKING, timeout=TRAIN_MS)
    dialog.deleteLater()
