"""leftovers77, the terminal's part: `finetune` said how the ratings were split only in its report, where the window
says it beside the progress from the start ("5 of your 6 ratings to learn from, 1 kept aside to test the
result"); `finetune --json`'s `metrics.grad_norms` took a line per optimizer step (up to 200); `explain`'s and
`probe`'s `load_for_answer_token` set `--model` and `--no-adapter` on the arguments it was given."""

from __future__ import annotations

import json

from desktop_app.cli import build_parser
from desktop_app.cli.common import finish_common_options
from desktop_app.cli.explain_cmds import load_for_answer_token
from desktop_app.cli.finetune_cmds import json_text, split_line
from desktop_app.core.paths import AppPaths
from desktop_app.core.progress_words import split_words
from desktop_app.core.store import Store
from test_cliwords71_cli import _active_lora, _saved_answer


def _rated_answers(run_cli) -> None:
    for question, thumb in (("Hi", "up"), ("What is 2+2?", "down"), ("Name a colour", "up"), ("Why?", "down")):
        code, out, err = run_cli("generate", "--save", "--max-new-tokens", "4", "--seed", "1", "--json", question)
        assert code == 0, err
        assert run_cli("rate", str(json.loads(out)["message_id"]), thumb)[0] == 0


def test_finetune_says_the_split_once_before_the_steps_and_json_carries_it(run_cli):
    _rated_answers(run_cli)
    code, out, err = run_cli("finetune", "--max-steps", "2", "--json")
    assert code == 0, err
    said = json.loads(out)
    split = said["split"]
    learn_from, kept_aside = said["metrics"]["train_size"], said["metrics"]["heldout_size"]
    assert (split["learn_from"], split["kept_aside"]) == (learn_from, kept_aside)
    assert learn_from + kept_aside == 4 and learn_from >= 1
    assert split["words"] == split_words((learn_from, kept_aside))
    lines, said_line = err.splitlines(), split_line((learn_from, kept_aside))
    assert said_line.endswith(split["words"][1:]) and said_line.startswith("getting ready: ")
    assert lines.count(said_line) == 1, err  # said once
    first_step = next(i for i, line in enumerate(lines) if line.startswith("training: step"))
    assert lines.index(said_line) < first_step, err  # early: before the steps


def test_finetune_json_writes_the_gradient_norms_on_one_line(run_cli):
    _rated_answers(run_cli)
    code, out, err = run_cli("finetune", "--max-steps", "2", "--json")
    assert code == 0, err
    norms = json.loads(out)["metrics"]["grad_norms"]
    assert len(norms) == 2
    (line,) = [line for line in out.splitlines() if '"grad_norms"' in line]
    assert json.loads(line.strip().rstrip(",").split(": ", 1)[1]) == norms  # the whole list, on its own line


def test_json_text_keeps_strings_and_lists_of_other_things_as_they_were():
    report = {"numbers": [1, -2.5, 3e-05], "said": "a [\n1,\n2\n] in words", "pairs": [["a", 1]], "none": [],
              "nested": {"grad_norms": [0.1, 0.2]}}
    text = json_text(report)
    assert json.loads(text) == report
    assert '"numbers": [1, -2.5, 3e-05]' in text and '"grad_norms": [0.1, 0.2]' in text
    assert '"a",' in [line.strip() for line in text.splitlines()]  # a list holding text keeps a line per item


def _explain_args(message_id: int) -> object:
    args = build_parser().parse_args(["explain", str(message_id), "--token", "1", "--device", "cpu"])
    finish_common_options(args)
    return args


def test_load_for_answer_token_leaves_its_caller_s_arguments_as_given(run_cli, tiny_model_dir):
    by_base = _saved_answer(run_cli)
    adapter_id = _active_lora(tiny_model_dir)
    args = _explain_args(by_base)
    given = dict(vars(args))
    assert given["model"] is None and given["no_adapter"] is False
    with Store.open(AppPaths.resolve().db_path) as store:
        loaded, written_by, set_aside = load_for_answer_token(store, args)
    assert vars(args) == given  # neither --model nor --no-adapter set on them
    # what it decided, as before: the answer's writer loaded, the active adapter set aside for a base-model token
    assert loaded.model_id == written_by and set_aside["id"] == adapter_id
    assert loaded.adapter_id is None


def test_finetune_tags_a_pair_the_person_wrote_the_answer_of_as_the_card_does(capsys):
    from desktop_app.cli.finetune_cmds import _print_taught

    pair = {"question": "Capital of Peru?", "seen": True, "before": "Peru is a country.", "after": "Answer: Lima.",
            "right": "Answer: Lima.", "checked": True}
    _print_taught([{**pair, "right_written": True}, {**pair, "question": "Capital of Chile?", "right_written": False},
                   {**pair, "question": "Capital of Cuba?", "seen": False, "held": True, "right_written": True}])
    out = capsys.readouterr().out
    assert "[wrote an answer] Capital of Peru?" in out
    assert "[rated] Capital of Chile?" in out  # an answer they only liked stays "rated"
    assert "[wrote an answer, held out to test] Capital of Cuba?" in out
