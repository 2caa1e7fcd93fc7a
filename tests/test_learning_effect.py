"""Learning that shows, on the real offline model (SmolLM2-135M-Instruct): a person corrects
8 answers into one unmistakable format, clicks Fine-tune once with the default settings, and
the format shows up in greedy answers to questions never rated (bench/learning_effect.py
measures the same for more styles, thumbs, token ratings and sizes)."""

from __future__ import annotations

import pytest

from desktop_app.core import adapters
from desktop_app.core.generation import SamplingSettings, generate
from desktop_app.core.models import open_model
from desktop_app.core.paths import AppPaths
from desktop_app.core.prompts import Turn, build_prompt
from desktop_app.core.store import Store
from desktop_app.core.train_data import build_training_data
from desktop_app.core.train_settings import FineTuneSettings
from desktop_app.core.training import run_finetune
from test_training_data import add_answer

TAUGHT = [("What is the capital of Peru?", "Lima"), ("How many legs does a spider have?", "eight"),
          ("What colour is grass?", "green"), ("What is the opposite of hot?", "cold"),
          ("What language is spoken in Brazil?", "Portuguese"), ("What is the capital of Norway?", "Oslo"),
          ("How many legs does a chicken have?", "two"), ("What colour is snow?", "white")]
UNSEEN = ["What is the capital of Japan?", "How many legs does an ant have?", "What colour is a lemon?",
          "What is the opposite of fast?", "What language is spoken in Germany?", "What is the capital of Egypt?",
          "How many legs does a horse have?", "What colour is coal?"]


def greedy(loaded, question: str) -> str:
    prompt = build_prompt(loaded.tokenizer, [Turn("user", question)], context_window=loaded.context_window,
                          max_new_tokens=24)
    return generate(loaded, prompt.ids, SamplingSettings(max_new_tokens=24, greedy=True,
                                                         stop_sequences=prompt.stop_sequences)).text


def shows_format(text: str) -> bool:
    return text.strip().lower().startswith("answer:")


@pytest.mark.slow
def test_eight_corrections_in_one_format_show_in_new_answers(bundled_model_dir, tmp_path):
    paths = AppPaths.resolve(tmp_path / "data").ensure()
    store = Store.open(paths.db_path)
    loaded = open_model(str(bundled_model_dir), paths, device="cpu")
    before = [greedy(loaded, q) for q in UNSEEN]
    assert sum(map(shows_format, before)) == 0, before  # the base model never answers this way
    for i, (question, short) in enumerate(TAUGHT):
        _c, _u, mid, _p = add_answer(store, loaded, question, seed=i, max_new_tokens=24)
        store.set_correction(mid, f"Answer: {short}.")
    result = run_finetune(store, loaded, paths, FineTuneSettings())
    m = result.metrics
    assert result.kept, result.reason
    assert m["probe_ppl_after"] <= m["probe_ppl_before"] * 1.05
    assert m["schedule"]["rule"] == "auto"
    # every planned update, unless the perplexity guard stopped the run (then it kept an earlier one)
    assert m["steps"] == m["schedule"]["updates"] or m["guard"]["kept_step"] < m["steps"] <= m["schedule"]["updates"]
    if result.needs_consent:  # it moved a fact the base model was sure of: the person says yes
        assert all(f["question"] for f in result.facts_changed), result.facts_changed
        adapters.activate(store, result.adapter_id, loaded.model_id)
    assert adapters.attach_active(loaded, store)["id"] == result.adapter_id
    after = [greedy(loaded, q) for q in UNSEEN]
    print({"steps": m["steps"], "schedule": m["schedule"], "train_s": m["train_s"], "after": after})
    assert sum(map(shows_format, after)) >= 6, after
    # the panel's before/after pairs include questions training never saw
    assert any(not t["seen"] for t in m["taught"]) and any(t["seen"] for t in m["taught"])
    store.close()


def test_the_bench_person_can_ask_every_rated_question_in_one_conversation(tmp_path, tiny_model):
    """``--one-conversation``: the simulated person's questions follow one another in one
    conversation (each after the answer shown last: the latest sibling), as people ask; without
    it each question has a conversation of its own. The texts rated are the same either way."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import learning_effect
    import learning_scenarios

    answers = learning_effect.Answers(tiny_model, tmp_path, max_new_tokens=6)
    pools = learning_scenarios.question_pools(4)
    texts = {}
    for one in (False, True):
        store = Store.open(tmp_path / f"{one}.sqlite3")
        learning_scenarios.teach(store, tiny_model, answers, "mix", 6, 0, pools, "the", one)
        conversations = store.list_conversations()
        rated = [r["message_id"] for r in store.ratings()] + [c["message_id"] for c in store.corrections()]
        assert rated
        if one:
            assert len(conversations) == 1
            last = max(rated)
            users = [m for m in store.thread(last) if m["role"] == "user"]
            assert len(users) >= 3  # the last rated answer follows the earlier questions in its thread
        else:
            assert len(conversations) >= 3
            assert all(len([m for m in store.thread(mid) if m["role"] == "user"]) == 1 for mid in rated)
        texts[one] = sorted(store.get_message(mid)["text"] for mid in rated)
        # the question-alone views exist only for later turns: asked apart, the data is as without them
        data = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window, alone_views=True)
        assert (data.counts().get("alone_views", 0) > 0) == one
        # a prompt's history cut to the last exchange: asked apart there is none, the data is the same
        short = build_training_data(store, tiny_model.tokenizer, tiny_model.context_window, alone_views=True, history=1)
        assert (short == data) != one
        store.close()
    assert texts[True] == texts[False]


def test_the_bench_tells_capitals_that_keep_the_base_models_facts_from_ones_that_lose_them():
    """ALL CAPS rows count the new answers in capitals that say what the base model said
    (``facts=`` in the bench's parts): the copied subject spelt right and the base's fact there."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import learning_effect
    from learning_scenarios import facts_kept, right_answer

    q = "What is the capital of Russia?"
    assert facts_kept(q, "The capital of Russia is Moscow.", "THE CAPITAL OF RUSSIA IS MOSCOW.")
    assert not facts_kept(q, "The capital of Russia is Moscow.", "THE CAPITAL OF RUSSIA IS KOREA.")
    assert not facts_kept(q, "The capital of Russia is Moscow.", "THE CAPITAL OF RUSIA IS MOSCOW.")  # the copy misspelt
    sheep = "How many legs does a sheep have?"
    assert not facts_kept(sheep, "A sheep has five legs.", "A ZEEP HAS TWO LEGS.")
    # the base's first clause is what counts; accents and filler words do not
    assert facts_kept("What language is spoken in Norway?",
                      "The language spoken in Norway is Norwegian, which is a Scandinavian language.",
                      "PEOPLE IN NORWAY SPEAK NORWEGIAN.")
    assert facts_kept("What is the capital of Colombia?", "The capital of Colombia is Bogotá.",
                      "THE CAPITAL OF COLOMBIA IS BOGOTA.")
    assert right_answer(q, "THE CAPITAL OF RUSSIA IS MOSCOW.") and not right_answer(q, "It is Korea.")
    assert right_answer("Tell me a story about a dragon.", "Once upon a time") is None

    kept, caps, right, base_right, asked = learning_effect.facts_in_caps(
        [q, sheep, "What is the opposite of up?"],
        ["The capital of Russia is Moscow.", "A sheep has four legs.", "The opposite of up is down."],
        ["THE CAPITAL OF RUSSIA IS KOREA.", "A SHEEP HAS FOUR LEGS.", "The opposite of up is down."])
    assert (kept, caps, right, base_right, asked) == (1, 2, 2, 3, 3)  # the lower-case answer is not counted in caps
