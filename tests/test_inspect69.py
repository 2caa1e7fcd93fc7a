"""inspect69: the inspector and the Text tab's figures, said the same everywhere: which adapter's figures, per
cent on the histograms, headers that fit, a piece of a character named, and an open refusal that goes."""

from __future__ import annotations

import pytest

from desktop_app.core import documents
from desktop_app.core.errors import UserFacingError

pytest.importorskip("PySide6")

from test_gui_text import WAIT_MS, text_window  # noqa: E402,F401  (the window with the tiny model)


def test_a_bad_byte_is_counted_from_one_and_from_the_files_start():
    cp1252 = "café au lait".encode("cp1252")  # é is the 4th byte
    with pytest.raises(UserFacingError, match=r"byte 4 is not valid UTF-8"):
        documents.text_from_bytes(cp1252, "menu.txt")
    with pytest.raises(UserFacingError, match=r"byte 7 is not valid UTF-8"):  # after the 3 bytes of a BOM
        documents.text_from_bytes(b"\xef\xbb\xbf" + cp1252, "menu.txt")


def test_a_good_file_opened_after_a_refused_one_takes_the_red_banner_away(text_window, qtbot, tmp_path):
    window = text_window()
    bad, good = tmp_path / "menu.txt", tmp_path / "notes.txt"
    bad.write_bytes("café au lait".encode("cp1252"))
    good.write_text("Armstrong walked on the Moon.\n", encoding="utf-8")
    with qtbot.waitSignal(window.text.error, timeout=WAIT_MS):
        assert window.text_view.open_file(str(bad))
    assert window.error_banner.isVisible() and "byte 4" in window.error_banner.label.text()
    with qtbot.waitSignal(window.text.opened, timeout=WAIT_MS):
        assert window.text_view.open_file(str(good))
    assert not window.error_banner.isVisible(), "the refusal was of another file"


def test_the_histograms_say_per_cent_and_the_rank_bar_agrees_with_its_line(qtbot):
    from desktop_app.core.documents import TextSummary
    from desktop_app.gui.figure_words import bin_words
    from desktop_app.gui.text_summary import SummaryPanel, figures_text

    assert bin_words("probability", 9, 10, 12) == "probability 90\u2013100%: 12 tokens"
    panel = SummaryPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 300)
    panel.show()
    qtbot.waitExposed(panel)
    summary = TextSummary(tokens=40, bucket_counts=(34, 3, 2, 1), mean_surprisal_bits=3.0, perplexity=8.0,
                          probability_histogram=(5, 1, 1, 0, 0, 0, 0, 1, 0, 32),
                          entropy_histogram=(2, 3, 5, 4, 2, 1, 1, 1, 0, 21))
    panel.set_summary(summary)
    probabilities = panel.probabilities
    assert (probabilities.low, probabilities.high) == ("0%", "100%")
    assert "0% (left) to 100% (right)" in probabilities.toolTip()
    assert probabilities.tip_at(0).endswith("probability 0\u201310%: 5 tokens")
    line = figures_text(summary)
    written = [words for _rect, words in panel.bar.segments() if words]
    assert "85.0%" in written and "7.5%" in written, written  # 3 of 40: the bar had said "8%"
    assert all(words in line for words in written), (written, line)


def test_a_pieces_character_is_named_where_the_tokens_after_it_complete_it(tiny_model):
    from desktop_app.core.records import TokenRecord
    from desktop_app.core.scoring import score_text
    from desktop_app.core.token_words import completed_character, tooltip_html

    _ids, records = score_text(tiny_model, "\u65e5\u672c\u306e\u9996\u90fd")
    first_of_capital = next(i for i, r in enumerate(records) if r.text == "\u9996") - 1
    assert records[first_of_capital].text == "", "the tiny tokenizer splits \u9996 over tokens"
    assert completed_character(records, first_of_capital) == "\u9996"
    assert "(part of \u201c\u9996\u201d)" in tooltip_html(records[first_of_capital], completes="\u9996")
    assert completed_character(records, first_of_capital + 1) == "", "a whole token is no piece"
    cut = [*records[:first_of_capital + 1], TokenRecord(1, "\ufffd", -1.0, 1, 0.1, ())]
    assert completed_character(cut, first_of_capital) == "", "bytes that never made a character name none"
    assert completed_character(records[:first_of_capital + 1], first_of_capital) == "", "nothing after it"


def test_the_inspector_and_the_tooltip_name_the_character_in_the_text_tab(qtbot, qapp, tiny_model_dir):
    from gui_windows import window_with_text

    with window_with_text(qtbot, qapp, tiny_model_dir, "\u65e5\u672c\u306e\u9996\u90fd") as window:
        records = window.text_view.heatmap.records
        piece = next(i for i, r in enumerate(records) if r.text == "\u9996") - 1
        window.text_mode.show_token(piece, records[piece])
        assert window.inspector.token_label.text() == "(part of \u201c\u9996\u201d)"
        chart = window.inspector.chart
        assert chart.chosen_outside is not None, "the tiny model ranks the piece below its top alternatives"
        assert chart.rows()[-1][0] == f"bytes {window.inspector.bytes_note.text().removeprefix('bytes ')}", \
            "the written piece's row names its bytes, as its note does (it read \u201c(part of a cha\u2026\u201d)"
        assert "(part of \u201c\u9996\u201d)" in window.text_view.heatmap.token_tip(piece, records[piece])
        window.chat.shutdown()


def test_the_figures_adapter_words_are_the_adapter_historys_names(store):
    from desktop_app.core import adapters

    assert adapters.figures_adapter(store, None)[0] == ("the base model", "the base model")
    aid = store.add_adapter("/a1", base_model="folder:/m")
    adapters.rename(store, aid, "terse")
    assert adapters.figures_adapter(store, aid)[0] == (f"adapter {aid} \u201cterse\u201d",) * 2
    adapters.rename(store, aid, "answers in one short sentence, as a telegram")
    shown, whole = adapters.figures_adapter(store, aid)[0]
    assert len(shown) < len(whole) and shown.endswith("\u2026\u201d") and whole.endswith("telegram\u201d")
    assert adapters.figures_adapter(store, 999)[0] == ("adapter 999",) * 2, "deleted since: its number"


def test_the_inspector_says_which_adapters_figures_a_text_token_and_an_answers_token_are(qtbot, qapp,
                                                                                          tiny_model_dir):
    from desktop_app.core import adapters
    from gui_windows import ask, window_with_text
    from test_feel45_adapter_switch import saved_adapter, switched, use_selected

    with window_with_text(qtbot, qapp, tiny_model_dir, "Armstrong walked on the Moon in 1969.") as window:
        inspector, records = window.inspector, window.text_view.heatmap.records
        window.text_mode.show_token(2, records[2])
        assert inspector.stat_values["adapter"].text() == "the base model"
        assert inspector.stat_values["adapter"].isVisibleTo(inspector)
        aid = saved_adapter(window, tiny_model_dir, {})
        adapters.rename(window.chat.store, aid, "terse")
        with qtbot.waitSignal(window.text.analysed, timeout=WAIT_MS):  # the text is read again under it
            switched(qtbot, window, use_selected(window, aid))
        records = window.text_view.heatmap.records
        window.text_mode.show_token(2, records[2])
        assert inspector.stat_values["adapter"].text() == f"adapter {aid} \u201cterse\u201d"
        window.text_mode.set_mode("chat")
        ask(qtbot, window, "Hello")
        card = window.transcript.cards[-1]
        window.cards.show_token(card, 0)
        assert inspector.stat_values["adapter"].text() == f"adapter {aid} \u201cterse\u201d", "its writer"
        window.legend.score_prompts.setChecked(True)  # a prompt's colours: read under the adapter in use
        prompt_card = [c for c in window.transcript.cards if c.role == "user"][-1]
        qtbot.waitUntil(lambda: bool(prompt_card.records), timeout=WAIT_MS)
        window.show_token(prompt_card, 0)
        assert inspector.stat_values["adapter"].text() == f"adapter {aid} \u201cterse\u201d", "its scoring's"
        window.chat.shutdown()


def _headers_fit(table) -> bool:
    header = table.header()
    shown = [c for c in range(table.columnCount()) if not table.isColumnHidden(c)]
    return all(header.sectionSize(c) >= header.sectionSizeHint(c) for c in shown)


def test_the_inspectors_least_likely_list_shows_whole_headers_at_1024x600_dark(qtbot, qapp, tiny_model_dir):
    from PySide6.QtWidgets import QApplication

    from clip_check import cut_widgets
    from desktop_app.gui import surprise_words
    from desktop_app.gui.text_surprises import SurprisePanel
    from gui_windows import answered_window, app_theme

    with app_theme(qapp, dark=True), answered_window(qtbot, qapp, tiny_model_dir) as window:
        window.resize(1024, 600)
        QApplication.processEvents()
        card = [c for c in window.transcript.cards if c.role == "assistant"][-1]
        card.view.choose_token(0)
        qtbot.waitUntil(lambda: window.chat_surprises.panel.isVisible())
        QApplication.processEvents()  # the list laid out in the inspector's width
        table = window.chat_surprises.panel.list
        assert _headers_fit(table), [table.headerItem().text(c) for c in range(table.columnCount())]
        assert table.headerItem().text(1) == "Prob." and table.headerItem().toolTip(1).startswith("Probability: ")
        assert not [cut for cut in cut_widgets(window.inspector) if "Surprise" in cut or "Fitted" in cut]
        window.chat.shutdown()
    wide = SurprisePanel()  # with room, the whole words
    qtbot.addWidget(wide)
    wide.resize(900, 300)
    wide.show()
    qtbot.waitExposed(wide)
    wide.show_rows([], [])
    assert [wide.list.headerItem().text(c) for c in range(5)] == list(surprise_words.HEADERS)
    assert wide.list.headerItem().toolTip(1) == surprise_words.HEADER_TIPS[1]
