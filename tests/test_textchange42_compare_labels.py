"""The compare view's list names an answer in the chat's words: its first words, and "answer 2 of
3" where several answer one prompt (as the chat's ‹ › arrows count them), never the database's
message number ("#2"), which the chat never shows. Real SQLite store."""

from __future__ import annotations

from desktop_app.core.store import Store
from desktop_app.gui.compare_data import picker_choices
from desktop_app.gui.compare_words import answer_label, better_label


def _store(tmp_path):
    store = Store.open(tmp_path / "db.sqlite3")
    conversation = store.create_conversation("Moon")
    question = store.add_message(conversation, "user", "What is the moon made of?")
    answers = [store.add_message(conversation, "assistant", text, parent_id=question)
               for text in ("Cheese, mostly.", "Rock: the moon is a rock that  formed from debris after a giant "
                            "impact with the young Earth.", "Nobody knows.")]
    lone_q = store.add_message(conversation, "user", "And the sun?", parent_id=answers[1])
    lone = store.add_message(conversation, "assistant", "Mostly hydrogen and helium.", parent_id=lone_q)
    return store, answers, lone


def test_the_list_names_answers_by_their_words_and_place_among_their_siblings(tmp_path):
    store, answers, lone = _store(tmp_path)
    store.rate_message(answers[1], -1)
    store.rate_message(lone, 1)
    store.set_correction(answers[1], "The moon is rock and dust, made when a Mars-sized body struck the Earth.")
    labels = {key: label for key, label, _later in picker_choices(store, None, answers[1]).items}
    second = labels[answers[1]]
    assert second.startswith("\u25bc \u201cRock: the moon is a rock that formed from")
    assert second.endswith("\u2026\u201d (answer 2 of 3)")
    assert labels[lone] == "\u25b2 \u201cMostly hydrogen and helium.\u201d"  # one answer: no count
    better = next(label for key, label in labels.items() if isinstance(key, str))
    assert better.startswith("\u270e your better answer: \u201cThe moon is rock and dust")
    assert not any("#" in label for label in labels.values())


def test_an_unrated_answer_opened_from_the_chat_says_its_place_too(tmp_path):
    store, answers, _lone = _store(tmp_path)
    labels = {key: label for key, label, _later in picker_choices(store, None, answers[2]).items}
    assert labels[answers[2]] == "\u201cNobody knows.\u201d (answer 3 of 3)"


def test_labels_cut_at_their_length_with_an_ellipsis():
    assert answer_label("a " * 80).endswith("a\u2026\u201d") and len(answer_label("a " * 80)) <= 63
    assert answer_label("Short.", 1, 2) == "\u201cShort.\u201d (answer 1 of 2)"
    assert better_label(5, "  Two   words ") == "\u270e your better answer: \u201cTwo words\u201d"
