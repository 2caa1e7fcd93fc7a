"""A short window's first start notice (compact, under 600 px high) is cut after a whole word,
with "\u2026": it was cut mid-word ("which wor\u2026"). pytest-qt on the real window, tiny GPT-2."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui import make_window  # noqa: E402,F401
from test_small40_short_window import settle  # noqa: E402
from test_split36_explain_and_banner import first_start_notice  # noqa: E402


def cut_at_a_word(cut: str, whole: str) -> bool:
    """``cut`` is ``whole`` up to the end of one of its words, then "…"."""
    kept = cut.removesuffix("\u2026")
    if not cut.endswith("\u2026") or not kept or not whole.startswith(kept):
        return False
    rest = whole[len(kept):]
    return rest == "" or rest[0] in " ,;:"


@pytest.mark.parametrize("width", [640, 720, 800, 900])
def test_the_compact_notice_is_cut_after_a_whole_word(make_window, monkeypatch, width):
    window = make_window()
    notice = first_start_notice(monkeypatch)
    window.chat.model_notice.emit(notice)
    window.panel_actions["side_tabs"].setChecked(True)
    window.resize(width, 560)
    settle()
    label = window.notice_banner.label
    assert label.cut_text is not None, "under 600 px high the notice keeps to two lines"
    assert cut_at_a_word(label.cut_text, notice), f"cut mid-word: {label.cut_text!r}"
    assert label.toolTip() == notice
