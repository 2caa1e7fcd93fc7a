"""A TokenView keeps its marks' rectangles (and, for many marks, their drawing) per layout
(gui/token_marks.py): the marks must still land on their tokens after the view is resized (other
line breaks) and after a new rating, on real widgets (pytest-qt, offscreen)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QRectF  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from helpers import token_record  # noqa: E402
from test_gui import answer_cards, ask, make_window  # noqa: E402,F401

WORDS = "the keeper counted waves every night and wrote their number down in a small book".split()


def _records(n: int):
    words = [(" " if i else "") + WORDS[i % len(WORDS)] for i in range(n)]
    return [token_record(i, w, 0.5) for i, w in enumerate(words)]


def _fresh_rects(view, index: int) -> list[QRectF]:
    """Token ``index``'s rectangles worked out now from the layout in place."""
    from desktop_app.gui.token_marks import caret_rects

    return caret_rects(view, index)


def _bar_pixels(image, rect: QRectF, colour: str) -> int:
    """Pixels of ``colour`` in the strip under ``rect`` where a rated token's bar is drawn."""
    from desktop_app.gui.token_marks import RATING_BAR, RATING_BOX

    rgb = QColor(colour).getRgb()[:3]
    middle = int(rect.bottom() + RATING_BOX[0] + RATING_BAR / 2)  # the bar's middle rows: not the next line's box
    count = 0
    for x in range(int(rect.left()) + 2, int(rect.right()) - 1):
        for y in (middle - 1, middle):
            pixel = image.pixelColor(x, y)
            count += all(abs(a - b) <= 40 for a, b in zip((pixel.red(), pixel.green(), pixel.blue()), rgb))
    return count


def _assert_marks_land(view, marks: dict) -> None:
    image = view.viewport().grab().toImage()
    for index, (colour, _dashed) in marks.items():
        kept = view.token_rects(index)
        assert kept == _fresh_rects(view, index), f"token {index}: its mark is where the token was"
        for rect in kept:
            share = 0.5 if _dashed else 1.0  # two rows under the token; a dashed bar covers 60% of them
            assert _bar_pixels(image, rect, colour) >= share * (rect.width() - 4), f"token {index}: no bar under it"


def _settle():
    for _ in range(3):
        QApplication.processEvents()


def test_many_marks_land_on_their_tokens_after_a_resize_and_a_new_rating(qtbot, qapp):
    from desktop_app.gui.ratings import BAD_UNDERLINE, GOOD_UNDERLINE
    from desktop_app.gui.theme import apply_theme
    from desktop_app.gui.token_marks import LAYER_FROM
    from desktop_app.gui.token_view import TokenView

    apply_theme(qapp, dark=False)
    view = TokenView()
    qtbot.addWidget(view)
    view.set_colorizer(None)  # plain text: the marks' colours stand apart from the tokens'
    view.set_records(_records(120))
    view.resize(520, 100)
    view.show()
    qtbot.waitExposed(view)
    marks = {i: (GOOD_UNDERLINE if i % 4 else BAD_UNDERLINE, not i % 4) for i in range(0, 120, 3)}
    assert len(marks) >= LAYER_FROM, "enough marks for the kept layer"
    view.set_marks(marks)
    _settle()
    _assert_marks_land(view, marks)
    assert view.mark_painter.layer is not None, "the marks were drawn once into the layer"
    kept = {i: view.mark_painter.rects[i] for i in marks}
    view.viewport().grab()  # another paint: nothing worked out again
    assert all(view.mark_painter.rects[i] is kept[i] for i in marks)

    wide = {i: view.token_rects(i) for i in marks}
    view.resize(330, 100)  # other line breaks
    _settle()
    assert any(view.token_rects(i) != wide[i] for i in marks), "the resize moved the tokens"
    _assert_marks_land(view, marks)

    rated = next(i for i in range(120) if i not in marks and view.token_rects(i))
    marks = {**marks, rated: (BAD_UNDERLINE, True)}
    view.set_marks(marks)  # a new rating
    _settle()
    _assert_marks_land(view, marks)
    unrated = next(iter(marks))
    del marks[unrated]
    view.set_marks(marks)  # a rating taken back: its bar goes
    _settle()
    image = view.viewport().grab().toImage()
    assert all(_bar_pixels(image, r, GOOD_UNDERLINE) + _bar_pixels(image, r, BAD_UNDERLINE) < 4
               for r in view.token_rects(unrated))


def test_a_rated_answer_in_the_window_keeps_its_marks_on_its_tokens_when_the_window_narrows(make_window, qtbot):
    from desktop_app.gui.ratings import BAD_UNDERLINE, GOOD_UNDERLINE

    window = make_window(max_new_tokens=120)
    window.resize(1280, 800)
    ask(qtbot, window, "Tell me about the lighthouse keeper and the waves.")
    card = answer_cards(window)[-1]
    view = card.view
    shown = [i for i, r in enumerate(card.records) if len(r.text.strip()) >= 2 and view.token_rects(i)]
    rated, later = shown[::2], shown[1::2]
    assert len(rated) >= 4 and later
    for n, index in enumerate(rated):
        card.rating.rate_token(index, 1 if n % 2 else -1)
    window.writer.wait()  # the ratings stored, and what the store says of them back in the card
    _settle()
    assert set(view.marks) == set(rated)
    _assert_marks_land(view, view.marks)
    before = {i: view.token_rects(i) for i in view.marks}
    window.resize(800, 600)
    qtbot.waitUntil(lambda: not window.conversations.isVisible(), timeout=5000)
    _settle()
    assert any(view.token_rects(i) != before[i] for i in view.marks), "the narrower card moved its tokens"
    _assert_marks_land(view, view.marks)
    card.rating.rate_token(later[-1], 1)  # a new rating
    window.writer.wait()
    _settle()
    assert set(view.marks) == {*rated, later[-1]}
    assert {c for c, _d in view.marks.values()} == {GOOD_UNDERLINE, BAD_UNDERLINE}
    _assert_marks_land(view, view.marks)
