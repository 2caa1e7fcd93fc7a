"""Where a "Save as" dialog opens: the folder the person last saved an export to, else their
Documents folder (core.paths.save_dialog_folder: home where there is none; never made for a dialog), never the
process's working folder (a source checkout, a launcher's folder). Remembered in the window's settings. Adapters
keep a folder of their own (``ADAPTERS``): where the last one was imported from or exported to."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from desktop_app.core.paths import documents_folder, save_dialog_folder

KEY = "export_dir"
ADAPTERS = "adapter_dir"  # the adapter history's Import… and Export…


def _settings(window):
    top = window.window() if window is not None else None
    return getattr(top, "settings", None)


def start_folder(window, key: str = KEY, typed: bool = False) -> Path:
    """The folder last saved to under ``key``, else where exports went, else Documents (home where it is missing,
    as a file dialog cannot open in a folder that is not there). ``typed``: for a path the dialog itself names and
    writes (the adapter export's), Documents even where missing: it is made when the export really writes there
    (core.paths.make_documents_for), rather than offering a model of hundreds of MB among the dotfiles."""
    settings = _settings(window)
    last = settings.value(key, "") if settings is not None else ""
    if last and Path(last).is_dir():
        return Path(last)
    if key != KEY:  # none of its own yet: where exports go
        return start_folder(window, typed=typed)
    return documents_folder() if typed else save_dialog_folder()


def suggested(window, name: str) -> str:
    """``name`` in the folder a save dialog should open in."""
    return str(start_folder(window) / name)


def remember(window, path, key: str = KEY) -> None:
    """The folder of a path the person chose (an adapter folder's: the folder holding it): the
    next dialog opens there."""
    settings = _settings(window)
    if settings is not None and path:
        settings.setValue(key, str(Path(path).parent))


def ask_save_path(parent, title: str, name: str, pattern: str) -> str:
    """The path a "Save as" dialog (opened in ``start_folder`` on ``name``) was given, "" when
    cancelled; remembered for the next. A name typed without an extension gets ``name``'s: Qt's own
    dialog saved "after_fix" as a file with none, which no viewer opened as the PNG it is (usertest49)."""
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested(parent, name), pattern)
    if path and not Path(path).suffix:
        path += Path(name).suffix
    remember(parent, path)
    return path
