"""Usertest 14, finding 8: "Why this token?" on an answer the base model wrote, with adapter 1 on,
explained adapter 1's weights ("the model alone gave it 63.8% (65.60% when written: the adapter has
changed since)"), said only in small print. A base model's answer is now explained with the adapter
set aside, as it was written, and the section's first line says which model it explains; the chat
keeps its adapter. An answer the adapter wrote is explained with it, as before. The tiny model in
the window, a real adapter, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core import adapters  # noqa: E402
from gui_windows import answered_window  # noqa: E402
from tiny_model import random_lora  # noqa: E402

WAIT_MS = 60_000


@pytest.fixture
def window(qtbot, qapp, tiny_model_dir):
    """The tiny model's window with one answer the base model wrote, then adapter ``window.aid`` put on."""
    with answered_window(qtbot, qapp, tiny_model_dir, WAIT_MS) as win:
        store = win.chat.store
        win.aid = adapters.save_adapter(store, random_lora(tiny_model_dir, 1), win.paths,
                                        base_model=win.chat.loaded.model_id, run_id=None, parent_id=None,
                                        settings={}, metrics={})
        adapters.activate(store, win.aid)
        with qtbot.waitSignal(win.chat.adapter_changed, timeout=WAIT_MS):
            win.chat.sync_adapter()
        assert win.chat.loaded.adapter_id == win.aid
        yield win


def _explained(qtbot, win, card, index):
    card.view.select_token(index)
    win.show_token(card, index)
    view = win.inspector.explain
    qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.result is not None and view.result.attribution is not None, timeout=WAIT_MS)
    QApplication.processEvents()
    return view


def _adapter_layers_on(loaded) -> bool:
    layers = [m for m in loaded.model.modules() if hasattr(m, "lora_A")]
    return bool(layers) and not any(m.disable_adapters for m in layers)


def test_a_base_models_answer_is_explained_with_the_base_model_and_says_so_first(window, qtbot):
    card = next(c for c in window.transcript.cards if c.role == "assistant")
    assert window.chat.store.get_message(card.message_id)["adapter_id"] is None  # the base model wrote it
    view = _explained(qtbot, window, card, 3)
    result = view.result
    assert result.adapter_id is None and result.adapter_on == window.aid
    # the figures of the model that wrote it: the lens's last layer is the answer's own record
    assert abs(result.lens.probs[-1][0] - card.records[3].prob) < 1e-5
    assert abs(result.sampler.raw_prob - card.records[3].prob) < 1e-5 and result.recorded_note is None
    first_line = view.gist.text()
    assert view.gist.isVisible() and first_line.startswith("Explained with the base model, which wrote this answer")
    assert f"adapter {window.aid}" in first_line and "changed since" not in first_line
    assert "Written with another adapter" not in view.sampler.text()
    assert window.chat.loaded.adapter_id == window.aid and _adapter_layers_on(window.chat.loaded)


def test_an_answer_the_adapter_wrote_is_explained_with_the_adapter(window, qtbot):
    window.prompt.setPlainText("And now?")
    with qtbot.waitSignal(window.chat.answer_finished, timeout=WAIT_MS):
        window.send()
    QApplication.processEvents()
    card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
    assert window.chat.store.get_message(card.message_id)["adapter_id"] == window.aid
    view = _explained(qtbot, window, card, 2)
    result = view.result
    assert result.adapter_id == window.aid == result.adapter_on
    assert abs(result.lens.probs[-1][0] - card.records[2].prob) < 1e-5
    assert not view.gist.text().startswith("Explained with")
    assert _adapter_layers_on(window.chat.loaded)
