"""Applying the theme in use again: what a start that restores "Light" on a light system, a
Settings choice of the theme already shown, and every GUI test's window opening did before
session 57 (the whole style sheet set again, every widget re-polished, every icon drawn again),
against applying it now (the theme in use is left as it is).

In one process, interleaved: a real main window (no model) stays open while the theme is applied
again, and its next window is then opened; "before" forgets that the theme is in use and the
drawn icons, as the old ``apply_theme`` did. Prints per round and the last lines
    theme_again_ratio: X          (applying the theme in use again: now / before)
    window_after_theme_ratio: Y   (that plus opening the next window: now / before)

    QT_QPA_PLATFORM=offscreen python bench/theme_again.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from _common import figure, load_average, median

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def open_window():
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.gui.main_window import MainWindow

    paths = AppPaths.resolve(tempfile.mkdtemp(prefix="theme-again-")).ensure()
    window = MainWindow(Store.open(paths.db_path), paths, autoload=False)
    window.resize(1280, 800)
    window.show()
    return window


def close(app, window) -> None:
    from PySide6.QtCore import QEvent

    window.ask_before_quit = False
    window.close()
    window.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def one_round(app, window, before: bool) -> tuple[float, float, object]:
    """(seconds to apply the theme again, seconds to that and the next window, the next window)."""
    from desktop_app.gui import theme

    if before:  # the old apply_theme: nothing remembered
        app.setProperty("gpt2desk_dark", None)
        theme._icon_in_theme.cache_clear()
    start = time.perf_counter()
    theme.apply_theme(app, dark=False)
    applied = time.perf_counter() - start
    app.processEvents()
    close(app, window)
    following = open_window()
    app.processEvents()
    return applied, time.perf_counter() - start, following


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from desktop_app.gui.app import make_app

    app = make_app(dark=False)
    window = open_window()
    times = {True: ([], []), False: ([], [])}
    for round_number in range(args.rounds):
        for before in (True, False):
            applied, whole, window = one_round(app, window, before)
            times[before][0].append(applied)
            times[before][1].append(whole)
            print(f"round {round_number + 1} {'before' if before else 'now   '}: theme {applied:.3f} s, "
                  f"with the next window {whole:.3f} s  ({load_average()})", flush=True)
    close(app, window)
    figure("theme_again_ratio", median(times[False][0]) / median(times[True][0]), 3)
    figure("window_after_theme_ratio", median(times[False][1]) / median(times[True][1]))


if __name__ == "__main__":
    main()
