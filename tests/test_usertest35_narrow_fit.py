"""usertest35: on a 480 px wide screen the bundled model's notice keeps its "Choose a model…" link whole beside
its cut text (its text's least width was its longest word's, and the link lost 23 px), and the Fine-tune panel's
train button fits the panel without a horizontal scroll ("Fine-tune", its whole words its accessible name).
pytest-qt, offscreen, the real window on the tiny fixture model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_geometry62_narrow_screen import _fill_screen, _settle  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_gui_ux20_fixes import window  # noqa: E402,F401  (window: a fixture)

BUNDLED_NOTICE = ("Using the bundled model SmolLM2-135M-Instruct, which works offline. GPT-2 (openai-community/gpt2) "
                  "is not on this computer yet and the model hub is out of reach. To use GPT-2, choose it once you are "
                  "online (a single download, about 500 MB) or choose a folder that holds it.")


def _narrow_with_fine_tune_panel(window, qtbot, monkeypatch) -> None:
    from desktop_app.gui import view_toolbar

    window.notices.notice.show_message(BUNDLED_NOTICE, "info", action=("Choose a model\u2026", lambda: None))
    _fill_screen(window, monkeypatch, 480, 640)
    qtbot.waitUntil(lambda: not window.side_tabs.isVisible())  # folded for room as the window narrowed
    view_toolbar.reveal(window, "side_tabs")
    window.side_tabs.setCurrentWidget(window.finetune_panel)
    qtbot.waitUntil(window.finetune_panel.isVisible)
    _settle()
    # the panels' fitting runs from queued events: the fitted state is awaited (as geometry62's test does)
    qtbot.waitUntil(lambda: window.side_tabs.geometry().right() < window.splitter.width(), timeout=5000)
    _settle()


def test_the_notice_link_is_whole_on_a_480_px_screen(window, qtbot, monkeypatch):
    _narrow_with_fine_tune_panel(window, qtbot, monkeypatch)
    notice = window.notices.notice
    button = notice.action_button
    assert notice.isVisible() and button.isVisible()
    assert button.width() >= button.sizeHint().width(), f"the link {button.width()} of {button.sizeHint().width()} px"
    assert button.geometry().right() < notice.close_button.geometry().left(), "the link clear of the close"
    assert notice.label.cut_text is not None and notice.label.toolTip() == BUNDLED_NOTICE, "the whole text a hover away"


def test_the_train_button_fits_a_480_px_screen_s_panel(window, qtbot, monkeypatch):
    from desktop_app.gui import finetune_panel as fp

    panel = window.finetune_panel
    assert panel.train_button.text() == fp.TRAIN_WORDS, "the whole words in the roomy window"
    _narrow_with_fine_tune_panel(window, qtbot, monkeypatch)
    button = panel.train_button
    right = button.mapTo(panel.viewport(), button.rect().topRight()).x()
    assert right < panel.viewport().width(), f"the button ends at {right}, past the panel's {panel.viewport().width()}"
    assert panel.horizontalScrollBar().maximum() == 0, "nothing to scroll sideways"
    assert button.text() == fp.TRAIN_SHORT_WORDS and button.accessibleName() == fp.TRAIN_WORDS
    assert button.width() >= button.sizeHint().width(), "its short words whole"
    _fill_screen(window, monkeypatch, 1280, 800)
    qtbot.waitUntil(lambda: button.text() == fp.TRAIN_WORDS)


def test_a_kept_run_s_card_and_the_adapter_history_fit_a_480_px_screen_s_panel(make_window, tmp_path, qtbot,
                                                                              monkeypatch):
    """After a kept run (as on Xvfb), the card's before/after title, its Compare button and the history's buttons had
    kept the panel 276 px wide in its 190: the panel scrolled sideways and the card was cut at its edge."""
    from desktop_app.gui import finetune_panel as fp
    from desktop_app.gui import view_toolbar
    from test_card28_card import shown_card

    panel = shown_card(make_window, tmp_path)
    window = panel.window()
    assert panel.history.button_columns == 2 and panel.compare_button.text() == fp.COMPARE_WORDS, "roomy: as before"
    _fill_screen(window, monkeypatch, 480, 640)
    qtbot.waitUntil(lambda: not window.side_tabs.isVisible())
    view_toolbar.reveal(window, "side_tabs")
    window.side_tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: window.side_tabs.geometry().right() < window.splitter.width(), timeout=5000)
    _settle()
    qtbot.waitUntil(lambda: panel.horizontalScrollBar().maximum() == 0, timeout=5000)
    assert panel.widget().width() <= panel.viewport().width()
    for widget in (panel.taught.title, panel.compare_button, *panel.history._button_order()):
        right = widget.mapTo(panel.viewport(), widget.rect().topRight()).x()
        assert right < panel.viewport().width(), f"{widget} ends at {right}, past {panel.viewport().width()}"
    assert panel.history.button_columns == 1
    compare = panel.compare_button
    assert compare.text() == fp.COMPARE_SHORT_WORDS and compare.accessibleName() == fp.COMPARE_WORDS


def test_the_token_inspector_fits_a_480_px_screen_s_panel(window, qtbot, monkeypatch):
    """Its button rows, figures and "Continue with …" had kept it 269 px wide in its 186 px view: Copy figures,
    "bad" and the figures' ends were cut at its edge, with no way to scroll to them."""
    from desktop_app.gui import inspector as insp
    from test_gui_ux20_fixes import answer_cards, ask

    ask(qtbot, window)
    card = answer_cards(window)[-1]
    inspector = window.inspector
    _fill_screen(window, monkeypatch, 480, 640)
    qtbot.waitUntil(lambda: not window.side_tabs.isVisible())
    card.view.select_token(1)
    window.show_token(card, 1)  # what a token click does: the panel comes back for it
    qtbot.waitUntil(window.side_tabs.isVisible)
    qtbot.waitUntil(lambda: window.side_tabs.geometry().right() < window.splitter.width(), timeout=5000)
    _settle()
    view = inspector.scroll.viewport()
    assert view.width() < insp.NARROW_INSPECTOR_PX
    qtbot.waitUntil(lambda: inspector.scroll.widget().width() <= view.width())
    for widget in (inspector.copy_button, inspector.bad_button, inspector.branch_button,
                   *inspector.stat_values.values()):
        right = widget.mapTo(view, widget.rect().topRight()).x()
        assert right < view.width(), f"{widget.text()!r} ends at {right}, past the view's {view.width()}"
    assert inspector.copy_button.geometry().top() > inspector.explain.button.geometry().bottom(), "one under another"
    assert inspector.branch_button.accessibleName() == insp.BRANCH_LABEL
    _fill_screen(window, monkeypatch, 1280, 800)  # room again: side by side, the words whole
    qtbot.waitUntil(lambda: inspector.branch_button.text() == insp.BRANCH_LABEL)
    qtbot.waitUntil(lambda: inspector.copy_button.geometry().top() == inspector.explain.button.geometry().top())
