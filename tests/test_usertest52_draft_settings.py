"""usertest52: an answer cut off by kill -9 kept its tokens but not its sampling settings (the draft row
held only its mark), so the inspector said "This answer stored no sampling settings" and "Why this
token?" explained it with the default temperature (0.8) where it was written at 0.4. The draft row now
holds the settings the answer is sampled with, from its first write. Real SQLite, the tiny model."""

from __future__ import annotations

from desktop_app.core.drafts import AnswerDraft, is_interrupted, is_unstarted
from desktop_app.core.generation import SamplingSettings, generate
from desktop_app.core.prompts import Turn, build_prompt
from desktop_app.core.store import Store
from desktop_app.core.token_context import context_for_message

WRITTEN_WITH = SamplingSettings(max_new_tokens=6, temperature=0.4, top_k=7, top_p=0.9, seed=5)


def _cut_off_answer(store, loaded, *, tokens: int) -> int:
    """An answer whose app was killed after ``tokens`` tokens: its draft row, never finished."""
    conversation = store.create_conversation("killed")
    question = "What is the capital of France?"
    user = store.add_message(conversation, "user", question)
    prompt = build_prompt(loaded.tokenizer, [Turn("user", question)], context_window=loaded.context_window,
                          max_new_tokens=6)
    run = generate(loaded, prompt.ids, WRITTEN_WITH)
    draft = AnswerDraft(store, conversation, user, model_id=loaded.model_id, sampling=WRITTEN_WITH.to_dict())
    draft.begin()
    return draft.write(run.records[:tokens])


def test_a_killed_answer_is_explained_with_its_own_sampling_settings(tmp_path, tiny_model):
    store = Store.open(tmp_path / "d.sqlite3")
    cut = _cut_off_answer(store, tiny_model, tokens=3)
    row = store.get_message(cut)
    assert is_interrupted(row) and not is_unstarted(row), "still the interrupted answer, Continue and all"
    context = context_for_message(store, tiny_model, cut, 1)
    assert context.settings_known, "its settings were stored with the draft"
    assert (context.settings.temperature, context.settings.top_k) == (0.4, 7)
    store.close()


def test_an_unstarted_draft_keeps_its_settings_and_stays_unstarted(tmp_path, tiny_model):
    store = Store.open(tmp_path / "d.sqlite3")
    cut = _cut_off_answer(store, tiny_model, tokens=0)
    row = store.get_message(cut)
    assert is_unstarted(row) and row["settings"]["temperature"] == 0.4
    store.close()
