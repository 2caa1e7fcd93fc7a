"""Usertest 6 findings in the window: a focused checkbox shows its tick (F5); ..."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui import WAIT_MS, make_window  # noqa: E402,F401


def _focused_box_image(qtbot, qapp, checked: bool):
    from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

    host = QWidget()
    qtbot.addWidget(host)
    box = QCheckBox("Greedy")
    QVBoxLayout(host).addWidget(box)
    box.setChecked(checked)
    host.show()
    host.activateWindow()
    box.setFocus()
    qtbot.waitUntil(box.hasFocus, timeout=WAIT_MS)
    return box.grab().toImage()


@pytest.mark.parametrize("dark", [False, True])
def test_a_focused_checkbox_shows_whether_it_is_ticked(qtbot, qapp, dark):
    """F5: the focus ring made Qt draw the indicator itself, with no tick: ticked and
    unticked looked the same while the box had the keyboard."""
    from desktop_app.gui.theme import apply_theme

    apply_theme(qapp, dark=dark)
    try:
        assert _focused_box_image(qtbot, qapp, True) != _focused_box_image(qtbot, qapp, False)
    finally:
        apply_theme(qapp, dark=False)


def test_a_text_mode_error_stays_on_the_text_tab(make_window, qtbot, tmp_path):
    """F4: a file too large to open is the text's error, not the conversation's: leaving the
    Text tab takes its red banner away; a window-wide error stays."""
    from desktop_app.core.documents import MAX_FILE_BYTES

    window = make_window(mode="text")
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (MAX_FILE_BYTES + 1))
    assert window.text_mode.view.open_file(str(big))
    banner = window.error_banner
    qtbot.waitUntil(banner.isVisible, timeout=WAIT_MS)
    assert "larger than" in banner.label.text()
    window.text_mode.set_mode("chat")
    assert not banner.isVisible()
    window.show_error("No model is loaded: choose one with the model button.")
    window.text_mode.set_mode("text")
    window.text_mode.set_mode("chat")
    assert banner.isVisible()
