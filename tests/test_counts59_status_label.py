"""counts59: at 1088 px the status bar's fine-tune label had room only for "re-asking questions, token 13/40",
which does not say that a fine-tune runs: every form it drops to names the fine-tune."""

from __future__ import annotations

import pytest

from desktop_app.core.progress_words import status_forms
from desktop_app.core.training import TrainProgress

REASKING = "measuring the new adapter: re-asking 12 questions at once: 13 of at most 40 tokens of each answer"
REPORTS = [TrainProgress("evaluating", 13, 40, eta_s=70, message=REASKING),
           TrainProgress("evaluating", 7, 10, eta_s=70, message="checking general text: 7 of 10 parts"),
           TrainProgress("evaluating", 3, 4, eta_s=70, message="scoring answers", stepping_back=(3, 12)),
           TrainProgress("evaluating", 3, 4, eta_s=70, message="why: scoring answers", checking_earlier=True),
           TrainProgress("training", 3, 12, eta_s=70)]


def _names_the_run(line: str) -> bool:
    return line.startswith(("fine-tun", "training"))


@pytest.mark.parametrize("report", REPORTS, ids=lambda p: p.message[:20] or p.phase)
def test_every_form_of_the_label_names_the_fine_tune(report):
    forms = status_forms(report)
    assert all(_names_the_run(line) for line in forms), forms


def test_the_narrow_label_still_says_fine_tune(qapp):
    """As the status bar fits it (finetune_side.fitted_run), at every width from its shortest form up."""
    from PySide6.QtGui import QFontMetrics

    from desktop_app.gui.finetune_side import fitted_run

    forms = status_forms(REPORTS[0])
    metrics = QFontMetrics(qapp.font())
    narrowest, widest = (metrics.horizontalAdvance(forms[i]) for i in (-1, 0))
    shown = {fitted_run(forms, metrics, width) for width in range(narrowest, widest + 1, 5)}
    assert "fine-tune: re-asking questions, token 13/40" in shown, shown
    assert all(_names_the_run(line) for line in shown), shown
