"""An imported adapter's "before" in its history row's figures is the adapter that was in use when it came
in, not the model it was trained on; the row's tooltip said "margin 0.10 → 0.40" without saying against
what (session 64's left item). It now carries the import's comparison, as the import's own message did."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from desktop_app.gui.adapter_history_words import figures_tip  # noqa: E402

MARGINS = {"margin_before": 0.1, "margin_after": 0.4, "probe_ppl_before": 20.0, "probe_ppl_after": 20.2}


def _row(**metrics) -> dict:
    return {"id": 3, "created": "2026-12-07T03:31:00", "run_id": None, "parent_id": None,
            "metrics": dict(MARGINS, **metrics)}


def test_an_imported_rows_tip_names_the_adapter_its_figures_were_measured_against():
    tip = figures_tip(_row(imported=True, judged_against=1, gate_advice="keep"))
    assert "The gate compared it with adapter 1, the one in use when you imported it." in tip
    assert tip.index("Preference margin") < tip.index("The gate compared it with")


def test_an_import_over_the_base_model_says_so_and_a_trained_row_says_nothing_of_it():
    assert "compared it with the base model, in use" in figures_tip(_row(imported=True, judged_against=None))
    assert "compared it with" not in figures_tip(_row())


def test_an_import_of_the_very_weights_in_use_says_nothing_could_move():
    tip = figures_tip(_row(imported=True, judged_against=2, same_as=2))
    assert "same weights as adapter 2" in tip and "nothing could move" in tip
