"""Usertest 11, the chat window and the inspector (real widgets, pytest-qt, the tiny random GPT-2):
the inspector's scroll position for a new token, an invisible alternative, the token meter's
line, the focus after Continue, the card header's sibling arrows, rated and selected tokens,
the colour key under an attribution, and the first start's words."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QScrollArea  # noqa: E402

from desktop_app.core.records import Alternative, TokenRecord  # noqa: E402
from test_gui import WAIT_MS, answer_cards, ask, make_window  # noqa: E402,F401


def settle(times: int = 4) -> None:
    for _ in range(times):
        QApplication.processEvents()


def click_token(qtbot, card, index: int) -> None:
    qtbot.mouseClick(card.view.viewport(), Qt.MouseButton.LeftButton, pos=card.view.span_rect(index).center())


# ---------------------------------------------------------------- #6: a new token starts at the top

def test_another_token_shows_its_name_at_the_top_of_the_inspector(make_window, qtbot):
    """Scrolled down to "Why this token?" for one token, the next token clicked showed its
    alternatives without its name, probability or rank (usertest 11, #6)."""
    window = make_window()
    window.resize(800, 600)
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    inspector = window.inspector
    click_token(qtbot, card, 0)
    settle()
    scroll = inspector.findChild(QScrollArea)
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0, "at 800x600 the inspector scrolls (the test needs it to)"
    bar.setValue(bar.maximum())  # down to "Why this token?", as the person scrolled
    click_token(qtbot, card, 1)
    settle()
    assert inspector.index == 1
    assert bar.value() == 0
    viewport = scroll.viewport()
    for widget in (inspector.token_label, inspector.stat_values["probability"], inspector.stat_values["rank"]):
        top = widget.mapTo(viewport, QPoint(0, 0)).y()
        assert 0 <= top and top + widget.height() <= viewport.height(), f"{widget.text()!r} is out of view"


def test_the_same_token_shown_again_keeps_the_scroll_position(make_window, qtbot):
    """The panel refreshed for the token already shown (its answer ended) stays where the person
    scrolled: only another token starts at the top."""
    window = make_window()
    window.resize(800, 600)
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    click_token(qtbot, card, 0)
    settle()
    bar = window.inspector.findChild(QScrollArea).verticalScrollBar()
    bar.setValue(bar.maximum())
    window.cards._fill_inspector(card, 0)  # what refresh_waiting_token does once the model is free
    assert bar.value() == bar.maximum() > 0


# ---------------------------------------------------------------- #17: an invisible alternative

def test_a_no_break_space_among_the_alternatives_is_shown_by_a_mark(qtbot):
    """The bundled model's tenth alternative after "at " was a no-break space: a blank row with a
    bar and "0.0%" (usertest 11, #17)."""
    from desktop_app.gui.inspector import InspectorPanel

    top = (Alternative(17, "2", 0.386), Alternative(16, "1", 0.386), Alternative(20, "4", 0.046),
           Alternative(2, "\u00a0", 0.0004), Alternative(3, "\u200b", 0.0003), Alternative(4, "\r", 0.0002))
    record = TokenRecord(20, "4", math.log(0.046), 3, 1.5, top)
    panel = InspectorPanel()
    qtbot.addWidget(panel)
    panel.show_token(1, 5, record, can_branch=True)
    labels = [label for label, _prob, _chosen in panel.chart.rows()]
    assert labels[:3] == ["2", "1", "4"]
    for label in labels[3:]:
        assert label.strip() and label.isprintable(), f"{label!r} paints nothing"
    assert len(set(labels)) == len(labels), "each invisible token has a mark of its own"
    panel.pick(3)
    assert panel.branch_button.text() != "Continue with \u201c\u00a0\u201d"


# ---------------------------------------------------------------- #13: the focus after Continue

def _stopped_answer(qtbot, window):
    """An answer the person stopped at its first token: its card offers Continue."""
    stop_first = [True]

    def stop(_batch):
        if stop_first[0] and window.chat.generating:
            stop_first[0] = False
            window.stop()

    window.chat.tokens.connect(stop)
    window.prompt.setPlainText("Hello there")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.send()
    qtbot.waitUntil(lambda: answer_cards(window)[-1].message is not None, timeout=WAIT_MS)
    card = answer_cards(window)[-1]
    qtbot.waitUntil(card.continue_button.isVisible, timeout=5000)
    return card


@pytest.mark.parametrize("button", ["continue_button", "regenerate_button"])
def test_after_continue_the_keyboard_is_in_the_prompt_box(make_window, qtbot, monkeypatch, button):
    """After Continue the focus ring was on the "Chat" tab: the person had to click the box before
    typing (usertest 11, #13). Send leaves it in the prompt box; so do the card's Continue and
    Regenerate."""
    from desktop_app.core import session as session_module
    from test_gui import SlowGeneration

    monkeypatch.setattr(session_module, "Generation", SlowGeneration)  # Stop lands before the answer ends
    window = make_window(max_new_tokens=20)
    card = _stopped_answer(qtbot, window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    clicked = getattr(card, button)
    clicked.setFocus()  # a click on a button takes the focus
    qtbot.waitUntil(clicked.hasFocus, timeout=5000)
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        qtbot.mouseClick(clicked, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)
    settle()
    focused = QApplication.focusWidget()
    assert focused is window.prompt, f"the focus is on {type(focused).__name__} {getattr(focused, 'text', str)()!r}"


# ---------------------------------------------------------------- #8 and #9: the token meter's line

def prompt_top(window) -> int:
    return window.prompt.mapTo(window, QPoint(0, 0)).y()


def transcript_bottom(window) -> int:
    port = window.transcript.viewport()
    return port.mapTo(window, QPoint(0, port.height())).y()


def test_the_meter_line_keeps_its_room_and_the_chat_does_not_move(make_window, qtbot):
    """The count under the prompt box came when the model had loaded and went while an answer
    streamed, each time moving the prompt box and the chat by a line: a click on Continue after
    a restart landed on empty space (usertest 11, #8)."""
    window = make_window(wait=False, max_new_tokens=60)
    window.resize(1280, 800)
    settle()
    meter = window.prompt_area.meter
    assert not meter.isVisible()
    before = (prompt_top(window), transcript_bottom(window))
    qtbot.waitUntil(lambda: window.chat.loaded is not None, timeout=WAIT_MS)
    window.prompt.setPlainText("Hello there")
    qtbot.waitUntil(lambda: meter.isVisible() and "tokens of context" in meter.text(), timeout=WAIT_MS)
    settle()
    assert (prompt_top(window), transcript_bottom(window)) == before, "the count pushed the chat up"
    while_streaming = []
    window.chat.tokens.connect(lambda _batch: while_streaming.append(
        (meter.isVisible(), prompt_top(window), transcript_bottom(window))))
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.send()
    assert while_streaming and all(shown for shown, *_place in while_streaming), "the count stays while it streams"
    assert all(tuple(place) == before for _shown, *place in while_streaming), "the chat moved while it streamed"
    qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)
    window.context_meter.refresh()
    settle()
    assert meter.isVisible() and (prompt_top(window), transcript_bottom(window)) == before


def test_the_meter_says_nothing_under_an_empty_box_before_the_first_question(make_window, qtbot):
    """"30 / 8,192 tokens of context" under an empty box, before anything was typed, counted the
    system text (usertest 11, #9); under an empty box later it says what it counts."""
    window = make_window()
    meter = window.prompt_area.meter
    window.context_meter.refresh()  # what its timer does once the model has loaded
    assert not meter.isVisible() or not meter.text()
    window.prompt.setPlainText("Hello")
    window.context_meter.refresh()
    assert meter.isVisible() and meter.text().endswith("tokens of context") and meter.text()[0].isdigit()
    window.prompt.clear()
    ask(qtbot, window)
    qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)
    window.context_meter.refresh()
    assert meter.isVisible() and meter.text()[0].isdigit() and meter.text().endswith(" \u00b7 the conversation so far")


# ---------------------------------------------------------------- #14: the sibling arrows beside the model's name

def painted(label) -> str:
    return label.fitted(label.text(), label.fontMetrics(), label.contentsRect().width())


@pytest.mark.parametrize("size", [(800, 600), (1024, 700), (1280, 800)])
def test_the_sibling_arrows_leave_the_model_name_in_the_header(make_window, qtbot, size):
    """A stopped second answer's header read "adapter 1 · 23 tokens · stopped ‹ 2/2 ›": the model's
    name was gone (usertest 11, #14). It keeps "SmolLM2…" and "stopped"; the count gives way."""
    from desktop_app.gui.answer_words import STOPPED_WORDS

    window = make_window()
    window.resize(*size)
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    card.role_label.setText("SmolLM2-135M-Instruct \u00b7 adapter 1")
    card.set_meta("23 tokens \u00b7 stopped")
    card.set_siblings(2, 2)
    settle(6)
    assert card.prev_button.isVisible() and card.sibling_label.text() == "2/2"
    assert card.tools_row.count() == 0, "the tools stay in the header row"
    author = painted(card.role_label)
    assert author.startswith("SmolLM2") and author.endswith("adapter 1"), author
    assert painted(card.meta).endswith("stopped"), "the cut mark stays in view"
    right = card.next_button.mapTo(card, QPoint(card.next_button.width(), 0)).x()
    assert right <= card.width(), "nothing leaves the card"
    card.show_interrupted(STOPPED_WORDS)  # "You stopped this answer …" under the text, as the card shows it
    card.set_meta("23 tokens \u00b7 stopped")
    settle(6)
    author = painted(card.role_label)
    assert author.startswith("SmolLM2") and author.endswith("adapter 1"), author
    assert painted(card.meta).endswith("stopped") or not card.meta.isVisible()


def test_a_narrow_meta_line_keeps_the_cut_mark_before_the_count(qapp):
    from PySide6.QtGui import QFont, QFontMetrics

    from desktop_app.gui.elided_labels import fitted_meta

    metrics = QFontMetrics(QFont())
    room = metrics.horizontalAdvance("stopped") + 2
    assert fitted_meta("23 tokens \u00b7 stopped", metrics, room) == "stopped"
    assert fitted_meta("23 tokens \u00b7 reached the token limit", metrics,
                       metrics.horizontalAdvance("token limit") + 2) == "token limit"
    assert fitted_meta("23 tokens \u00b7 7.8 tok/s", metrics, room + 20) == "23 tokens", "a count alone stays first"


# ---------------------------------------------------------------- #15: rated and selected tokens

def _near(pixel, rgb, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip((pixel.red(), pixel.green(), pixel.blue()), rgb))


def _count_near(image, rect, rgb) -> int:
    box = rect.adjusted(-8, -8, 8, 8).toAlignedRect().intersected(image.rect())
    return sum(_near(image.pixelColor(x, y), rgb) for x in range(box.left(), box.right() + 1)
               for y in range(box.top(), box.bottom() + 1))


def test_a_rated_token_is_clearly_marked_and_a_selected_one_keeps_its_colour(make_window, qtbot):
    """A token rated bad got a tiny red line under one glyph, and the selection's blue hid the
    selected token's heat colour (usertest 11, #15)."""
    from PySide6.QtGui import QColor

    from desktop_app.core.palette import color_for
    from desktop_app.gui.ratings import BAD_UNDERLINE, GOOD_UNDERLINE

    window = make_window()
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    view = card.view
    spaced = [i for i, r in enumerate(card.records) if r.text.startswith(" ") and len(r.text) > 1]
    bad, good = spaced[0], spaced[-1]
    card.rating.rate_token(bad, -1)
    card.rating.rate_token(good, 1)
    click_token(qtbot, card, bad)
    settle()
    image = view.viewport().grab().toImage()
    for index, colour in ((bad, BAD_UNDERLINE), (good, GOOD_UNDERLINE)):
        rect = view.token_rects(index)[0]
        rgb = QColor(colour).getRgb()[:3]
        marked = _count_near(image, rect, rgb)
        assert marked >= 2 * (rect.width() + rect.height()), f"token {index}: only {marked} px of its mark"
    heat = color_for(card.records[bad], window.legend.measure())
    rect = view.token_rects(bad)[0]
    inside = image.pixelColor(int(rect.left() + 2), int(rect.center().y()))  # the token's leading space
    assert _near(inside, heat, 6), f"the selected token shows {inside.name()}, not its colour {heat}"
    accent = QColor(view.palette().highlight().color()).getRgb()[:3]
    assert _count_near(image, rect, accent) >= rect.width(), "the selected token is marked (a ring)"


# ---------------------------------------------------------------- #16: the colour key under an attribution

def _key_words(window) -> str:
    legend = window.legend
    shown = [w.text() for w in (legend.colour_by, legend.low, legend.high) if w.isVisible()]
    if legend.combo.isVisible():
        shown.insert(1, legend.combo.currentText())
    return " ".join(shown)


def test_the_colour_key_describes_the_attribution_while_it_is_painted(make_window, qtbot):
    """With "Why this token?" painted over the chat, the key still said "Colour by Probability
    0% … 100%" (usertest 11, #16)."""
    window = make_window(max_new_tokens=6)
    ask(qtbot, window)
    card = answer_cards(window)[-1]
    assert "Probability" in _key_words(window) and "100%" in _key_words(window)
    card.view.select_token(3)
    window.show_token(card, 3)
    view = window.inspector.explain
    qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    assert "Probability" in _key_words(window), "nothing painted yet"
    settle()
    tabs_top = window.mode_tabs.mapTo(window, QPoint(0, 0)).y()
    view.toggle.setChecked(True)  # "Show it over the conversation"
    assert card.view.overlay is not None
    settle()
    assert window.mode_tabs.mapTo(window, QPoint(0, 0)).y() == tabs_top, "the key's row kept its height"
    words = _key_words(window)
    assert "Probability" not in words and "100%" not in words, words
    assert words.endswith("the alternative this token"), words
    view.toggle.setChecked(False)  # the measure's colours and key again
    assert card.view.overlay is None
    assert _key_words(window).startswith("Colour by Probability") and "100%" in _key_words(window)
    view.toggle.setChecked(True)
    assert _key_words(window).endswith("this token")
    window.cards.clear()  # another conversation: the painted cards go
    assert "Probability" in _key_words(window)


def test_the_attribution_key_fits_the_legend_row_at_800_px(make_window, qtbot):
    """Its words leave "Score my prompts" on the legend's row at 800 px: the chat does not move."""
    window = make_window()
    window.resize(800, 600)
    settle(6)
    tabs_top = window.mode_tabs.mapTo(window, QPoint(0, 0)).y()
    window.legend.show_attribution_key(True)
    settle(6)
    assert window.legend.second_row.count() == 0, "Score my prompts moved to a row of its own"
    assert window.mode_tabs.mapTo(window, QPoint(0, 0)).y() == tabs_top
    assert window.legend.low.isVisible() and window.legend.high.isVisible()


# ---------------------------------------------------------------- #9: the first start's banner

def test_the_offline_banner_says_what_is_used_and_how_to_get_gpt2(make_window, qtbot, monkeypatch):
    """The first-start banner told a GPT-2 user that GPT-2 was missing, with no way to get it
    (usertest 11, #9): it says what the app uses and offers the model dialog."""
    from PySide6.QtCore import QTimer

    from desktop_app.core import model_sources

    monkeypatch.setattr(model_sources, "cached_hub_folder", lambda repo: None)
    notice = model_sources.resolve_spec(None, probe=lambda: False).notice
    assert notice.startswith("Using the bundled model SmolLM2-135M-Instruct, which works offline")
    assert "To use GPT-2" in notice and "folder" in notice
    window = make_window()
    window.chat.model_notice.emit(notice)
    banner = window.notice_banner
    assert banner.isVisible() and banner.label.text() == notice
    assert banner.action_button.isVisible() and banner.action_button.text() == "Choose a model\u2026"
    opened = []

    def close_dialog():
        dialog = QApplication.activeModalWidget()
        opened.append(dialog.windowTitle() if dialog is not None else None)
        if dialog is not None:
            dialog.reject()

    QTimer.singleShot(200, close_dialog)
    qtbot.mouseClick(banner.action_button, Qt.MouseButton.LeftButton)
    assert opened == ["Choose a model"]
    window.chat.notice.emit("The 2 oldest turns were left out to fit the context window.")
    window.notice_banner.hide()
    window.notice_banner.show_message("Another notice.", "info")
    assert not banner.action_button.isVisible(), "the button belongs to the model's notice only"
