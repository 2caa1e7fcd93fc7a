"""Usertests 10 and 17: the before/after pairs showed a re-ask stopped at its token limit as if it
had ended ("…the world of art was no", read as a typo). A re-ask now says whether it ended, the
pairs carry it, and the card and the CLI end such an answer with "…"."""

from __future__ import annotations

import contextlib
import threading

import pytest

from desktop_app.core import finetune_effect as fe
from desktop_app.core import reasking
from desktop_app.core.taught_words import shown_answer


def _row(tokenizer, text):
    return tokenizer.encode(text, add_special_tokens=False)


def test_an_answer_knows_whether_it_ended(tiny_model):
    tok = tiny_model.tokenizer
    eos = tok.eos_token_id
    row = _row(tok, "The capital of France is")
    assert reasking._answer(tok, "q", row, eos, ()).cut  # the limit came first
    assert not reasking._answer(tok, "q", row + [eos], eos, ()).cut  # it ended
    stopped = reasking._answer(tok, "q", row + _row(tok, " Paris. User: hi"), eos, ("User:",))
    assert not stopped.cut and stopped.answer.endswith("Paris. ")  # a stop sequence ends it too


def test_reasks_at_a_small_limit_are_marked_cut(tiny_model):
    prompt = reasking.fresh_prompt(tiny_model.tokenizer, "Tell me about cats.", tiny_model.context_window, 3)
    answers = reasking.reask(tiny_model, [(prompt, "Tell me about cats.")], 3)
    tokens = tiny_model.tokenizer.encode(answers[0].answer, add_special_tokens=False)
    assert answers[0].cut == (len(tokens) >= 3 or not answers[0].answer)  # 3 tokens and no end: cut


def test_the_pairs_carry_it_and_the_words_end_in_an_ellipsis():
    after = [reasking.Reask("q1", "the world of art was no", None, cut=True),
             reasking.Reask("q2", "Paris.", None), reasking.Reask("q3", "x" * 400, None)]
    pairs = fe.taught(["It began", "Paris."], after, unseen_from=1, cut_before=(True, False))
    assert [(p["cut_before"], p["cut_after"]) for p in pairs] == [(True, True), (False, False), (False, True)]
    assert shown_answer(pairs[0], "after") == "the world of art was no\u2026"
    assert shown_answer(pairs[0], "before") == "It began\u2026"
    assert shown_answer(pairs[1], "after") == "Paris."
    assert shown_answer({"after": "", "cut_after": True}, "after") == ""  # nothing is no cut sentence


def test_the_card_and_the_cli_show_the_ellipsis(qtbot, capsys):
    pytest.importorskip("PySide6")
    from desktop_app.cli.finetune_cmds import _print_taught
    from desktop_app.gui.taught_view import TaughtView

    after = [reasking.Reask("What is art?", "Art is the world of art was no", None, cut=True)]
    pairs = fe.taught(["Art is a word."], after, unseen_from=0)
    view = TaughtView()
    qtbot.addWidget(view)
    view.set_pairs(pairs)
    texts = [label.text() for label in view.answer_labels()]
    assert texts == ["before: Art is a word.", "after: Art is the world of art was no\u2026"]
    _print_taught(pairs)
    out = capsys.readouterr().out
    assert "after:  Art is the world of art was no\u2026" in out and "before: Art is a word.\n" in out


def test_a_cached_answer_keeps_whether_it_ended(tiny_model):
    """The "before" answers come from a cache of earlier runs; one cached before the mark stays unmarked."""
    class Cache(dict):
        def put(self, key, value, base=False):
            self[key] = value

    prompt = reasking.fresh_prompt(tiny_model.tokenizer, "Tell me about cats.", tiny_model.context_window, 3)
    plan = fe.Reasks([(prompt, "Tell me about cats.")], 0, 3)
    key = f"reask:3:{fe.digest(prompt)}"
    meter = fe.Meter({}, lambda _phase: contextlib.nullcontext(), lambda: None, threading.Event())
    cache = Cache({key: ["an old answer", None]})
    old, = meter._reask(tiny_model, plan, cache, [])
    assert (old.answer, old.cut) == ("an old answer", False)
    cache = Cache({"another": ["x", None]})  # an empty cache is no cache (falsy)
    fresh, = meter._reask(tiny_model, plan, cache, [])
    assert cache[key] == [fresh.answer, fresh.problem, fresh.cut]
    cache[key] = ["kept", None, True]
    kept, = meter._reask(tiny_model, plan, cache, [])
    assert (kept.answer, kept.cut) == ("kept", True)


# ---------------------------------------------------------------- a rated continuation is no question

STORY = "The keeper climbed the stairs of the lighthouse every evening"


def test_a_rated_continuation_is_counted_as_one_not_as_a_rated_question(tmp_path, tiny_model):
    """Usertest 17: the card said "5 rated questions" where one was a Text-mode continuation."""
    from desktop_app.core import documents
    from desktop_app.core import text_branches as tb
    from desktop_app.core.store import Store
    from desktop_app.core.taught_words import rated_count_words, unchecked_words
    from desktop_app.core.train_data import build_training_data
    from test_training_data import add_answer

    store = Store.open(tmp_path / "db.sqlite3")
    try:
        _c, _u, mid, _ids = add_answer(store, tiny_model, "What is the capital of France?", text="Lyon.")
        store.rate_message(mid, -1)
        store.set_correction(mid, "The capital of France is Paris.")
        document = documents.create_document(store, STORY)
        branch = tb.add_branch(store, document, None, len(STORY), " and fell asleep on the sofa.")
        tb.rate_branch(store, branch, -1)
        tb.set_correction(store, branch, " to light the great lamp.")
        data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
        plan = fe.plan_reasks(store, data, data, data.split(0.0)[1], tiny_model.tokenizer,
                              tiny_model.context_window, count=3, unseen=0, tokens=6)
        kinds = {q: text for (_ids, q), text in zip(plan.prompts, plan.texts)}
        assert kinds == {"What is the capital of France?": False, STORY: True}
    finally:
        store.close()
    answers = [reasking.Reask(q, "x", None) for _ids, q in plan.prompts]
    pairs = fe.taught(["y"] * len(answers), answers, plan.unseen_from, texts=plan.texts)
    assert [p["continuation"] for p in pairs] == list(plan.texts)
    for p in pairs:
        p["checked"], p["right"] = True, "yours"
    assert rated_count_words(pairs).startswith("2 rated questions or continuations: all 2 give yours")
    story = [p for p in pairs if p["continuation"]]
    assert rated_count_words(story) == "1 rated continuation: 1 gives your continuation"
    story[0]["checked"] = False
    assert unchecked_words(story).startswith("1 rated continuation is not checked automatically")
    chat = [p for p in pairs if not p["continuation"]]
    assert rated_count_words(chat) == "1 rated question: 1 gives your answer"
