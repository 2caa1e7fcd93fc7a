"""Building the main window: how often its widgets are polished again, and what that costs.

Under the application's style sheet every reparenting of a widget (``setParent``, a layout of another
parent taking it, ``QScrollArea.setWidget``, ``QTabWidget.addTab``, ``QSplitter.addWidget``) sends
``QEvent.StyleChange`` to the whole subtree moved and polishes again the widgets in it already polished.
A window built into its final parents sends about one StyleChange per widget.

In one process, alternately: a real main window (no model, a fresh data folder, as a first start)
built and shown under the app's style sheet ("sheet"), then one built with the style sheet cleared
("bare"), where nothing is polished again: the lower bound of what building the same widgets costs.
An event filter on the QApplication counts StyleChange and Polish events during each construction.
Compare two checkouts by running this file in each (copy it into the other): the counts are exact, the
seconds are noisy on a shared machine, the ratio to the bare build less so.
Prints per round and the last lines
    style_changes_per_window: N     (StyleChange events while one window is built, with the sheet)
    polishes_per_window: N          (Polish events likewise)
    widgets_per_window: N
    build_s: X                      (median seconds to construct one window, with the sheet)
    bare_build_s: Y                 (the same, the style sheet cleared)
    build_vs_bare_ratio: X / Y

    QT_QPA_PLATFORM=offscreen python bench/window_build.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter

from _common import figure, load_average, median

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def event_counter():
    """An event filter (install it on the app) counting StyleChange and Polish events in ``counts``."""
    from PySide6.QtCore import QEvent, QObject

    watched = (QEvent.Type.StyleChange, QEvent.Type.Polish)

    class Counting(QObject):
        counts: Counter = Counter()

        def eventFilter(self, _watched, event):
            if event.type() in watched:
                self.counts[event.type().name] += 1
            return False

    return Counting()


def build_window(counter):
    """(seconds to construct the window, its event counts, the window shown)."""
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.gui.main_window import MainWindow

    paths = AppPaths.resolve(tempfile.mkdtemp(prefix="window-build-")).ensure()
    store = Store.open(paths.db_path)
    counter.counts.clear()
    start = time.perf_counter()
    window = MainWindow(store, paths, autoload=False)
    seconds = time.perf_counter() - start
    counts = Counter(counter.counts)
    window.resize(1280, 800)
    window.show()
    return seconds, counts, window


def close(app, window) -> None:
    from PySide6.QtCore import QEvent

    app.processEvents()  # what the window queued for itself runs while it is there
    window.ask_before_quit = False
    window.close()
    window.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()


def one_round(app, counter, sheet: str, bare: bool) -> tuple[float, Counter, int]:
    """One window built (with the style sheet, or with none) and closed: (seconds, counts, widgets)."""
    from PySide6.QtWidgets import QWidget

    app.setStyleSheet("" if bare else sheet)
    seconds, counts, window = build_window(counter)
    app.processEvents()
    widgets = len(window.findChildren(QWidget))
    close(app, window)
    return seconds, counts, widgets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from desktop_app.gui.app import make_app

    app = make_app(dark=False)
    sheet = app.styleSheet()
    counter = event_counter()
    app.installEventFilter(counter)
    close(app, build_window(counter)[2])  # the first window imports and caches what every later one reuses
    seconds = {False: [], True: []}
    for round_number in range(args.rounds):
        for bare in (False, True):
            took, counts, widgets = one_round(app, counter, sheet, bare)
            seconds[bare].append(took)
            print(f"round {round_number + 1} {'bare ' if bare else 'sheet'}: {took:.3f} s, "
                  f"{counts['StyleChange']} StyleChange, {counts['Polish']} Polish, {widgets} widgets  "
                  f"({load_average()})", flush=True)
            if not bare:
                sheet_counts, sheet_widgets = counts, widgets
    app.setStyleSheet(sheet)
    figure("style_changes_per_window", sheet_counts["StyleChange"], 0)
    figure("polishes_per_window", sheet_counts["Polish"], 0)
    figure("widgets_per_window", sheet_widgets, 0)
    figure("build_s", median(seconds[False]), 3)
    figure("bare_build_s", median(seconds[True]), 3)
    figure("build_vs_bare_ratio", median(seconds[False]) / median(seconds[True]))


if __name__ == "__main__":
    main()
