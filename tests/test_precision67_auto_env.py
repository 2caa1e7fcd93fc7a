"""Auto read as GPT2_DESK_AUTO_PRECISION says (core.precision.meant): a CPU with native bfloat16 reads
Auto as Fast and one without as Exact, so a run that must give the same figures on both sets it to
"exact" (the test suite does, tests/conftest.py). Chosen precisions are never changed by it."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from desktop_app.core import precision as P  # noqa: E402


def test_the_variable_decides_what_auto_means_and_nothing_else(monkeypatch):
    cpu = torch.device("cpu")
    monkeypatch.setenv(P.AUTO_ENV, "exact")
    assert P.meant("auto") == "exact" and P.weights_dtype(cpu, "auto") == torch.float32
    assert P.training_autocast_dtype(cpu, "auto") is None
    assert P.meant("fast") == "fast" and P.meant("compact") == "compact"  # a chosen precision stays
    assert P.weights_dtype(cpu, "fast") == (P.fast_dtype(cpu) or torch.float32)
    monkeypatch.setenv(P.AUTO_ENV, " Fast ")
    assert P.meant("auto") == "fast"


def test_without_it_or_with_a_value_it_does_not_know_auto_is_the_machines(monkeypatch):
    cpu = torch.device("cpu")
    for value in (None, "", "turbo"):
        if value is None:
            monkeypatch.delenv(P.AUTO_ENV, raising=False)
        else:
            monkeypatch.setenv(P.AUTO_ENV, value)
        assert P.meant("auto") == "auto"
        assert P.weights_dtype(cpu, "auto") == P.weights_dtype(cpu, "fast")
    with pytest.raises(ValueError, match="precision is one of"):
        P.meant("half")


def test_the_suite_runs_auto_as_exact():
    """The conftest's setting is in force: a window or command left at Auto loads float32 weights here."""
    assert P.weights_dtype(torch.device("cpu"), "auto") == torch.float32
