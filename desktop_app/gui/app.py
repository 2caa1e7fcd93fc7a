"""Application start: Qt app, theme, the database (with a way out of a bad file), the
main window, and the headless ``--screenshot`` mode."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

log = logging.getLogger(__name__)


def open_store_interactive(db_path, *, ask: bool = True):
    """Open the store; on a corrupt file, offer to recover what can be read into a fresh one or to move it
    aside (never overwrite); any other refusal (a newer version's file, another program's database) is said
    in a dialog, then raised."""
    from PySide6.QtWidgets import QMessageBox

    from desktop_app.core.store import CorruptDatabaseError, Store, StoreError

    try:
        return Store.open(db_path)
    except CorruptDatabaseError as exc:
        if not ask:
            raise
        box, move, recover = corrupt_database_box(exc)
        box.exec()
        if box.clickedButton() not in (move, recover):
            raise
        words = recovered_words(db_path) if box.clickedButton() is recover else moved_aside_words(
            Store.move_aside(db_path))
        QMessageBox.information(None, "gpt2-desk", words)
        return Store.open(db_path)
    except StoreError as exc:
        if ask:  # a window started from a menu has no terminal for stderr
            QMessageBox.critical(None, "gpt2-desk: the database cannot be opened", str(exc))
        raise


def corrupt_database_box(exc):
    """The question asked about a bad database: a plain sentence, SQLite's words under
    "Show Details…". Returns (box, its "Move it aside" button, its "Recover" button)."""
    from PySide6.QtWidgets import QMessageBox

    text = (f"{exc.plain}\n\nYour earlier conversations are still in that file. Recover copies every row that "
            "can still be read into a fresh database; Move it aside starts with an empty one. Either way the "
            "damaged file is kept next to it, renamed, and nothing in it is changed.")
    box = QMessageBox(QMessageBox.Icon.Warning, "gpt2-desk: the database cannot be read", text)
    if exc.detail:
        box.setDetailedText(f"SQLite said:\n{exc.detail}")
    recover = box.addButton("Recover what can be read", QMessageBox.ButtonRole.AcceptRole)
    move = box.addButton("Move it aside and start fresh", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(recover)
    return box, move, recover


def recovered_words(db_path) -> str:
    """The damaged database recovered (core/store_recovery.py, no sqlite3 tool needed): what was kept; where
    nothing could be read, the damaged file is aside all the same and the app starts with an empty one."""
    from desktop_app.core.store import StoreError
    from desktop_app.core.store_recovery import recover_moved_aside, recovery_words

    try:
        return recovery_words(recover_moved_aside(db_path))
    except StoreError as exc:
        return f"Nothing could be recovered: {exc} The app starts with an empty database."


def moved_aside_words(backup) -> str:
    return (f"The old file was kept as {backup}. Your earlier conversations, ratings and fine-tune history are in "
            "it: keep it as a backup. What can still be read of it can be copied into a database of its own "
            f"later: gpt2-desk recover \"{backup}\" --out recovered.sqlite3, then gpt2-desk --db recovered.sqlite3.")


def screenshot_size(text: str | None) -> tuple[int, int]:
    """"800x600" -> (800, 600); the default 1280x800 for nothing or a typo."""
    try:
        width, height = (int(x) for x in (text or "").lower().split("x"))
        return max(320, width), max(240, height)
    except ValueError:
        return 1280, 800


def make_app(argv=None, dark: bool | None = None):
    from PySide6.QtWidgets import QApplication

    from desktop_app import APP_NAME, APP_TITLE
    from desktop_app.gui.theme import apply_theme, follows_system, icon

    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    app.setDesktopFileName(APP_NAME)
    apply_theme(app, dark)
    app.setProperty("gpt2desk_theme_fixed", dark is not None)  # --dark or a screenshot: Settings' choice waits
    app.setWindowIcon(icon("app"))
    if dark is None:  # follow the system when it switches, unless Settings chose light or dark
        try:
            app.styleHints().colorSchemeChanged.connect(lambda _scheme: follows_system(app) and apply_theme(app, None))
        except AttributeError:
            pass
    return app


def run_app(args) -> int:
    screenshot = getattr(args, "screenshot", None)
    _prepare_environment(offscreen=bool(screenshot))
    dark = True if getattr(args, "dark", False) else None
    if screenshot and dark is None:
        dark = False  # screenshots are reproducible: light unless --dark
    app = make_app([sys.argv[0], *getattr(args, "qt_options", [])], dark=dark)  # -platform xcb, -reverse …
    from desktop_app.core.errors import UserFacingError

    lock = None
    if not screenshot and getattr(args, "paths", None) is not None:
        from desktop_app.gui.instance_lock import take_data_lock

        lock = take_data_lock(args.paths.data_dir)
        if lock is None:
            return 1

    try:
        store = open_store_interactive(args.db, ask=not screenshot)
    except UserFacingError as exc:
        print(f"gpt2-desk: {exc}", file=sys.stderr)
        return 2
    window = _main_window(store, args, autoload=not screenshot)
    if screenshot:
        return _run_screenshot(app, window, store, args)
    return _run_window(app, window, store, lock)


def _prepare_environment(offscreen: bool) -> None:
    if offscreen and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        from desktop_app.core.logs import quiet_libraries

        quiet_libraries()
    except Exception:  # pragma: no cover
        pass


def _main_window(store, args, autoload: bool):
    from desktop_app.gui.main_window import MainWindow

    window = MainWindow(store, args.paths, model_spec=getattr(args, "model", None),
                        device=getattr(args, "device", "auto") or "auto", autoload=autoload,
                        precision=None if getattr(args, "precision", "auto") == "auto" else args.precision)
    from desktop_app.core.memory import settle_heap

    settle_heap()  # what start-up imported and built lives as long as the app
    return window


def _run_screenshot(app, window, store, args) -> int:
    from desktop_app.gui.screenshot import ScreenshotRun

    screenshot = Path(args.screenshot)
    run = ScreenshotRun(window, screenshot, prompt=getattr(args, "screenshot_prompt", None),
                        rate=getattr(args, "screenshot_rate", None), view=getattr(args, "screenshot_view", None))
    window.resize(*screenshot_size(getattr(args, "screenshot_size", None)))
    window.show()
    run.start()  # opens the model once it listens
    _exec(app)
    window.ask_before_quit = False  # timed out mid-fine-tune: no one is there to answer
    window.close()
    store.close()
    code = 0
    if run.error:
        print(f"gpt2-desk: {run.error}", file=sys.stderr)
        code = 1
    else:
        print(f"saved {screenshot}")
    if window.unfinished_lanes:  # timed out mid-explain on a busy machine: end as the window does
        _exit_now(window.unfinished_lanes, code)
    return code


def _run_window(app, window, store, lock) -> int:
    from desktop_app.gui import window_state
    from desktop_app.gui.slot_errors import SlotErrors
    from desktop_app.gui.quit_signals import QuitOnSignal
    from desktop_app.gui.window_gone import close_if_still_open, quit_without_window

    slot_errors = SlotErrors(window)
    quit_on_signal = QuitOnSignal(window, lambda: quit_without_window(window))  # SIGTERM: as Quit, no question
    window_state.show_at_start(window)  # a small screen's first start: maximized
    code = _exec(app)
    close_if_still_open(window)  # the loop ended with no close (a broken X connection): quit as Quit does
    quit_on_signal.uninstall()
    slot_errors.uninstall()
    store.close()
    if lock is not None and lock.isLocked():
        lock.unlock()
    if window.unfinished_lanes:
        _exit_now(window.unfinished_lanes, code)
    return code


def _exit_now(lanes: list[str], code: int) -> None:
    """A lane's thread still runs after closing waited for it (a pass of torch that does not
    return): the interpreter's shutdown would abort in torch's threads ("terminate called
    without an active exception"), so the process ends here. Its fine-tune stays "running" in
    the database and the next start records it as interrupted."""
    import logging

    logging.getLogger(__name__).warning("quitting while the %s lane still runs", ", ".join(lanes))
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _exec(app) -> int:
    """``app.exec()``, dropping a quit request it leaves queued. Quitting with a window open
    closes it, and the last window closing posts a second Quit while the loop still runs;
    the loop ends on the first. Delivered later by a bare ``processEvents()`` (pytest-qt runs
    one after every test), the leftover Quit sets the thread's "quit now" flag with no loop
    to clear it, and from then on every ``QEventLoop.exec()`` (each ``qtbot.waitSignal``)
    returns at once: no queued signal from a worker thread arrives again in that process."""
    from PySide6.QtCore import QCoreApplication, QEvent

    code = app.exec()
    QCoreApplication.removePostedEvents(app, QEvent.Type.Quit)
    return code
