"""Does the window stay responsive while a 5 MB text is opened and analysed?

The real main window (offscreen) with the tests' tiny GPT-2 (a real byte-level tokenizer;
the model's size does not change what the GUI thread does), a generated text of --mb
megabytes opened as a file in Text mode. A 5 ms QTimer ticks on the GUI thread; the longest
gap between ticks is how long the window could not answer. Then Cancel is clicked.

Prints:
    open_file_ms: N                how long the Open call held the GUI thread (the file is read and
                                   stored on the store lane), and when the text was shown
    event_loop_gap_long_text: N ms the longest gap while the text is read and analysed
                                   (after opening), for --seconds (target: under 100 ms)
    cancel_latency_ms: N           from clicking Cancel to the part analysed being shown
    progress_reports: N            progress updates the window got (reading, then windows)

    QT_QPA_PLATFORM=offscreen python bench/text_responsive.py [--mb 5] [--seconds 20] [--one-line]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SENTENCE = "The lighthouse keeper climbed the stairs every evening to light the lamp, {n} times."


def wait(app, until, seconds: float) -> bool:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        if until():
            return True
        time.sleep(0.002)
    return until()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=20.0, help="how long to watch the analysis before Cancel")
    parser.add_argument("--one-line", action="store_true", help="the whole text in one line (no paragraphs)")
    args = parser.parse_args()

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.gui.main_window import MainWindow
    from tiny_model import build_tiny_model

    tmp = Path(tempfile.mkdtemp(prefix="text-responsive-"))
    os.environ["GPT2_DESK_DATA_DIR"] = str(tmp / "data")
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")
    folder = build_tiny_model(tmp / "tiny")
    text_file = tmp / "long.txt"
    chunks, size, n = [], 0, 0
    while size < args.mb * 1e6:  # paragraphs of ten sentences (--one-line: one 5 MB line)
        chunks.append(SENTENCE.format(n=n) + (" " if args.one_line or n % 10 != 9 else "\n\n"))
        size += len(chunks[-1])
        n += 1
    text_file.write_text("".join(chunks), encoding="utf-8")

    app = QApplication.instance() or QApplication([])
    paths = AppPaths.resolve().ensure()
    store = Store.open(paths.db_path)
    window = MainWindow(store, paths, model_spec=str(folder), device="cpu")
    window.show()
    assert wait(app, lambda: window.chat.loaded is not None, 120), "the model did not load"
    window.set_mode("text")
    view, controller = window.text_view, window.text
    assert wait(app, lambda: not controller.opening, 60), "the Text tab did not open its first text"
    shown: list[float] = []
    controller.opened.connect(lambda _document: shown.append(time.perf_counter()))
    reports, stopped = [], []
    controller.analyse_progress.connect(lambda p: reports.append((time.perf_counter(), p)))
    controller.analysis_stopped.connect(lambda scored, _s: stopped.append((time.perf_counter(), scored)))

    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    start = time.perf_counter()
    assert view.open_file(str(text_file))
    opened = time.perf_counter()
    ticks.append(opened)
    wait(app, lambda: False, args.seconds)
    gap = max((b - a for a, b in zip(ticks, ticks[1:]) if a >= opened), default=0.0)
    scoring_from = next((t for t, p in reports if p.stage == "scoring"), clicked_never := float("inf"))
    reading_gap = max((b - a for a, b in zip(ticks, ticks[1:]) if opened <= a < scoring_from), default=0.0)
    scoring_gap = max((b - a for a, b in zip(ticks, ticks[1:]) if a >= scoring_from), default=0.0)
    clicked = time.perf_counter()
    view.summary_panel.cancel_button.click()
    wait(app, lambda: bool(stopped), 120)
    timer.stop()
    last = reports[-1][1] if reports else None
    print(f"text: {size / 1e6:.1f} MB; last progress: {last}; load average {os.getloadavg()[0]:.1f}")
    print(f"open_file_ms: {(opened - start) * 1000:.0f}  (shown after {(shown[0] - start) * 1000:.0f} ms)"
          if shown else f"open_file_ms: {(opened - start) * 1000:.0f}  (not shown)")
    print(f"event_loop_gap_long_text: {gap * 1000:.0f} ms  (reading the text: {reading_gap * 1000:.0f} ms, "
          f"scoring: {scoring_gap * 1000:.0f} ms{'' if scoring_from < clicked_never else ', not reached'})")
    if stopped:
        print(f"cancel_latency_ms: {(stopped[0][0] - clicked) * 1000:.0f}  "
              f"({len(stopped[0][1].records):,} tokens analysed and shown)")
    else:
        print("cancel_latency_ms: (no stop within 120 s)")
    print(f"progress_reports: {len(reports)}")
    window.close()
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
