"""usertest37: after a run on a model whose re-asked answers degenerated into one long run of characters with no
space (":::::::…", the tiny model's), the Fine-tune card's before/after pairs kept the panel wider than its dock:
its text was cut at the right edge. A word longer than the label breaks instead. pytest-qt, the real window."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_card28_card import shown_card  # noqa: E402
from test_card28_taught_words import usertest_pairs  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_gui_finetune import settle  # noqa: E402

UNBROKEN = ":" * 160


def test_answers_without_spaces_do_not_widen_the_fine_tune_panel(make_window, tmp_path, qtbot):
    panel = shown_card(make_window, tmp_path)
    pairs = usertest_pairs()
    pairs[0] = {**pairs[0], "before": UNBROKEN, "after": "!" * 160, "right": "x" * 160}
    panel.taught.set_pairs(pairs)
    settle(panel.window())
    qtbot.waitUntil(lambda: panel.widget().width() <= panel.viewport().width(), timeout=5000)
    labels = panel.taught.body.findChildren(type(panel.taught.title))
    assert any(UNBROKEN[:40] in label.text().replace("\u200b", "") for label in labels), "the answer is shown"
    for label in labels:
        right = label.mapTo(panel.viewport(), label.rect().topRight()).x()
        assert right < panel.viewport().width(), f"{label.text()[:30]!r} ends at {right}, past the viewport"
