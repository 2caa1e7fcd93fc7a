"""The real main window for the bench scripts that measure it (ui_latency.py, training_lag.py):
opened on a data folder of its own, a model loaded through the app's loader, a fine-tune stopped.

Its imports of Qt and the app are inside the functions, so a script sets ``QT_QPA_PLATFORM``
before the first of them runs.
"""

from __future__ import annotations

import tempfile

import _common  # noqa: F401  (the repository and tests/ on the path)


def open_window(prefix: str):
    """``(app, paths, window)``: the window on a fresh data folder (``prefix`` names it), no model
    loaded yet, 1280x800 and shown."""
    from desktop_app.core.paths import AppPaths
    from desktop_app.core.store import Store
    from desktop_app.gui.app import make_app
    from desktop_app.gui.main_window import MainWindow

    app = make_app(dark=False)
    paths = AppPaths.resolve(tempfile.mkdtemp(prefix=prefix)).ensure()
    window = MainWindow(Store.open(paths.db_path), paths, autoload=False)
    window.resize(1280, 800)
    window.show()
    return app, paths, window


def load_model(window, spec: str) -> bool:
    """Load ``spec`` as the window does and wait for it; False (its message printed) when it failed."""
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()
    window.chat.model_loaded.connect(lambda _loaded: loop.quit())
    window.chat.model_failed.connect(lambda message: (print(message), loop.quit()))
    window.load_model(spec)
    loop.exec()
    return window.chat.loaded is not None


def stop_finetune(window) -> None:
    """Cancel the window's fine-tune, if one runs, and wait until it has ended."""
    from PySide6.QtCore import QEventLoop

    if not window.finetune.running:
        return
    ended = QEventLoop()
    window.finetune.finished.connect(lambda _r: ended.quit())
    window.finetune.failed.connect(lambda _m: ended.quit())
    window.finetune.cancel()
    ended.exec()
