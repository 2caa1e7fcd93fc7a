"""html103: with "Fine-tune's change" on, the Text tab's web page carries the change's colours (as its PNG does),
the before/after figures in each token's box and a key saying what is compared; the adapter by the name the
person gave it. Real window, tiny model, a real LoRA adapter."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.palette import change_color, css_colours  # noqa: E402
from desktop_app.gui.compare_words import nice_scale  # noqa: E402
from gui_windows import WAIT_MS, window_in_text_mode  # noqa: E402,F401 (the window fixture)
from test_cli40_outside_adapter import _use_imported  # noqa: E402
from test_html100_heatmap_html import parsed  # noqa: E402

TEXT = "The river near the village rose in the night and the <bridge> went under."


def test_the_page_of_the_change_has_its_colours_figures_and_key(window, qtbot, tiny_model_dir, tmp_path):
    _use_imported(qtbot, window, tiny_model_dir, seed=3)
    adapter = window.chat.loaded.adapter_id
    window.chat.store.rename_adapter(adapter, "river talk")
    view, mode = window.text_view, window.text_view.change_mode
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        view.editor.setPlainText(TEXT)
    mode.toggle.click()
    qtbot.waitUntil(lambda: mode.change is not None and mode.change.complete, timeout=WAIT_MS)
    change = mode.change
    path = view.analysis_tools.export("html", str(tmp_path / "change.html"))
    mode.toggle.click()
    page = path.read_text(encoding="utf-8")
    tree = parsed(page)
    assert tree.faults == [] and len(tree.spans) == len(change.adapter.records)
    scale = nice_scale(change.deltas)
    for span, delta in zip(tree.spans, change.deltas):
        assert span["style"].startswith(f"--b:{css_colours(change_color(delta, scale))[0]};")
    figures = json.loads(tree.scripts["figures"])
    first = figures[0][8]  # the change's words in the box: before, after, and by how much
    assert first.startswith("before, under the base model: ")
    assert f"after, under adapter {adapter} \u201criver talk\u201d: " in first
    assert "nats" in first
    assert "minus under the base model" in page and "less likely" in page  # the key says what is compared
    assert f"with adapter {adapter} \u201criver talk\u201d" in page  # the by-line names it as the person did
    measured = view.analysis_tools.export("html", str(tmp_path / "measure.html")).read_text(encoding="utf-8")
    assert "minus under the base model" not in measured and json.loads(parsed(measured).scripts["figures"])[0][8] == ""
