"""Before Qt starts on X11: are the system libraries its xcb plugin links against there?

Qt's own message, when one of them is missing, always names libxcb-cursor0 (its 6.5 hint),
even when that one is installed and libxcb-icccm4 is what is missing. This check names
the real packages in one sentence, before the QApplication is made.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable

# soname the plugin (libqxcb.so / libQt6XcbQpa.so.6) needs -> Debian/Ubuntu package.
# packaging/install.sh installs the same list: keep the two in step.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


def platform_is_xcb(environ=os.environ, platform: str = sys.platform) -> bool:
    """Whether Qt will pick its xcb (X11) plugin: on Linux, asked for, or X without Wayland."""
    if platform != "linux":
        return False
    asked = environ.get("QT_QPA_PLATFORM", "")
    if asked:
        return asked.split(";")[0].startswith("xcb")
    return bool(environ.get("DISPLAY")) and not environ.get("WAYLAND_DISPLAY")


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_xcb_packages(loads: Callable[[str], bool] | None = None) -> list[str]:
    """The packages whose library cannot be loaded, in the table's order."""
    loads = loads or _loads
    return [package for soname, package in XCB_LIBRARIES.items() if not loads(soname)]


def missing_xcb_sentence(packages: list[str]) -> str:
    return ("gpt2-desk: the window cannot open because Qt's X11 (xcb) plugin needs system libraries "
            f"that are not installed; install them with: sudo apt-get install {' '.join(packages)}")


def check_xcb_libraries(environ=os.environ, loads: Callable[[str], bool] | None = None) -> str | None:
    """The sentence to print when the xcb plugin cannot load here; None when all is well."""
    if not platform_is_xcb(environ):
        return None
    packages = missing_xcb_packages(loads)
    return missing_xcb_sentence(packages) if packages else None


if __name__ == "__main__":  # packaging/install.sh, where dpkg cannot say what is installed
    missing = missing_xcb_packages() if sys.platform == "linux" else []
    if missing:
        print(missing_xcb_sentence(missing).replace("sudo apt-get install", "install (Debian names)"),
              file=sys.stderr)
    sys.exit(1 if missing else 0)
