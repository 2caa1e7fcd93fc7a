"""usertest31: closing the window while the Text tab writes a continuation keeps what it wrote as a
branch, as Esc does (pytest-qt, offscreen, the tiny model, a real store)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.core import text_branches as tb  # noqa: E402
from desktop_app.core.documents import editor_text  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from gui_windows import STORY, WAIT_MS, opened_window  # noqa: E402

SHOWN = 4  # tokens on screen when the window closes


def test_closing_mid_continuation_keeps_the_tokens_written_as_a_branch(qtbot, qapp, tiny_model_dir):
    """A branch half written at Alt+F4 was gone at the next start: the continuation's own end comes
    after the window closed its lanes, and nothing else kept it."""
    streamed, closed = [], []

    with opened_window(qtbot, qapp, tiny_model_dir, max_new=200, seed=3) as window:
        window.text_view.editor.setPlainText(STORY)
        window.text.tokens.connect(streamed.extend)

        def close_after_a_few(_batch) -> None:
            if len(streamed) >= SHOWN and not closed:
                closed.append(window.text.document_id)
                window.close()

        window.text.tokens.connect(close_after_a_few)
        window.text_view.continue_button.click()
        qtbot.waitUntil(lambda: bool(closed), timeout=WAIT_MS)
        store_path = window.text.store.path
    again = Store.open(store_path)
    (branch,) = tb.branches(again, closed[0])
    assert branch["start"] == len(STORY) and branch["text"] == editor_text("".join(r.text for r in streamed))
    assert [t[0] for t in branch["tokens"]] == [r.id for r in streamed]
    again.close()


def test_an_analysis_cancelled_part_way_shows_the_rest_of_the_text_plain(qtbot, qapp, tiny_model_dir):
    """An analysis cancelled after 64 of 7,881 tokens showed one paragraph coloured and nothing of the
    rest: the person's essay looked cut. The rest stays, uncoloured, after the part analysed."""
    ending = "\n\nThe end, which only this paragraph says."
    long_text = "\n\n".join(f"Paragraph {n}: {STORY}" for n in range(40)) + ending  # many windows of the tiny model
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=4) as window:
        controller = window.text

        def cancel_once_scoring(progress) -> None:
            if progress.stage == "scoring" and progress.done:
                controller.cancel_analysis()

        controller.analyse_progress.connect(cancel_once_scoring)
        with qtbot.waitSignal(controller.analysis_stopped, timeout=WAIT_MS) as blocker:
            window.text_view.editor.setPlainText(long_text)
        scored, _summary = blocker.args
        heatmap = window.text_view.heatmap
        assert 0 < len(scored.records) < scored.scorable
        shown = heatmap.prefix + "".join(r.text for r in heatmap.records) + heatmap.suffix
        assert shown.replace("\r", "\n") == long_text
        assert heatmap.toPlainText().endswith(long_text[-40:])
        # a continuation from a cursor in that rest follows the words before the cursor, not those after
        cursor_at, seen = len(long_text) - len(ending), []
        window.text.tokens.connect(lambda _batch: seen.append(heatmap.toPlainText()) if not seen else None)
        with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
            assert window.text.continue_text(long_text, cursor_at)
        before_cursor = long_text[cursor_at - 40:cursor_at - 1]  # (its last space is marked)
        assert before_cursor in seen[0] and "only this paragraph" not in seen[0]


def test_the_inspector_takes_the_analysis_figures_of_a_continuation_token(qtbot, qapp, tiny_model_dir):
    """A continuation's token in the inspector kept the figures it was streamed with (10.4%, 6.41 bits)
    once the analysis that follows the continuation had made its own (the status bar: 10.7%, 6.50)."""
    text = " ".join([STORY] * 8)  # past the tiny model's 128-token window: the passes differ
    with opened_window(qtbot, qapp, tiny_model_dir, max_new=24, seed=5) as window:
        view, inspector = window.text_view, window.inspector
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
            view.editor.setPlainText(text)
        first_new = len(view.heatmap.records)
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
            with qtbot.waitSignal(window.text.continued, timeout=WAIT_MS):
                view.continue_button.click()
            streamed, prefix = list(view.heatmap.records), view.heatmap.prefix
        analysed = view.heatmap.records
        # a continuation token the analysis reads as the same token, after the same text, with other figures
        index = next(i for i in range(first_new, min(len(streamed), len(analysed)))
                     if [r.text for r in streamed[:i + 1]] == [r.text for r in analysed[:i + 1]]
                     and streamed[i] != analysed[i])
        window.text_mode.show_token(index, streamed[index])  # clicked while the streamed figures showed
        assert inspector.record == streamed[index] and view.heatmap.prefix == prefix
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):
            view.analyse_now(save=False)
        assert inspector.index == index and inspector.record == view.heatmap.records[index] != streamed[index]


def test_the_text_bars_buttons_stay_put_while_analysing_comes_and_goes(qtbot, qapp, tiny_model_dir):
    """"analysing…" took its room from the bar as it came after each pause in typing: New, Open… and
    Edit slid 24 px, and a click meant for Open… opened a new, empty text."""
    from gui_windows import window_with_text
    from test_small40_short_window import settle

    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        window.resize(1280, 800)
        window.set_mode("text")
        settle()
        bar = window.text_view.bar

        def places() -> list[int]:
            settle()
            return [b.mapTo(bar, b.rect().topLeft()).x() for b in (bar.new_button, bar.open_button, bar.edit_button)]

        bar.status.setText("")
        quiet = places()
        for words in ("edited\u2026", "analysing\u2026", "writing\u2026", ""):
            bar.status.setText(words)
            assert places() == quiet, f"with {words!r} the buttons moved"


def test_the_quit_question_counts_the_runs_time_up_to_now(qapp):
    """The quit question said "It has run for 7 s" beside the panel's "17 s so far": it read the run's
    last report, and the first training step gives none for a minute."""
    from desktop_app.core.training import TrainProgress
    from desktop_app.gui.finetune_controller import FineTuneController
    from desktop_app.gui.quit_guard import quit_question
    from desktop_app.gui.tasks import Task, TaskManager

    tasks = TaskManager()
    controller = FineTuneController(None, None, None, tasks)
    controller.task = Task(lambda _r, _c: None, "fine-tune")
    controller._heard(controller.task, TrainProgress("preparing", elapsed_s=7.0))
    controller.heard_at -= 10.0  # ten seconds without a report since
    assert controller.progress_now().elapsed_s >= 17.0
    _question, informative = quit_question(None, (), controller.progress_now())
    assert informative.startswith("It has run for 1") and not informative.startswith("It has run for 7 s")
    tasks.shutdown()


def test_the_last_steps_time_left_says_only_the_check_follows():
    """At "step 22 of 22" the panel said "about 3 min left (training, then ~3 min checking whether it
    helps)": no training was left."""
    from desktop_app.core.progress_words import step_eta_words

    assert step_eta_words(0.0, 180.0) == "about 3 min left (checking whether it helps)"
    assert "training, then" in step_eta_words(40.0, 180.0)
