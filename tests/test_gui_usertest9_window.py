"""usertest9's window findings B6, B7, C2, C3, C5, C7, C8, C9 (pytest-qt, offscreen, the tiny
random GPT-2, the real SQLite store; sizes as the person had them)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QWidget  # noqa: E402

from test_gui import WAIT_MS, answer_cards, ask, make_window  # noqa: E402,F401

BUNDLED = "SmolLM2-135M-Instruct \u00b7 base model"  # the bundled model's author line on a card


def settle(times: int = 6) -> None:
    for _ in range(times):
        QApplication.processEvents()


def sized(make_window, width: int, height: int, **options):
    window = make_window(**options)
    window.resize(width, height)
    settle()
    return window


# ---------------------------------------------------------------- B6: the settings say what their fields do

def test_every_sampling_setting_explains_itself_and_the_popup_has_a_close_button(qtbot, qapp):
    from desktop_app.gui.settings_popover import SettingsPopover
    from desktop_app.gui.theme import apply_theme

    apply_theme(qapp, dark=False)
    opener = QWidget()
    qtbot.addWidget(opener)
    opener.resize(400, 600)
    opener.show()
    popover = SettingsPopover(opener)
    popover.popup_above(opener)
    qtbot.waitUntil(popover.isVisible, timeout=2000)
    names = {label.text(): label for label in popover.findChildren(QLabel)}
    for name in ("Temperature", "Top-k", "Top-p", "Min-p", "Repetition penalty", "Max new tokens", "Seed",
                 "Greedy", "Alternatives kept", "System text"):
        assert names[name].toolTip(), f"{name!r} says nothing when pointed at"
    assert "inspector" in names["Alternatives kept"].toolTip() and "most likely" in names["Min-p"].toolTip()
    assert popover.alternatives.toolTip() == names["Alternatives kept"].toolTip(), "the field says it too"
    assert any("Point at" in label.text() for label in names.values()), "a line says the names explain themselves"
    close = popover.close_button
    assert close.isVisible() and close.text() == "Close"
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    assert not popover.isVisible()
    popover.popup_above(opener)
    qtbot.waitUntil(popover.isVisible, timeout=2000)
    qtbot.keyClick(popover, Qt.Key.Key_Escape)
    assert not popover.isVisible(), "Esc still closes it"


# ---------------------------------------------------------------- B7: the status bar at 800x600

def test_the_run_label_keeps_its_words_in_a_narrow_bar(qapp):
    from desktop_app.core.training import TrainProgress
    from desktop_app.gui.finetune_side import fitted_run
    from desktop_app.core.progress_words import status_forms

    forms = status_forms(TrainProgress("training", step=4, total=22, eta_s=780))
    words = "fine-tuning \u00b7 step 4/22 \u00b7 13 min left"
    metrics = QLabel().fontMetrics()
    assert forms[0] == words and fitted_run(forms, metrics, metrics.horizontalAdvance(words)) == words
    narrow = metrics.horizontalAdvance("training step 4/22 ")
    assert fitted_run(forms, metrics, narrow) == "training step 4/22", "a bare '4/22' said nothing"
    assert fitted_run(forms, metrics, metrics.horizontalAdvance("training step 4/22 \u00b7 13 min left")) == \
        "training step 4/22 \u00b7 13 min left"


def _running(window, step: int = 4) -> None:
    from desktop_app.core.training import TrainProgress

    side = window.finetune_side
    side._running(True)
    side._progress(TrainProgress("training", step=step, total=22, eta_s=780))
    settle()


def _painted_run(window) -> str:
    label = window.finetune_side.label
    return label.fitted(label.text(), label.fontMetrics(), label.contentsRect().width())


def _message_room(window) -> int:
    """The px left of the status bar's leftmost shown permanent widget: where its message is painted."""
    permanent = [w for w in (window.finetune_side.label, window.progress_label, window.progress,
                             window.speed_label, window.model_label, window.adapter_label) if w.isVisible()]
    return min(w.geometry().left() for w in permanent)


def test_at_800_px_the_run_label_says_it_trains_and_a_saved_message_shows_whole(make_window, qtbot):
    window = sized(make_window, 800, 600, max_new_tokens=4)
    window.speed_label.setText("0.7 tokens/s")  # as after an answer
    _running(window)
    shown = _painted_run(window)
    assert shown.startswith("training step 4/22"), f"the narrow bar showed {shown!r}"
    bar = window.statusBar()
    message = "Saved /home/someone/Documents/The old lighthouse stood at the edge of.png"
    bar.showMessage(message, 5000)
    settle()
    room = _message_room(window)
    assert bar.fontMetrics().horizontalAdvance(message) + 8 <= room, (room, "the run's label painted over it")
    assert _painted_run(window).startswith("training step 4/22"), "while it shows, the run's label keeps its words"
    assert not window.speed_label.isVisible(), "the last answer's speed stepped aside for it"
    bar.clearMessage()
    settle()
    assert window.speed_label.isVisible(), "and came back after it"


# ---------------------------------------------------------------- C2: the model's name in an answer's header

def test_an_answers_header_at_826_px_gives_its_free_room_to_the_model_name(make_window, qtbot):
    """The person's card (59_branch.png): "SmolLM2-135M… · base model", ~40 px of nothing, then
    the thumbs and ‹ 2/2 ›; the count, which gives way here, and the arrows' gaps held that room."""
    window = sized(make_window, 826, 600, max_new_tokens=4)
    ask(qtbot, window, "How many legs does a spider have?")
    card = answer_cards(window)[-1]
    card.role_label.setText(BUNDLED)
    card.set_meta("23 tokens \u00b7 branched at token 6 \u00b7 1.1 tok/s")
    card.set_siblings(2, 2)
    settle()
    author, tools = card.role_label.geometry(), card.tools.geometry()
    assert card.tools_row.count() == 0, "the buttons stay in the header"
    spacing = card.layout().itemAt(0).layout().spacing()
    # the answer (4 tokens, cut at the limit) has its Continue row, which can widen the chat a little: the count
    # may then fit beside the name, and the line keeps no gap on either side of it (usertest 19)
    shown = [author] + ([card.meta.geometry()] if card.meta.isVisible() else []) + [tools]
    assert all(b.left() - a.right() - 1 <= spacing for a, b in zip(shown, shown[1:])), \
        "a line with no room kept its gaps beside the name"
    assert card.sibling_label.geometry().left() - card.prev_button.geometry().right() - 1 <= 2, "‹ 2/2 › apart"
    assert card.next_button.geometry().left() - card.sibling_label.geometry().right() - 1 <= 2


# ---------------------------------------------------------------- C3: the legend at 800x600 with both side panels

def test_the_legend_at_800_px_with_both_panels_keeps_score_my_prompts_whole(make_window, qtbot):
    from desktop_app.gui import view_toolbar

    window = sized(make_window, 800, 600, max_new_tokens=4)
    view_toolbar.reveal(window, "conversations")  # Ctrl+B: both side panels
    settle()
    legend = window.legend
    box = legend.score_prompts
    assert legend.width() < 340, "the chat column is narrow here"
    assert box.text() == "Score my prompts", "it read 'Prompts'"
    assert box.isVisible() and box.width() >= box.sizeHint().width() and box.geometry().right() <= legend.width()
    assert box.geometry().top() >= legend.combo.geometry().bottom(), "on a row of its own, under the list"
    assert legend.low.isVisible() and legend.high.isVisible(), "what the colours mean stays"
    window.panel_actions["conversations"].trigger()  # the list hidden: the chat wider, one row again
    settle()
    assert box.geometry().top() < legend.combo.geometry().bottom() and box.text() == "Score my prompts"
    window.resize(1280, 800)  # room for all of it
    settle()
    assert box.geometry().top() < legend.combo.geometry().bottom() and legend.colour_by.isVisible()


# ---------------------------------------------------------------- C5: the "Colour by" list's popup

def test_the_colour_by_list_opens_with_room_around_its_rows(qtbot, qapp):
    from desktop_app.gui.legend import LegendBar
    from desktop_app.gui.theme import apply_theme

    apply_theme(qapp, dark=False)
    legend = LegendBar()
    qtbot.addWidget(legend)
    legend.resize(600, 40)
    legend.show()
    legend.combo.showPopup()
    view = legend.combo.view()
    qtbot.waitUntil(view.isVisible, timeout=2000)
    row = view.visualRect(view.model().index(0, 0))
    text_height = legend.combo.fontMetrics().height()
    assert row.height() >= text_height + 10, f"a tight list: {row.height()} px rows for {text_height} px text"
    assert view.viewport().geometry().left() >= 3, "no room inside the popup's edge"
    metrics = view.fontMetrics()
    for i in range(legend.combo.count()):  # and none of them cut ("Rank…LTR)")
        rect = view.visualRect(view.model().index(i, 0))
        assert rect.width() - 12 >= metrics.horizontalAdvance(legend.combo.itemText(i)), legend.combo.itemText(i)
    legend.combo.hidePopup()


# ---------------------------------------------------------------- C7: the side panel's tab strip

def test_no_line_runs_past_the_side_panels_last_tab(make_window):
    window = sized(make_window, 1280, 800, max_new_tokens=4)
    tabs = window.side_tabs
    bar = tabs.tabBar()
    image = tabs.grab().toImage()
    last = bar.tabRect(bar.count() - 1).translated(bar.pos())
    background = image.pixelColor(tabs.width() - 4, last.center().y())
    stray = [(x, y) for y in range(0, last.bottom()) for x in range(last.right() + 4, tabs.width() - 4)
             if image.pixelColor(x, y) != background]
    assert not stray, f"{len(stray)} px of a line past the last tab, e.g. at {stray[:3]}"


# ---------------------------------------------------------------- C8: the shortcuts list

def test_each_ctrl_enter_row_says_where_it_applies():
    from desktop_app.gui.shortcuts import SHORTCUTS

    rows = [what for keys, what in SHORTCUTS if "Ctrl+Enter" in keys]
    assert len(rows) >= 2
    wheres = [what.split(":", 1)[0] for what in rows]
    assert all(where.startswith("in ") for where in wheres), rows
    assert len(set(wheres)) == len(wheres), "two rows for the same place"


# ---------------------------------------------------------------- C9: hiding a panel yourself

def test_hiding_a_panel_yourself_says_it_stays_hidden_and_how_it_comes_back(make_window, qtbot):
    window = sized(make_window, 1280, 800, max_new_tokens=4)
    window.panel_actions["conversations"].trigger()  # Ctrl+B
    settle()
    assert not window.conversations.isVisible()
    message = window.statusBar().currentMessage()
    assert message == "Conversations stay hidden, even in a wider window, until Ctrl+B"
    window.panel_actions["conversations"].trigger()  # Ctrl+B again: back
    settle()
    assert window.conversations.isVisible()

