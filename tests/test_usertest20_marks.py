"""usertest 20: the ring around a selected token (and a rated token's box) hid the neighbours'
letters: "William Shakespeare." read "Willian Shakespeare" once "Shakespeare" was selected, its
box 3 px wider than the token and its 5 px halo painted over the next tokens. A mark now leaves
every other token's pixels as they were (real TokenView, offscreen)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402
from helpers import token_record  # noqa: E402

WORDS = ["William", " Shakespeare", ".", " wrote", " it", ","]


def _records():
    probabilities = [0.3, 0.98, 0.6, 0.05, 0.9, 0.4]
    return [token_record(i, w, p) for i, (w, p) in enumerate(zip(WORDS, probabilities))]


def _view(qtbot, qapp):
    from desktop_app.gui.theme import apply_theme
    from desktop_app.gui.token_view import TokenView

    apply_theme(qapp, dark=False)
    view = TokenView()
    qtbot.addWidget(view)
    view.set_records(_records())
    view.resize(420, 80)
    view.show()
    qtbot.waitExposed(view)
    return view


def _image(view):
    for _ in range(3):
        QApplication.processEvents()
    return view.viewport().grab().toImage()


def _changed_pixels(before, after, rect) -> int:
    """Pixels of ``rect`` (2 px in from its sides, where the mark's own line may touch) that differ."""
    ratio = before.devicePixelRatio()
    changed = 0
    for x in range(int((rect.left() + 2) * ratio), int((rect.right() - 2) * ratio)):
        for y in range(int(rect.top() * ratio), int(rect.bottom() * ratio)):
            changed += before.pixel(x, y) != after.pixel(x, y)
    return changed


@pytest.mark.parametrize("mark", ["selected", "rated", "selected and rated"])
def test_a_marked_token_leaves_its_neighbours_letters_whole(qtbot, qapp, mark):
    from desktop_app.gui.ratings import BAD_UNDERLINE

    view = _view(qtbot, qapp)
    before = _image(view)
    if "rated" in mark:
        view.set_marks({1: (BAD_UNDERLINE, True)})
    if "selected" in mark:
        view.select_token(1)
    after = _image(view)
    (marked,) = view.token_rects(1)
    assert _changed_pixels(before, after, marked.adjusted(-4, 0, 4, 0)) > 0, "the mark is drawn at all"
    for neighbour in (0, 2):
        (rect,) = view.token_rects(neighbour)
        assert _changed_pixels(before, after, rect) == 0, f"the mark on token 1 covers token {neighbour}"
