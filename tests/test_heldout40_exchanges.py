"""The held-out split keeps rated exchanges whole, not conversations: 8 ratings made one after
another in one chat hold some out (they held none, and the gate judged the run on the ratings it
trained on); siblings and their pairs stay on one side; questions asked each in a conversation of
their own split exactly as before."""

from __future__ import annotations

from desktop_app.core.train_data import build_training_data


def _ask(store, conv, question, parent=None):
    return store.add_message(conv, "user", question, parent_id=parent)


def _answer(store, conv, user, text, model_id):
    return store.add_message(conv, "assistant", text, parent_id=user, model_id=model_id,
                             settings={"max_new_tokens": 12, "finish_reason": "eos"})


def _one_chat(store, model_id, n=8):
    """n questions asked one after another in one conversation, each answer corrected."""
    conv, parent = store.create_conversation("one chat"), None
    answers = []
    for i in range(n):
        user = _ask(store, conv, f"What is fact number {i}?", parent)
        parent = _answer(store, conv, user, f"Fact {i} is a long and winding story about it.", model_id)
        store.set_correction(parent, f"Answer: {i}.")
        answers.append(parent)
    return conv, answers


def test_ratings_made_in_one_chat_hold_some_out(store, tiny_model):
    _one_chat(store, tiny_model.model_id)
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    assert data.rated() == 8
    train, held = data.split(0.2, seed=0)
    assert held.rated() == 2 and train.rated() == 6  # it was 0 and 8: one conversation, one group
    in_place = {e.rejected_message_id for e in held.pairs}
    assert not in_place & {e.rejected_message_id for e in train.pairs}  # a rating's views on one side


def test_sibling_answers_to_one_question_stay_together(store, tiny_model):
    conv, _answers = _one_chat(store, tiny_model.model_id, n=5)
    user = _ask(store, conv, "Tell me one thing about cats.")
    liked = _answer(store, conv, user, "Cats purr.", tiny_model.model_id)
    disliked = _answer(store, conv, user, "Cats are animals that many people keep at home, and more.",
                       tiny_model.model_id)
    store.rate_message(liked, 1)
    store.rate_message(disliked, -1)
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    for seed in range(6):
        train, held = data.split(0.5, seed=seed)
        sides = [{e.message_id for e in part.unpaired} | {e.rejected_message_id for e in part.pairs}
                 for part in (train, held)]
        assert any({liked, disliked} <= side for side in sides) or not any({liked, disliked} & side for side in sides)
        assert not set(train.groups()) & set(held.groups())


def test_questions_asked_apart_split_as_by_conversation(store, tiny_model):
    """Each question in a conversation of its own (the learning bench's table): the split is the
    one a split by conversation made, so the table's rows stand."""
    by_conversation = {}
    for i in range(10):
        conv = store.create_conversation(f"q{i}")
        mid = _answer(store, conv, _ask(store, conv, f"What is fact {i}?"), f"Fact {i} is long.", tiny_model.model_id)
        store.rate_message(mid, 1 if i % 3 else -1)
        by_conversation[mid] = conv
    data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window)
    train, held = data.split(0.2, seed=0)
    for e in data.unpaired:  # the same data grouped by conversation, as it was
        e.group = by_conversation[e.message_id]
    train_c, held_c = data.split(0.2, seed=0)
    assert [e.message_id for e in held.unpaired] == [e.message_id for e in held_c.unpaired] != []
    assert [e.message_id for e in train.unpaired] == [e.message_id for e in train_c.unpaired]


def test_a_run_on_one_chat_judges_held_out_and_all_ratings_margins(store, tiny_model, session_paths):
    """With 2 of 8 ratings held out the gate also asks the margin over all ratings to rise
    (gate.SMALL_HELDOUT): it must be measured. It was skipped when the held-out set counted its
    question-alone views (4 examples for 2 ratings), and the run was refused "n/a -> n/a"."""
    from desktop_app.core.train_settings import FineTuneSettings
    from desktop_app.core.training import run_finetune

    _one_chat(store, tiny_model.model_id)
    settings = FineTuneSettings(max_steps=2, batch_size=2, reask_count=1, reask_unseen=0, reask_canaries=0,
                                reask_open=0, reask_tokens=4, rescore=False, ask_before_changed_facts=False)
    m = run_finetune(store, tiny_model, session_paths, settings).metrics
    assert m["heldout_size"] == 2 and m["gate_margin_on"] == "heldout"
    assert m["margin_all_before"] is not None and m["margin_all_after"] is not None
    assert "n/a" not in (m.get("gate_reason") or "") + " ".join(str(v) for v in m.values() if isinstance(v, str))


def test_a_passing_verdict_names_the_ratings_that_judged_it():
    from desktop_app.core import gate

    passing = {"margin_heldout_before": 0.1, "margin_heldout_after": 0.9, "margin_all_before": 0.1,
               "margin_all_after": 0.9, "heldout_size": 5, "probe_ppl_before": 20.0, "probe_ppl_after": 20.1}
    assert gate.judge({**passing, "gate_margin_on": "heldout"}).reason.startswith("held-out ratings moved")
    nothing_held = {**passing, "gate_margin_on": "all", "heldout_size": 0, "margin_heldout_before": None,
                    "margin_heldout_after": None}
    verdict = gate.judge(nothing_held)
    assert verdict.kept and "held-out" not in verdict.reason  # the CLI printed "held-out ratings moved" then
    assert verdict.reason.startswith("your ratings (too few to hold some back) moved the right way")
