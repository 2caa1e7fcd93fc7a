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
