"""cli52: the command line's leftovers a terminal-only user met (session 48): a cancelled fine-tune's last
progress line, one duration's words for both front ends, ..."""

from __future__ import annotations

import io
import os
import signal
import sys

import pytest

from desktop_app.core.duration_words import duration_words


def test_a_cancelled_run_s_last_report_is_said_in_words(capsys):
    """Ctrl+C during `finetune`: its last progress line read "evaluating: Cancelled", a state's name (and no
    check ran); core's cancel report is said in words."""
    from desktop_app.cli.finetune_cmds import CANCELLED_LINE, _Bar
    from desktop_app.core.training import TrainProgress
    from desktop_app.core.train_verdict import CANCELLED_MESSAGE

    bar = _Bar(quiet=False)
    bar(TrainProgress("training", message="Training"))
    bar(TrainProgress("evaluating", message=CANCELLED_MESSAGE))  # core.training's report of a cancelled run
    said = capsys.readouterr().err.splitlines()
    assert said[-1] == CANCELLED_LINE and "cancelled" in said[-1]
    assert not any(line.endswith(f": {CANCELLED_MESSAGE}") for line in said)


def test_one_duration_function_keeps_each_front_end_s_words():
    """The CLI's time left had its own `_duration_words` ("4 min"), the window its `duration_words` ("4 min 05 s"):
    one core function, ``rough`` for an estimate."""
    assert duration_words(245) == "4 min 05 s" and duration_words(45.4) == "45 s"
    assert duration_words(245, rough=True) == "4 min" and duration_words(75, rough=True) == "75 s"
    assert duration_words(None) == duration_words(-1) == duration_words(float("nan")) == ""
    import desktop_app.cli.finetune_cmds as cli
    import desktop_app.core.progress_words as words

    assert not hasattr(cli, "_duration_words") and not hasattr(words, "duration_words")


def test_the_cli_s_time_left_uses_the_rough_words(capsys, monkeypatch):
    """Into a log (stderr not a terminal) a tenth of the steps' line says the time left as the CLI did."""
    from desktop_app.cli.finetune_cmds import _Bar
    from desktop_app.core.training import TrainProgress

    bar = _Bar(quiet=False)
    bar(TrainProgress("training", step=1, total=10, loss=0.5, eta_s=245.0))
    bar.bar.close()
    # every training line carries the same columns, "-" where a figure is not known (cli59)
    assert "training: step 1 of 10, loss 0.5000, kl -, step margin -, about 4 min left" in capsys.readouterr().err


def _waiting_adapter(tmp_path, metrics: dict) -> tuple[str, int]:
    """A database with a kept run's adapter that waits for the person's word (as train_verdict.decide leaves
    one that changed answers to never-rated questions): (its path, the adapter's id)."""
    from desktop_app.core.adapters import CONFIG_FILE, WEIGHTS_FILE
    from desktop_app.core.store import Store

    folder = tmp_path / "adapter-1"
    folder.mkdir()
    for name in (CONFIG_FILE, WEIGHTS_FILE):  # what activation checks of its folder
        (folder / name).write_text("{}")
    db = tmp_path / "db.sqlite3"
    with Store.open(db) as store:
        run = store.create_run({}, "tiny")
        adapter = store.add_adapter(str(folder), base_model="tiny", run_id=run, metrics=metrics)
        store.update_run(run, status="kept", reason="ok", metrics=metrics, adapter_id=adapter)
    return str(db), adapter


CHANGED = {"question": "What is the capital of Australia?", "before": "Canberra.", "after": "Sydney.", "how": "changed"}
GUESS = {"question": "What is the capital of Peru?", "before": "Lima.", "after": "Quito.", "how": "changed"}


def test_activating_a_held_back_adapter_says_what_held_it_back(tmp_path, capsys):
    """`adapters activate` on an adapter its run held back (it changed answers to never-rated questions) said
    only "Adapter 1 is active"; the window's history says "changed 2 answers to questions you never rated"."""
    from desktop_app.cli import main
    from desktop_app.core.fact_changes import changed_unrated_count
    from desktop_app.core.taught_words import changed_unrated_words

    metrics = {"facts_changed": [CHANGED], "facts_unsure": [GUESS], "activated": False}
    db, adapter = _waiting_adapter(tmp_path, metrics)
    assert main(["adapters", "activate", str(adapter), "--db", db]) == 0
    out = capsys.readouterr().out
    assert f"Adapter {adapter} is active for tiny" in out
    assert f"note: {changed_unrated_words(2)}" in out and changed_unrated_count(metrics) == 2


def test_an_adapter_that_changed_nothing_unrated_is_activated_without_a_note(tmp_path, capsys):
    from desktop_app.cli import main

    db, adapter = _waiting_adapter(tmp_path, {"facts_changed": [], "facts_unsure": [GUESS], "activated": True})
    assert main(["adapters", "activate", str(adapter), "--db", db]) == 0
    assert "note:" not in capsys.readouterr().out


def test_the_window_s_history_counts_them_as_the_cli_does():
    pytest.importorskip("PySide6")
    from desktop_app.gui.adapter_history_words import effect_words

    assert "changed 2 answers to questions you never rated" in effect_words(
        {"facts_changed": [CHANGED], "facts_unsure": [GUESS]})
    assert effect_words({"facts_changed": [], "facts_unsure": [GUESS]}) == []


OLD = "2026-01-01T00:00:00.000000+00:00"  # a stamp long before the test: any touch of ``updated`` shows


def _two_conversations(store):
    """An older conversation with a stored answer, then a newer one: (older, its answer, newer)."""
    from desktop_app.core.records import TokenRecord

    older = store.create_conversation("Older")
    user = store.add_message(older, "user", "What is 2+2?")
    answer = store.add_message(older, "assistant", " Four.", parent_id=user, model_id="m",
                               records=[TokenRecord(1, " Four", -0.1, 1, 0.5), TokenRecord(2, ".", -0.2, 1, 0.5)])
    newer = store.create_conversation("Newer")
    store.add_message(newer, "user", "Hello")
    with store.transaction() as conn:  # the older one was last said in long ago
        conn.execute("UPDATE conversations SET updated = ? WHERE id = ?", (OLD, older))
    return older, answer, newer


def test_rating_correcting_or_renaming_leaves_a_conversation_where_it_is(tmp_path, capsys):
    """A rating never touched ``updated`` and a rename did: one rule now (core.store's comment): what is said
    in a conversation moves it up the list, what the person notes about it (ratings, a correction, a title)
    does not."""
    from desktop_app.cli import main
    from desktop_app.core.store import Store

    db = tmp_path / "db.sqlite3"
    with Store.open(db) as store:
        older, answer, newer = _two_conversations(store)
    for command in (["rate", str(answer), "up"], ["rate", str(answer), "down", "--token", "1"],
                    ["rate", str(answer), "clear"], ["correct", str(answer), "Four, as 2+2 makes."]):
        assert main([*command, "--db", str(db)]) == 0, capsys.readouterr().err
    with Store.open(db) as store:
        store.rename_conversation(older, "Sums")
        assert store.get_conversation(older)["updated"] == OLD
        assert [c["id"] for c in store.list_conversations()] == [newer, older]


def test_an_answer_written_on_moves_its_conversation_up(tmp_path):
    """Continue (an interrupted answer written on, core/drafts.py's update_answer) said more in an old
    conversation and left its ``updated`` as it was."""
    from desktop_app.core.records import TokenRecord
    from desktop_app.core.store import Store

    with Store.open(tmp_path / "db.sqlite3") as store:
        older, answer, newer = _two_conversations(store)
        records = [TokenRecord(1, " Four", -0.1, 1, 0.5), TokenRecord(2, ".", -0.2, 1, 0.5),
                   TokenRecord(3, " Yes", -0.3, 1, 0.5)]
        store.update_answer(answer, " Four. Yes", settings={}, records=records, model_id="m")
        assert store.get_conversation(older)["updated"] > OLD
        assert [c["id"] for c in store.list_conversations()] == [older, newer]


class _KeysIn:
    """stdin as a terminal feeds it: the person's lines, then a key that ends input: ``EOFError`` (Ctrl+D)
    or ``KeyboardInterrupt`` (Ctrl+C at the prompt)."""

    def __init__(self, lines: list[str], then: type[BaseException]):
        self.lines, self.then = list(lines), then

    def readline(self) -> str:
        if self.lines:
            return self.lines.pop(0) + "\n"
        if self.then is EOFError:
            return ""  # input() reads an empty read as Ctrl+D
        raise self.then


class _CtrlCWhileAnswering(io.StringIO):
    """stdout that presses Ctrl+C (a real SIGINT to this process) as the ``at``-th token of the first answer
    is written, as a person does while it streams."""

    def __init__(self, at: int):
        super().__init__()
        self.at, self.tokens, self.pressed = at, None, False

    def write(self, text: str) -> int:
        if text == "Model: " and self.tokens is None:
            self.tokens = 0
        elif self.tokens is not None and not self.pressed:
            self.tokens += 1
            if self.tokens == self.at:
                self.pressed = True
                os.kill(os.getpid(), signal.SIGINT)
        return super().write(text)


def _chat(tiny_model_dir, tmp_path, *options) -> list[str]:
    return ["chat", "--model", str(tiny_model_dir), "--data-dir", str(tmp_path / "data"), "--seed", "4", *options]


def _stored(tmp_path) -> list[dict]:
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store

    with Store.open(AppPaths.resolve(tmp_path / "data").db_path) as store:
        return [m for c in store.list_conversations() for m in store.messages(c["id"])]


@pytest.mark.parametrize("key", [KeyboardInterrupt, EOFError], ids=["ctrl-c", "ctrl-d"])
def test_ctrl_c_or_ctrl_d_at_the_prompt_ends_the_chat_saved(key, tiny_model_dir, tmp_path, monkeypatch, capsys):
    """Ctrl+C at `chat`'s prompt ended it with exit 130 and "interrupted", and nothing of the chat was kept:
    now it ends as Ctrl+D does, exit 0, a goodbye naming the conversation its answers were saved in."""
    from desktop_app.cli import main

    monkeypatch.setattr(sys, "stdin", _KeysIn(["Hi there", "And again?"], key))
    assert main(_chat(tiny_model_dir, tmp_path, "--max-new-tokens", "3")) == 0
    err = capsys.readouterr().err
    messages = _stored(tmp_path)
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert messages[2]["parent_id"] == messages[1]["id"], "one conversation, each prompt after the answer before"
    assert f"saved as message {messages[1]['id']}" in err and f"saved as message {messages[3]['id']}" in err
    conversation = messages[0]["conversation_id"]
    assert f"Bye. Conversation {conversation} is saved: `gpt2-desk history {conversation}`" in err
    assert "interrupted" not in err


def test_no_save_keeps_nothing_and_says_so(tiny_model_dir, tmp_path, monkeypatch, capsys):
    from desktop_app.cli import main

    monkeypatch.setattr(sys, "stdin", _KeysIn(["Hi there"], KeyboardInterrupt))
    assert main(_chat(tiny_model_dir, tmp_path, "--max-new-tokens", "3", "--no-save")) == 0
    err = capsys.readouterr().err
    assert "Nothing in this chat is saved (--no-save)" in err and "saved as" not in err
    assert err.rstrip().endswith("Bye.") and _stored(tmp_path) == []


def test_ctrl_c_while_an_answer_streams_stops_it_and_the_chat_goes_on(tiny_model_dir, tmp_path, monkeypatch,
                                                                      capsys):
    """Ctrl+C while the model answered ended the whole chat (exit 130); now it stops that answer, kept as far
    as it got (the window's Stop), and the next prompt comes."""
    from desktop_app.cli import main

    out = _CtrlCWhileAnswering(at=2)
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stdin", _KeysIn(["Tell me a story", "Another"], EOFError))
    assert main(_chat(tiny_model_dir, tmp_path, "--max-new-tokens", "40", "--temperature", "0.1")) == 0
    assert out.pressed
    first, second = [m for m in _stored(tmp_path) if m["role"] == "assistant"]
    assert first["settings"]["finish_reason"] == "cancelled"
    assert first["text"] and first["text"] in out.getvalue(), "kept as far as it got, as it was shown"
    assert second["settings"]["finish_reason"] != "cancelled", "the next answer was not stopped"
    err = capsys.readouterr().err
    assert "stopped] saved as message" in err and "Bye. Conversation" in err


def test_a_token_is_named_in_the_window_s_count_and_as_the_argument_that_names_it(tmp_path, tiny_model, capsys):
    """The CLI said "token 7" for the window's "token 8": --token stays 0-based (scripts pass the index of a
    `--json` list), and the lines printed give the window's number with the --token that names it."""
    from desktop_app.cli import main
    from desktop_app.core.generation import SamplingSettings
    from desktop_app.core.store import Store
    from helpers import stored_answer

    settings = SamplingSettings(max_new_tokens=6, temperature=0.9, seed=5)
    db, mid, run = stored_answer(tiny_model, str(tmp_path / "db.sqlite3"), settings)
    common = ["--db", db, "--data-dir", str(tmp_path / "data")]
    assert main(["rate", str(mid), "down", "--token", "2", *common]) == 0
    said = capsys.readouterr().out.strip()  # usertest32: with the token's text after its numbers
    assert said.startswith("rated token 3 (--token 2) \u201c") and said.endswith(f"\u201d of message {mid} down")
    with Store.open(db) as store:
        assert [r["token_index"] for r in store.ratings(mid)] == [2], "--token 2 is the third token, as it was"
    n = len(run.records)
    assert main(["rate", str(mid), "up", "--token", str(n), *common]) == 2
    assert (f"Message {mid} has {n} tokens: --token takes 0 to {n - 1} (the window's token 1 to {n})"
            in capsys.readouterr().err)
    assert main(["explain", str(mid), "--token", "2", "--steps", "2", *common]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Token 3 (--token 2) of message {mid}:")
    assert "(answer, token 1 (--token 0), position" in out or "(answer, token 2 (--token 1), position" in out


def test_a_miss_with_no_answer_given_names_what_it_misses():
    """The terminal session's run read "2 rated questions: 1 misses it": no "gives your answer" before it named
    what "it" is (the other question was not checked)."""
    from desktop_app.core.taught_words import rated_count_words
    from test_card28_taught_words import usertest_pairs

    pairs = usertest_pairs()
    missed = [{**pairs[1], "dropped_after": True}]
    assert rated_count_words(missed) == "1 rated question: 1 misses your answer"
    both = [pairs[0], {**pairs[1], "dropped_after": True}]
    assert rated_count_words(both) == "2 rated questions: 1 gives your answer, 1 misses it"


def test_a_count_s_start_reported_again_is_said_once(capsys):
    """The terminal session's fine-tune printed "preparing: reading the answers you rated token by token: 0 of 9
    tokens" four times running (core reports a count's start for each answer it reads)."""
    from desktop_app.cli.finetune_cmds import _Bar
    from desktop_app.core.training import TrainProgress

    bar = _Bar(quiet=False)
    words = "reading the answers you rated token by token: {} of 9 tokens"
    for done in (0, 0, 0, 0, 4, 7, 9):
        bar(TrainProgress("preparing", step=done, total=9, message=words.format(done)))
    lines = capsys.readouterr().err.splitlines()
    said = "getting ready: reading the answers you rated token by token: {}/9 tokens"  # a count as "0/9" (cli59)
    assert lines.count(said.format(0)) == 1  # the window's name of the phase (words53)
    assert lines[-1] == said.format(9)


def test_the_adapter_list_says_what_held_an_adapter_back(tmp_path, capsys):
    """The terminal session's held-back adapter was listed as any other (no mark: not in use); the window's
    history row says "changed 2 answers to questions you never rated"."""
    from desktop_app.cli import main

    db, adapter = _waiting_adapter(tmp_path, {"facts_changed": [CHANGED], "facts_unsure": [GUESS]})
    assert main(["adapters", "list", "--all", "--db", db]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.split()[:1] == [str(adapter)])
    assert row.endswith("tiny  (changed 2 answers to questions you never rated)")


def test_history_marks_an_answer_stopped_part_way(tiny_model_dir, tmp_path, monkeypatch, capsys):
    """The chat's Ctrl+C keeps a stopped answer as far as it got; `history ID` showed it as any other, cut
    text and all (the window's card says "stopped")."""
    from desktop_app.cli import main

    captured = sys.stdout
    monkeypatch.setattr(sys, "stdout", _CtrlCWhileAnswering(at=2))
    monkeypatch.setattr(sys, "stdin", _KeysIn(["Tell me a story", "Another"], EOFError))
    assert main(_chat(tiny_model_dir, tmp_path, "--max-new-tokens", "40", "--temperature", "0.1")) == 0
    monkeypatch.setattr(sys, "stdout", captured)
    first, second = [m for m in _stored(tmp_path) if m["role"] == "assistant"]
    capsys.readouterr()
    assert main(["history", str(first["conversation_id"]), "--data-dir", str(tmp_path / "data")]) == 0
    lines = {int(line.split()[0]): line for line in capsys.readouterr().out.splitlines()[1:]}
    assert lines[first["id"]].endswith("[stopped]") and "[stopped]" not in lines[second["id"]]


class _CtrlCTwice(_CtrlCWhileAnswering):
    """Ctrl+C pressed twice, quickly, as the second answer's ``at``-th token is written."""

    def write(self, text: str) -> int:
        if text == "Model: ":
            self.answers = getattr(self, "answers", 0) + 1
            self.tokens = 0 if self.answers == 2 else None
            return io.StringIO.write(self, text)
        if self.tokens is not None and not self.pressed:
            self.tokens += 1
            if self.tokens == self.at:
                self.pressed = True
                os.kill(os.getpid(), signal.SIGINT)
                os.kill(os.getpid(), signal.SIGINT)
        return io.StringIO.write(self, text)


def test_a_second_ctrl_c_interrupts_and_says_what_was_kept(tiny_model_dir, tmp_path, monkeypatch, capsys):
    from desktop_app.cli import main

    monkeypatch.setattr(sys, "stdout", _CtrlCTwice(at=2))
    monkeypatch.setattr(sys, "stdin", _KeysIn(["Hi there", "Tell me a story"], EOFError))
    assert main(_chat(tiny_model_dir, tmp_path, "--max-new-tokens", "40", "--temperature", "0.1")) == 130
    err = capsys.readouterr().err
    conversation = _stored(tmp_path)[0]["conversation_id"]
    assert [m["role"] for m in _stored(tmp_path)] == ["user", "assistant"], "the first exchange is kept"
    assert (f"interrupted: the answer that was being written was not kept; conversation {conversation} keeps the "
            f"answers before it") in err


def test_the_measuring_between_steps_reads_as_a_pause_not_the_check(capsys):
    """Between steps 2 and 3 the terminal session's run said "evaluating: Measuring your current model..." (the
    window: "Training paused"), and before step 1 "training: Computing reference log-probabilities". Each line
    is the window's (words53: core's raw "Reading ratings" beside "scoring the ..." had stayed)."""
    from desktop_app.cli.finetune_cmds import _Bar
    from desktop_app.core.training import TrainProgress

    bar = _Bar(quiet=False)
    bar(TrainProgress("preparing", message="Reading ratings"))
    bar(TrainProgress("training", message="Computing reference log-probabilities"))
    bar(TrainProgress("evaluating", message="Measuring your current model, to compare the result with",
                      training_follows=True))
    bar(TrainProgress("evaluating", message="Measuring the new adapter"))
    assert capsys.readouterr().err.splitlines() == [
        "getting ready: reading your ratings", "getting ready: scoring your ratings with the model as it is",
        "training paused: measuring your current model on held-out ratings and general text, for comparison",
        "checking whether it helps: measuring the new adapter the same way"]


def test_text_mode_lists_count_tokens_as_the_window_s_status_bar(capsys):
    """`analyse --recited` said "tokens 31-60" and "(token 0)" and the Known by heart tooltip "tokens 31 to 60",
    where the status bar, under the pointer, says "token 32" for the first of them."""
    pytest.importorskip("PySide6")
    from desktop_app.cli.text_cmds import recited_text
    from desktop_app.core.recited import find_recited
    from desktop_app.gui.recited_words import row_tip
    from desktop_app.core.token_words import token_status_words
    from test_inspector47_cli_recited import _record

    words = list(range(500, 530))
    records = [_record(i, False) for i in words] + [_record(1, False, "\n")] + [_record(i, True) for i in words]
    span = find_recited(records)[0]
    first_shown = token_status_words(span.start, records[span.start]).split(":")[0]  # "token 32"
    line = recited_text(records, [span], 12).splitlines()[1]
    assert line.split()[:2] == ["tokens", f"{first_shown.split()[1]}-{span.stop}"]
    assert f"(tokens {first_shown.split()[1]} to {span.stop})" in row_tip(records, span)
    assert "(token 1)" in line and "(token 1)" in row_tip(records, span)


def test_a_count_of_one_is_said_in_the_singular():
    """The terminal session's second run (one rated answer compared) read "scoring the 1 answers your examples
    compare: 0 of 1" and "0 of 1 pairs"."""
    from desktop_app.core import work_meter
    from desktop_app.core.gate import TOKEN_ANSWERS
    from desktop_app.core.train_measure import SCORING_ANSWERS
    from desktop_app.core.train_packing import SCORING_PAIRS
    from desktop_app.core.train_references import READING_TOKENS

    assert work_meter.words(SCORING_ANSWERS, 0, 1) == "scoring the 1 answer your examples compare: 0 of 1"
    assert work_meter.words(SCORING_ANSWERS, 2, 4) == "scoring the 4 answers your examples compare: 2 of 4"
    assert work_meter.words(SCORING_PAIRS, 0, 1).endswith("0 of 1 pair")
    assert work_meter.words(TOKEN_ANSWERS, 1, 1) == "scoring 1 of 1 answer with rated tokens"
    assert work_meter.words(READING_TOKENS, 0, 1).endswith("0 of 1 token")
    assert work_meter.words("re-asking", 3, 9) == "re-asking 3 of 9"


def test_the_window_still_names_a_count_of_one_pair():
    pytest.importorskip("PySide6")
    from desktop_app.core import work_meter
    from desktop_app.core.train_packing import SCORING_PAIRS
    from desktop_app.core.training import TrainProgress
    from desktop_app.core.progress_words import count_words

    line = work_meter.words(SCORING_PAIRS, 0, 1)
    assert count_words(TrainProgress("preparing", step=0, total=1, message=line))[0] == "0/1 answer pairs"
