"""``gpt2-desk probe``: the inspector's "How likely was…" in the terminal, on a stored answer of the tiny GPT-2:
the same words as the window, and --json with the same figures as the core."""

from __future__ import annotations

import json
import math

import pytest

from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store


@pytest.fixture
def saved(run_cli):
    """A stored answer (generate --save, 6 tokens, seed 3): (message id, its records as JSON)."""
    code, out, _err = run_cli("generate", "--json", "--max-new-tokens", "6", "--seed", "3", "--save", "Hi")
    assert code == 0
    answer = json.loads(out)
    return answer["message_id"], answer["tokens"]


def test_probe_prints_the_chance_the_rank_and_the_written_token(run_cli, saved):
    mid, _tokens = saved
    code, out, err = run_cli("probe", str(mid), "Paris", "--token", "2")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"At token 3 (--token 2) of message {mid}, written \u201c")
    assert any("Paris\u201d" in line and "%" in line for line in lines)  # the phrase's chance
    assert any(" of 400 tokens in the vocabulary." in line for line in lines)
    assert any("than the written token" in line for line in lines)


def test_probe_json_has_the_figures_and_the_written_tokens_own_text_gives_its_record(run_cli, saved):
    mid, tokens = saved
    with Store.open(AppPaths.resolve().db_path) as store:
        records = store.token_records(mid)
    code, out, err = run_cli("probe", str(mid), "Paris", "--token", "1", "--json")
    assert code == 0, err
    probe = json.loads(out)
    assert probe["token_index"] == 1 and probe["typed"] == "Paris" and probe["vocabulary"] == 400
    assert math.isclose(probe["prob"], math.prod(t["prob"] for t in probe["tokens"]), rel_tol=1e-9)
    assert probe["written"]["id"] == records[1].id and abs(probe["written"]["prob"] - records[1].prob) < 1e-4
    assert math.isclose(probe["times_as_likely_as_written"], probe["prob"] / probe["written"]["prob"], rel_tol=1e-9)
    assert probe["first_token_rank"] >= 1 and "units" in probe
    assert len(tokens) == len(records)


def test_probe_refuses_a_token_past_the_answer_before_loading(run_cli, saved):
    mid, tokens = saved
    code, _out, err = run_cli("probe", str(mid), "Paris", "--token", str(len(tokens) + 5))
    assert code != 0 and "there is no token" in err


def test_probe_refuses_a_question_in_its_own_words_and_explain_keeps_its_own(run_cli, saved, tiny_model):
    from desktop_app.core.explain_errors import ExplainError
    from desktop_app.core.token_context import context_for_message
    from desktop_app.core.word_probe import probe_word

    mid, _tokens = saved
    question = mid - 1  # generate --save stores the prompt, then its answer
    code, out, err = run_cli("probe", str(question), "Paris", "--token", "0")
    assert code == 2 and not out
    assert err == f"gpt2-desk: Message {question} is a user message; only an answer's tokens can be scored.\n"
    code, _out, err = run_cli("explain", str(question), "--token", "0")
    assert err == f"gpt2-desk: Message {question} is a user message; only answer tokens can be explained.\n"
    with Store.open(AppPaths.resolve().db_path) as store:
        assert store.get_message(question)["role"] == "user"
        with pytest.raises(ExplainError, match="only an answer's tokens can be scored"):
            probe_word(store, tiny_model, question, 0, "Paris")  # the window's probe, past the CLI's early check
        with pytest.raises(ExplainError, match="only answer tokens can be explained"):
            context_for_message(store, tiny_model, question, 0)


def test_probe_of_an_answer_with_no_question_says_it_cannot_be_scored(run_cli, saved):
    mid, _tokens = saved
    with Store.open(AppPaths.resolve().db_path) as store:
        writer = store.get_message(mid)["model_id"]
        alone = store.add_message(store.create_conversation(), "assistant", "Hello there", model_id=writer)
    code, out, err = run_cli("probe", str(alone), "Paris", "--token", "0")
    assert code != 0 and not out
    assert f"Message {alone} cannot be scored: " in err and "explained" not in err
    code, _out, err = run_cli("explain", str(alone), "--token", "0")
    assert f"Message {alone} cannot be explained: " in err
