"""rows92: the window's "Ratings as training data (JSON Lines)…" exported the chat's ratings only, while
`gpt2-desk export --format F --text` wrote the Text mode's. The dialog now offers the Text mode's too, written
line for line as the CLI's --text writes them, in a file of its own (one file holds one format), and the status
line counts them. pytest-qt, the tiny fixture model, real SQLite, the real CLI; the modal dialogs are answered
as test_export88's are (they cannot run in a test)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("PySide6")

from desktop_app.core import documents  # noqa: E402
from desktop_app.core import text_branches as tb  # noqa: E402
from desktop_app.gui import ratings_export, save_folder  # noqa: E402
from test_export88_ratings import RATED_CONVERSATION, _export_from_window  # noqa: E402
from test_gui import make_window  # noqa: E402,F401

MAIN = "Once upon a time there was a small model"


def _rate_continuations(store) -> None:
    """A Text-mode document with two liked continuations and a disliked one with a better text: four KTO
    examples (each thumbs, and the better text)."""
    doc = documents.create_document(store, MAIN)
    liked, disliked, also_liked = (tb.add_branch(store, doc, None, len(MAIN), words)
                                   for words in (" that wrote stories.", " that", " who slept."))
    tb.rate_branch(store, liked, 1)
    tb.rate_branch(store, also_liked, 1)
    tb.rate_branch(store, disliked, -1)
    tb.set_correction(store, disliked, " that learned from its user.")


def _pick(monkeypatch, choice: str, path) -> list[str]:
    suggested = []
    offered = []

    def dialog(_parent, _title, _label, items, *_rest):
        offered.extend(items)
        return choice, True

    monkeypatch.setattr(ratings_export.QInputDialog, "getItem", dialog)
    monkeypatch.setattr(save_folder.QFileDialog, "getSaveFileName",
                        lambda _parent, _title, name, _pattern: (suggested.append(name), (str(path), ""))[1])
    return offered, suggested


@pytest.mark.parametrize("fmt", ["kto", "dpo", "sft"])
def test_the_windows_text_mode_ratings_file_is_the_clis(make_window, qtbot, monkeypatch, tmp_path, run_cli, fmt):
    window = make_window()
    _rate_continuations(window.chat.store)
    choice = next(words for words, code in ratings_export.TEXT_FORMAT_CHOICES.items() if code == fmt)
    offered, suggested = _pick(monkeypatch, choice, tmp_path / f"window-{fmt}.jsonl")
    _export_from_window(qtbot, window)
    assert choice in offered and any(words in offered for words in ratings_export.FORMAT_CHOICES), offered
    assert suggested[0].endswith(f"ratings-{fmt}-text.jsonl")
    written = tmp_path / f"window-{fmt}.jsonl"
    by_cli = tmp_path / f"cli-{fmt}.jsonl"
    code, _, err = run_cli("export", "--format", fmt, "--text", "--out", str(by_cli))
    assert code == 0, err
    lines = written.read_text(encoding="utf-8").splitlines()
    assert lines and lines == by_cli.read_text(encoding="utf-8").splitlines()
    assert all("messages" not in line and isinstance(json.loads(line)["prompt"], str) for line in lines), \
        "plain strings, no chat turns"
    said = window.statusBar().currentMessage()
    assert said.startswith(f"Wrote {len(lines)} Text-mode {fmt.upper()} example") and str(written) in said, said


def test_a_chat_export_counts_the_text_mode_examples_it_left_out(make_window, qtbot, monkeypatch, tmp_path):
    window = make_window()
    source = tmp_path / "capitals.json"
    source.write_text(json.dumps(RATED_CONVERSATION), encoding="utf-8")
    from desktop_app.core.conversation_import import import_conversation_file

    import_conversation_file(window.chat.store, str(source))
    _rate_continuations(window.chat.store)
    choice = next(words for words, code in ratings_export.FORMAT_CHOICES.items() if code == "kto")
    _pick(monkeypatch, choice, tmp_path / "chat.jsonl")
    _export_from_window(qtbot, window)
    said = window.statusBar().currentMessage()
    assert said.startswith("Wrote ") and " KTO example" in said and "Text-mode KTO" not in said.split(" to ")[0]
    assert "4 Text-mode examples not included: the export's \u201cText mode, KTO\u201d choice writes them" in said, said


def test_no_text_mode_ratings_says_how_to_make_them_and_writes_nothing(make_window, qtbot, monkeypatch, tmp_path):
    window = make_window()
    choice = next(words for words, code in ratings_export.TEXT_FORMAT_CHOICES.items() if code == "dpo")
    _pick(monkeypatch, choice, tmp_path / "none.jsonl")
    _export_from_window(qtbot, window)
    said = window.statusBar().currentMessage()
    assert said.startswith("Nothing to export yet: no Text-mode ratings make DPO examples") and "Text tab" in said
    assert not (tmp_path / "none.jsonl").exists()
