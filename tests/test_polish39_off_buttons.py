"""A button that is off reads as a button that cannot be pressed now, not as grey text (polish 39):
its words are neither an enabled button's nor a label's colour, it keeps a fill and an edge of its
own on the panel, light and dark; and where the window turns one off it says why in its tooltip."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.palette import contrast_ratio  # noqa: E402
from test_gui import make_window  # noqa: E402,F401


@pytest.fixture(params=[False, True], ids=["light", "dark"])
def themed(request, qapp):
    from gui_windows import app_theme

    with app_theme(qapp, request.param) as dark:
        yield dark


def rgb(color) -> tuple[int, int, int]:
    return color.red(), color.green(), color.blue()


def words_colour(widget) -> tuple[int, int, int]:
    """The colour the widget's words are drawn in, as the style sheet set it for its state."""
    return rgb(widget.palette().color(widget.foregroundRole()))


def panel_with(qtbot, *widgets):
    """The widgets in a row on a side panel (the panel's own background), laid out and polished."""
    from PySide6.QtWidgets import QHBoxLayout, QWidget

    panel = QWidget()
    panel.setObjectName("SidePanel")
    row = QHBoxLayout(panel)
    row.setContentsMargins(12, 12, 12, 12)
    for w in widgets:
        row.addWidget(w)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def off_buttons():
    from PySide6.QtWidgets import QPushButton, QToolButton

    plain = QPushButton("Export\u2026")
    primary = QPushButton("Send")
    primary.setObjectName("PrimaryButton")
    tool = QToolButton()
    tool.setText("Tool")
    flat = QToolButton()
    flat.setObjectName("FlatTool")
    flat.setText("Import\u2026")
    for b in (plain, primary, tool, flat):
        b.setEnabled(False)
    return [plain, primary, tool, flat]


def test_an_off_button_is_not_drawn_like_a_label(qtbot, themed):
    from PySide6.QtWidgets import QLabel, QPushButton

    from desktop_app.gui.theme import styled_label

    muted, label, on = styled_label("a muted note", "Muted"), QLabel("a label"), QPushButton("On")
    offs = off_buttons()
    panel = panel_with(qtbot, muted, label, on, *offs)
    image = panel.grab().toImage()
    background = rgb(image.pixelColor(2, 2))  # the panel's margin: nothing drawn on it
    for off in offs:
        name = off.objectName() or type(off).__name__
        colour = words_colour(off)
        assert colour not in (words_colour(on), words_colour(muted), words_colour(label)), name
        box = off.geometry()
        fill = rgb(image.pixelColor(box.center().x(), box.top() + 3))
        edge = {rgb(image.pixelColor(x, box.top())) for x in range(box.left() + 6, box.right() - 6)}
        if off.objectName() != "FlatTool":  # a flat tool has no fill, on or off
            assert fill != background, f"{name}: an off button's fill is the panel's own"
        assert edge - {fill, background}, f"{name}: no edge drawn round the off button"
        assert contrast_ratio(colour, fill) >= 2.5, f"{name}: its words all but vanish"
        assert contrast_ratio(colour, fill) < contrast_ratio(words_colour(on), fill), f"{name}: not dimmed"


def test_an_off_icon_takes_the_off_words_colour(qtbot, themed):
    from PySide6.QtGui import QIcon

    from desktop_app.gui.theme import colors, icon

    image = icon("export").pixmap(32, 32, QIcon.Mode.Disabled).toImage()
    drawn = {rgb(image.pixelColor(x, y)) for x in range(32) for y in range(32) if image.pixelColor(x, y).alpha() == 255}
    off = colors(themed)["off_text"]
    assert drawn == {tuple(int(off[i:i + 2], 16) for i in (1, 3, 5))}


def test_the_prompt_row_says_why_a_button_is_off(qtbot, qapp, make_window):
    from desktop_app.gui.chat import ChatState

    window = make_window()
    window.prompt.setPlainText("")
    assert not window.send_button.isEnabled()
    assert "Type a prompt first" in window.send_button.toolTip()
    assert "send a prompt first" in window.regenerate_button.toolTip()
    assert "Nothing to stop" in window.stop_button.toolTip()
    window.prompt.setPlainText("Hello there")
    assert window.send_button.isEnabled()
    assert window.send_button.toolTip() == "Send (Enter or Ctrl+Enter)"
    with qtbot.waitSignal(window.chat.answer_finished, timeout=60_000):
        window.send()
        assert window.chat.state is ChatState.ANSWERING
        window.prompt.setPlainText("And another")
        assert not window.send_button.isEnabled()
        assert "An answer is being written" in window.send_button.toolTip()
        assert window.stop_button.isEnabled() and "Esc" in window.stop_button.toolTip()
    assert window.regenerate_button.isEnabled()
    assert window.regenerate_button.toolTip().startswith("Another answer")
    rating = window.transcript.cards[-1].rating
    assert rating.correct_button.isEnabled() and rating.correct_button.toolTip().startswith("Edit this answer")
    panel = window.finetune_panel
    assert not panel.train_button.isEnabled() and panel.train_button.toolTip() == "Rate something first"


def test_the_adapter_history_says_why_export_is_off(qtbot, qapp):
    from desktop_app.gui.adapter_history import EXPORT_TIP, AdapterHistory

    history = AdapterHistory()
    qtbot.addWidget(history)
    history.set_busy(False)
    history.set_adapters([{"id": 1, "name": "first run", "present": True, "active": False},
                          {"id": 2, "name": "gone", "present": False, "active": False}])
    history.list.setCurrentRow(-1)
    assert not history.export_button.isEnabled()
    assert history.export_button.toolTip() == "Select an adapter in the list to export it"
    history.select(2)
    assert not history.export_button.isEnabled() and "files are missing" in history.export_button.toolTip()
    assert "files are missing" in history.use_button.toolTip()
    history.select(1)
    assert history.export_button.isEnabled() and history.export_button.toolTip() == EXPORT_TIP
    history.set_busy(True)
    assert not history.import_button.isEnabled() and "Load a model first" in history.import_button.toolTip()


def test_the_text_summary_says_why_export_is_off(qtbot, qapp):
    from desktop_app.gui.text_summary import SummaryPanel

    panel = SummaryPanel()
    qtbot.addWidget(panel)
    assert not panel.export_button.isEnabled()
    assert "not analysed" in panel.export_button.toolTip()


def test_the_better_answer_box_says_why_save_is_off(qtbot, qapp):
    from desktop_app.gui.ratings import CorrectionDialog

    dialog = CorrectionDialog("What is the capital of France?", "Paris is.", None)
    qtbot.addWidget(dialog)
    assert not dialog.save_button.isEnabled() and "Change the text first" in dialog.save_button.toolTip()
    dialog.editor.setPlainText("   ")
    assert not dialog.save_button.isEnabled() and dialog.save_button.toolTip() == "Write something first"
    dialog.editor.setPlainText("The capital of France is Paris.")
    assert dialog.save_button.isEnabled() and dialog.save_button.toolTip() == ""


def test_a_tooltip_on_screen_follows_its_button(qtbot, qapp):
    """An answer that ends under the mouse must not leave "An answer is being written" over Send."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QToolTip

    from desktop_app.gui.prompt_box import ButtonsFacts, PromptArea

    area = PromptArea()
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    area.explain_buttons(ButtonsFacts(answering=True, model=True, has_text=True, loaded=True))
    QToolTip.showText(area.send_button.mapToGlobal(QPoint(5, 5)), area.send_button.toolTip(), area.send_button)
    qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    area.explain_buttons(ButtonsFacts(answering=False, model=True, has_text=True, loaded=True))
    assert QToolTip.text() == "Send (Enter or Ctrl+Enter)"
    QToolTip.hideText()
