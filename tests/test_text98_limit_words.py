"""text98: a continuation stopped at the settings' limit said "Stopped at Max new tokens (30, Ctrl+,): Continue
writes on", and "(30, Ctrl+,)" read as a code. The words now say what the figure is and where it is changed, and
stay within the status bar's room for a hovered token's figures (STATUS_SAMPLE) at the largest limit."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.text_notes import AT_THE_LIMIT, end_words, writing_tip  # noqa: E402
from desktop_app.core.token_words import STATUS_SAMPLE  # noqa: E402


def test_the_limit_is_said_in_words():
    said = end_words("and the sea", "length", 30)
    assert said == "Stopped at 30 new tokens, the limit set in Settings (Ctrl+,)"
    assert "(30, Ctrl+,)" not in said
    assert "Max new tokens in Settings, Ctrl+," in writing_tip("Writing", 3, 30)


def test_the_words_fit_the_status_bars_room_at_the_largest_limit(qapp):
    from PySide6.QtWidgets import QStatusBar

    from desktop_app.gui.settings_popover import SettingsPopover
    from desktop_app.gui.theme import apply_theme

    apply_theme(qapp, dark=False)
    popover, bar = SettingsPopover(), QStatusBar()
    metrics = bar.fontMetrics()
    longest = AT_THE_LIMIT.format(count=popover.max_new.maximum())  # Max new tokens' largest
    assert "8,192" in longest
    assert metrics.horizontalAdvance(longest) <= metrics.horizontalAdvance(STATUS_SAMPLE)
    popover.deleteLater()
    bar.deleteLater()
