"""loop108 (usertest57): without a Documents folder the adapter export offered the bare home folder
(~/adapter-1-merged, a model of hundreds of MB among the dotfiles). Every save dialog of the app starts in one
folder, core.paths.documents_folder: the Documents folder platformdirs names. loose69: a dialog no longer makes it
(a cancelled one had left ~/Documents behind): a file dialog opens in home where it is missing, and the adapter
export, which names its own path, offers Documents and makes it only when it writes there."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.paths import documents_folder, make_documents_for, save_dialog_folder


@pytest.fixture
def home_without_documents(tmp_path, monkeypatch) -> Path:
    """A HOME with no Documents folder and no user-dirs.dirs naming one (the tests' own XDG_DOCUMENTS_DIR unset)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    return home


def test_a_file_dialog_opens_in_home_where_documents_is_missing_and_makes_nothing(home_without_documents, qtbot):
    pytest.importorskip("PySide6")
    from PySide6.QtWidgets import QWidget

    from desktop_app.gui import save_folder

    parent = QWidget()
    qtbot.addWidget(parent)
    assert documents_folder() == home_without_documents / "Documents"
    assert save_dialog_folder() == home_without_documents
    assert Path(save_folder.suggested(parent, "chat.md")).parent == home_without_documents
    assert save_folder.start_folder(parent, save_folder.ADAPTERS) == home_without_documents, "the adapters' Import…"
    assert not (home_without_documents / "Documents").exists(), "a dialog (cancelled or not) made ~/Documents"


def test_a_file_dialog_opens_in_documents_where_it_is(home_without_documents):
    (home_without_documents / "Documents").mkdir()
    assert save_dialog_folder() == home_without_documents / "Documents"


def test_the_adapter_export_offers_documents_and_makes_it_only_when_it_writes(home_without_documents, qtbot):
    pytest.importorskip("PySide6")
    from desktop_app.gui.adapter_export import ExportDialog

    dialog = ExportDialog(None, None, 1, lane=None)  # nothing runs: the suggested path only
    qtbot.addWidget(dialog)
    documents = home_without_documents / "Documents"
    assert Path(dialog.path.text()).parent == documents, dialog.path.text()
    assert not documents.exists(), "offering the path made the folder"
    make_documents_for(home_without_documents / "elsewhere" / "adapter-1-peft")
    assert not documents.exists(), "a path elsewhere makes no Documents folder"
    make_documents_for(dialog.path.text())  # what Export does before it writes
    assert documents.is_dir()


def test_a_documents_name_taken_by_a_file_leaves_home(home_without_documents):
    (home_without_documents / "Documents").write_text("a file, not a folder")
    assert save_dialog_folder() == home_without_documents
    make_documents_for(home_without_documents / "Documents" / "chat.md")  # the save says why, not this
    assert (home_without_documents / "Documents").is_file()
