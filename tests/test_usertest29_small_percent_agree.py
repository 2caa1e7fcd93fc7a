"""usertest 29: for " happy" of "The cat sat on the mat. It was happy." the inspector said "probability 0.4%"
and the Surprises list "0.36%"; for " cat" "0.01%" against "0.012%". A figure under 1% now has the
Surprises list's two significant digits in every view of the token (the inspector, its chart, the status
bar), where its decimals said less. The bundled model on Fast (bfloat16) weights, as the window opens it, scores
the text (its ties, exact on 16-bit weights, left the chart at one decimal); the rows are the Surprises list's."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

TEXT = "The cat sat on the mat. It was happy."


@pytest.fixture
def fast_bundled_model(bundled_model_dir, session_paths):
    from desktop_app.core.models import open_model

    return open_model(str(bundled_model_dir), session_paths, device="cpu", precision="fast")


def test_the_inspector_says_a_surprise_s_chance_as_the_surprises_list_does(qtbot, fast_bundled_model):
    from desktop_app.core.scoring import score_text
    from desktop_app.core.surprises import find_surprises
    from desktop_app.gui.inspector import InspectorPanel
    from desktop_app.gui.surprise_words import cells
    from desktop_app.core.token_words import token_status_words

    _ids, records = score_text(fast_bundled_model, TEXT)
    small = [s for s in find_surprises(records) if s.prob < 0.01]
    assert len(small) >= 2  # " cat" and " happy" at least
    inspector = InspectorPanel()
    qtbot.addWidget(inspector)
    for surprise in small:
        listed = cells(surprise, ("", "", ""))[1]
        record = records[surprise.index]
        inspector.show_token(None, surprise.index, record, can_branch=False)
        assert inspector.stat_values["probability"].text() == listed
        assert f"p={listed}" in token_status_words(surprise.index, record)
        rows = zip(inspector.chart.rows(), inspector.chart.percents())
        chosen = [text for (_label, _p, chosen), text in rows if chosen]
        assert chosen[0].endswith(listed)
