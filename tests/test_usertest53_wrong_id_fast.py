"""`gpt2-desk explain 999 --token 1` (an id that is not there) started PyTorch before it said "There is no
message 999": seconds of nothing, then the one-line refusal (usertest53: 2.7-4.4 s on the bundled model's
machine). The refusal now comes before PyTorch is imported. Run in a fresh interpreter: the test process
has PyTorch loaded already."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PROGRAM = """
import json, sys
from desktop_app.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "torch": "torch" in sys.modules}))
"""


def _run(tmp_path, *argv: str) -> tuple[dict, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", PROGRAM, *argv, "--data-dir", str(tmp_path / "data")],
                          capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_explain_refuses_a_wrong_message_id_before_starting_pytorch(tmp_path):
    result, err = _run(tmp_path, "explain", "999", "--token", "1")
    assert result["code"] == 2
    assert err.strip().startswith("gpt2-desk: There is no message 999")
    assert result["torch"] is False


def test_probe_refuses_a_wrong_message_id_before_starting_pytorch(tmp_path):
    result, err = _run(tmp_path, "probe", "999", "Paris", "--token", "1")
    assert result["code"] == 2 and "There is no message 999" in err
    assert result["torch"] is False
