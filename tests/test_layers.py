"""The layering of the package (core | gui | cli), checked by import-linter's contracts in
pyproject.toml: ``desktop_app.core`` imports neither Qt nor a front end, the window does
not import the command line, the fine-tune panel's, the compare view's and an answer card's words (and the
compare view's data) import no Qt, and the fine-tune's run stands on its parts (the model it trains,
the steps, the losses) and its losses on its log-probabilities, never the other way. Running it here makes the README's test command (what CI runs) fail on a breach."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    # this checkout's package first, whatever the environment's editable install points at
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "10 kept, 0 broken" in done.stdout
