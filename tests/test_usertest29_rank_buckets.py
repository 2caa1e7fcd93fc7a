"""usertest 29: the Text tab's summary said "top 10 72.7% · top 100 18.2% · ... beyond 1000 9.1%" for
"The cat sat on the mat. It was happy." and its tooltip "the share of tokens the model ranked that high",
but 18.2% was the share ranked 11 to 100 (90.9% were in the top 100). The buckets now say which ranks
they hold. The bundled model scores the text; the shares are counted here from the records' ranks."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

TEXT = "The cat sat on the mat. It was happy."


def test_the_summary_names_the_ranks_each_share_holds(qtbot, bundled_model):
    from desktop_app.core.documents import summarize
    from desktop_app.core.scoring import score_text
    from desktop_app.gui.text_summary import SURPRISE_TIP, SummaryPanel

    _ids, records = score_text(bundled_model, TEXT)
    panel = SummaryPanel()
    qtbot.addWidget(panel)
    panel.set_summary(summarize(records))
    figures = panel.figures.text().replace("\u00a0", " ")
    ranks = [r.rank for r in records]
    for label, low, high in (("rank 1–10", 1, 10), ("rank 11–100", 11, 100), ("rank 101–1000", 101, 1000),
                             ("beyond 1000", 1001, 10**9)):
        share = sum(low <= rank <= high for rank in ranks) / len(ranks)
        assert f"{label} {share * 100:.1f}%" in figures
    assert any(10 < rank <= 100 for rank in ranks)  # the bucket that read as "top 100" holds a token
    assert "top 100" not in figures and "ranked that high" not in SURPRISE_TIP
