"""usertest71: a teacher preparing a class on how a language model picks the next word, on a 1024x768 projector
(pytest-qt, offscreen, the tiny fixture model, a real store and settings file)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel  # noqa: E402

from gui_windows import opened_window  # noqa: E402

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    from desktop_app.gui.text_zoom import set_zoom

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=8, seed=5) as window:
        window.set_mode("chat")
        window.resize(1024, 740)
        window.activateWindow()
        qtbot.waitExposed(window)
        try:
            yield window
        finally:
            set_zoom(qapp, 100)  # the application's font is shared by the tests after this one


def _press(qtbot, window, key) -> None:
    qtbot.keyClick(window.prompt, key, CTRL)
    QApplication.processEvents()


def test_ctrl_plus_grows_the_windows_text_and_ctrl_0_brings_it_back(window, qtbot, qapp):
    """Ctrl++ did nothing: only the desktop's own font size grew the answers for a projector."""
    usual_pt = qapp.font().pointSizeF()
    prompt_px = window.prompt.fontInfo().pixelSize()
    _press(qtbot, window, Qt.Key.Key_Plus)
    _press(qtbot, window, Qt.Key.Key_Equal)  # Ctrl+= too: "+" is Shift+= on many keyboards
    assert qapp.font().pointSizeF() == pytest.approx(usual_pt * 1.25)
    assert window.prompt.fontInfo().pixelSize() > prompt_px  # the style sheet's sizes grew too
    assert "125%" in window.statusBar().currentMessage()
    assert int(window.settings.value("text_zoom")) == 125  # kept for the next start
    _press(qtbot, window, Qt.Key.Key_0)
    assert qapp.font().pointSizeF() == pytest.approx(usual_pt)
    assert window.prompt.fontInfo().pixelSize() == prompt_px
    assert int(window.settings.value("text_zoom")) == 100


def test_the_prompt_rows_words_come_back_at_the_usual_size(window, qtbot, qapp):
    """At 150% the prompt row dropped Settings' and Regenerate's words; back at 100% they stayed icons alone."""
    words = {button: button.text() for button in (window.settings_button, window.regenerate_button)}
    assert all(words.values())
    for _ in range(3):
        _press(qtbot, window, Qt.Key.Key_Plus)
    _press(qtbot, window, Qt.Key.Key_0)
    assert {button: button.text() for button in words} == words


def test_a_kept_text_size_is_restored_at_the_next_start_with_the_conversations_title_whole(qtbot, qapp,
                                                                                          tiny_model_dir):
    """The size is kept, and set before the next window is built: every part sizes itself for it."""
    from desktop_app.core.paths import AppPaths
    from desktop_app.gui.text_zoom import set_zoom, zoom_percent
    from desktop_app.gui.window_state import open_settings

    open_settings(AppPaths.resolve().ensure()).setValue("text_zoom", 150)
    try:
        with opened_window(qtbot, qapp, tiny_model_dir, max_new=8) as window:
            window.set_mode("chat")
            QApplication.processEvents()
            assert zoom_percent(qapp) == 150
            title = window.conversations.findChild(QLabel, "PanelTitle")
            assert title.width() >= title.sizeHint().width(), f"{title.text()!r} cut at 150%"
    finally:
        set_zoom(qapp, 100)


def test_the_conversations_title_stays_whole_after_ctrl_plus_in_a_built_window(window, qtbot, qapp):
    """At 150% by the keys the list's title read "CONVERSATIO": its least width had been measured at the build."""
    title = window.conversations.findChild(QLabel, "PanelTitle")
    for _ in range(3):
        _press(qtbot, window, Qt.Key.Key_Plus)
    qtbot.waitUntil(lambda: title.width() >= title.sizeHint().width(), timeout=5000)



def _analysed_text(qtbot, window, text: str):
    from gui_windows import WAIT_MS

    window.set_mode("text")
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS) as blocker:
        window.text_view.editor.setPlainText(text)
    return blocker.args[0]


def test_the_text_tabs_export_menu_writes_every_tokens_figures_as_csv(window, qtbot, tmp_path):
    """The one CSV of the Text tab held the summary's histograms: a teacher wanting each word's chance in a
    spreadsheet for a handout found no such file (the command line's --out X.tokens.csv has it)."""
    import csv

    scored = _analysed_text(qtbot, window, "The capital of France is London, and the sun rises in the west.")
    panel, tools = window.text_view.summary_panel, window.text_view.analysis_tools
    action = next(a for a in panel.export_button.menu().actions() if a.text() == "Tokens as CSV\u2026")
    assert tools.suggested_name("tokens.csv").endswith(".tokens.csv")
    path = tools.export("tokens.csv", str(tmp_path / "handout.tokens.csv"))
    assert action.isEnabled() and path is not None
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["text"] for row in rows] == [r.text for r in scored.records]
    assert [float(row["prob"]) for row in rows] == pytest.approx([r.prob for r in scored.records])
    assert window.statusBar().currentMessage() == f"Saved {path}"


def test_a_heatmap_png_for_a_handout_has_two_pixels_to_each_on_a_plain_screen(window, qtbot, tmp_path):
    """On a 1024x768 projector's screen (a pixel ratio of 1) the PNG of a sentence was 498 x 109 pixels."""
    from PySide6.QtGui import QImage

    _analysed_text(qtbot, window, "To be, or not to be, that is the question.")
    assert window.text_view.heatmap.devicePixelRatioF() == 1.0
    path = window.text_view.analysis_tools.export("png", str(tmp_path / "famous.png"))
    image = QImage(str(path))
    assert image.width() == 2 * max(400, window.text_view.heatmap.width())


def test_an_alternative_against_the_written_token_leads_with_both_chances():
    """The inspector's comparison opened with "log-probability -1.720 vs -3.948, +2.229 (the logits' difference)":
    words a teacher could not explain to a class, before the two chances they could."""
    import math

    from desktop_app.core.records import Alternative, TokenRecord
    from desktop_app.gui.inspector_words import versus_words

    written = TokenRecord(id=38634, text="Paris", logprob=math.log(0.019), rank=11, entropy=3.5)
    said = versus_words(Alternative(id=504, text="The", prob=0.179), written)
    plain, figures = said.split(". In log-probabilities: ")
    assert plain == "\u201cThe\u201d 17.9% against the written \u201cParis\u201d 1.9%: 9.4\u00d7 more likely"
    assert "-1.720 vs -3.963" in figures and "id 504" in figures
