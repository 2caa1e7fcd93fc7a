"""ux11: Text mode as a new person met it (pytest-qt, offscreen, tiny random GPT-2)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core import text_branches as tb  # noqa: E402
from desktop_app.gui.text_token_menu import YOURS  # noqa: E402
from gui_windows import STORY, WAIT_MS, window_with_text  # noqa: E402

TEXT = STORY


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    with window_with_text(qtbot, qapp, tiny_model_dir, TEXT) as window:
        yield window


def _menu_at(window, index):
    heatmap = window.text_view.heatmap
    point = heatmap.span_rect(index).center()
    assert heatmap.index_at(point) == index
    menu = window.text_mode.token_menu
    menu.show(point)
    return {a.text().split("\t")[0]: a for a in menu.last.actions() if a.text()}


def test_right_click_on_a_continuations_token_rates_it_as_in_chat(window, qtbot):
    view = window.text_view
    with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
        view.continue_button.click()
    window.chat.tasks.store.wait()
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        view.analyse_now(save=False)
    records = view.heatmap.records
    written = next(i for i in range(len(records)) if (view.offset_of(i) or 0) >= len(TEXT) and records[i].text)
    yours = next(i for i in range(len(records)) if (view.offset_of(i) or 0) < len(TEXT) and records[i].text.strip())
    actions = _menu_at(window, yours)
    assert YOURS in actions and not actions[YOURS].isEnabled() and "Copy" in actions
    actions = _menu_at(window, written)
    bad = next(a for text, a in actions.items() if text.endswith("is bad"))
    bad.trigger()
    window.chat.tasks.store.wait()
    QApplication.processEvents()
    (branch,) = tb.branches(window.text.store, window.text.document_id)
    owner, token = window.text_mode.rated_token(written)
    assert owner == branch["id"] and tb.branch_ratings(window.text.store, owner)["tokens"] == {token: -1}
    assert window.inspector.bad_button.isChecked()
    actions = _menu_at(window, written)
    assert next(a for text, a in actions.items() if text.endswith("is bad")).isChecked()
    assert actions["Clear the token's rating"].isEnabled()


def test_the_export_dialog_forgets_the_last_result_when_the_choice_changes(qtbot, qapp, tmp_path, tiny_model_dir):
    from desktop_app.core import model_export
    from desktop_app.gui.adapter_export import ExportDialog
    from test_model_export import _setup

    paths, store, _loaded, aid = _setup(tmp_path, tiny_model_dir)
    dialog = ExportDialog(store, paths, aid, lane=None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.path.setText(str(tmp_path / "first-peft"))
    dialog.format.setCurrentIndex(next(i for i in range(dialog.format.count())
                                       if dialog.format.itemData(i)[0] == "peft"))
    dialog.path.setText(str(tmp_path / "first-peft"))
    dialog._set_running(True)
    dialog._finished(model_export.export_adapter(store, aid, "peft", tmp_path / "first-peft", paths))
    assert dialog.status.text().startswith("Wrote ") and dialog.bar.isVisible()
    dialog.format.setCurrentIndex(0)  # another format: nothing is written yet
    assert dialog.status.text() == "" and not dialog.bar.isVisible()
    store.close()


def test_a_new_adapter_recolours_the_text_it_changes(window, qtbot, tiny_model_dir):
    """A kept fine-tune switched the model under the Text tab, and the heatmap kept the old
    model's figures ("strong" 73.68% before and after a run that learned to avoid it)."""
    from desktop_app.core import adapters
    from tiny_model import random_lora

    before = [round(r.prob, 6) for r in window.text_view.heatmap.records]
    store, loaded = window.chat.store, window.chat.loaded
    aid = adapters.save_adapter(store, random_lora(tiny_model_dir, 3, std=0.5), window.paths,
                                base_model=loaded.model_id, run_id=None, parent_id=None, settings={}, metrics={})
    adapters.activate(store, aid, loaded.model_id)
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS) as blocker:
        window.chat.sync_adapter()
    assert window.chat.loaded.adapter_id == aid
    after = [round(r.prob, 6) for r in blocker.args[0].records]
    assert len(after) == len(before) and after != before
