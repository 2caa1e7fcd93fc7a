"""`finetune`'s split in the terminal and in `--json` says examples where the ratings make more of them, as the
window's does (usertest50 fixed the window's "70 of your 84 ratings to learn from" under "73 ratings in all"; the
terminal still said "ratings" of the examples' count)."""

from __future__ import annotations

import json

from desktop_app.core.paths import AppPaths
from desktop_app.core.progress_words import split_words
from desktop_app.core.store import Store
from desktop_app.core.train_counts import rating_count, readiness


def _answer(run_cli, question: str) -> int:
    code, out, err = run_cli("generate", "--save", "--max-new-tokens", "6", "--seed", "1", "--json", question)
    assert code == 0, err
    return json.loads(out)["message_id"]


def test_finetune_says_examples_made_from_the_ratings_where_they_differ(run_cli):
    for question, thumb in (("Hi", "up"), ("What is 2+2?", "down"), ("Name a colour", "up")):
        assert run_cli("rate", str(_answer(run_cli, question)), thumb)[0] == 0
    liked = _answer(run_cli, "Why?")
    with Store.open(AppPaths.resolve().ensure().db_path) as store:
        # a second answer to the same question, as Regenerate writes it: a liked and a disliked answer to one
        # question are two ratings, and three examples with their pair
        first = store.get_message(liked)
        disliked = store.add_message(first["conversation_id"], "assistant", "Because it is so.",
                                     parent_id=first["parent_id"], model_id=first["model_id"])
    assert run_cli("rate", str(liked), "up")[0] == 0
    assert run_cli("rate", str(disliked), "down")[0] == 0
    with Store.open(AppPaths.resolve().ensure().db_path) as store:
        ratings = rating_count(readiness(store))
    code, out, err = run_cli("finetune", "--max-steps", "2", "--json")
    assert code == 0, err
    said = json.loads(out)
    split = (said["split"]["learn_from"], said["split"]["kept_aside"])
    assert sum(split) != ratings, (split, ratings)  # the case this guards: more examples than ratings
    words = said["split"]["words"]
    assert words == split_words(split, ratings), words
    assert f"examples made from your {ratings} ratings" in words, words
    assert f"getting ready: {words[:1].lower()}{words[1:]}" in err.splitlines(), err
