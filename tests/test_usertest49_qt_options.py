"""usertest49: ``gpt2-desk -platform xcb -style Fusion`` (Qt's own options, which every Qt program
takes) stopped with "argument COMMAND: invalid choice: 'xcb'". Qt's options now go to the window's
QApplication; a command's words are read as before."""

from __future__ import annotations

import pytest

from desktop_app.cli import main
from desktop_app.cli.qt_options import split_qt_options


def test_qts_options_are_split_from_ours_in_both_forms_with_their_values():
    ours, qt = split_qt_options(["-platform", "xcb", "--dark", "-style=Fusion", "-reverse", "--model", "gpt2"])
    assert ours == ["--dark", "--model", "gpt2"]
    assert qt == ["-platform", "xcb", "-style=Fusion", "-reverse"]
    assert split_qt_options(["-style"]) == (["-style"], [])  # no value: argparse says what is wrong
    assert split_qt_options(["score", "--text", "-reverse"]) == (["score", "--text"], ["-reverse"])


def test_a_command_reads_its_words_whole_and_still_refuses_what_it_does_not_know(tmp_path, capsys):
    assert main(["history", "--data-dir", str(tmp_path / "data"), "-reverse"]) == 2
    assert "-reverse" in capsys.readouterr().err  # argparse names it: not swallowed as Qt's


def test_the_window_starts_with_qts_options_before_ours(qapp, tmp_path, tiny_model_dir):
    pytest.importorskip("PySide6")
    from PySide6.QtGui import QImage

    out = tmp_path / "shot.png"
    code = main(["-platform", "offscreen", "-style", "Fusion", "--data-dir", str(tmp_path / "data"),
                 "--model", str(tiny_model_dir), "--device", "cpu", "--screenshot", str(out), "--size", "900x600"])
    assert code == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (900, 600)
