"""The Text tab's figures keep each rank bucket's words with its share: at 1024x600 the line
broke inside "beyond 1000 0.0%" ("beyond" / "1000 0.0%"). The real summary panel of an analysed
text (tiny GPT-2), its figures laid out at the widths a short window gives them."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QTextLayout, QTextOption  # noqa: E402

from gui_windows import STORY, window_with_text  # noqa: E402

def laid_out_lines(label, width: int) -> list[str]:
    """The lines the label's text breaks into at ``width``, as its word wrap breaks them."""
    lines = []
    for paragraph in label.text().split("\n"):
        layout = QTextLayout(paragraph, label.font())
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap)
        layout.setTextOption(option)
        layout.beginLayout()
        while (line := layout.createLine()).isValid():
            line.setLineWidth(width)
            lines.append(paragraph[line.textStart():line.textStart() + line.textLength()].strip())
        layout.endLayout()
    return lines


LABELS = ("rank", "rank 1–10", "rank 11–100", "rank 101–1000", "beyond", "beyond 1000", "perplexity", "mean", "mean surprisal")
LONE_VALUE = re.compile(r"^[\d.,]+(%| bits)?( ·|$)")


@pytest.mark.parametrize("width", [260, 300, 340, 375, 420])
def test_a_figures_words_and_its_value_share_a_line(qtbot, qapp, tiny_model_dir, width):
    with window_with_text(qtbot, qapp, tiny_model_dir, STORY) as window:
        figures = window.text_view.summary_panel.figures
        assert "beyond" in figures.text(), "the text is analysed"
        lines = [line.replace("\u00a0", " ") for line in laid_out_lines(figures, width)]
        for line in lines:
            assert not line.endswith(LABELS), f"words without their value at {width} px: {lines}"
            assert not LONE_VALUE.match(line), f"a value without its words at {width} px: {lines}"
