"""LoRA adapter folders on disk: written atomically, cleaned up after a killed process, and the training lock.

On disk each kept adapter is a folder under ``AppPaths.adapters_dir`` holding PEFT's
``adapter_config.json`` + ``adapter_model.safetensors`` and our ``gpt2desk-adapter.json``.
It is written into a ``.tmp-*`` folder first and renamed in one step; only then is it recorded
in the store. So a process killed mid-write leaves a ``.tmp-*`` folder (removed by
``cleanup_staging``) and never a half-written adapter that is listed. One fine-tune at a time
holds a data folder's ``training_lock``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Collection

from desktop_app.core.errors import UserFacingError

log = logging.getLogger(__name__)

META_FILE = "gpt2desk-adapter.json"
WEIGHTS_FILE = "adapter_model.safetensors"
CONFIG_FILE = "adapter_config.json"
STAGING_PREFIX = ".tmp-"


class AdapterError(UserFacingError):
    pass


# ------------------------------------------------------------------ writing

def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_adapter_folder(peft_model, adapters_dir: Path, name: str, meta: dict, *, adapter_name: str = "default") -> Path:
    """Save the adapter into ``adapters_dir/.tmp-…``, fsync it, and rename it to ``name``."""
    adapters_dir = Path(adapters_dir)
    adapters_dir.mkdir(parents=True, exist_ok=True)
    staging = adapters_dir / f"{STAGING_PREFIX}{name}-{uuid.uuid4().hex[:8]}"
    target = adapters_dir / name
    if target.exists():
        raise AdapterError(f"An adapter folder {target} already exists.")
    try:
        peft_model.save_pretrained(str(staging), selected_adapters=[adapter_name], safe_serialization=True)
        source = staging / adapter_name if adapter_name != "default" else staging
        if source != staging:  # PEFT puts non-default adapters in a subfolder: flatten
            for item in source.iterdir():
                os.replace(item, staging / item.name)
            source.rmdir()
        (staging / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True, default=str))
        for item in staging.iterdir():
            with open(item, "rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(staging)
        check_adapter_folder(staging)
        os.replace(staging, target)
        _fsync_dir(adapters_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def check_adapter_folder(folder: Path) -> None:
    folder = Path(folder)
    for name in (CONFIG_FILE, WEIGHTS_FILE):
        if not (folder / name).is_file():
            raise AdapterError(f"The adapter folder {folder} is incomplete (no {name}).")


def save_adapter(store, peft_model, paths, *, base_model: str, run_id: int | None, parent_id: int | None,
                 settings: dict, metrics: dict, adapter_name: str = "default") -> int:
    """Write the adapter atomically, then record it; returns its id (not yet active)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = f"run{run_id}-{stamp}-{uuid.uuid4().hex[:6]}" if run_id is not None else f"adapter-{stamp}-{uuid.uuid4().hex[:6]}"
    meta = {"base_model": base_model, "run_id": run_id, "parent_id": parent_id, "settings": settings,
            "metrics": metrics, "created": stamp}
    folder = write_adapter_folder(peft_model, paths.adapters_dir, name, meta, adapter_name=adapter_name)
    try:
        return store.add_adapter(str(folder), base_model=base_model, parent_id=parent_id, run_id=run_id,
                                 settings=settings, metrics=metrics)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def cleanup_staging(paths, older_than_s: float = 3600.0) -> list[Path]:
    """Remove ``.tmp-*`` folders left by a killed run (only old ones: a live run may own a new one)."""
    removed = []
    folder = Path(paths.adapters_dir)
    if not folder.is_dir():
        return removed
    now = time.time()
    for item in folder.iterdir():
        if item.name.startswith(STAGING_PREFIX) and now - item.stat().st_mtime >= older_than_s:
            shutil.rmtree(item, ignore_errors=True)
            removed.append(item)
    return removed


def cleanup_unlisted(store, paths, older_than_s: float = 3600.0, runs_over: Collection[int] = ()) -> list[Path]:
    """Remove adapter folders no adapter row names: a process killed between moving a finished adapter
    into place and recording it (an import, or a run) left one, which nothing lists and nothing would
    ever remove (robust101). Only folders the app wrote (they hold META_FILE), and only old ones: a live
    import or run records its folder within moments of moving it in; or, at any age, one written by a
    run in ``runs_over`` (runs known to be over: none of them will record a folder any more, robust104).
    A folder is named by a row when a row's folder has its name, wherever that row says the folder is: a
    data folder copied or moved elsewhere keeps its rows' old full paths, and its adapters must not look
    unlisted."""
    listed = {Path(a["path"]).name for a in store.list_adapters()}
    now, removed, over = time.time(), [], set(runs_over)
    for item in _unlisted_folders(paths, listed):
        if now - item.stat().st_mtime >= older_than_s or _written_by_run(item) in over:
            log.warning("removing %s: an adapter folder no adapter names (its process was killed)", item)
            shutil.rmtree(item, ignore_errors=True)
            removed.append(item)
    return removed


def _unlisted_folders(paths, listed: set[str]) -> list[Path]:
    """The app's finished adapter folders (META_FILE in them, not a ``.tmp-`` one) no name of ``listed`` is."""
    folder = Path(paths.adapters_dir)
    if not folder.is_dir():
        return []
    return [item for item in folder.iterdir()
            if item.is_dir() and not item.name.startswith(STAGING_PREFIX) and (item / META_FILE).is_file()
            and item.name not in listed]


def _written_by_run(folder: Path) -> int | None:
    """The run whose adapter ``folder`` holds, from its META_FILE (None: an import's, or unreadable)."""
    try:
        run_id = json.loads((folder / META_FILE).read_text()).get("run_id")
    except (OSError, ValueError, AttributeError):
        return None
    return run_id if isinstance(run_id, int) else None


def cleanup_at_start(store, paths) -> list[Path]:
    """The app's start (the window's, a fine-tune's): the folders of runs killed before they recorded
    their adapter go at once, not an hour later at the next import. With no fine-tune holding this data
    folder's training lock, every run is over (one left "running" was killed); while another process's
    run holds it, only the runs that ended are, and the rest wait for the age rule."""
    if not _unlisted_folders(paths, {Path(a["path"]).name for a in store.list_adapters()}):
        return []  # (nothing to remove: the lock is not even tried)
    try:
        with training_lock(paths, holder=CLEANUP_HOLDER):
            return cleanup_unlisted(store, paths, runs_over=[run_id for run_id, _status in store.run_statuses()])
    except (AdapterError, OSError):  # a live run (another process), or a folder the lock cannot be made in
        ended = [run_id for run_id, status in store.run_statuses() if status != "running"]
        return cleanup_unlisted(store, paths, runs_over=ended)


LOCK_FILE = ".training.lock"
RUN_HOLDER, CLEANUP_HOLDER = "run", "cleanup"  # who holds the lock, written in its file
# how long a fine-tune's start waits while the lock is not a run's: the start-up cleanup holds it for
# milliseconds, and a run started at that moment had been told another fine-tune was running (robust108)
CLEANUP_WAIT_S = 5.0
# a holder writes its name microseconds after it locks: one still unnamed after this is an older version's run,
# which names itself never and holds the lock for minutes; the start said so only after CLEANUP_WAIT_S (arch70)
UNNAMED_WAIT_S = 0.25
BUSY = "Another fine-tune is already running on this data folder."


@contextlib.contextmanager
def training_lock(paths, busy_error: type[Exception] = AdapterError, holder: str = RUN_HOLDER):
    """One fine-tune at a time per data folder. The OS drops the lock if the process dies;
    a run that ends removes the file (no empty lock file stays behind). The file is removed
    while still locked, and a run that locked a removed file tries again, so two runs never
    hold locks on two different files. ``holder`` is written in the file: a run finding the
    lock held by the start-up cleanup, or by a run that is ending (it removes the file), waits for it,
    up to CLEANUP_WAIT_S; by a holder that names itself never (an older version's run) hardly at all
    (``_patience``); the cleanup waits for nothing."""
    folder = Path(paths.adapters_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    handle = _locked_file(path, busy_error, CLEANUP_WAIT_S if holder == RUN_HOLDER else 0.0)
    handle.seek(0)
    handle.truncate()
    handle.write(holder)
    handle.flush()
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        handle.close()


def _locked_file(path: Path, busy_error: type[Exception], wait_s: float):
    """``path`` opened and locked (flock, exclusive), retried while its holder may let go soon, for up to
    ``wait_s`` (``_patience``); busy_error at once where a run holds it."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory lock
        return open(path, "a+")
    started, swaps = time.monotonic(), 0
    while swaps < 5:
        handle = open(path, "a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            if time.monotonic() - started >= _patience(path, wait_s):
                raise busy_error(BUSY) from None
            time.sleep(0.02)  # a cleanup's few milliseconds (or one that has not written its name yet)
            continue
        try:
            if os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino:
                return handle  # locked the file that is there now
        except FileNotFoundError:
            pass
        handle.close()  # a finishing run removed it meanwhile: lock the new one
        swaps += 1
    raise busy_error(BUSY)


def _patience(path: Path, wait_s: float) -> float:
    """How long a start waits for the lock at ``path`` to be let go, by its holder: none for a run; up to
    ``wait_s`` for the start-up cleanup (milliseconds) and for a run that is ending (it removed the file);
    a moment for one that has not named itself (one that just locked, or an older version's run, which never
    does and holds it for minutes: waiting out ``wait_s`` only put off saying so)."""
    holder = _holder(path)
    if holder == RUN_HOLDER:
        return 0.0
    return wait_s if holder in (CLEANUP_HOLDER, None) else min(wait_s, UNNAMED_WAIT_S)


def _holder(path: Path) -> str | None:
    """Who holds the lock at ``path``, as its file says ("": not said yet, or an older version's run;
    None: the file is gone, removed by a run that is ending)."""
    try:
        return path.read_text(errors="replace").strip()
    except FileNotFoundError:
        return None
    except OSError:
        return ""
