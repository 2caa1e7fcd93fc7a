"""A plain (non-editable) wheel carries the resources the app reads at run time."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_carries_resources_and_the_app_finds_them(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path / "dist")], check=True, capture_output=True, timeout=300)
    (wheel,) = (tmp_path / "dist").glob("gpt2_desk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("desktop_app/resources/style.qss", "desktop_app/resources/probe.txt",
                   "desktop_app/resources/icons/send.svg", "desktop_app/resources/icons/gpt2-desk-256.png"):
        assert needed in names
    assert not any("screenshots" in n or n.startswith("tests/") for n in names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run(
        [sys.executable, "-c", "import desktop_app.core.paths as p; print(p.__file__); print(p.RESOURCES_DIR)"],
        check=True, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60).stdout.split("\n")
    assert out[0].startswith(str(site))  # the installed copy, not the checkout
    resources = Path(out[1])
    assert resources == site / "desktop_app" / "resources"
    assert (resources / "style.qss").read_text() == (ROOT / "resources" / "style.qss").read_text()
