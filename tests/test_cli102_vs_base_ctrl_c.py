"""cli102: Ctrl+C during `analyse --vs-base` exited 130 with a bare "interrupted". A comparison needs both passes
whole, so it keeps nothing: it says which pass it stopped, that nothing was saved, and what keeps a part."""

from __future__ import annotations

from desktop_app.cli import main
from test_cli42_fixes import _active_adapter
from test_usertest53_analyse_ctrl_c import ctrl_c_while_scoring  # noqa: F401  (the fixture: a real SIGINT mid-scoring)

TEXT = "The lighthouse keeper climbed the stairs every evening to light the lamp. " * 40


def test_ctrl_c_mid_vs_base_says_which_pass_stopped_and_that_nothing_was_saved(
        tmp_path, tiny_model_dir, capsys, ctrl_c_while_scoring):
    essay = tmp_path / "essay.txt"
    essay.write_text(TEXT, encoding="utf-8")
    data = tmp_path / "appdata"
    _active_adapter(data, tiny_model_dir)
    code = main(["analyse", str(essay), "--vs-base", "--data-dir", str(data), "--model", str(tiny_model_dir),
                 "--device", "cpu"])
    said = capsys.readouterr()
    assert code == 130
    assert said.out == ""
    assert f"stopped comparing {essay} in pass 1 of 2 (scoring under your adapter)" in said.err
    assert "nothing was printed or saved" in said.err and f"`gpt2-desk analyse {essay}` alone keeps" in said.err
