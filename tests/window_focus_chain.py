"""The main window's two Tab orders in words, for tests/test_polish68_window_build.py: Qt's own focus chain
(the order widgets were made and placed, which Tab follows where the window's ring does not reach) and the
window's ring (gui/focus_order.py, what Tab follows from the prompt). Building the window with fewer
reparentings changes the order widgets are made in, so both are kept in tests/fixtures/ (as recorded before
polish68) and compared.

    PYTHONPATH=. python tests/window_focus_chain.py > tests/fixtures/polish68_focus_chain.txt   (write it again)
"""

from __future__ import annotations

import os
import sys
import tempfile


def describe(widget) -> str:
    """objectName, else the class, with the words the widget shows (a button's text, a box's placeholder)."""
    name = widget.objectName() or type(widget).__name__
    words = ""
    for reader in ("text", "placeholderText", "title", "toolTip"):
        value = getattr(widget, reader, None)
        if callable(value):
            try:
                words = value()
            except TypeError:  # a text() that needs arguments (a QTabBar's)
                continue
            if isinstance(words, str) and words:
                break
    return f"{name} {words[:40]!r}".replace("\n", " ")


def qt_chain(window) -> list[str]:
    """Qt's focus chain from the window round to it, the widgets Tab can stop at."""
    from PySide6.QtCore import Qt

    stops, widget = [], window.nextInFocusChain()
    while widget is not None and widget is not window:
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.focusProxy() is None:
            stops.append(describe(widget))
        widget = widget.nextInFocusChain()
    return stops


def ring(window) -> list[str]:
    from desktop_app.gui import focus_order

    return [describe(widget) for widget in focus_order.ring(window)]


def both_orders(window) -> str:
    """Both orders, one stop a line, under a heading each."""
    return "\n".join(["# the window's ring (gui/focus_order.py)", *ring(window),
                      "# Qt's focus chain", *qt_chain(window)]) + "\n"


def fresh_window(data_dir=None):
    """A first start's window on an empty data folder (``data_dir``, else the app's: a test's own), no model,
    1280x800, shown."""
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.gui.main_window import MainWindow

    paths = AppPaths.resolve(data_dir).ensure()
    window = MainWindow(Store.open(paths.db_path), paths, autoload=False)
    window.ask_before_quit = False
    window.resize(1280, 800)
    window.show()
    return window


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desktop_app.gui.app import make_app

    app = make_app(dark=False)
    shown = fresh_window(tempfile.mkdtemp(prefix="focus-chain-"))
    app.processEvents()
    sys.stdout.write(both_orders(shown))
    shown.close()
