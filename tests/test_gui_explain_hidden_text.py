"""Usertest 6, F10: "Why this token?" in chat ranked tokens the person cannot see (the chat
template around their messages: "↵", "␣by" of a default system text) as if they were theirs,
and "Explain again with Exact weights" switched the whole app without a word of it or a way
back in the panel. The tiny model's transcript template ("User: …\\nAssistant:") and the tiny
Llama's ChatML template are the chat templates here."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from test_gui_explain import WAIT_MS, _explain, _off, window  # noqa: E402,F401
from tiny_model import build_tiny_llama  # noqa: E402

from desktop_app.core.prompt_sources import CONVERSATION, SYSTEM, TEMPLATE, prompt_sources  # noqa: E402
from desktop_app.core.prompts import Turn, build_prompt  # noqa: E402


def _sources(tokenizer, turns, system=None, **fit):
    from desktop_app.core.text_pieces import piece_texts

    prompt = build_prompt(tokenizer, turns, system=system, **fit)
    pieces = piece_texts(tokenizer, prompt.ids)
    return pieces, prompt_sources(tokenizer, turns, system, pieces), prompt


def _text_of(pieces, sources, kind):
    return "".join(p for p, s in zip(pieces, sources) if s == kind)


TURNS = [Turn("user", "Hello there"), Turn("assistant", "Fine."), Turn("user", "What is the capital of Spain?")]


@pytest.mark.parametrize("system", [None, "Be brief."])
def test_each_prompt_token_is_the_conversation_the_system_text_or_the_template(tiny_model_dir, tmp_path, system):
    from transformers import AutoTokenizer

    llama = AutoTokenizer.from_pretrained(build_tiny_llama(tmp_path / "llama", tiny_model_dir))
    for tokenizer in (AutoTokenizer.from_pretrained(tiny_model_dir), llama):
        pieces, sources, _prompt = _sources(tokenizer, TURNS, system)
        assert _text_of(pieces, sources, CONVERSATION) == "Hello thereFine.What is the capital of Spain?" or \
            _text_of(pieces, sources, CONVERSATION).replace(" ", "") == "HellothereFine.WhatisthecapitalofSpain?"
        assert _text_of(pieces, sources, SYSTEM).strip() == (system or "")
        template = _text_of(pieces, sources, TEMPLATE)
        assert "Spain" not in template and ("Assistant:" in template or "<|im_start|>assistant" in template)
    pieces, sources, _prompt = _sources(llama, TURNS)
    assert "You are a tiny test model." in _text_of(pieces, sources, TEMPLATE)  # the template's own system text


def test_sources_follow_a_prompt_whose_oldest_turns_were_left_out(tiny_model_dir):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    turns = [Turn("user", "word " * 40), Turn("assistant", "ok " * 20), Turn("user", "What is the capital of Spain?")]
    pieces, sources, prompt = _sources(tokenizer, turns, context_window=64, max_new_tokens=16)
    assert prompt.dropped_turns == 2 and sources is not None
    assert _text_of(pieces, sources, CONVERSATION).strip() == "What is the capital of Spain?"
    assert prompt_sources(tokenizer, turns, None, ["not", " a prompt"]) is None


def _hidden_heavy(result):
    """The same explanation with the template's tokens carrying most of the weight (as the
    bundled model's did: "↵" and "␣by" led the ranking)."""
    from dataclasses import replace

    a = result.attribution
    scores = [3.0 + i if a.hidden(i) else s for i, s in enumerate(a.scores)]
    return replace(result, attribution=replace(a, scores=scores))


def test_hidden_template_tokens_are_named_and_can_be_left_out_of_the_ranking(window, qtbot):
    card, view = _explain(qtbot, window, 3)
    a = view.result.attribution
    assert a.sources is not None and len(a.sources) == a.prompt_len
    assert {a.source(i) for i in range(a.prompt_len)} == {CONVERSATION, TEMPLATE}
    assert "".join(t for i, t in enumerate(a.token_texts[:a.prompt_len]) if not a.hidden(i)).strip() == \
        "Hello, how are you?"
    view.show_result(view.ticket, _hidden_heavy(view.result))
    heavy = view.result.attribution
    assert view.hidden_note.isVisible() and "chat template" in view.hidden_note.text()
    assert f"{heavy.hidden_share() * 100:.0f}%" in view.hidden_note.text()
    # usertest 8: the view opens on what the chat shows; the hidden share is still said in words
    assert view.shown_only.isVisible() and view.shown_only.isChecked()
    ranked = view.contributors.text()
    assert "hidden" not in ranked and ranked.count("<br>") == 4
    assert "Left out of the ranking below: 5 hidden tokens" in view.hidden_note.text()
    assert "untick \u201cOnly what the chat shows\u201d" in view.hidden_note.text()
    assert view.shown_only.text() == "Only what the chat shows"
    for i in heavy.top(5, shown_only=True):
        assert not heavy.hidden(i)
    qtbot.mouseClick(view.shown_only, Qt.MouseButton.LeftButton)
    assert not view.shown_only.isChecked()
    assert view.contributors.text().count("chat template, hidden") == 5  # the five biggest are all template tokens
    assert "marked \u201chidden\u201d below" in view.hidden_note.text()
    qtbot.mouseClick(view.shown_only, Qt.MouseButton.LeftButton)
    assert "hidden" not in view.contributors.text()


def test_the_overlay_says_where_the_weight_it_cannot_show_went(window, qtbot):
    card, view = _explain(qtbot, window, 3)
    view.show_result(view.ticket, _hidden_heavy(view.result))
    assert not view.overlay_note.isVisible()
    qtbot.mouseClick(view.toggle, Qt.MouseButton.LeftButton)
    assert view.toggle.isChecked() and view.overlay_note.isVisible()
    share = f"{view.result.attribution.hidden_share() * 100:.0f}%"
    assert share in view.overlay_note.text() and "chat template" in view.overlay_note.text()
    qtbot.mouseClick(view.toggle, Qt.MouseButton.LeftButton)
    assert not view.overlay_note.isVisible()


def test_exact_weights_say_the_chat_switches_too_and_one_click_goes_back(window, qtbot):
    card, view = _explain(qtbot, window, 3)
    before = window.settings.value("precision", "auto") or "auto"
    assert not view.back_box.isVisible()
    view.show_result(view.ticket, _off(view.result, "bfloat16"))
    view.toggle.setChecked(True)  # the doubtful colours over the chat: they go while Exact loads
    with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
        qtbot.mouseClick(view.exact_button, Qt.MouseButton.LeftButton)
        said = view.status.text()
        assert "chat answers with Exact weights too" in said and "Back to Fast" in said and "Precision" in said
    assert "the chat runs on them too now" in view.status.text()  # asked again at once: reading the layers
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)
    assert view.result.precision == "float32"
    assert view.back_box.isVisible() and view.back_button.text() == "Back to Fast weights"
    assert "now runs on Exact weights" in view.back_note.text()
    assert view.toggle.isChecked() and card.view.overlay is not None  # the Exact colours, over the chat again
    with qtbot.waitSignal(window.chat.model_loaded, timeout=WAIT_MS):
        qtbot.mouseClick(view.back_button, Qt.MouseButton.LeftButton)
        assert "Fast (bfloat16) weights again" in view.status.text()
    assert (window.settings.value("precision") or "auto") == before and window.chat.precision == before
    assert not view.back_box.isVisible() and view.switched_from is None
