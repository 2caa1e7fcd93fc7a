"""What a person using the window would notice: a short window (800x600 and the window's
minimum, with the offline notice), opening texts off the GUI thread, a one-line 5 MB text,
the compare view and Text branches, which precision an explanation used."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QRect  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from helpers import watch_calls  # noqa: E402
from test_gui import WAIT_MS, make_window  # noqa: E402,F401

OFFLINE_NOTICE = ("HuggingFaceTB/SmolLM2-360M-Instruct is not in the local cache and the model hub cannot be "
                  "reached, so the bundled offline model SmolLM2-135M-Instruct is used.")


def settle(times: int = 4) -> None:
    for _ in range(times):
        QApplication.processEvents()


def visible_in(widget, viewport) -> bool:
    """Whether all of ``widget`` shows inside ``viewport`` (not scrolled or clipped away)."""
    top_left = widget.mapTo(viewport.window(), QPoint(0, 0))
    port = QRect(viewport.mapTo(viewport.window(), QPoint(0, 0)), viewport.size())
    return widget.isVisible() and port.contains(QRect(top_left, widget.size()))


def sizes(window):
    hint = window.minimumSizeHint()
    return [(800, 600), (max(hint.width(), 640), max(hint.height(), 480))]


def test_the_welcome_heading_and_ready_line_show_in_a_short_window(make_window):
    window = make_window()
    window.notice_banner.show_message(OFFLINE_NOTICE, "info")
    empty = window.transcript.empty
    for width, height in sizes(window):
        window.resize(width, height)
        settle()
        port = window.transcript.viewport()
        assert visible_in(empty.title, port), f"the heading is scrolled or covered at {width}x{height}"
        assert empty.status.text().startswith("Ready"), empty.status.text()
        assert visible_in(empty.status, port), f"'Ready: ...' is clipped at {width}x{height}"
        # at 640x480 the window is now truly 480 px high (polish36: the Text tab behind no longer
        # held it at 491), with the notice, the legend and the tabs above the chat
        least = 130 if height < 500 else 140
        assert window.transcript.height() >= least, f"the chat area is too short at {width}x{height}"


def test_a_long_notice_keeps_to_two_lines_and_shows_all_on_request(make_window, qtbot):
    window = make_window()
    banner = window.notice_banner
    banner.show_message(OFFLINE_NOTICE * 2, "info")
    window.resize(800, 600)
    settle()
    line = banner.label.fontMetrics().lineSpacing()
    assert banner.label.height() <= 2 * line + 4, "a long notice took the chat's height"
    assert banner.label.text() == OFFLINE_NOTICE * 2, "the text itself stays whole"
    assert banner.label.toolTip() == OFFLINE_NOTICE * 2, "the tooltip says all of it"
    qtbot.mouseClick(banner.label, __import__("PySide6.QtCore").QtCore.Qt.MouseButton.LeftButton)
    settle()
    assert banner.label.height() > 3 * line, "a click shows the whole notice"


def test_the_text_tab_keeps_its_text_in_a_short_window(make_window):
    window = make_window()
    window.notice_banner.show_message(OFFLINE_NOTICE, "info")
    window.set_mode("text")
    view = window.text_view
    for width, height in sizes(window):
        window.resize(width, height)
        settle()
        assert not view.summary_panel.probabilities.isVisible(), "short: the histograms give way"
        assert view.pages.height() >= 60, (width, height)  # the text: coloured, or in the editor
        assert view.branch_panel.height() >= 60, (width, height)
        assert visible_in(view.summary_panel.figures, view), (width, height)
        view.status.setText("analysing\u2026")
        settle()
        if width >= 800:  # (at the window's minimum the four buttons leave it 40 px)
            assert view.documents.width() >= 80, "the text's title keeps room beside the status words"
        # (under a narrow bar the words sit beside the Chat | Text tabs, in the tabs' rect)
        assert visible_in(view.status, window.mode_tabs) and view.status.width() >= view.status.sizeHint().width()
    window.resize(1280, 900)
    settle()
    assert view.summary_panel.probabilities.isVisible(), "tall again: the histograms come back"


def test_at_800x600_the_text_tab_gives_the_heatmap_its_share_and_no_empty_status_row(make_window):
    window = make_window()
    window.notice_banner.show_message(OFFLINE_NOTICE, "info")
    window.set_mode("text")
    view = window.text_view
    hint = window.minimumSizeHint()
    assert hint.width() <= 800 and hint.height() <= 600, "the window fits 800x600"
    for width, height in ((800, 600), (1280, 800), (800, 600)):  # narrow, wide, narrow again
        window.resize(width, height)
        settle()
        view.status.setText("")
        settle()
        bar_bottom = view.documents.parentWidget().geometry().bottom()
        assert view.pages.mapTo(view, QPoint(0, 0)).y() - bar_bottom <= 2, "an empty status row took height"
        # the branches sit under the heatmap at 800: they must not take the heatmap's lines (it kept two)
        line = view.heatmap.fontMetrics().lineSpacing()
        assert view.pages.height() >= 5 * line, (width, height)
        view.status.setText("analysing\u2026")
        settle()
        assert visible_in(view.status, window.mode_tabs), "the status words still show when there are some"


def test_at_800x600_a_hovered_tokens_figures_are_not_cut_by_the_models_name(make_window):
    window = make_window()
    window.set_mode("text")
    window.model_label.setText("SmolLM2-135M-Instruct (bundled, offline) \u00b7 cpu \u00b7 Fast (bfloat16)")
    message = "token 25: \u201c\u2423illuminate\u201d  p=22.40%  rank 1  entropy 4.72 bits"
    bar = window.statusBar()
    for width in (800, 1280):
        window.resize(width, 600)
        settle()
        bar.showMessage(message)
        settle()
        permanent = [w for w in (window.finetune_side.label, window.progress_label, window.progress,
                                 window.speed_label, window.model_label, window.adapter_label) if w.isVisible()]
        room = min(w.geometry().left() for w in permanent)
        assert bar.fontMetrics().horizontalAdvance(message) + 8 <= room, (width, room)
    assert window.model_label.width() >= window.model_label.sizeHint().width(), "wide: the whole name shows"
    assert window.model_label.text().endswith("Fast (bfloat16)"), "the label keeps its whole text (and tooltip)"


def test_the_legend_bar_shortens_when_chat_brings_back_score_my_prompts(make_window):
    window = make_window()
    window.set_mode("text")  # no "Score my prompts" here: the full bar fits
    window.resize(1024, 700)
    settle()
    window.set_mode("chat")  # it comes back without a resize
    settle()
    legend = window.legend
    shown = [w for w in (legend.colour_by, legend.combo, legend.low, legend.high, legend.score_prompts) if w.isVisible()]
    for w in shown:  # "Colour by" read "Colour b", "Score my prompts" "Score my prompt"
        assert w.width() >= w.sizeHint().width(), (type(w).__name__, w.width(), w.sizeHint().width())


def longest_block(editor) -> int:
    block, longest = editor.document().begin(), 0
    while block.isValid():
        longest = max(longest, block.length())
        block = block.next()
    return longest


def test_a_text_opens_off_the_gui_thread_with_a_busy_state(make_window, qtbot, tmp_path, monkeypatch):
    import threading

    from desktop_app.core import documents

    window = make_window()
    window.set_mode("text")
    qtbot.waitUntil(lambda: not window.text.opening, timeout=WAIT_MS)
    view = window.text_view
    threads = watch_calls(monkeypatch, documents, "open_for_editing")
    path = tmp_path / "one-line.txt"
    path.write_text("The tide came in over the rocks. " * 10_000, encoding="utf-8")  # 330 kB, one line
    with qtbot.waitSignal(window.text.opened, timeout=WAIT_MS):
        assert view.open_file(str(path))
        assert view.status.text() == "opening\u2026" and view.editor.isReadOnly()
        assert not view.open_button.isEnabled() and not view.continue_button.isEnabled()
        assert not view.open_file(str(path)), "one opening at a time"
    assert threads and threads[0] is not threading.main_thread(), "read and stored on the store lane"
    assert not view.editor.isReadOnly() and view.open_button.isEnabled()
    assert view.documents.currentText() == "one-line.txt"
    assert longest_block(view.editor) <= documents.PIECE_CHARS + 1, "the one line came in broken"
    assert view.editor.toPlainText().replace("\n", " ") == path.read_text(encoding="utf-8"), "only spaces changed"
    assert "broken into lines" in window.notice_banner.label.text()


def test_a_pasted_one_line_text_comes_in_broken_with_a_notice(make_window, qtbot):
    from desktop_app.core import documents

    window = make_window()
    window.set_mode("text")
    qtbot.waitUntil(lambda: not window.text.opening, timeout=WAIT_MS)
    window.notice_banner.hide()
    pasted = "Gulls circled the lamp room all night. " * 2000
    QApplication.clipboard().setText(pasted)
    window.text_view.editor.paste()
    editor = window.text_view.editor
    assert longest_block(editor) <= documents.PIECE_CHARS + 1
    assert editor.toPlainText().replace("\n", " ") == pasted
    assert window.notice_banner.isVisible() and "broken into lines" in window.notice_banner.label.text()


def test_the_compare_view_lists_and_compares_a_rated_text_continuation(make_window, qtbot, tmp_path, tiny_model_dir):
    from tiny_model import random_lora

    from desktop_app.core import documents
    from desktop_app.core import text_branches as tb
    from desktop_app.core.palette import change_color
    from desktop_app.core.prompts import plain_text_start
    from desktop_app.core.scoring import score_ids

    window = make_window()
    store, loaded = window.chat.store, window.chat.loaded
    before_text = "The lighthouse keeper climbed the stairs"
    document = documents.create_document(store, before_text)
    branch = tb.add_branch(store, document, None, len(before_text), " every evening to light the lamp.",
                           model_id=loaded.model_id)
    tb.rate_branch(store, branch, 1)
    peft = random_lora(tiny_model_dir)
    peft.save_pretrained(tmp_path / "adapter", safe_serialization=True)
    adapter = store.add_adapter(tmp_path / "adapter", base_model=loaded.model_id)
    store.set_active_adapter(adapter, loaded.model_id)
    with qtbot.waitSignal(window.chat.adapter_changed, timeout=WAIT_MS):
        window.chat.sync_adapter()
    view = window.open_compare(None).view
    at = view.answer_combo.findData(-branch)
    assert at >= 0 and "Text:" in view.answer_combo.itemText(at) and "\u25b2" in view.answer_combo.itemText(at)
    view.answer_combo.setCurrentIndex(at)
    qtbot.waitUntil(lambda: len(view.values) > 0, timeout=WAIT_MS)
    assert "liked this continuation" in view.expect_label.text()
    assert "lighthouse keeper" in view.prompt_label.text()
    prompt_ids = plain_text_start(loaded.tokenizer) + loaded.tokenizer(before_text)["input_ids"]  # as training reads it
    ids = loaded.tokenizer(" every evening to light the lamp.")["input_ids"]
    with loaded.lock:
        after = score_ids(loaded, prompt_ids, ids)
    assert [r.id for r in view.after] == ids and len(view.values) == len(ids)
    assert all(abs(a.logprob - b.logprob) < 1e-3 for a, b in zip(view.after, after)), "scored under the adapter"
    assert view.colours() == [change_color(v, view.scale) for v in view.values]
    assert any(abs(v) > 1e-3 for v in view.values), "the adapter moved some token"
