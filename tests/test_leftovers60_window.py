"""leftovers60 (usertest32): what a new user met in the window and was left. pytest-qt on the real window, the
tiny GPT-2, a real store."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.gui.load_words import stage_forms  # noqa: E402
from test_gui import make_window  # noqa: E402,F401
from test_gui_loom import settle, window  # noqa: E402,F401
from test_leftovers56_gui import STAGE, stage_shown  # noqa: E402


def test_a_long_stage_has_shorter_forms_that_keep_what_it_does():
    forms = stage_forms(STAGE + " \u00b7 reading the file")
    assert forms[0] == STAGE + " \u00b7 reading the file\u2026"
    assert forms[1:] == ["Converting the model (first time only) \u00b7 reading the file\u2026",
                         "Converting the model (first time only)\u2026", "Converting (first time only)\u2026"]
    assert stage_forms("Starting PyTorch to run SmolLM2-135M-Instruct")[-1] == "Starting PyTorch\u2026"
    assert stage_forms("Explaining a token\u2026") == ["Explaining a token\u2026"]


@pytest.mark.parametrize("size", [(680, 520), (740, 560), (800, 600)])
def test_the_load_stage_reads_as_words_in_a_narrow_window(window, qtbot, size):
    """At 680-800 px a first conversion's stage showed "Converting…", one word: it shows a form that says it
    converts once ("Converting (first time only)…" at least), the whole line in its tooltip."""
    label, shown = stage_shown(window, size, "bundled", " \u00b7 reading the file")
    assert shown in label.forms[1:] and "(first time only)" in shown, (label.width(), shown)
    assert label.toolTip() == label.text()


@pytest.fixture
def chat_window(qtbot, qapp, tiny_model_dir):
    from gui_windows import opened_window

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=64, seed=7) as w:
        w.set_mode("chat")
        w.resize(800, 600)
        settle(w)
        yield w


def test_the_colour_key_keeps_its_row_when_the_first_answer_arrives(chat_window, qtbot):
    """At 800x600 the first answer's card gave the chat a height for its width taller than the column, the
    column took the key's row to nothing and the key jumped into the View toolbar under the person: it stays on
    its row, whole, and the toolbar's controls do not move."""
    from gui_windows import ask

    window = chat_window
    legend = window.legend
    assert legend.parentWidget() is not window.legend_slot and legend.height() >= legend.sizeHint().height()
    from PySide6.QtWidgets import QToolBar

    toggle = window.findChild(QToolBar, "ViewToolBar")
    before = [toggle.widgetForAction(a).geometry() for a in window.panel_actions.values()]
    ask(qtbot, window)
    meter = window.prompt_area.meter  # its warning wraps, as after a first answer of the bundled model: the chat
    meter.setText("6 / 128 tokens of context, without the 2 oldest turns \u00b7 they no longer fit and will be "
                  "left out")
    meter.show()  # page then has a height for its width, its transcript's hint the answer's
    for _ in range(6):
        settle(window)
        qtbot.wait(20)  # the deferred move (short_window) runs on a zero timer
    assert legend.parentWidget() is not window.legend_slot, "the key stayed on its row"
    assert legend.isVisible() and legend.height() >= legend.sizeHint().height()
    assert [toggle.widgetForAction(a).geometry() for a in window.panel_actions.values()] == before


def test_the_compare_view_scores_your_better_answer_beside_the_models(make_window, qtbot, tmp_path):
    """Beside the model's answer the pair's line said of the person's better answer "not scored yet: pick …
    above": it is scored there too, and its figures are the ones picking it shows."""
    from desktop_app.core import session
    from desktop_app.gui.compare_words import totals
    from test_gui import WAIT_MS
    from test_gui_compare_better import corrected_answer
    from test_gui_compare_window_size_and_wording import wear_random_lora

    window = make_window()
    wear_random_lora(window, qtbot, tmp_path / "adapter")
    mid = corrected_answer(window)
    view = window.open_compare(mid).view
    qtbot.waitUntil(lambda: len(view.values) > 0 and view.task is None and view.pair_task is None, timeout=WAIT_MS)
    assert view.message_id == mid
    mine = view.pair.text().split("<br>")[1]
    before, after = session.score_correction_with_and_without_adapter(window.chat.store, window.chat.loaded, mid)
    total_before, total_after = totals(before, after)
    assert f"{total_before:.1f} \u2192 {total_after:.1f}" in mine and "not scored" not in mine, mine


def test_a_better_answer_that_cannot_be_scored_here_says_why():
    from desktop_app.gui.compare_words import BETTER_OFF, pair_words

    mine = pair_words(12, None, (-8.0, -11.1), "adapter 3", answer_shown=True, yours_off=True).split("<br>")[1]
    assert BETTER_OFF in mine and "scored only under the adapter in use" in mine
