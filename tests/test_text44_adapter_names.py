"""One rule names an adapter everywhere (core.adapters.adapter_name): "adapter 3" inside a sentence,
"Adapter 3" only where it begins a sentence or a label, the person's name for it in quotes after the
number. Before, the history said "In use: Adapter 2" and "Delete Adapter 2 and its files?" beside the
card's "Kept: adapter 2 is now in use", the status bar "adapter 2" as a label of its own ("base" stays:
the bar has no room for more at 800 px), and the CLI
"your adapter (Adapter 3)" where the Text tab said "your adapter (adapter 3)"."""

from __future__ import annotations

import pytest

from desktop_app.core.adapters import adapter_name, label

pytest.importorskip("PySide6")


def test_the_rule():
    assert adapter_name(3) == "adapter 3" and adapter_name(3, start=True) == "Adapter 3"
    assert adapter_name(3, "terse") == "adapter 3 \u201cterse\u201d"
    assert adapter_name(None) == "the base model" and adapter_name(None, start=True) == "The base model"
    assert label({"id": 2, "name": "short"}) == "adapter 2 \u201cshort\u201d"
    assert label({"id": 2}, start=True) == "Adapter 2"


def test_the_history_capitalises_only_a_rows_start(qtbot):
    from desktop_app.gui.adapter_history import AdapterHistory

    history = AdapterHistory()
    qtbot.addWidget(history)
    history.set_adapters([{"id": 1, "created": "2026-12-03T20:17:00"},
                          {"id": 2, "created": "2026-12-03T20:30:00", "parent_id": 1, "active": True, "name": "short"}])
    assert history.list.item(0).text().startswith("Adapter 2 \u201cshort\u201d")
    assert history.using.text() == "In use: adapter 2 \u201cshort\u201d"
    assert "built on adapter 1" in history.list.item(0).text()


def test_the_window_the_card_and_the_notification_follow_it(qtbot):
    from desktop_app.gui.finetune_words import run_card
    from desktop_app.gui.notify import RUN_WORDS
    from desktop_app.gui.window_status import WindowStatus
    from PySide6.QtWidgets import QLabel, QMainWindow

    window = QMainWindow()
    qtbot.addWidget(window)
    status = WindowStatus(window.statusBar(), QLabel(""))
    assert status.adapter_label.text() == "base"  # (as short as that: 800 px)
    status.adapter_loads_with_model(4)
    assert status.adapter_label.text() == "Adapter 4"
    card = run_card("kept", "", {}, 4, None, 4, {4})
    assert card.title == "Kept: adapter 4 is now in use"
    assert RUN_WORDS["kept"][1].format(adapter=adapter_name(4, start=True)) == "Adapter 4 is now in use."


def test_the_cli_names_it_inside_a_sentence_in_lower_case():
    from desktop_app.cli.change_cmds import change_text

    figures = {"total_change_nats": 1.0, "tokens": 10, "adapter_id": 3, "logprob_base": -20.0,
               "logprob_adapter": -19.0, "perplexity_base": 7.4, "perplexity_adapter": 6.7, "rose_most": [],
               "fell_most": []}
    assert "under your adapter (adapter 3)" in change_text(figures)
