"""What the large-font icon style (``theme.IconsWithTheFont``, a Python ``QProxyStyle``) costs a window.

Under an application font above 9 pt (GNOME's 11 pt, KDE's 10 pt) the app sets a proxy of Fusion whose
``pixelMetric`` runs in Python at every layout and paint. In one process, alternately, at an 11 pt font:
a main window (no model, a fresh data folder) built, shown and painted ``--paints`` times with plain Fusion
("fusion"), then the same with the proxy ("proxy"). Prints per round and the last lines
    pixel_metric_calls_per_window: N   (the proxy's Python calls while one window is built and painted)
    build_s: X                         (median seconds to build and show one window, proxy)
    fusion_build_s: Y                  (the same, plain Fusion)
    build_proxy_vs_fusion_ratio: X / Y
    paint_proxy_vs_fusion_ratio: the same for ``--paints`` paints of the built window

    QT_QPA_PLATFORM=offscreen python bench/icon_style_cost.py [--rounds 5] [--paints 10] [--points 11]
"""

from __future__ import annotations

import argparse
import os
import time

from _common import figure, load_average, median
from window_build import build_window, close, event_counter

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def counting_proxy(scale: float):
    """IconsWithTheFont counting its pixelMetric calls in ``calls``."""
    from desktop_app.gui.theme import IconsWithTheFont

    class Counting(IconsWithTheFont):
        calls = 0

        def pixelMetric(self, metric, option=None, widget=None) -> int:
            Counting.calls += 1
            return super().pixelMetric(metric, option, widget)

    return Counting(scale)


def one_round(app, counter, style, paints: int) -> tuple[float, float]:
    """(seconds to build and show one window under ``style``, seconds to paint it ``paints`` times)."""
    app.setStyle(style)
    app.processEvents()
    start = time.perf_counter()
    window = build_window(counter)[2]
    app.processEvents()
    built = time.perf_counter()
    for _ in range(paints):
        window.grab()
    painted = time.perf_counter()
    close(app, window)
    return built - start, painted - built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--paints", type=int, default=10)
    parser.add_argument("--points", type=float, default=11.0)
    args = parser.parse_args()
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    from desktop_app.gui.app import make_app
    from desktop_app.gui.theme import font_scale

    app = make_app(dark=False)
    font = QApplication.font()
    font.setPointSizeF(args.points)
    QApplication.setFont(font)
    proxy_class = type(counting_proxy(font_scale()))  # a new one each round: setStyle deletes the one it replaces
    counter = event_counter()
    close(app, build_window(counter)[2])  # imports and caches what every later window reuses
    seconds = {"fusion": [], "proxy": []}
    paint = {"fusion": [], "proxy": []}
    for round_number in range(args.rounds):
        for name in ("fusion", "proxy"):
            before = proxy_class.calls
            style = "Fusion" if name == "fusion" else proxy_class(font_scale())
            took, painting = one_round(app, counter, style, args.paints)
            seconds[name].append(took)
            paint[name].append(painting)
            calls = proxy_class.calls - before
            print(f"round {round_number + 1} {name}: built {took:.3f} s, painted {painting:.3f} s, {calls} pixelMetric calls ({load_average()})",
                  flush=True)
    figure("pixel_metric_calls_per_window", calls, 0)
    figure("build_s", median(seconds["proxy"]), 3)
    figure("fusion_build_s", median(seconds["fusion"]), 3)
    figure("build_proxy_vs_fusion_ratio", median(seconds["proxy"]) / median(seconds["fusion"]))
    figure("paint_proxy_vs_fusion_ratio", median(paint["proxy"]) / median(paint["fusion"]))


if __name__ == "__main__":
    main()
