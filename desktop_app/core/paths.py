"""Where the app keeps its files: platformdirs by default, one folder when --data-dir is given."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from desktop_app import APP_NAME

DATA_DIR_ENV = "GPT2_DESK_DATA_DIR"
SHARED_CACHE_ENV = "GPT2_DESK_SHARED_CACHE"  # where the bundled model's conversion is shared (tests set it)
INSTALL_COPY_ENV = "GPT2_DESK_INSTALL_COPY"  # where the install keeps its converted models (tests set it)


def install_models_dir() -> Path:
    """Where the install keeps the models it converted once for every user account (core/install_copy.py):
    $GPT2_DESK_INSTALL_COPY, else beside the interpreter's install (a venv's own share/ folder)."""
    chosen = os.environ.get(INSTALL_COPY_ENV)
    return Path(chosen).expanduser() if chosen else Path(sys.prefix) / "share" / "gpt2-desk" / "converted"


def documents_folder() -> Path:
    """The person's Documents folder as platformdirs names it (on Linux XDG's user-dirs, as file managers and Qt
    read them), where or not it exists; never made here (see ``save_dialog_folder``)."""
    return Path(platformdirs.user_documents_dir()).expanduser()


def save_dialog_folder() -> Path:
    """Where a file dialog first opens, every one of the app's alike: the Documents folder, or home where there is
    none. Not made here: a file dialog cannot show a folder that is not there, and one the person cancels must leave
    their home as it was (making ~/Documents for it did, session 68). A dialog that names its own path (the adapter
    export's) offers Documents even so, made once it really saves there (``make_documents_for``). Without a
    Documents folder the adapter export had offered the bare home folder (usertest57)."""
    documents = documents_folder()
    return documents if documents.is_dir() else Path.home()


def make_documents_for(path) -> None:
    """The Documents folder made where ``path`` is to be written straight into it and it is missing (a read-only
    home, a file of that name: left to the save's own error). Only then: a dialog cancelled makes nothing."""
    documents = documents_folder()
    if Path(path).expanduser().parent == documents and not documents.exists():
        try:
            documents.mkdir(parents=True)
        except OSError:
            pass  # the save says why it cannot write there, in its own words


# style sheet, icons and the training probe
def _resources_dir() -> Path:
    """resources/ beside the package (a source checkout, an editable install, the bundle),
    else the copy a wheel installs inside it (desktop_app/resources)."""
    package = Path(__file__).resolve().parents[1]
    beside = package.parent / "resources"
    return beside if (beside / "style.qss").is_file() else package / "resources"


RESOURCES_DIR = _resources_dir()


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    cache_dir: Path
    log_dir: Path
    # the user's own cache, whatever --data-dir says: what is the same for every data folder
    # (the converted bundled model, ~0.5 GB and ~25 s to make) is kept once, here
    shared_cache_dir: Path | None = None
    # the install's converted models, read only (core/install_copy.py); None: none is looked for
    install_dir: Path | None = None

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike | None = None) -> "AppPaths":
        """--data-dir (or $GPT2_DESK_DATA_DIR) moves everything under one folder."""
        chosen = data_dir or os.environ.get(DATA_DIR_ENV)
        shared = os.environ.get(SHARED_CACHE_ENV)
        shared_dir = Path(shared).expanduser() if shared else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
        if chosen:
            root = Path(chosen).expanduser().resolve()
            return cls(root, root / "cache", root / "logs", shared_dir, install_models_dir())
        return cls(
            Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
            install_dir=install_models_dir(),
        )

    @property
    def db_path(self) -> Path:
        return self.data_dir / "gpt2desk.sqlite3"

    @property
    def adapters_dir(self) -> Path:
        return self.data_dir / "adapters"

    @property
    def converted_models_dir(self) -> Path:
        return self.cache_dir / "converted"

    @property
    def shared_converted_dir(self) -> Path:
        return (self.shared_cache_dir or self.cache_dir) / "converted"

    def ensure(self) -> "AppPaths":
        for folder in (self.data_dir, self.cache_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self
