"""What the large-font icon rule (``theme.icon_rules``, an ``icon-size`` rule the style sheet gains above 9 pt) costs
a window, against the same sheet without it.

Under an application font above 9 pt (GNOME's 11 pt, KDE's 10 pt) the sheet ends with one rule growing the icons of
buttons, tabs, item views, combo boxes and menus; Qt's own style-sheet style reads it, no Python runs per paint (the
Python proxy style it replaced, icons68, painted 1.63 times slower than plain Fusion at 11 pt). In one process, at an
11 pt font, alternately: a main window (no model, a fresh data folder) built, shown and painted ``--paints`` times
under Fusion and the sheet without the rule ("plain"), then the same with it ("rule"). Prints per round, with the
Send button's icon side to show the rule is in force, and the last lines (CPU seconds of this process: on a shared
machine steadier than the wall clock)
    build_s: X                       (median seconds to build and show one window, with the rule)
    plain_build_s: Y                 (the same, the sheet without it)
    build_rule_vs_plain_ratio: X / Y
    paint_rule_vs_plain_ratio: the same for ``--paints`` paints of the built window
    paint_rule_vs_plain_fastest_ratio: the fastest round's paints, with the rule and without (other load slows rounds)

    QT_QPA_PLATFORM=offscreen python bench/icon_style_cost.py [--rounds 5] [--paints 10] [--points 11]
"""

from __future__ import annotations

import argparse
import os
import time

from _common import figure, load_average, median
from window_build import build_window, close, event_counter

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def one_round(app, counter, sheet: str, paints: int) -> tuple[float, float, int]:
    """(CPU seconds to build and show one window under ``sheet``, to paint it ``paints`` times, Send's icon side)."""
    app.setStyleSheet(sheet)
    app.processEvents()
    start = time.process_time()
    window = build_window(counter)[2]
    app.processEvents()
    built = time.process_time()
    for _ in range(paints):
        window.grab()
    painted = time.process_time()
    side = window.send_button.iconSize().width()
    close(app, window)
    return built - start, painted - built, side


def sheets(points: float) -> dict[str, str]:
    """The app's light sheet at ``points``, with its icon rule ("rule") and without it ("plain")."""
    from PySide6.QtWidgets import QApplication

    from desktop_app.gui.theme import font_scale, icon_rules, style_sheet

    font = QApplication.font()
    font.setPointSizeF(points)
    QApplication.setFont(font)
    with_rule = style_sheet(False)
    rule = icon_rules(font_scale())
    if not rule or not with_rule.endswith(rule):
        raise SystemExit(f"no icon rule at {points} pt: nothing to compare")
    return {"plain": with_rule[: -len(rule)], "rule": with_rule}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--paints", type=int, default=10)
    parser.add_argument("--points", type=float, default=11.0)
    args = parser.parse_args()
    from desktop_app.gui.app import make_app

    app = make_app(dark=False)
    sheet = sheets(args.points)
    counter = event_counter()
    close(app, build_window(counter)[2])  # imports and caches what every later window reuses
    seconds = {"plain": [], "rule": []}
    paint = {"plain": [], "rule": []}
    for round_number in range(args.rounds):
        for name in ("plain", "rule"):
            took, painting, side = one_round(app, counter, sheet[name], args.paints)
            seconds[name].append(took)
            paint[name].append(painting)
            print(f"round {round_number + 1} {name}: built {took:.3f} s, painted {painting:.3f} s, "
                  f"Send's icon {side} px ({load_average()})", flush=True)
    figure("build_s", median(seconds["rule"]), 3)
    figure("plain_build_s", median(seconds["plain"]), 3)
    figure("build_rule_vs_plain_ratio", median(seconds["rule"]) / median(seconds["plain"]))
    figure("paint_rule_vs_plain_ratio", median(paint["rule"]) / median(paint["plain"]))
    figure("paint_rule_vs_plain_fastest_ratio", min(paint["rule"]) / min(paint["plain"]))  # the least disturbed rounds


if __name__ == "__main__":
    main()
