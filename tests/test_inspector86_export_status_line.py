"""inspector86, item 5: a fresh export dialog kept an empty status line (about 14 px) between its fields and its
buttons. The line is hidden until it has something to say, shown for the export's words, and hidden again when a
new choice forgets the last result, the dialog shrinking back to its fresh height. The real dialog in the window,
the tiny model's adapter, a real GGUF export on the training lane."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_export81_dialog import _export, _open_dialog  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401


def _gap_above_buttons(dialog) -> int:
    """The pixels between the Save-as field's bottom and the buttons' top: the layout's spacing alone when no
    line stands between them."""
    return dialog.buttons.geometry().top() - dialog.path.geometry().bottom() - 1


def test_a_fresh_dialog_has_no_blank_status_line_and_shrinks_back_to_it(make_window, qtbot, tmp_path, tiny_model_dir):
    window = make_window()
    dialog = _open_dialog(window, qtbot, tiny_model_dir)
    qtbot.waitUntil(lambda: dialog.height() >= dialog.minimumSizeHint().height(), timeout=WAIT_MS)
    spacing = dialog.layout().spacing()
    assert dialog.status.isHidden() and dialog.status.text() == ""
    assert _gap_above_buttons(dialog) <= spacing + 2, f"{_gap_above_buttons(dialog)} px above the buttons"
    fresh = dialog.height()
    _export(qtbot, dialog, tmp_path / "first.gguf")
    assert dialog.status.isVisible() and dialog.status.text().startswith("Wrote ")
    qtbot.waitUntil(lambda: dialog.height() > fresh, timeout=WAIT_MS)
    dialog.path.setText(str(tmp_path / "second.gguf"))  # a new choice: the result goes, and its line
    assert dialog.status.isHidden()
    qtbot.waitUntil(lambda: dialog.height() <= fresh, timeout=WAIT_MS)
    assert dialog.bar.isHidden() and _gap_above_buttons(dialog) <= spacing + 2
    dialog.close()
