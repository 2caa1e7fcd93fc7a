"""text71: a continuation that reaches its length mid-sentence runs on a short, bounded way to the sentence's end
(core.sentence_end): a writer read one cut mid-sentence at 128 tokens as broken. Never more than the run-on's cap,
never past the model's window; chat answers keep their length; the Settings tooltip and the CLI's help say it."""

from __future__ import annotations

import pytest

from desktop_app.core import documents
from desktop_app.core.generation import Generation, SamplingSettings
from desktop_app.core.sentence_end import only_closers, run_on_tokens, sentence_end

STORY = "Once upon a time there was a cat."
LIMIT = 32  # the tiny model's window is 128 tokens; a limit of 32 runs on 8 more at most


def _wild(seed: int, limit: int = LIMIT) -> SamplingSettings:
    """Sampling from the whole of the tiny model's (random) distribution: a sentence's mark now and then."""
    return SamplingSettings(max_new_tokens=limit, temperature=3.0, top_k=0, top_p=1.0, seed=seed)


def test_the_words_that_end_a_sentence():
    assert sentence_end("and so it was.") == "mark" and sentence_end('"Go!"') == "whole"
    assert sentence_end("the end\n") == "whole" and sentence_end("mid sentence") is None
    assert sentence_end("the dogs'") is None and only_closers('"') and not only_closers('" And')
    assert run_on_tokens(128) == 32 and run_on_tokens(40) == 10 and run_on_tokens(6) == 0


def test_a_continuation_runs_on_to_a_sentences_end_and_no_further_than_its_cap(tiny_model):
    extra = run_on_tokens(LIMIT)
    runs = [documents.continue_text(tiny_model, STORY, _wild(seed)) for seed in range(60)]
    assert all(len(g.records) <= LIMIT + extra for g in runs)
    ran_on = [g for g in runs if g.finish_reason == "sentence"]
    assert ran_on, "some continuations ran on past the limit to a sentence's end"
    for g in ran_on:
        assert LIMIT < len(g.records) <= LIMIT + extra and sentence_end(g.text)
        assert sentence_end("".join(r.text for r in g.records[:-1])) is None or g.records[-1].text.strip("\"')") == ""
    cut = [g for g in runs if g.finish_reason == "length"]
    assert cut and all(len(g.records) in (LIMIT, LIMIT + extra) for g in cut)


def test_the_run_on_never_passes_the_models_window(tiny_model):
    window = tiny_model.context_window
    prompt = tiny_model.tokenizer(STORY * 40)["input_ids"][: window - LIMIT - 3]
    lengths = {len(list(Generation(tiny_model, prompt, _wild(seed), run_on=run_on_tokens(LIMIT))))
               for seed in range(12)}
    assert max(lengths) <= LIMIT + 3, lengths


def test_chat_answers_keep_their_length(tiny_model):
    """A Generation asked for no run-on (chat's) stops at its limit, mid-sentence or not."""
    runs = [Generation(tiny_model, tiny_model.tokenizer(STORY)["input_ids"], _wild(seed)) for seed in range(8)]
    assert all(len(list(g)) <= LIMIT for g in runs)


def test_settings_and_the_cli_say_so(qapp, capsys):
    pytest.importorskip("PySide6")
    from desktop_app.cli import main
    from desktop_app.core.text_notes import writing_tip
    from desktop_app.gui.settings_popover import SettingsPopover

    popover = SettingsPopover()
    assert "runs on up to 32 tokens more" in popover.max_new.toolTip()
    popover.deleteLater()
    assert writing_tip("Writing", 3, 128).endswith("it may end sooner, or run on mid-sentence up to 32 tokens more "
                                                   "to the sentence's end")
    assert writing_tip("Writing", 3, 6).endswith("it may end sooner"), "a short limit does not run on"
    with pytest.raises(SystemExit):
        main(["continue", "--help"])
    assert "to the sentence's end" in " ".join(capsys.readouterr().out.split())  # (help wraps its lines)


def test_a_long_text_leaves_the_run_on_its_room(tiny_model):
    """A text longer than the window gives up its first tokens for the run-on too, so a long story still ends at a
    sentence's end; where that would leave the model less than half its window of the text, it does not."""
    window = tiny_model.context_window
    generation = documents.continuation(tiny_model, STORY * 60, _wild(0))
    assert generation.run_on == run_on_tokens(LIMIT) and len(generation.prompt_ids) == window - LIMIT - generation.run_on
    long_limit = documents.continuation(tiny_model, STORY * 60, _wild(0, limit=100))
    assert len(long_limit.prompt_ids) == window - 100
