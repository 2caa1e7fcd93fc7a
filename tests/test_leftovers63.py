"""leftovers63: small fixes left from session 63."""

from __future__ import annotations

import json
import subprocess
import sys

# the child presses Ctrl+C on itself as its third token is released, as a person does while it streams; a
# pytest-xdist worker ignores SIGINT and a child inherits that, so the child sets Python's own handler back
_GENERATE_THEN_CTRL_C = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
from desktop_app.cli import main
from desktop_app.core.generation import Generation
release = Generation._release
def released_then_ctrl_c(self, records):
    for record in release(self, records):
        yield record
        if len(self.records) == 3:
            os.kill(os.getpid(), signal.SIGINT)
Generation._release = released_then_ctrl_c
sys.exit(main(sys.argv[1:]))
"""


def test_ctrl_c_in_generate_json_keeps_the_answer_so_far(tiny_model_dir, tmp_path):
    """`generate --json` stopped by Ctrl+C printed main's {"error": "interrupted"} alone: the tokens written so
    far were lost. One object has them, says it was interrupted, and the exit code is 130 as elsewhere."""
    command = [sys.executable, "-c", _GENERATE_THEN_CTRL_C, "generate", "Tell me a long story", "--json",
               "--model", str(tiny_model_dir), "--device", "cpu", "--data-dir", str(tmp_path / "data"),
               "--max-new-tokens", "40", "--temperature", "1.0", "--seed", "2"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 130, done.stderr
    objects = done.stdout.strip().splitlines()
    assert len(objects) == 1, done.stdout
    result = json.loads(objects[0])
    assert result["interrupted"] is True and result["exit_code"] == 130 and result["error"] == "interrupted"
    assert result["finish_reason"] == "interrupted"
    assert len(result["tokens"]) >= 3 and result["text"] == "".join(t["text"] for t in result["tokens"])
    assert "gpt2-desk: interrupted" in done.stderr and "Traceback" not in done.stderr


def test_the_from_adapter_reason_writes_its_three_margins_as_the_other_reasons_do():
    """"kept less than half ..." wrote "0.93 -> 3.218 in use, 1.9 now" (four significant digits) where every other
    margin reason writes three decimals, more where they would read the same (taught_words.margin_texts)."""
    from desktop_app.core import gate
    from desktop_app.core.taught_words import margin_texts
    from test_second39_from_adapter import _second_run

    verdict = gate.judge(_second_run(margin_all_after=1.9))
    assert "(0.930 -> 3.218 in use, 1.900 now)" in verdict.reason, verdict.reason
    close = gate.judge(_second_run(margin_all_base=1.0, margin_all_before=3.0001, margin_all_after=1.0004))
    assert "(1.0000 -> 3.0001 in use, 1.0004 now)" in close.reason, close.reason
    assert margin_texts((0.5, 0.7)) == ["0.500", "0.700"]


def test_the_loss_plot_has_no_right_click_menu_and_its_unused_menu_goes_with_it(qtbot):
    """pyqtgraph's "Plot Options" menu was made without a parent and sat in a garbage cycle after the window
    closed; right-click shows no menu (its options and export do nothing here), and the menu is deleted with
    the chart."""
    import shiboken6
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtWidgets import QApplication, QMenu

    from desktop_app.gui.finetune_widgets import LossCurve

    curve = LossCurve()
    qtbot.addWidget(curve)
    curve.resize(400, 200)
    curve.show()
    curve.add(1, 0.7, 3)
    qtbot.mouseClick(curve.plot.viewport(), Qt.MouseButton.RightButton, pos=curve.plot.viewport().rect().center())
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible()]
    item = curve.plot.getPlotItem()
    assert item.getViewBox().menu is None and item.getContextMenus(None) is None
    menu = item.ctrlMenu
    assert menu.parent() is curve
    curve.close()
    curve.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(menu)
