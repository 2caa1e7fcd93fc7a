"""loop108 (usertest57): without a Documents folder the adapter export offered the bare home folder
(~/adapter-1-merged, a model of hundreds of MB among the dotfiles). Every save dialog of the app starts in one
folder, core.paths.documents_folder: the Documents folder platformdirs names, made where it is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.paths import documents_folder


@pytest.fixture
def home_without_documents(tmp_path, monkeypatch) -> Path:
    """A HOME with no Documents folder and no user-dirs.dirs naming one (the tests' own XDG_DOCUMENTS_DIR unset)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    return home


def test_the_documents_folder_is_made_where_it_is_missing(home_without_documents):
    assert documents_folder() == home_without_documents / "Documents"
    assert (home_without_documents / "Documents").is_dir()


def test_the_adapter_export_and_the_other_save_dialogs_start_there(home_without_documents, qtbot):
    pytest.importorskip("PySide6")
    from desktop_app.gui import save_folder
    from desktop_app.gui.adapter_export import ExportDialog

    dialog = ExportDialog(None, None, 1, lane=None)  # nothing runs: the suggested path only
    qtbot.addWidget(dialog)
    documents = home_without_documents / "Documents"
    assert Path(dialog.path.text()).parent == documents, dialog.path.text()
    assert Path(save_folder.suggested(dialog, "chat.md")).parent == documents


def test_a_documents_folder_that_cannot_be_made_leaves_home(home_without_documents):
    (home_without_documents / "Documents").write_text("a file, not a folder")
    assert documents_folder() == home_without_documents
