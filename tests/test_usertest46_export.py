"""What a hobbyist met taking a fine-tuned model out of the app (usertest46): Esc during the GGUF's
last step kept the file; the model card did not say how to load the folder; the first seconds of
a GGUF export said nothing; the dialog offered the last export's name again, and counted MiB as MB.
The tiny fixture model's adapter, real exports, real SQLite."""

from __future__ import annotations

import re
import threading

import pytest

from desktop_app.core import model_export
from desktop_app.core.gguf_export import ExportCancelled
from test_gui import make_window  # noqa: F401 (a fixture)
from test_model_export import _setup


@pytest.fixture
def exported(tmp_path, tiny_model_dir):
    paths, store, _loaded, aid = _setup(tmp_path, tiny_model_dir)
    yield paths, store, aid
    store.close()


def _cancelled_at(stage_wanted: str, done_wanted: int | None = None):
    """A progress callback that sets the returned event when the export reports that stage."""
    cancel = threading.Event()

    def report(stage, done, _total):
        if stage == stage_wanted and done_wanted in (None, done):
            cancel.set()
    return cancel, report


@pytest.mark.parametrize("fmt,name", [("gguf", "model.gguf"), ("gguf-lora", "lora.gguf"), ("merged", "merged")])
def test_a_cancel_in_the_export_s_last_step_keeps_nothing(exported, tmp_path, fmt, name):
    """Esc while the dialog said "Checking the written file…" closed it, and the GGUF (and its
    Modelfile) stayed on disk: a person who cancelled found a file they thought was never written."""
    paths, store, aid = exported
    last_step = ("Writing the merged model", 2) if fmt == "merged" else ("Checking the written file", None)
    cancel, report = _cancelled_at(*last_step)
    out = tmp_path / "exports" / name
    out.parent.mkdir()
    with pytest.raises(ExportCancelled):
        model_export.export_adapter(store, aid, fmt, out, paths, progress=report, cancel=cancel)
    assert cancel.is_set(), "the export never reached its last step"
    assert list(out.parent.iterdir()) == [], "a cancelled export left files behind"


def _python_block(card: str) -> str:
    match = re.search(r"## How to use it\n\n```python\n(.*?)```", card, re.S)
    assert match, f"the card says nothing on how to load it:\n{card}"
    return match.group(1)


def test_the_merged_card_s_commands_load_the_folder(exported, tmp_path, monkeypatch):
    """The README beside the weights named the base model and the gate's figures, not how to load them."""
    paths, store, aid = exported
    out = tmp_path / "my merged model"
    model_export.export_adapter(store, aid, "merged", out, paths)
    code = _python_block((out / "README.md").read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)  # the card says: run beside the folder
    names: dict = {}
    exec(code, names)
    assert names["model"].config.vocab_size == 400  # the tiny model's, read from the folder the card names
    assert names["tokenizer"]("Hello").input_ids, "the card's tokenizer line loaded nothing"


def test_the_peft_card_s_commands_load_the_adapter_over_its_base(exported, tmp_path, monkeypatch, tiny_model_dir):
    paths, store, aid = exported
    out = tmp_path / "my-adapter"
    model_export.export_adapter(store, aid, "peft", out, paths)
    card = (out / "README.md").read_text(encoding="utf-8")
    code = _python_block(card)
    assert "BASE_MODEL_FOLDER" in code and "BASE_MODEL_FOLDER:" in card, "a folder base must be named as a blank"
    assert "gpt2-desk adapters import my-adapter" in card
    monkeypatch.chdir(tmp_path)
    names: dict = {}
    exec(code.replace("BASE_MODEL_FOLDER", str(tiny_model_dir)), names)
    assert type(names["model"]).__name__ == "PeftModelForCausalLM"


def test_a_gguf_export_names_its_first_step_before_the_model_loads(exported, tmp_path):
    """Reading the base's GGUF header took 8 s of the bundled model's export under "Exporting…" and an
    empty bar: the first stage reported came only with the model's loading."""
    paths, store, aid = exported
    stages: list[str] = []
    model_export.export_adapter(store, aid, "gguf", tmp_path / "m.gguf", paths,
                                progress=lambda stage, _d, _t: stages.append(stage))
    assert "Reading the base model's tokenizer" in stages
    assert stages.index("Reading the base model's tokenizer") < stages.index("Loading the base model")


def test_the_dialog_offers_a_free_name_and_counts_megabytes_as_a_file_manager(exported, tmp_path, qtbot):
    pytest.importorskip("PySide6")
    from desktop_app.gui.adapter_export import ExportDialog, free_name

    paths, store, aid = exported
    (tmp_path / "adapter-1-f16.gguf").write_bytes(b"")
    (tmp_path / "adapter-1-f16-2.Modelfile").write_text("")  # its GGUF went, but the export would refuse it
    assert free_name(tmp_path, "adapter-1-f16", ".gguf") == tmp_path / "adapter-1-f16-3.gguf"
    assert free_name(tmp_path, "adapter-1-merged", "") == tmp_path / "adapter-1-merged"

    dialog = ExportDialog(store, paths, aid, lane=None)  # nothing runs: no lane needed
    qtbot.addWidget(dialog)
    dialog.path.setText(str(tmp_path / "adapter-1-peft"))
    (tmp_path / f"adapter-{aid}-merged").mkdir()
    dialog.format.setCurrentIndex(next(i for i in range(dialog.format.count())
                                       if dialog.format.itemData(i)[0] == "merged"))
    assert dialog.path.text() == str(tmp_path / f"adapter-{aid}-merged-2"), "offered a name that is taken"
    dialog._finished(model_export.ExportResult("gguf", tmp_path / "x.gguf", 270_885_568))
    assert "(270.9 MB)" in dialog.status.text(), dialog.status.text()


def test_f1_says_where_the_model_is_exported_and_still_fits_the_screen(make_window, qtbot, monkeypatch):
    """F1 listed Ctrl+S for the conversation's export and nothing for the model's: a person looking for
    "export my model" there found the chat's Markdown."""
    from PySide6.QtCore import QRect

    from desktop_app.gui.shortcuts import show_shortcuts
    from test_usertest33_keys import _Screen

    window = make_window(wait=False)
    monkeypatch.setattr(window, "screen", lambda: _Screen(QRect(0, 0, 1280, 800)))
    box = show_shortcuts(window)
    qtbot.waitExposed(box)
    qtbot.waitUntil(lambda: box.browser.hasFocus())
    text = box.browser.toPlainText()
    row = next(line for line in text.splitlines() if "adapter history" in line)
    assert "Export\u2026" in row and "Ollama" in row, row
    assert box.browser.verticalScrollBar().maximum() == 0, "the longer row made F1's list scroll"


def test_the_card_names_the_answers_to_never_rated_questions_the_run_changed():
    """The window said "kept, NOT in use: it changed 3 answers to questions you never rated"; the card a
    person shares with the model showed the gate's figures only, under "kept only if it helps"."""
    metrics = {"facts_changed": [{"question": "What is the capital of Australia?", "how": "changed",
                                  "before": "The capital of Australia is Canberra.", "after": "Queensland."}],
               "facts_unsure": [{"question": "What is the capital of Switzerland?", "how": "dropped",
                                 "before": "The capital of Switzerland is Lier. " * 10, "after": "Switzerland."}]}
    card = model_export.model_card({"id": 1, "base_model": "tiny", "metrics": metrics}, "merged")
    section = card.split("## Answers it changed to questions you never rated", 1)[1].split("##", 1)[0]
    assert "\u201cWhat is the capital of Australia?\u201d" in section and "\u201cQueensland.\u201d" in section
    assert "Switzerland.\u201d" in section and "\u2026" in section, "a long answer is cut, the short one kept"
    assert "read them before relying on this model" in section
    quiet = model_export.model_card({"id": 1, "base_model": "tiny", "metrics": {}}, "merged")
    assert "never rated" not in quiet, "a run that changed none says nothing of it"
