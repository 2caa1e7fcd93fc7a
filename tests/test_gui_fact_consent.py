"""The fine-tune card of a kept run that changed facts on questions nobody rated (usertest 7): it
says the adapter is saved, not in use, lists the answers before and after, and asks with two
buttons, both reachable from the keyboard and whole at 800x600 (pytest-qt, a real window, store
and run on the tiny model)."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.core import fact_changes as fc  # noqa: E402
from desktop_app.core import finetune_effect as fe  # noqa: E402
from desktop_app.core import reasking  # noqa: E402
from desktop_app.core.paths import AppPaths  # noqa: E402
from desktop_app.core.train_settings import FineTuneSettings  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401
from test_gui_finetune import FAST, TRAIN_MS, rate_some_answers, settle  # noqa: E402,F401

AUSTRALIA = "What is the capital of Australia?"
CANBERRA = "The capital of Australia is Canberra."


@pytest.fixture(autouse=True)
def sure_of_all(monkeypatch):
    """The tiny model's own probability of "Canberra" is far below the threshold
    (test_fact_consent measures it): here every measured fact holds a run back."""
    monkeypatch.setattr(fc, "SURE_OF_FACT", 0.0)


def knew_canberra(loaded, tokens: int) -> None:
    """The model in use said "...Canberra." in an earlier run (the run's before-cache has it; the
    tiny model knows no capitals of its own)."""
    cache = fe.BeforeCache(AppPaths.resolve(), loaded.model_id, None, loaded.device)
    ids = reasking.fresh_prompt(loaded.tokenizer, AUSTRALIA, loaded.context_window, tokens)
    cache.put(f"reask:{tokens}:{fe.digest(ids)}", [CANBERRA, None])
    cache.save()


def whole(button) -> bool:
    """Shown, its text not cut, and inside the panel's visible width."""
    panel = button.window().finetune_panel
    left = button.mapTo(panel.viewport(), button.rect().topLeft()).x()
    return (button.isVisible() and button.width() >= button.sizeHint().width()
            and button.height() >= button.sizeHint().height()
            and left >= 0 and left + button.width() <= panel.viewport().width())


def waiting_run(qtbot, window):
    """A run on the rated answers that is kept and waits for the person's word (it changed a fact the base model
    was sure of): its result."""
    panel = window.finetune_panel
    rate_some_answers(qtbot, window)
    qtbot.waitUntil(lambda: panel.train_button.isEnabled(), timeout=5000)
    panel.set_settings(FineTuneSettings(**FAST, rescore=False))
    knew_canberra(window.chat.loaded, FAST["reask_tokens"])
    window.show_finetune()
    with qtbot.waitSignal(window.finetune.finished, timeout=TRAIN_MS) as done:
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    result = done.args[0]
    assert result.kept and result.needs_consent, (result.reason, result.facts_changed)
    return result


def test_a_waiting_adapter_is_asked_about_and_either_answer_is_kept(make_window, qtbot):
    window = make_window(max_new_tokens=16)
    store, panel = window.chat.store, window.finetune_panel
    result = waiting_run(qtbot, window)
    settle(window)
    title, body = panel.result_title.text(), panel.consent_text.text()
    assert title == (f"Saved as adapter {result.adapter_id}, not in use: it changed 1 answer to questions you "
                     "never rated. Read them before you use it.")
    assert AUSTRALIA in body and "before: \u201cThe capital of Australia is Canberra.\u201d" in body
    assert "\u201d (the model was " in body and "% sure of Canberra)" in body  # its own probability, measured
    assert "leaves the base model in use" in body
    assert panel.use_anyway_button.text() == "Use it anyway"
    assert panel.keep_current_button.text() == "Keep the current model"
    assert whole(panel.use_anyway_button) and whole(panel.keep_current_button)
    assert panel.compare_button.isHidden()  # compare is about the adapter in use
    assert window.chat.loaded.adapter_id is None and store.active_adapter(window.chat.loaded.model_id) is None
    assert panel.history.active_id() is None and result.adapter_id in {r["id"] for r in panel.history.rows}
    assert "changed 1 answer you never rated" in panel.history.list.item(0).text()  # the history says why too

    # at 800x600 both buttons are still whole (one above the other where the panel is narrow)
    window.resize(800, 600)
    qtbot.waitUntil(lambda: window.width() == 800, timeout=5000)
    settle(window)
    panel.ensureWidgetVisible(panel.consent_box)
    assert whole(panel.use_anyway_button) and whole(panel.keep_current_button)

    # the keyboard reaches both: Tab from the first (the safe one) to the other, Space answers
    panel.keep_current_button.setFocus()
    qtbot.keyClick(panel.keep_current_button, Qt.Key.Key_Tab)
    assert panel.use_anyway_button.hasFocus()
    with qtbot.waitSignal(window.finetune.consent_settled, timeout=WAIT_MS) as answered:
        qtbot.keyClick(panel.keep_current_button, Qt.Key.Key_Space)
    assert answered.args == [result.run_id, "declined"]
    assert store.get_run(result.run_id)["metrics"]["consent"] == "declined"
    assert store.active_adapter(window.chat.loaded.model_id) is None and window.chat.loaded.adapter_id is None
    assert panel.consent_box.isHidden()
    assert panel.result_title.text() == f"Kept as adapter {result.adapter_id}; the base model is in use now"
    assert not panel.keep_current_button.hasFocus()  # the focus went on, not lost with the hidden button
    panel.show_last_run()  # as after a restart: the answer stands
    assert panel.consent_box.isHidden()

    # a second run that waits: "Use it anyway" puts it in use on the chat model
    second = _another_waiting_run(store, result)
    panel.refresh_adapters()  # (made in the store behind the window's back: the history reads it again)
    panel.show_last_run()
    assert panel.result_title.text().startswith(f"Saved as adapter {second['adapter_id']}, not in use")
    assert not panel.consent_box.isHidden()
    settle(window)  # laid out
    assert whole(panel.use_anyway_button)
    with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
        qtbot.mouseClick(panel.use_anyway_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.adapter_label.text() == f"Adapter {second['adapter_id']}", timeout=WAIT_MS)
    assert window.chat.loaded.adapter_id == second["adapter_id"]
    assert store.active_adapter(window.chat.loaded.model_id)["id"] == second["adapter_id"]
    assert store.get_run(second["id"])["metrics"]["consent"] == "used"
    qtbot.waitUntil(lambda: panel.result_title.text() == f"Kept: adapter {second['adapter_id']} is now in use",
                    timeout=WAIT_MS)
    assert panel.consent_box.isHidden() and not panel.compare_button.isHidden()
    assert AUSTRALIA in panel.result_body.text() and panel.consent_text.isHidden()  # what it changed is still said


def _another_waiting_run(store, first) -> dict:
    """A stored run kept like ``first`` (a copy of its adapter's folder) that waits as well."""
    model_id = store.get_adapter(first.adapter_id)["base_model"]
    folder = store.get_adapter(first.adapter_id)["path"]
    copy = folder.rstrip("/") + "-copy"
    shutil.copytree(folder, copy)
    run_id = store.create_run({}, model_id)
    adapter_id = store.add_adapter(copy, base_model=model_id, run_id=run_id)
    metrics = {k: v for k, v in first.metrics.items() if k != "consent"}
    store.update_run(run_id, status="kept", reason="ok", metrics=metrics, adapter_id=adapter_id)
    return store.get_run(run_id)


def test_a_clean_kept_run_shows_no_question(make_window):
    window = make_window()
    panel = window.finetune_panel
    panel._show_result("kept", None, {"margin_before": 0.1, "margin_after": 0.5, "facts_changed": []}, 1)
    assert panel.consent_box.isHidden() and "not in use" not in panel.result_title.text()
