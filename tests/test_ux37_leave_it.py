"""The fine-tune card of a run discarded for degenerate re-asks alone: after "Leave it" it says the
saved adapter's files were deleted (they are), after a restart too. Before, the card went back to
"Discarded: your model is unchanged" with nothing on the adapter it had offered. pytest-qt, a real
window, store and runs on the tiny model."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.train_verdict import settle_consent  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_finetune import rate_some_answers  # noqa: E402
from test_keep36_gui_use_anyway import run_from_the_button  # noqa: E402
from test_keep36_use_anyway import answers_were_clean, folders  # noqa: E402


def test_leave_it_says_the_adapters_files_were_deleted(make_window, qtbot):
    window = make_window(max_new_tokens=16)
    store, panel, paths = window.chat.store, window.finetune_panel, AppPaths.resolve()
    rate_some_answers(qtbot, window)
    window.show_finetune()
    run_from_the_button(qtbot, window, max_ppl_rise=-0.99)  # a first run: the answers before, cached
    answers_were_clean(paths)
    left = run_from_the_button(qtbot, window)
    assert left.usable_anyway, left.reason
    folder = Path(store.get_adapter(left.adapter_id)["path"])
    assert folder.is_dir() and panel.keep_current_button.text() == "Leave it"
    assert "You left it" not in panel.result_body.text()

    with qtbot.waitSignal(window.finetune.consent_settled, timeout=WAIT_MS):
        qtbot.mouseClick(panel.keep_current_button, Qt.MouseButton.LeftButton)
    assert not folder.exists() and folders(paths) == [], "the files are gone"
    said = f"You left it:</b> adapter {left.adapter_id} and its saved files were deleted."
    assert panel.result_title.text() == "Discarded: your model is unchanged"
    assert said in panel.result_body.text() and panel.consent_box.isHidden()
    run = store.get_run(left.run_id)
    assert run["adapter_id"] is None and run["metrics"]["left_adapter"] == left.adapter_id
    assert run["metrics"]["files_left"] is None
    assert "offers to use it anyway" not in window.statusBar().currentMessage()

    panel.show_last_run()  # as after a restart: the stored run says it too
    assert said in panel.result_body.text()


def test_leave_it_names_a_folder_that_outlived_the_delete(make_window, qtbot, monkeypatch):
    """A folder the delete could not remove (here: one that came back, as a locked file on Windows
    would leave it) is named on the card, to delete by hand; nothing claims it was deleted."""
    from desktop_app.gui.finetune_words import left_words

    window = make_window(max_new_tokens=16)
    store, paths = window.chat.store, AppPaths.resolve()
    rate_some_answers(qtbot, window)
    window.show_finetune()
    run_from_the_button(qtbot, window, max_ppl_rise=-0.99)
    answers_were_clean(paths)
    left = run_from_the_button(qtbot, window)
    folder = Path(store.get_adapter(left.adapter_id)["path"])
    import desktop_app.core.adapters as adapters

    delete = adapters.delete

    def delete_but_leave_the_folder(store_, adapter_id, trash_dir=None):
        gone = delete(store_, adapter_id, trash_dir)  # the real delete, then the folder is there again
        folder.mkdir(parents=True)
        return gone

    monkeypatch.setattr(adapters, "delete", delete_but_leave_the_folder)
    settle_consent(store, left.run_id, False)
    metrics = store.get_run(left.run_id)["metrics"]
    assert metrics["files_left"] == str(folder)
    words = left_words(metrics)
    assert "could not be deleted" in words and str(folder) in words and "were deleted" not in words
