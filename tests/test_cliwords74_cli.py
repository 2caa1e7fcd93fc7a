"""cliwords74: a new user of the command line. `analyse --export-*` wrote over an existing file where `history
--export` and `adapters export` refuse one; `explain` said "Putting on your fine-tuned adapter..." for a token the
base model wrote, then explained it with the adapter set aside; `score` printed a token's probability as 0.0028 where
`history --tokens` printed "23.2%" (and that one "0.0%" for a token the window calls "0.0028%"); `finetune --json`
carried the re-asked pairs twice, marked at the top and again inside `metrics`."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from desktop_app.cli import main
from desktop_app.cli.finetune_cmds import _json_report
from desktop_app.core.percent_words import percent
from desktop_app.core.store import Store
from desktop_app.core.token_words import token_percent
from desktop_app.core.paths import AppPaths
from test_card28_taught_words import usertest_pairs
from test_cliwords71_cli import EXISTS, _active_lora, _kept, _saved_answer

EXPORTS = {"--export-json": "out.json", "--export-csv": "out.csv", "--export-png": "out.png", "--export-html": "out.html"}


@pytest.mark.parametrize("option", sorted(EXPORTS))
def test_analyse_refuses_to_write_an_export_over_an_existing_file(option, run_cli, tmp_path):
    text = tmp_path / "essay.txt"
    text.write_text("The cat sat on the mat.", encoding="utf-8")
    existing = _kept(tmp_path / EXPORTS[option])
    code, _out, err = run_cli("analyse", str(text), option, str(existing))
    assert code == 2
    assert err.strip().endswith(f"{existing} {EXISTS}")
    assert existing.read_text(encoding="utf-8") == "mine, not to be lost\n"


def test_analyse_vs_base_refuses_an_existing_png_before_it_looks_for_an_adapter(run_cli, tmp_path):
    text = tmp_path / "essay.txt"
    text.write_text("The cat sat on the mat.", encoding="utf-8")
    existing = _kept(tmp_path / "change.png")
    code, _out, err = run_cli("analyse", str(text), "--vs-base", "--export-png", str(existing))
    assert code == 2 and err.strip().endswith(f"{existing} {EXISTS}")


def test_analyse_refuses_two_exports_to_one_file_before_writing_either(run_cli, tmp_path):
    """--export-json x --export-csv x: the second would have written over the first."""
    text = tmp_path / "essay.txt"
    text.write_text("The cat sat on the mat.", encoding="utf-8")
    same = tmp_path / "out.txt"
    code, _out, err = run_cli("analyse", str(text), "--export-json", str(same), "--export-csv", str(same))
    assert code == 2 and "--export-json and --export-csv name the same file, out.txt" in err
    assert not same.exists()


def test_analyse_writes_a_new_export_and_its_help_says_an_existing_file_is_not_replaced(run_cli, tmp_path, capsys):
    text = tmp_path / "essay.txt"
    text.write_text("The cat sat on the mat.", encoding="utf-8")
    code, _out, err = run_cli("analyse", str(text), "--export-csv", str(tmp_path / "new.csv"))
    assert code == 0, err
    assert (tmp_path / "new.csv").read_text(encoding="utf-8").strip()
    with pytest.raises(SystemExit):
        main(["analyse", "--help"])
    helped = " ".join(capsys.readouterr().out.split())
    helped = helped[helped.index("options:"):]  # each option's help, past the usage line
    # one --out for every file since cli105 (the --export-* names hidden): its help says it
    said = helped[helped.index("--out FILE"):helped.index("--width ")]
    assert "one that exists is not replaced" in said


def test_explain_of_a_base_model_token_does_not_put_on_the_adapter(run_cli, tiny_model_dir):
    by_base = _saved_answer(run_cli)
    adapter_id = _active_lora(tiny_model_dir)
    code, out, err = run_cli("explain", str(by_base), "--token", "1", "--steps", "2")
    assert code == 0, err
    assert "Putting on your fine-tuned adapter" not in err
    header, note = out.splitlines()[:2]
    assert header.endswith(", base model)")
    assert note == (f"note: this token was written without an adapter, so it is read without one; adapter "
                    f"{adapter_id}, the active one, was not put on.")
    code, out, err = run_cli("explain", str(by_base), "--token", "1", "--steps", "2", "--json")
    assert code == 0, err
    said = json.loads(out)
    assert (said["adapter_id"], said["adapter_on"]) == (None, adapter_id)  # as when the core set it aside
    by_adapter = _saved_answer(run_cli)  # written with the adapter: explained with it, and said
    code, out, err = run_cli("explain", str(by_adapter), "--token", "1", "--steps", "2")
    assert code == 0, err
    assert "Putting on your fine-tuned adapter" in err and "not put on" not in out


def _stored_records(message_id: int) -> list:
    with Store.open(AppPaths.resolve().db_path) as store:
        return store.token_records(message_id)


def test_score_and_history_tokens_print_a_probability_in_the_same_percent_words(run_cli):
    code, out, err = run_cli("score", "--json", "The cat sat")
    assert code == 0, err
    probs = [t["prob"] for t in json.loads(out)["tokens"]]  # --json keeps the numbers
    code, out, err = run_cli("score", "The cat sat")
    assert code == 0, err
    lines = out.splitlines()
    rows = [line.split("\t") for line in lines[lines.index("index\ttoken\tprobability\tlog_probability\trank\t"
                                                            "entropy_bits") + 1:] if line]
    assert [row[2] for row in rows] == [percent(p) for p in probs]
    answer = _saved_answer(run_cli)
    records = _stored_records(answer)
    with Store.open(AppPaths.resolve().db_path) as store:
        conversation = store.get_message(answer)["conversation_id"]
    code, out, err = run_cli("history", str(conversation), "--tokens")
    assert code == 0, err
    shown = [line.split()[1] for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert shown == [token_percent(r) for r in records]  # the window's figure, a near tie told apart


def test_finetune_json_carries_the_re_asked_pairs_once():
    pairs = usertest_pairs()
    metrics = {"taught": pairs, "margin_before": 0.1, "margin_after": 0.2, "grad_norms": [0.1, 0.2]}
    result = SimpleNamespace(run_id=1, kept=True, adapter_id=1, status="kept", reason="", activated=True,
                             needs_consent=False, facts_changed=[], usable_anyway=False, metrics=metrics)
    report = _json_report(result, None, None)
    assert [t["question"] for t in report["taught"]] and {t["question"] for t in report["taught"]} == \
        {t["question"] for t in pairs}
    assert "gives_your_answer" in report["taught"][0]  # the marked pairs are the ones kept
    assert "taught" not in report["metrics"] and report["metrics"]["grad_norms"] == [0.1, 0.2]
    assert "taught" in metrics, "the run's own metrics are left whole"
