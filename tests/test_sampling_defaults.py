"""What a new session samples with: the GUI's first window and the CLI start from
RECOMMENDED_SAMPLING (measured by bench/sampling_defaults.py), an answer is stored with those
values, and the dataclass's own defaults keep the meaning stored messages were written with."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui import make_window  # noqa: E402,F401
from desktop_app.core.generation import RECOMMENDED_SAMPLING, SamplingSettings  # noqa: E402


def test_the_recommended_sampling_is_not_the_dataclass_default():
    plain = SamplingSettings()
    assert (plain.temperature, plain.repetition_penalty, plain.min_p) == (0.8, 1.0, 0.0), \
        "a stored message without these keys means what it meant when it was written"
    assert any(getattr(plain, key) != value for key, value in RECOMMENDED_SAMPLING.items())


def test_a_new_window_starts_with_the_recommended_sampling(make_window):
    window = make_window(wait=False)
    for key, value in RECOMMENDED_SAMPLING.items():
        assert getattr(window.chat.settings, key) == pytest.approx(value), key
    assert window.popover.temperature.value() == pytest.approx(RECOMMENDED_SAMPLING["temperature"])


def test_a_new_cli_answer_is_sampled_and_stored_with_the_recommended_sampling(cli_saved_answer):
    stored = cli_saved_answer()
    for key, value in RECOMMENDED_SAMPLING.items():
        assert stored[key] == pytest.approx(value), key
