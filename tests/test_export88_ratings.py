"""The window's export menu writes the chat's ratings as training data (usertest50: a person looked for their
ratings there and found only conversations): "Ratings as training data (JSON Lines)…" asks for the format and a
file name, writes on the store lane, and the file is, line for line, what `gpt2-desk export --format F --out FILE`
writes for the same store. pytest-qt, the tiny fixture model, real SQLite, the real CLI."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.conversation_import import import_conversation_file  # noqa: E402
from desktop_app.core.exchange import what_makes  # noqa: E402
from desktop_app.gui import ratings_export, save_folder  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401

RATED_CONVERSATION = {"format": "gpt2-desk conversation", "version": 2, "title": "Capitals", "messages": [
    {"id": 1, "parent_id": None, "role": "user", "text": "What is the capital of France?"},
    {"id": 2, "parent_id": 1, "role": "assistant", "text": "Paris is the capital.", "rating": 1, "shown": True,
     "token_ratings": [{"token": 0, "value": 1}]},
    {"id": 3, "parent_id": 1, "role": "assistant", "text": "Lyon, I think.", "rating": -1},
    {"id": 4, "parent_id": 2, "role": "user", "text": "And of Spain?"},
    {"id": 5, "parent_id": 4, "role": "assistant", "text": "Barcelona.", "better_answer": "Madrid.", "shown": True},
]}


def _answer_dialogs(monkeypatch, fmt: str | None, path) -> list[str]:
    """The format dialog picks ``fmt`` (None: cancelled), the save dialog returns ``path``; the names the save
    dialog suggested are returned (the modal dialogs themselves cannot run in a test)."""
    suggested = []
    choice = next((words for words, code in ratings_export.FORMAT_CHOICES.items() if code == fmt), "")
    monkeypatch.setattr(ratings_export.QInputDialog, "getItem", lambda *_args: (choice, fmt is not None))

    def save_dialog(_parent, _title, name, _pattern):
        suggested.append(name)
        return str(path), ""

    monkeypatch.setattr(save_folder.QFileDialog, "getSaveFileName", save_dialog)
    return suggested


def _export_from_window(qtbot, window):
    task = ratings_export.export_ratings(window)
    assert task is not None
    qtbot.waitUntil(task.handled.is_set, timeout=WAIT_MS)  # written on the store lane, said on the GUI thread
    return task


@pytest.mark.parametrize("fmt", ["kto", "dpo", "sft"])
def test_the_windows_ratings_file_is_the_clis(make_window, qtbot, monkeypatch, tmp_path, run_cli, fmt):
    window = make_window()
    source = tmp_path / "capitals.json"
    source.write_text(json.dumps(RATED_CONVERSATION), encoding="utf-8")
    import_conversation_file(window.chat.store, str(source))
    menu_entries = [action.text() for action in window.export_button.menu().actions()]
    assert ratings_export.RATINGS_EXPORT_LABEL in menu_entries
    suggested = _answer_dialogs(monkeypatch, fmt, tmp_path / f"from-window-{fmt}")  # typed without an extension
    _export_from_window(qtbot, window)
    written = tmp_path / f"from-window-{fmt}.jsonl"
    assert suggested[0].endswith(f"ratings-{fmt}.jsonl") and written.exists()

    by_cli = tmp_path / f"from-cli-{fmt}.jsonl"
    code, _, err = run_cli("export", "--format", fmt, "--out", str(by_cli))
    assert code == 0, err
    lines = written.read_text(encoding="utf-8").splitlines()
    assert lines and lines == by_cli.read_text(encoding="utf-8").splitlines()
    said = window.statusBar().currentMessage()
    assert said.startswith(f"Wrote {len(lines)} {fmt.upper()} example") and str(written) in said
    if fmt == "dpo":  # both kinds of pair: the better answer against its answer, the liked against the disliked
        assert {json.loads(line).get("source") for line in lines} == {"correction", None}


def test_nothing_to_export_says_why_and_writes_no_file(make_window, qtbot, monkeypatch, tmp_path):
    window = make_window()
    target = tmp_path / "empty.jsonl"
    _answer_dialogs(monkeypatch, "dpo", target)
    _export_from_window(qtbot, window)
    said = window.statusBar().currentMessage()
    assert said.startswith("Nothing to export yet") and what_makes("dpo") in said
    assert not target.exists()


def test_a_cancelled_format_asks_for_no_file(make_window, qtbot, monkeypatch, tmp_path):
    window = make_window(wait=False)
    suggested = _answer_dialogs(monkeypatch, None, tmp_path / "never.jsonl")
    assert ratings_export.export_ratings(window) is None
    assert suggested == [] and not (tmp_path / "never.jsonl").exists()


def test_f1_and_the_tooltip_name_the_ratings_export():
    from desktop_app.gui.conversation_actions import export_tip
    from desktop_app.gui.shortcuts import SHORTCUTS

    assert "ratings as training data" in dict(SHORTCUTS)["Ctrl+S"]
    assert all("ratings as training data" in export_tip(in_text) for in_text in (False, True))
