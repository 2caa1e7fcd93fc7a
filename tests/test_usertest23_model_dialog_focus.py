"""The model dialog opens with the keyboard on the source that is chosen (usertest23: opened with
Ctrl+L while the bundled model was in use, the focus ring sat on "GPT-2 family" though "Bundled
offline model" was the checked one; Space there would have switched the choice to a download).
pytest-qt on the real dialog with a real (empty) listing."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from test_local_models import local_models  # noqa: E402,F401


def _opened(local_models, current, qtbot):  # noqa: F811
    from desktop_app.gui.model_dialog import ModelDialog

    dialog = ModelDialog(local_models, current=current)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitExposed(dialog)
    for _ in range(4):
        QApplication.processEvents()
    return dialog


@pytest.mark.parametrize("which", ["bundled", "path"])
def test_the_focus_is_on_the_checked_source(which, local_models, qtbot, tmp_path):  # noqa: F811
    from desktop_app.core.model_sources import BUNDLED_SPEC

    current = BUNDLED_SPEC if which == "bundled" else str(tmp_path / "some-model")
    dialog = _opened(local_models, current, qtbot)
    checked = dialog.group.checkedButton()
    assert checked is (dialog.bundled_radio if which == "bundled" else dialog.path_radio)
    assert dialog.focusWidget() is checked, f"focus on {dialog.focusWidget()!r}, not the checked {checked.text()!r}"


def test_gpt2_family_keeps_its_focus(local_models, qtbot):  # noqa: F811
    dialog = _opened(local_models, "gpt2", qtbot)
    assert dialog.group.checkedButton() is dialog.family_radio
    assert dialog.focusWidget() is dialog.family_radio
