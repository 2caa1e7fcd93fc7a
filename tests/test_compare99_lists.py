"""compare99: the "Compared with" lists of the Text tab's "Fine-tune's change" and of the compare view
follow the adapter history: an earlier adapter deleted leaves both lists (the chosen one falls back to
the base model, a notice (the Text tab) or a note under the list (the compare view) saying so), one brought back by Undo returns, one deleted from the terminal goes
at the window's next look at the store. Real window, the tiny
GPT-2, real LoRA weights saved as safetensors."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui_windows import WAIT_MS, window_in_text_mode  # noqa: E402,F401 (the window fixture)
from test_compare90_compared_with import choose, shown, two_kept_runs  # noqa: E402
from test_compare94_gui import change_shown  # noqa: E402
from test_compare94_text_change import TEXT  # noqa: E402
from test_gui_compare_window_size_and_wording import stored_answer  # noqa: E402


def offered(combo) -> list:
    return [combo.itemData(i) for i in range(combo.count())]


def said(window) -> str:
    banner = window.notice_banner
    return banner.label.text() if banner.isVisible() else ""


def delete_adapter(window, qtbot, adapter_id):
    """The Fine-tune tab's Delete (its files kept in the trash for Undo): returns what Undo brings back."""
    with qtbot.waitSignal(window.finetune.adapter_deleted, timeout=WAIT_MS) as deleted:
        window.finetune.adapter_action("delete", adapter_id)
    qtbot.waitUntil(lambda: not window.finetune.tasks.store.find("adapter"), timeout=WAIT_MS)
    return deleted.args[0]


def text_change_against_deleted(window, qtbot, tmp_path, tiny_model_dir):
    """Two kept runs; the Text tab's change shown against adapter 1, which is then deleted and has left the list.
    Returns (the change mode, adapter 1's id, what Undo brings back)."""
    first, _second = two_kept_runs(window, qtbot, tmp_path, tiny_model_dir)
    mode = window.text_view.change_mode
    combo = mode.panel.compared_combo
    with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
        window.text_view.editor.setPlainText(TEXT)
    mode.toggle.click()
    change_shown(qtbot, mode, None)
    combo.setCurrentIndex(combo.findData(first))
    change_shown(qtbot, mode, first)
    deleted = delete_adapter(window, qtbot, first)
    qtbot.waitUntil(lambda: offered(combo) == [None], timeout=WAIT_MS)
    return mode, first, deleted


def compare_view_against_deleted(window, qtbot, tmp_path, tiny_model_dir):
    """Two kept runs; the compare view of a disliked answer against adapter 1, which is then deleted and has left
    the list. Returns (the compare view, adapter 1's id, what Undo brings back)."""
    first, _second = two_kept_runs(window, qtbot, tmp_path, tiny_model_dir)
    window.set_mode("chat")
    view = window.open_compare(stored_answer(window, rating=-1)).view
    shown(qtbot, view)
    choose(qtbot, view, first)
    deleted = delete_adapter(window, qtbot, first)
    qtbot.waitUntil(lambda: offered(view.baseline_combo) == [None], timeout=WAIT_MS)
    return view, first, deleted


def test_the_text_tabs_list_follows_a_deleted_earlier_adapter_and_its_undo(window, qtbot, tmp_path, tiny_model_dir):
    mode, first, deleted = text_change_against_deleted(window, qtbot, tmp_path, tiny_model_dir)
    combo = mode.panel.compared_combo
    assert mode.against is None and combo.currentIndex() == 0 and not mode.panel.compared_row.isVisible()
    assert said(window) == (f"Adapter {first} is no longer in the adapter history (deleted, or its files gone): the "
                            "Text tab's change compares with the base model again.")
    change_shown(qtbot, mode, None)  # the change against the base model, asked for anew

    with qtbot.waitSignal(window.finetune.adapters_changed, timeout=WAIT_MS):
        window.finetune.undo_delete(deleted)
    qtbot.waitUntil(lambda: offered(combo) == [None, first], timeout=WAIT_MS)
    assert mode.against is None  # offered again, not chosen again
    mode.toggle.click()
    qtbot.waitUntil(lambda: not mode.lane.find("text change"), timeout=WAIT_MS)


def test_the_compare_views_list_follows_a_deleted_earlier_adapter(window, qtbot, tmp_path, tiny_model_dir):
    view, first, deleted = compare_view_against_deleted(window, qtbot, tmp_path, tiny_model_dir)
    assert view.compared_with is None and view.against() is None
    note = view.compared_note
    assert note.isVisible() and note.text().startswith(f"Adapter {first} is no longer in the adapter history")
    assert note.text().endswith("the compare view compares with the base model again.")
    shown(qtbot, view)
    assert view.legend_title.text() == "Under the adapter:"
    with qtbot.waitSignal(window.finetune.adapters_changed, timeout=WAIT_MS):
        window.finetune.undo_delete(deleted)
    qtbot.waitUntil(lambda: offered(view.baseline_combo) == [None, first], timeout=WAIT_MS)
    choose(qtbot, view, first)  # the person's own choice: the note is done
    assert not note.isVisible()


def test_an_earlier_adapter_deleted_from_the_terminal_leaves_the_list(window, qtbot, tmp_path, tiny_model_dir):
    from desktop_app.core import adapters
    from desktop_app.core.store import Store

    first, second = two_kept_runs(window, qtbot, tmp_path, tiny_model_dir)
    combo = window.text_view.change_mode.panel.compared_combo
    assert offered(combo) == [None, first]
    with Store.open(window.chat.store.path) as terminal:  # `gpt2-desk adapters delete`: its own connection
        adapters.delete(terminal, first)
    assert window.outside_changes.look()  # the window's periodic look at the store saw it
    assert offered(combo) == [None]
