"""Ctrl+C during `gpt2-desk analyse` ended it with a bare "interrupted" and exit code 130, and every token
scored so far was lost (usertest53: a researcher stopping a long file mid-way got nothing back). Now, as
`continue`'s Ctrl+C, it stops after the block being scored and keeps what was scored."""

from __future__ import annotations

import json
import signal

import pytest

from desktop_app.cli import text_cmds

# long enough for many of the tiny model's 128-token windows
TEXT = "The lighthouse keeper climbed the stairs every evening to light the lamp. " * 60


class _CtrlCOnceScoringBegan(text_cmds.ScoreBar):
    """The real progress bar; at the first scoring report it sends the process a real SIGINT, as a
    terminal does for Ctrl+C (the handler the command installs takes it)."""

    sent = False

    def __call__(self, p) -> None:
        super().__call__(p)
        if p.stage == "scoring" and 0 < p.done < p.total and not _CtrlCOnceScoringBegan.sent:
            _CtrlCOnceScoringBegan.sent = True
            signal.raise_signal(signal.SIGINT)


@pytest.fixture
def ctrl_c_while_scoring(monkeypatch):
    _CtrlCOnceScoringBegan.sent = False
    monkeypatch.setattr(text_cmds, "ScoreBar", _CtrlCOnceScoringBegan)
    yield
    assert _CtrlCOnceScoringBegan.sent, "the scoring never reported progress: the test sent no Ctrl+C"


def test_ctrl_c_mid_analyse_keeps_the_tokens_scored(run_cli, tmp_path, ctrl_c_while_scoring):
    essay = tmp_path / "essay.txt"
    essay.write_text(TEXT, encoding="utf-8")
    table = tmp_path / "summary.csv"
    code, out, err = run_cli("analyse", str(essay), "--json", "--export-csv", str(table))
    assert code == 0, err
    result = json.loads(out)  # stdout holds the JSON alone
    assert result["complete"] is False
    assert 0 < result["summary"]["tokens"] == len(result["tokens"])
    assert "stopped by Ctrl+C:" in err and f"{len(result['tokens']):,} of " in err
    assert table.exists()  # the export asked for was written for the part scored


def test_analyse_help_says_what_ctrl_c_keeps(capsys):
    from desktop_app.cli import main

    with pytest.raises(SystemExit):
        main(["analyse", "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert "Ctrl+C stops the analysis" in said and '"complete": false' in said
