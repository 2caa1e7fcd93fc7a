"""words53: the window's Fine-tune panel, hearing the core reports a real CLI `finetune` heard, shows the
CLI's line for each (test_words53_cli_window_words: one set of words, core.progress_words)."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("PySide6")

from test_fact_consent import rated  # noqa: E402,F401 (a fixture)
from test_gui import make_window  # noqa: E402,F401 (a fixture)
from test_words53_cli_window_words import as_cli_says, cli_finetune, said_alone  # noqa: E402


def test_the_window_s_panel_shows_the_cli_s_line_for_each_report(rated, tiny_model_dir, monkeypatch,  # noqa: F811
                                                                 capsys, make_window):
    """The same core reports, heard by the window's Fine-tune panel: its progress line is the CLI's, capitalised
    and with its "…" (the window's strings are as they were)."""
    heard, lines = cli_finetune(rated, tiny_model_dir, monkeypatch, capsys)
    panel = make_window(wait=False).finetune_panel
    shown = []
    for p in heard:
        panel.on_progress(p)
        shown.append(panel.phase_label.text())
    assert "Getting ready: scoring your ratings with the model as it is\u2026" in shown
    assert "Checking whether it helps: measuring the new adapter the same way\u2026" in shown
    for p, line in zip(heard, shown):
        if p in said_alone(heard) and not re.search(r"\d+ of ", line):
            assert as_cli_says(line) in lines, (line, lines)

