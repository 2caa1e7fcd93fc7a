"""usertest32: a new user's first session on the bundled model, in a window and in a terminal on the same data."""

from __future__ import annotations


def _rated_by_index(tmp_path, tiny_model, capsys, *rate_words):
    """A stored answer of the tiny model, rated from the CLI with ``rate_words`` after its id: (the answer's
    token records, what the command printed, what it said on stderr)."""
    from desktop_app.cli import main
    from desktop_app.core.generation import SamplingSettings
    from helpers import stored_answer

    db, mid, run = stored_answer(tiny_model, str(tmp_path / "db.sqlite3"), SamplingSettings(max_new_tokens=6, seed=5))
    common = ["--db", db, "--data-dir", str(tmp_path / "data")]
    capsys.readouterr()
    assert main(["rate", str(mid), *rate_words, *common]) == 0
    said = capsys.readouterr()
    return run.records, said.out.strip(), said.err


def test_rating_a_token_by_its_index_names_the_token_rated(tmp_path, tiny_model, capsys):
    """`rate 4 down --token 9` answered "rated token 10 (--token 9) of message 4 down": nothing in the terminal
    shows which token an index is, so the person could not tell whether the right one was rated."""
    from desktop_app.core.token_words import token_label

    records, out, _err = _rated_by_index(tmp_path, tiny_model, capsys, "down", "--token", "2")
    shown = token_label(records[2].text)  # as the window's inspector names it
    assert out.startswith(f"rated token 3 (--token 2) \u201c{shown}\u201d of message "), out


def test_rating_a_token_says_why_it_waits(tmp_path, tiny_model, capsys):
    """The same command sat silent for a minute on a busy machine (reading the answer's tokenizer, which imports
    transformers) before its one line; stderr now says what it does first."""
    _records, _out, err = _rated_by_index(tmp_path, tiny_model, capsys, "up", "--token", "1")
    assert "reading the answer's tokenizer" in err, err


def test_the_load_s_last_stage_is_not_loaded_while_it_still_works(qtbot, qapp, tiny_model_dir):
    """The status bar said "Loaded SmolLM2-135M-Instruct (bundled, offline)…" beside a busy bar for seconds
    while the question under it said "Waiting for the model to load": the stage after core's load says what
    those seconds do."""
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.gui.chat import GETTING_READY, ChatController
    from desktop_app.gui.tasks import TaskManager

    paths = AppPaths.resolve().ensure()
    store = Store.open(paths.db_path)
    tasks = TaskManager()
    chat = ChatController(store, paths, tasks, device="cpu")
    stages: list[str] = []
    chat.model_progress.connect(lambda p: stages.append(p.stage))
    with qtbot.waitSignal(chat.model_loaded, timeout=120_000):
        chat.load_model(str(tiny_model_dir))
    loaded_at = next(i for i, stage in enumerate(stages) if stage.startswith("Loaded "))
    assert stages[-1] != stages[loaded_at], stages
    assert GETTING_READY in stages[loaded_at + 1:], stages
    # nothing was asked: the stages speak of the model, never of an answer (leftovers66)
    assert not [stage for stage in stages if "answer" in stage.lower()], stages
    chat.shutdown()
    tasks.shutdown()
    store.close()


def test_the_first_steps_time_left_says_it_is_not_known_yet():
    """Beside "Training: step 1 of 23" the panel read "time left: after a few steps", which reads as the time
    left itself (the steps will take a few steps' time); it is the estimate that comes after a few steps."""
    from desktop_app.core.progress_words import step_eta_words

    assert step_eta_words(None) == "time left: known after a few steps"


def test_finetune_help_says_what_heldout_holds_out_and_its_default(capsys):
    """`finetune --help` read "--heldout F  fraction of conversations held out": no default where every other
    number had one, and the split holds out rated answers, not conversations (train_data.TrainingData.split)."""
    import pytest

    from desktop_app.cli import build_parser
    from desktop_app.core.train_settings import FineTuneSettings

    with pytest.raises(SystemExit):
        build_parser().parse_args(["finetune", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    heldout = text.rsplit("--heldout F", 1)[1].split("--seed", 1)[0]  # (the options, after the usage line)
    assert "rated answers" in heldout and "conversations" not in heldout, heldout
    assert f"({FineTuneSettings.heldout_fraction};" in heldout, heldout


def _pair(question: str, before: str, after: str, **marks) -> dict:
    """A re-asked pair as core.finetune_effect records it in a run's metrics["taught"] (run 2 of this test)."""
    return {"question": question, "before": before, "after": after, "seen": True, "checked": True,
            "right": after, "right_written": False, "dropped_after": False, **marks}


def test_the_cli_says_why_a_rated_question_is_listed_twice(capsys):
    """`finetune` listed "[rated] Name three colors of the rainbow." twice with two "before" answers, and the
    held-out planet twice, once kept and once lost, apart from each other: the same question asked with two
    prompts (in its conversation and on its own), which the window's card shows once."""
    from desktop_app.cli.finetune_cmds import ASKED_AGAIN, _print_taught

    rainbow, planet = "Name three colors of the rainbow.", "What is the largest planet?"
    _print_taught([_pair(rainbow, "Red, Blue, and Green.", "Red, orange and yellow."),
                   _pair(planet, "Jupiter.", "Jupiter.", seen=False, held=True),
                   _pair(rainbow, "Blue, red, and yellow.", "Red, orange and yellow."),
                   _pair(planet, "Jupiter.", "Neptune.", seen=False, held=True, dropped_after=True)])
    out = capsys.readouterr().out
    assert out.count(f"] {rainbow}") == 1 and out.count(f"] {planet}") == 1, out
    lines = out.splitlines()
    rainbow_at = next(i for i, line in enumerate(lines) if line.endswith(rainbow))
    assert lines[rainbow_at + 3].strip() == ASKED_AGAIN, out
    assert out.count(ASKED_AGAIN) == 2
