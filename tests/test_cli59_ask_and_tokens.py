"""cli59: a terminal user who generated an answer found no id to `rate` (plain `generate` keeps nothing), and no
token numbers for `rate ID down --token N` (`history` showed none): `ask` keeps the answer and says how to rate it,
plain `generate` says it kept nothing, `history ID --tokens` lists each answer's tokens with their --token numbers."""

from __future__ import annotations

import json

import pytest

from desktop_app.cli import main
from desktop_app.core.paths import AppPaths
from desktop_app.core.store import Store
from desktop_app.core.token_words import token_percent


SHORT = ("--max-new-tokens", "4", "--seed", "3")


def _stored_messages() -> list[dict]:
    with Store.open(AppPaths.resolve().db_path) as store:
        return [m for c in store.list_conversations() for m in store.messages(c["id"])]


def test_ask_keeps_the_answer_and_says_how_to_rate_it(run_cli):
    code, out, err = run_cli("ask", *SHORT, "Hi")
    assert code == 0 and out.strip()
    answer = [m for m in _stored_messages() if m["role"] == "assistant"]
    assert len(answer) == 1
    assert f"saved as message {answer[0]['id']}" in err
    assert f"rate it: gpt2-desk rate {answer[0]['id']} up (or down" in err
    assert f"history {answer[0]['conversation_id']} --tokens" in err  # where the --token numbers are


def test_ask_with_conversation_follows_up_in_it(run_cli):
    assert run_cli("ask", *SHORT, "Hi")[0] == 0
    conversation = _stored_messages()[0]["conversation_id"]
    code, out, err = run_cli("ask", *SHORT, "--conversation", str(conversation), "And then?")
    assert code == 0
    messages = _stored_messages()
    assert len(messages) == 4 and {m["conversation_id"] for m in messages} == {conversation}
    assert messages[2]["parent_id"] == messages[1]["id"]  # after the newest message, as a follow-up
    assert f"follow up: gpt2-desk ask --conversation {conversation}" in err


def test_ask_json_gives_the_message_id(run_cli):
    code, out, err = run_cli("ask", *SHORT, "--json", "Hi")
    assert code == 0
    assert json.loads(out)["message_id"] == _stored_messages()[1]["id"]
    assert "rate it" not in out


def test_plain_generate_says_it_kept_nothing_and_how_to_keep_it(run_cli):
    code, out, err = run_cli("generate", *SHORT, "Hi")
    assert code == 0 and _stored_messages() == []
    last = err.strip().splitlines()[-1]
    assert last.startswith("not saved:") and "gpt2-desk ask" in last and "--save" in last


def test_generate_json_has_no_not_saved_line(run_cli):
    code, out, err = run_cli("generate", *SHORT, "--json", "Hi")
    assert code == 0 and "not saved" not in err and "not saved" not in out
    json.loads(out)


def test_help_names_ask(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert " ask " in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["generate", "--help"])
    assert "`ask`" in capsys.readouterr().out


def test_history_tokens_lists_each_answer_s_token_numbers(run_cli):
    assert run_cli("ask", *SHORT, "Hi")[0] == 0
    answer = _stored_messages()[1]
    with Store.open(AppPaths.resolve().db_path) as store:
        records = store.token_records(answer["id"])
    assert run_cli("rate", str(answer["id"]), "down", "--token", "1")[0] == 0
    code, out, err = run_cli("history", str(answer["conversation_id"]), "--tokens")
    assert code == 0
    lines = out.splitlines()
    assert f"message {answer['id']}, {len(records)} tokens (rate one: gpt2-desk rate {answer['id']} down --token N, " \
        "or up):" in lines
    rows = [line.split() for line in lines if line.strip()[:1].isdigit()]
    assert [int(row[0]) for row in rows] == list(range(len(records)))
    assert rows[0][1] == token_percent(records[0])  # as the window's status bar and tooltip say it
    assert " ".join(rows[1]).endswith("[rated down]") and "down]" not in rows[0]


def test_history_tokens_json_and_without_an_id(run_cli):
    assert run_cli("ask", *SHORT, "Hi")[0] == 0
    answer = _stored_messages()[1]
    code, out, _ = run_cli("history", str(answer["conversation_id"]), "--tokens", "--json")
    assert code == 0
    listed = json.loads(out)
    assert listed[0]["message_id"] == answer["id"] and len(listed[0]["tokens"]) == 4
    code, _, err = run_cli("history", "--tokens")
    assert code == 2 and "give its id" in err


def test_rate_s_token_hint_names_history_tokens(run_cli, capsys):
    assert run_cli("ask", *SHORT, "Hi")[0] == 0
    answer = _stored_messages()[1]
    code, _, err = run_cli("rate", str(answer["id"]), "down", "--token", "9")
    assert code == 2 and "history CONVERSATION_ID --tokens" in err
    with pytest.raises(SystemExit):
        main(["rate", "--help"])
    assert "--tokens" in capsys.readouterr().out
