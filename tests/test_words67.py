"""Words a person met in GPT-2 Desk (words67), with real widgets and the tiny model: the model
dialog saying what Fast gives on this computer, the context meter keeping one form and staying
while an answer is written, a thumbs-up beside a better answer in the Fine-tune tab's words, and
the inspector's word probe (the sampler's note on a probed word, a remembered word probed again)."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("PySide6")

from test_gui import WAIT_MS, ask, make_window  # noqa: E402,F401

COUNT_FIRST = re.compile(r"^\d[\d,]* / 128 tokens of context( \u00b7 .+)?$")


def test_the_context_meter_keeps_its_form_and_stays_while_an_answer_is_written(make_window, qtbot):
    window = make_window(max_new_tokens=12)
    meter = window.context_meter.label
    window.prompt.setPlainText("Hello there")
    window.context_meter.refresh()
    typed = meter.text()
    assert COUNT_FIRST.match(typed), typed
    while_streaming = []
    window.chat.tokens.connect(lambda _batch: while_streaming.append((meter.isVisible(), meter.text())))
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.send()
    assert while_streaming and all(shown for shown, _text in while_streaming), "the line stays while it streams"
    texts = [text for _shown, text in while_streaming]
    assert all(COUNT_FIRST.match(t) and t.endswith("the answer being written") for t in texts), texts
    counts = [int(t.split(" ")[0].replace(",", "")) for t in texts]
    assert counts == sorted(counts) and counts[0] > int(typed.split(" ")[0]), "it grows from the prompt sent"
    qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)
    window.context_meter.refresh()
    assert COUNT_FIRST.match(meter.text()) and meter.text().endswith("the conversation so far"), meter.text()


def test_the_model_dialog_says_what_fast_gives_on_this_computer(qtbot, tmp_path):
    import torch

    from desktop_app.core.paths import AppPaths
    from desktop_app.core.precision import AUTO, FAST, fast_dtype
    from desktop_app.gui.model_dialog import ModelDialog

    dialog = ModelDialog(AppPaths.resolve(tmp_path).ensure(), None, device="cpu")
    qtbot.addWidget(dialog)
    box = dialog.precision_box
    auto, fast = box.itemText(box.findData(AUTO)), box.itemText(box.findData(FAST))
    here = fast_dtype(torch.device("cpu"))  # the loader's rule, asked of this machine's CPU
    if here is None:
        assert auto == "Fast where supported \u2014 not here: loads Exact (float32)", auto
        assert fast == "Fast (16-bit weights) \u2014 not here: loads Exact (float32)", fast
        assert "no native bfloat16" in box.toolTip()
    else:
        assert auto == f"Fast where supported \u2014 here: {str(here).replace('torch.', '')} weights", auto
        assert fast == "Fast (16-bit weights)"


def test_fast_on_names_the_weights_where_the_hardware_has_them(monkeypatch):
    import torch

    from desktop_app.core import precision

    monkeypatch.setattr(precision, "fast_dtype", lambda _device: torch.bfloat16)  # a CPU with AVX512-BF16
    assert precision.fast_on(torch.device("cpu")) == "here: bfloat16 weights"
    assert precision.why_not_fast(torch.device("cpu")) == ""
    monkeypatch.setattr(precision, "fast_dtype", lambda _device: None)
    assert precision.fast_on(torch.device("cpu")) == "not here: loads Exact (float32)"
    assert "no native bfloat16" in precision.why_not_fast(torch.device("cpu"))


def _answer_token_shown(qtbot, window, index: int = 3):
    """An answer to "Hello, how are you?" and its token ``index`` in the inspector, as a click shows it."""
    from test_leftovers66 import shown_token

    window.prompt.setPlainText("Hello, how are you?")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.send()
    qtbot.waitUntil(lambda: not window.chat.lane.tasks, timeout=WAIT_MS)
    return shown_token(window, index)


def test_a_probed_word_below_the_list_says_the_sampler_could_not_have_picked_it(make_window, qtbot):
    from test_leftovers66 import one_token_word, probed

    window = make_window(max_new_tokens=8)
    popover = window.popover
    popover.top_k.setValue(10)  # every word the chart does not list is past top-k's cut
    popover.top_p.setValue(1.0)
    popover.min_p.setValue(0.0)
    popover.repetition.setValue(1.0)
    card, inspector = _answer_token_shown(qtbot, window)
    record = card.records[inspector.index]
    assert len(record.top) == 10
    listed, _listed_id = one_token_word(window, record, listed=True)
    word, word_id = one_token_word(window, record, listed=False)
    probed(qtbot, inspector, word)
    assert inspector.selected_alternative().id == word_id
    assert "sampler could not have picked it (cut by top-k 10)" in inspector.versus.text(), inspector.versus.text()
    probed(qtbot, inspector, listed)  # a listed word, within top-k: no such note
    assert "could not have picked" not in inspector.versus.text(), inspector.versus.text()
    window.chat.shutdown()


def test_cut_below_the_list_follows_the_least_listed_alternative_and_min_p():
    from desktop_app.core.generation import SamplingSettings
    from desktop_app.core.records import Alternative
    from desktop_app.core.sampler_cut import MAY, cut_below_the_list, sampler_cut

    top = [Alternative(i, f"t{i}", p) for i, p in enumerate((0.5, 0.2, 0.1, 0.05))]
    open_sampler = SamplingSettings(temperature=1.0, top_k=0, top_p=1.0, min_p=0.0)
    assert cut_below_the_list(sampler_cut(top, open_sampler), top, rank=40, prob=0.001) is None
    min_p = SamplingSettings(temperature=1.0, top_k=0, top_p=1.0, min_p=0.05)  # its floor: 0.025
    assert cut_below_the_list(sampler_cut(top, min_p), top, rank=5, prob=0.01) == "cut by min-p 0.05"
    assert cut_below_the_list(sampler_cut(top, min_p), top, rank=5, prob=0.03) is None
    top_p = SamplingSettings(temperature=1.0, top_k=0, top_p=0.7, min_p=0.0)  # the fourth is past 0.7
    found = sampler_cut(top, top_p)
    assert found.cut.get(3) == "cut by top-p 0.7"
    assert cut_below_the_list(found, top, rank=9, prob=0.001) == "cut by top-p 0.7"
    assert cut_below_the_list(sampler_cut(top, None), top, rank=9, prob=0.001) is None
    assert not str(cut_below_the_list(found, top, rank=9, prob=0.001)).startswith(MAY)


def test_a_remembered_question_picks_its_word_again_when_its_token_is_chosen_again(make_window, qtbot):
    from test_leftovers66 import one_token_word, probed, shown_token

    window = make_window(max_new_tokens=8)
    card, inspector = _answer_token_shown(qtbot, window, 3)
    record = card.records[inspector.index]
    word, word_id = one_token_word(window, record, listed=False)
    listed, listed_id = one_token_word(window, record, listed=True)
    probed(qtbot, inspector, word)
    said = inspector.versus.text()
    shown_token(window, 1)  # another token: nothing picked there
    assert inspector.selected_alternative() is None
    shown_token(window, 3)  # back: the word asked here is picked again, its comparison shown, no model pass
    assert inspector.probe.edit.text() == word and not window.chat.lane.find("probe")
    assert inspector.selected_alternative().id == word_id and inspector.branch_button.isEnabled()
    assert inspector.versus.isVisible() and inspector.versus.text() == said
    probed(qtbot, inspector, listed)  # a listed word asked: back on the token, its chart row is picked again
    shown_token(window, 1)
    shown_token(window, 3)
    assert inspector.chart.alternatives[inspector.chart.current].id == listed_id
    window.chat.shutdown()


def test_a_liked_answer_with_a_better_one_is_called_mixed_as_a_run_trains_on_both(tiny_model, tmp_path):
    from desktop_app.core.generation import SamplingSettings
    from desktop_app.core.store import Store
    from desktop_app.core.train_counts import readiness
    from desktop_app.core.train_data import build_training_data
    from desktop_app.gui.ready_words import tile_words
    from helpers import stored_answer

    db = str(tmp_path / "db.sqlite3")
    answer_id = stored_answer(tiny_model, db, SamplingSettings(max_new_tokens=6, seed=5), "Hello?")[1]
    with Store.open(db) as store:
        store.rate_message(answer_id, 1)
        store.set_correction(answer_id, "A better answer here.")
        counts = readiness(store, tiny_model.model_id, tiny_model.tokenizer)
        data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    # what a run does with it: the thumb trains the answer as liked, and the pair prefers the better one over it
    assert [(u.message_id, u.label) for u in data.unpaired] == [(answer_id, True)]
    assert [(p.source, p.rejected_message_id) for p in data.pairs] == [("correction", answer_id)]
    tiles = tile_words(counts)
    assert tiles["thumbs_up"][:2] == (1, "mixed, with a better answer")
    assert tiles["corrections"][:2] == (1, "mixed, for a liked answer")
    for key in ("thumbs_up", "corrections"):
        assert "mixed signals. A run trains on both" in tiles[key][2], tiles[key][2]
