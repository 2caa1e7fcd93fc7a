"""At 640x480 with the token inspector beside the chat (after a token click), an answer's author line keeps a name
that says which model ("SmolLM2…", not "Smo…"): the header's buttons take a row of their own first, and the
whole name is in the label's tooltip. pytest-qt, offscreen, the real window on the tiny fixture model."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QRect  # noqa: E402

from test_gui import WAIT_MS, ask, make_window  # noqa: E402,F401
from test_leftovers61_window import _Screen  # noqa: E402

BUNDLED_AUTHOR = "SmolLM2-135M-Instruct \u00b7 base model"
SHORTEST_NAMES = ("SmolLM2-135M-Instruct", "SmolLM2-135M\u2026", "SmolLM2\u2026")


@pytest.mark.parametrize("regenerated", [False, True])
def test_the_author_keeps_a_name_beside_the_inspector_at_640x480(make_window, qtbot, monkeypatch, regenerated):
    from desktop_app.gui import view_toolbar
    from test_gui_polish2 import settle

    window = make_window()
    monkeypatch.setattr(window, "screen", lambda: _Screen(QRect(0, 0, 640, 480)))
    window.resize(640, 480)
    ask(qtbot, window, "What is the capital of France?")
    if regenerated:  # the ‹ 2/2 › arrows in the header too
        with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
            window.chat.regenerate()
    view_toolbar.reveal(window, "side_tabs")  # as a token click does
    qtbot.waitUntil(lambda: window.side_tabs.isVisible() and window.splitter.sizes()[2] > 0)
    card = window.transcript.cards[-1]
    card.role_label.setText(BUNDLED_AUTHOR)  # the bundled model's name
    card.role_label.setToolTip(BUNDLED_AUTHOR)  # as the chat's cards set it
    settle()
    card.fit_header()
    settle()
    label = card.role_label
    shown = label.fitted(label.text(), label.fontMetrics(), label.contentsRect().width())
    assert shown.split(" \u00b7 ")[0] in SHORTEST_NAMES, f"a name that says which model: {shown!r}"
    assert shown.endswith("\u00b7 base model"), shown
    assert label.toolTip() == BUNDLED_AUTHOR, "the whole name a hover away"
    assert card.tools.geometry().right() <= card.contentsRect().right(), "the buttons stay in the card"
