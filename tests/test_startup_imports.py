"""The window's modules load without torch: torch (seconds to import) comes in on the model's
loading thread, after the window shows (bench/startup.py measures the time)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def modules_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         check=True)
    return set(out.stdout.split())


def test_the_main_window_module_imports_without_torch():
    loaded = modules_after("import desktop_app.gui.main_window")
    assert "desktop_app.gui.finetune_panel" in loaded and "desktop_app.core.train_settings" in loaded
    assert "torch" not in loaded and "transformers" not in loaded


def test_training_imports_without_torch():
    """The window takes it on first use: the ratings' counts on the store lane (gui/ratings.py),
    which should not wait seconds for torch."""
    loaded = modules_after("import desktop_app.core.training")
    assert "desktop_app.core.training" in loaded
    assert "torch" not in loaded and "transformers" not in loaded


def test_training_loads_its_gate_on_first_use():
    loaded = modules_after("from desktop_app.core import training\nassert training.gate.PerplexityGuard")
    assert "desktop_app.core.gate" in loaded and "torch" in loaded
