"""usertest38's fixes in the real window on the tiny GPT-2 (pytest-qt, the real store): the run card's summary of a
re-asked answer with no space in it ("TheTheThe…", the tiny model's) no longer widens the Fine-tune panel past its
dock."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core.train_verdict import RunResult  # noqa: E402
from test_card28_card import METRICS  # noqa: E402
from test_card28_taught_words import usertest_pairs  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_gui_finetune import settle  # noqa: E402

UNBROKEN = "The" * 40  # the tiny model's re-asked answer after a run: one word, 120 characters


def _kept_run_missing_an_answer(window, tmp_path) -> RunResult:
    """A kept run whose first rated question, asked again, misses the person's answer with an answer of one long word."""
    pairs = usertest_pairs()
    pairs[0] = {**pairs[0], "after": UNBROKEN, "checked": True, "dropped_after": True}
    store, model_id = window.chat.store, window.chat.loaded.model_id
    metrics = {**METRICS, "taught": pairs}
    folder = tmp_path / "adapter-1"
    folder.mkdir()
    run_id = store.create_run({}, model_id)
    adapter_id = store.add_adapter(str(folder), base_model=model_id, run_id=run_id, metrics=metrics)
    store.update_run(run_id, status="kept", reason="ok", metrics=metrics, adapter_id=adapter_id)
    store.set_active_adapter(adapter_id, model_id)
    return RunResult(run_id, True, adapter_id, "ok", metrics, "kept")


def test_a_missed_answer_without_spaces_in_the_run_summary_does_not_widen_the_panel(make_window, tmp_path, qtbot):
    window = make_window()
    window.resize(1280, 800)
    panel = window.finetune_panel
    window.show_finetune()
    panel.refresh_adapters()
    panel.on_finished(_kept_run_missing_an_answer(window, tmp_path))
    settle(window)
    summary = panel.result_body
    assert UNBROKEN[:30] in summary.text().replace("\u200b", ""), "the missed answer is named in the summary"
    qtbot.waitUntil(lambda: panel.widget().width() <= panel.viewport().width(), timeout=5000)
    right = summary.mapTo(panel.viewport(), summary.rect().topRight()).x()
    assert right < panel.viewport().width(), f"the summary ends at {right}, past the viewport"
