"""gpt2-desk names the missing X11 libraries itself before Qt starts (usertest9 A4)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from desktop_app.cli import gui_launch
from desktop_app.cli.xcb_libs import XCB_LIBRARIES, check_xcb_libraries, platform_is_xcb

X11 = {"DISPLAY": ":0"}


def _without(*missing):
    return lambda soname: soname not in missing


def test_a_missing_soname_is_named_by_its_package_in_one_sentence():
    problem = check_xcb_libraries(X11, loads=_without("libxcb-icccm.so.4", "libxcb-keysyms.so.1"))
    assert problem is not None
    assert "apt-get install libxcb-icccm4 libxcb-keysyms1" in problem
    assert "libxcb-cursor0" not in problem  # installed: not blamed, unlike Qt's own message
    assert problem.count("\n") == 0


def test_nothing_is_said_when_every_library_loads_or_the_platform_is_not_xcb():
    assert check_xcb_libraries(X11, loads=_without()) is None
    for env in ({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}):
        assert check_xcb_libraries(env, loads=_without("libxcb-icccm.so.4")) is None
    assert platform_is_xcb({"QT_QPA_PLATFORM": "xcb"})
    assert not platform_is_xcb(X11, platform="darwin")


def test_gpt2_desk_exits_non_zero_before_making_the_window(monkeypatch, capsys):
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr("desktop_app.cli.xcb_libs._loads", _without("libxcb-keysyms.so.1"))
    monkeypatch.setattr("desktop_app.gui.app.run_app", lambda args: 0)  # must not be reached
    assert gui_launch.launch_gui(SimpleNamespace(screenshot=None)) == 2
    assert "libxcb-keysyms1" in capsys.readouterr().err


def test_the_installer_installs_every_package_the_check_names():
    script = (Path(__file__).parents[1] / "packaging" / "install.sh").read_text()
    listed = re.search(r"XCB_PACKAGES=\(([^)]*)\)", script).group(1).split()
    assert sorted(listed) == sorted(XCB_LIBRARIES.values())
    # for the plain start too: the X libraries are not behind --test
    check = script[script.index("WANTED=()"):script.index('WANTED+=("$pkg")')]
    assert "WITH_TESTS" not in check
