"""One text, one set of figures: a text analysed after a restart (a fresh analysis), typed in
pieces, grown by a continuation, edited and undone, or from ``gpt2-desk analyse`` has the same
records token for token (a person saw perplexity 20.3 before a restart and 20.1 after it). The
passes have fixed places and shapes (``scoring.window_plan``): a token's figures depend only on
the tokens up to it, never on the path the analysis took (tiny random GPT-2, 128-token window)."""

from __future__ import annotations

import json

import pytest

from desktop_app.core.models import open_model
from desktop_app.core.paths import AppPaths
from desktop_app.core.scoring import window_plan
from desktop_app.core.session import analyse_text

PERSON = "The lighthouse keeper counted the ships every evening and wrote their names in a book."
GROWN = PERSON + " One winter a ship came that was in none of his books."
LONG = " ".join(f"Sentence {i} tells the model about the weather in town number {i}." for i in range(12))


def _typed(loaded, text: str, words: int = 3):
    """Analysed as the Text tab analyses while a person writes: a few words at a time, each
    analysis going on from the one before."""
    pieces, previous = text.split(" "), None
    for end in list(range(words, len(pieces), words)) + [len(pieces)]:
        previous, _ = analyse_text(loaded, " ".join(pieces[:end]), previous=previous)
    return previous


def _edited_and_undone(loaded, text: str):
    first, _ = analyse_text(loaded, text)
    at = len(text) // 3
    edited, _ = analyse_text(loaded, text[:at] + " a few more words here" + text[at:], previous=first)
    return analyse_text(loaded, text, previous=edited)[0]


def _paths(loaded, person: str, text: str) -> dict:
    return {"typed": _typed(loaded, text),
            "continued": analyse_text(loaded, text, previous=analyse_text(loaded, person)[0])[0],
            "edited and undone": _edited_and_undone(loaded, text),
            "in the window": analyse_text(loaded, text, detailed=20_000)[0]}


@pytest.mark.parametrize("precision", ["exact", "fast"])
@pytest.mark.parametrize("person,text", [(PERSON, GROWN), (LONG[:300], LONG)], ids=["one window", "several"])
def test_every_path_to_a_text_gives_the_figures_of_a_fresh_analysis(tmp_path, tiny_model_dir, precision,
                                                                    person, text):
    loaded = open_model(str(tiny_model_dir), AppPaths.resolve(tmp_path / "data").ensure(), device="cpu",
                        precision=precision)
    fresh, summary = analyse_text(loaded, text)  # what a restart shows
    for path, scored in _paths(loaded, person, text).items():
        assert scored.complete and scored.ids == fresh.ids, path
        differ = [abs(a.logprob - b.logprob) for a, b in zip(scored.records, fresh.records) if a != b]
        assert not differ, f"{path}: {len(differ)} tokens differ, by up to {max(differ):.3g} nats"
        assert analyse_text(loaded, text, previous=scored)[1] == summary, path


def test_the_cli_and_the_text_tab_say_the_same(tiny_model, tiny_model_dir, tmp_path, capsys):
    from desktop_app.cli import main

    typed = _typed(tiny_model, GROWN)
    path = tmp_path / "story.txt"
    path.write_text(GROWN, encoding="utf-8")
    assert main(["analyse", str(path), "--model", str(tiny_model_dir), "--device", "cpu", "--precision", "exact",
                 "--json"]) == 0
    tokens = json.loads(capsys.readouterr().out)["tokens"]
    assert [t["logprob"] for t in tokens] == [r.logprob for r in typed.records]


@pytest.mark.parametrize("window", [128, 1024])
def test_a_pass_has_one_place_and_shape_whatever_the_texts_length(window):
    """The passes of a text are those of any longer text it begins (the last one's targets cut
    short): a token is read in the same pass, fed the same tokens before it, in both."""
    longest = {(w.begin, w.fed): w for w in window_plan(4 * window, 1, window)}
    for length in range(2, 4 * window, 7):
        plan = window_plan(length, 1, window)
        assert plan[0].start == 1 and plan[-1].stop == length
        assert all(a.stop == b.start for a, b in zip(plan, plan[1:]))
        for w in plan:
            same = longest[(w.begin, w.fed)]
            assert (w.start, w.width, w.rows) == (same.start, same.width, same.rows) and w.stop <= same.stop
            assert w.fed + w.width <= w.begin + window  # never more than the model's window
