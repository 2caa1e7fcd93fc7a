"""Broken files given to the window's own imports and to its model chooser (usertest52 tried bad input
everywhere but here): an adapter folder with garbage settings or cut weights, a ratings file or a cut
file given to Import conversation…, a model folder with a broken tokenizer or cut weights. Each says in
words what is wrong (never "Something went wrong: TypeError"), imports nothing, and leaves the window
answering with the model it had. Real window (pytest-qt), real SQLite file, the tiny model; what the
dialogs' accept calls is called with the path."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from desktop_app.core.paths import AppPaths
from desktop_app.gui.main_window import open_settings
from gui_windows import WAIT_MS, ask, opened_window

RATING = {"prompt": [{"role": "user", "content": "Hi"}], "completion": [{"role": "assistant", "content": "Yo"}],
          "label": True}
PYTHON_ERRORS = ("Something went wrong", "Error", "Traceback", "object has no attribute", "not iterable")


@pytest.fixture
def chat_mode():
    open_settings(AppPaths.resolve().ensure()).setValue("mode", "chat")  # the tiny model has no chat template


def _said_in_words(text: str) -> None:
    assert text.rstrip().endswith("."), text
    assert not any(words in text for words in PYTHON_ERRORS), text


def _adapter(model_dir, out):
    """A real PEFT LoRA adapter of the tiny model, as PEFT saves one."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(1)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules="all-linear")).save_pretrained(str(out))
    return out


def _broken_adapters(model_dir, tmp_path) -> dict:
    """name -> (folder, words its message must hold)."""
    good = _adapter(model_dir, tmp_path / "good")
    config = json.loads((good / "adapter_config.json").read_text())
    broken = {"list": ("[1, 2]", "not an object"), "garbage": ("{r: 4", "not valid JSON"),
              "rank": (json.dumps(dict(config, r="four")), 'gives the rank "r" as'),
              "targets": (json.dumps(dict(config, target_modules=5)), 'gives "target_modules" as 5'),
              "bare": ('{"peft_type": "LORA"}', "size mismatch")}  # PEFT's default rank 8, the file's 4
    cases = {}
    for name, (text, words) in broken.items():
        folder = shutil.copytree(good, tmp_path / f"adapter-{name}")
        (folder / "adapter_config.json").write_text(text)
        cases[name] = folder, words
    cut = shutil.copytree(good, tmp_path / "adapter-cut")
    weights = cut / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-100])
    cases["cut"] = cut, "is incomplete"
    return cases


def test_broken_adapter_folders_say_what_is_wrong_and_import_nothing(qtbot, qapp, tiny_model_dir, tmp_path,
                                                                      chat_mode):
    cases = _broken_adapters(tiny_model_dir, tmp_path)
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=3, seed=3) as window:
        history, store = window.finetune_panel.history, window.chat.store
        kept = os.listdir(window.paths.adapters_dir) if window.paths.adapters_dir.exists() else []
        for name, (folder, words) in cases.items():
            history.last_message = None
            history.import_requested.emit(str(folder))  # what the folder dialog's accept sends
            qtbot.waitUntil(lambda: history.last_message is not None, timeout=WAIT_MS)
            box = history.last_message
            assert box.windowTitle() == "Import failed", (name, box.text())
            assert words in box.text(), (name, box.text())
            _said_in_words(box.text())
            box.close()
            assert not history.busy and history.import_button.isEnabled(), name
        assert store.list_adapters() == []
        assert sorted(os.listdir(window.paths.adapters_dir) if window.paths.adapters_dir.exists() else []) == kept
        window.prompt.clear()
        assert ask(qtbot, window, "Still there?")["message_id"] is not None


def test_a_ratings_file_or_a_broken_one_given_to_import_conversation_says_so(qtbot, qapp, tiny_model_dir,
                                                                             tmp_path, chat_mode):
    ratings = tmp_path / "ratings.jsonl"
    ratings.write_text(json.dumps(RATING) + "\n" + json.dumps(dict(RATING, label=False)) + "\n")
    cut = tmp_path / "cut.json"
    cut.write_text('{"format": "gpt2-desk-conversation", "version": 1, "messages": [{"role": "user", "te')
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(bytes(range(128, 256)))
    expected = {ratings: "holds ratings as TRL JSON Lines, not a conversation", cut: "is not valid JSON",
                garbage: "it is not UTF-8 text"}
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=3, seed=3) as window:
        store = window.chat.store
        before = len(store.list_conversations())
        for path, words in expected.items():
            with qtbot.waitSignal(window.conversation_files.failed, timeout=WAIT_MS) as failed:
                window.conversation_files.import_file(str(path))  # what the file dialog's accept calls
            said = failed.args[0]
            assert words in said and path.name in said, said
            _said_in_words(said)
            assert window.error_banner.isVisible() and words in window.error_banner.label.text()
            assert window.import_conversation_action.isEnabled()
        assert len(store.list_conversations()) == before
        window.prompt.clear()
        assert ask(qtbot, window, "Still there?")["message_id"] is not None


def test_a_broken_model_folder_says_which_file_and_the_model_in_use_goes_on(qtbot, qapp, tiny_model_dir, tmp_path,
                                                                           chat_mode):
    tokenizer = shutil.copytree(tiny_model_dir, tmp_path / "tokenizer-broken")
    (tokenizer / "tokenizer.json").write_text('{"version": "1.0", "model": {"vocab": {"a": ')
    cut = shutil.copytree(tiny_model_dir, tmp_path / "weights-cut")
    weights = cut / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    expected = {tokenizer: "tokenizer.json is not valid JSON", cut: "model.safetensors is incomplete"}
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=3, seed=3) as window:
        in_use = window.chat.loaded
        for folder, words in expected.items():
            with qtbot.waitSignal(window.chat.model_failed, timeout=WAIT_MS) as failed:
                window.load_model(str(folder))  # what the Models dialog's Open does with the folder chosen
            assert words in failed.args[0] and str(folder) in failed.args[0], failed.args[0]
            _said_in_words(failed.args[0])
            shown = window.error_banner.label.text()
            assert words in shown and shown.endswith(f"Still using {in_use.source.display_name}."), shown
            assert window.chat.loaded is in_use
        window.prompt.clear()
        assert ask(qtbot, window, "Still there?")["message_id"] is not None
