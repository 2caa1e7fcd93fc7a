"""``analyse --vs-base`` has no analysis to serve as the adapter's pass, so it runs two; they share the
text's token ids (tokenised once, not once a pass), and the adapter's pass makes no alternatives (the
terminal prints none), with the very figures of the passes as they were."""

from __future__ import annotations

import json

import pytest

from desktop_app.core import scoring
from desktop_app.core.adapter_change import score_change
from test_cli42_fixes import _active_adapter
from test_textdiff41_adapter_change import TEXT, _with_adapter
from tiny_model import random_lora


class Spy:
    """The real tokenising and record-making, counted: the texts tokenised, the alternatives asked."""

    def __init__(self, monkeypatch):
        self.encoded, self.alternatives = [], set()
        encode, records = scoring.encode_long, scoring.records_from_logits

        def encode_long(tokenizer, text, **kwargs):
            self.encoded.append(text)
            return encode(tokenizer, text, **kwargs)

        def records_from_logits(logits, chosen, texts, table, alternatives, precision=None):
            self.alternatives.add(alternatives)
            return records(logits, chosen, texts, table, alternatives, precision)

        monkeypatch.setattr(scoring, "encode_long", encode_long)
        monkeypatch.setattr(scoring, "records_from_logits", records_from_logits)


def test_the_two_passes_tokenise_the_text_once_and_give_the_same_change(tmp_path, tiny_model_dir, monkeypatch):
    loaded = _with_adapter(tmp_path, tiny_model_dir, random_lora(tiny_model_dir))
    whole = score_change(loaded, TEXT)  # with the adapter's alternatives, as the Text tab asks
    spy = Spy(monkeypatch)
    lean = score_change(loaded, TEXT, alternatives=0)
    assert spy.encoded.count(TEXT) == 1 and spy.alternatives == {0}
    assert lean.complete and lean.base.ids == lean.adapter.ids == whole.adapter.ids
    assert lean.deltas == whole.deltas and lean.figures() == whole.figures()
    assert all(not r.top for r in lean.adapter.records) and whole.adapter.records[0].top


def test_the_cli_asks_for_one_tokenisation_and_no_alternatives(tmp_path, tiny_model_dir, monkeypatch, capsys):
    from desktop_app.cli import main

    text = tmp_path / "style.txt"
    text.write_text(TEXT, encoding="utf-8")
    data = tmp_path / "appdata"
    common = ["--data-dir", str(data), "--model", str(tiny_model_dir)]
    _active_adapter(data, tiny_model_dir)
    spy = Spy(monkeypatch)
    assert main(["analyse", str(text), "--vs-base", "--json", *common]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert spy.encoded.count(TEXT) == 1 and spy.alternatives == {0}
    assert figures["tokens"] > 128 and figures["rose_most"] and figures["fell_most"]
    assert figures["total_change_nats"] == pytest.approx(figures["logprob_adapter"] - figures["logprob_base"])


def test_a_movers_small_probabilities_keep_two_significant_digits():
    from desktop_app.cli.change_cmds import change_text, percent

    assert [percent(p) for p in (0.347, 0.01, 0.007, 0.000123, 0.0000004, 0.0)] == [
        "34.7%", "1.0%", "0.70%", "0.012%", "<0.0001%", "0.0%"]
    figures = {"total_change_nats": 0.69, "tokens": 3, "adapter_id": 1, "logprob_base": -9.0, "logprob_adapter": -8.3,
               "perplexity_base": 20.1, "perplexity_adapter": 15.9, "fell_most": [],
               "rose_most": [{"text": " Arr", "delta_logprob": 0.69, "base_prob": 0.00021, "adapter_prob": 0.00042}]}
    assert "' Arr' +0.69 (0.021% \u2192 0.042%)" in change_text(figures)
