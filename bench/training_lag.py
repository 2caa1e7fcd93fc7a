"""How slowly the window answers while a fine-tune runs, against idle, and whether the GIL's switch
interval or the training's thread team changes it (usertest 21: menus opened in 3-5 s during a
fine-tune on a busy CPU, and nothing said why).

The real main window with the bundled model (the app's own loader), 8 rated answers, a fine-tune
started from the Fine-tune panel as a click does. Two probes on the GUI thread, both Python, as the
window's own handlers are: a 10 ms QTimer (the event loop's lag: each tick's interval) and a menu of
12 actions popped up every 250 ms through the event loop (as a click does) and timed to its first paint.
The two conditions of ``--variant`` take turns in slots of ``--slot`` seconds over the same run, so a
phase of the run (the model copy, the reference pass, the steps) and the machine's other load fall on
each alike; ``idle`` is measured before the run starts:

- ``switch``: ``a`` Python's GIL switch interval (5 ms), ``b`` 0.5 ms (the training thread runs Python
  between its torch ops and the window's handlers need the GIL: a shorter interval hands it over sooner);
- ``team``: ``a`` the training's intra-op team forced to 2 threads, ``b`` to 1 (under ``taskset -c 0``
  the team of 2 shares the window's core, as a team of every core does on a busy machine).

    QT_QPA_PLATFORM=xcb taskset -c 0 python bench/training_lag.py [--variant switch|team] [--seconds 120]

Summary lines: ``tick_lag_ratio_<idle|a|b>`` (mean tick interval / idle's), ``menu_ms_<idle|a|b>`` (median
milliseconds from the popup's request to its paint), ``menu_p90_ms_<...>``, ``menu_ratio_a_b``.
Measured (session 46, 2 busy cores, this process on one): see the branch's commit; in short the window's
thread is not what is slow, so the Fine-tune panel says the window may answer slowly (progress_words.SLOW_WINDOW).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time

import _common
from _window import load_model, open_window, stop_finetune

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

TICK_MS = 10
MENU_EVERY_MS = 250


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=150, help="how long to measure during the fine-tune")
    p.add_argument("--slot", type=float, default=2.0, help="seconds of one condition before the next takes over")
    p.add_argument("--ratings", type=int, default=8)
    p.add_argument("--model", default="bundled")
    p.add_argument("--variant", choices=("switch", "team"), default="switch")
    return p.parse_args()


class Probes:
    """The 10 ms ticks and the menu's popups, each recorded under the condition in force."""

    def __init__(self):
        from PySide6.QtCore import QPoint, QTimer
        from PySide6.QtWidgets import QMenu

        probes = self

        class TimedMenu(QMenu):
            def paintEvent(self, event):
                super().paintEvent(event)
                if probes.asked is not None:
                    probes.menus.setdefault(probes.condition, []).append((time.perf_counter() - probes.asked) * 1000)
                    probes.asked = None
                    QTimer.singleShot(0, self.hide)

        self.menu = TimedMenu()
        for i in range(12):
            self.menu.addAction(f"Action {i + 1}\u2026")
        self.condition, self.asked, self.last_tick = "idle", None, None
        self.ticks: dict[str, list[float]] = {}
        self.menus: dict[str, list[float]] = {}
        self.tick_timer = QTimer()
        self.tick_timer.setInterval(TICK_MS)
        self.tick_timer.timeout.connect(self._tick)
        self.menu_timer = QTimer()
        self.menu_timer.setInterval(MENU_EVERY_MS)
        self.menu_timer.timeout.connect(self._ask_menu)
        self.point = QPoint(200, 200)

    def start(self) -> None:
        self.tick_timer.start()
        self.menu_timer.start()

    def stop(self) -> None:
        self.tick_timer.stop()
        self.menu_timer.stop()

    def switch_to(self, condition: str) -> None:
        self.condition, self.last_tick, self.asked = condition, None, None
        self.menu.hide()

    def _tick(self) -> None:
        now = time.perf_counter()
        if self.last_tick is not None:
            self.ticks.setdefault(self.condition, []).append((now - self.last_tick) * 1000)
        self.last_tick = now

    def _ask_menu(self) -> None:
        from PySide6.QtCore import QTimer

        if self.asked is None and not self.menu.isVisible():
            self.asked = time.perf_counter()  # the popup goes through the event loop, as a click's press does
            QTimer.singleShot(0, lambda: self.menu.popup(self.point))


def wait(seconds: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


SWITCH_S = {"a": 0.005, "b": 0.0005}  # Python's own, and a tenth of it
TEAM = {"a": 2, "b": 1}
FORCED = {"team": None}  # the team every ``threads.limited`` gives, under --variant team


def force_the_team() -> None:
    """``core.threads.limited`` (every step's and reference batch's team) gives FORCED's team instead."""
    import contextlib

    import torch

    from desktop_app.core import threads

    @contextlib.contextmanager
    def limited(_asked):
        before = torch.get_num_threads()
        torch.set_num_threads(FORCED["team"])
        try:
            yield FORCED["team"]
        finally:
            torch.set_num_threads(before)

    threads.limited = limited


def take_turns(probes: Probes, window, variant: str, seconds: float, slot: float) -> None:
    """"a" and "b" in turns of ``slot`` seconds for ``seconds``, switched by a timer: the window's own
    nested event loops would hold a wait's return, and its slot with it."""
    from PySide6.QtCore import QEventLoop, QTimer

    turns = itertools.cycle(("a", "b"))
    start, loop = time.perf_counter(), QEventLoop()

    def next_turn() -> None:
        if time.perf_counter() - start > seconds or not window.finetune.running:
            loop.quit()
            return
        condition = next(turns)
        if variant == "switch":
            sys.setswitchinterval(SWITCH_S[condition])
        else:
            FORCED["team"] = TEAM[condition]  # from the next step or batch on
        probes.switch_to(condition)

    timer = QTimer()
    timer.setInterval(int(slot * 1000))
    timer.timeout.connect(next_turn)
    next_turn()
    timer.start()
    loop.exec()
    timer.stop()
    sys.setswitchinterval(SWITCH_S["a"])


def rated_window(model: str, ratings: int):
    """The window with ``model`` loaded and ``ratings`` rated answers in its store, counted."""
    from finetune_time import rated_store

    app, paths, window = open_window("training-lag-")
    if not load_model(window, model):
        raise SystemExit("the model did not load")
    rated_store(window.chat.loaded, paths, ratings).close()
    window.writer.recount()
    window.writer.wait()
    app.processEvents()
    return app, window


def report(probes: Probes) -> None:
    idle = statistics.mean(probes.ticks["idle"])
    for condition in ("idle", "a", "b"):
        ticks, menus = probes.ticks.get(condition, []), probes.menus.get(condition, [])
        if not ticks or not menus:
            continue
        print(f"  {condition}: {len(ticks)} ticks, mean {statistics.mean(ticks):.1f} ms, longest {max(ticks):.0f} ms; "
              f"{len(menus)} menus, median {statistics.median(menus):.0f} ms, longest {max(menus):.0f} ms", flush=True)
        _common.figure(f"tick_lag_ratio_{condition}", statistics.mean(ticks) / idle)
        _common.figure(f"menu_ms_{condition}", statistics.median(menus), 0)
        _common.figure(f"menu_p90_ms_{condition}", statistics.quantiles(menus, n=10)[-1], 0)
    if probes.menus.get("a") and probes.menus.get("b"):
        _common.figure("menu_ratio_a_b", statistics.mean(probes.menus["a"]) / statistics.mean(probes.menus["b"]))


def main() -> int:
    args = parse_args()
    from desktop_app.core import threads
    from desktop_app.core.train_settings import FineTuneSettings

    if args.variant == "team":
        FORCED["team"] = TEAM["a"]
        force_the_team()
    app, window = rated_window(args.model, args.ratings)
    print(f"  {window.chat.loaded.describe()}; {threads.usable_cores()} usable cores; variant {args.variant}; "
          f"{_common.load_average()}", flush=True)
    probes = Probes()
    probes.start()
    wait(4 * args.slot)  # idle
    window.finetune_panel.set_settings(FineTuneSettings(min_steps=400, max_steps=400))  # it outlasts the measuring
    window.show_finetune()
    if not window.finetune_panel.start():
        raise SystemExit("the fine-tune did not start")
    take_turns(probes, window, args.variant, args.seconds, args.slot)
    probes.stop()
    print(f"  the run was at: {window.finetune_panel.phase_label.text()}; {_common.load_average()}", flush=True)
    stop_finetune(window)
    report(probes)
    window.chat.shutdown()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
