"""LoRA adapter versions: listed from the store, switched, attached to a loaded model.

The folders themselves (written atomically, cleaned up, the training lock) are ``adapter_files``';
its names are imported here too, where callers and tests have always found them. The active
adapter changes only by ``Store.set_active_adapter``, one transaction.

Attaching to the chat model wraps ``loaded.model`` in a PEFT model once; switching adapters
loads the new one beside the old, activates it, then drops the old, all under ``loaded.lock``:
the base weights are never reloaded nor modified.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

# the folders, their cleanup and the training lock live in adapter_files; callers and tests import them from here too
from desktop_app.core.adapter_files import (  # noqa: F401
    BUSY, CLEANUP_HOLDER, CLEANUP_WAIT_S, CONFIG_FILE, LOCK_FILE, META_FILE, RUN_HOLDER, STAGING_PREFIX,
    UNNAMED_WAIT_S, WEIGHTS_FILE, AdapterError, check_adapter_folder, cleanup_at_start, cleanup_staging,
    cleanup_unlisted, save_adapter, training_lock, write_adapter_folder)
from desktop_app.core.errors import UserFacingError
from desktop_app.core.word_cut import clip_at_word

log = logging.getLogger(__name__)


# ------------------------------------------------------------------ listing and switching

def list_adapters(store, base_model: str | None = None, waiting: bool = False) -> list[dict]:
    """The store's adapters (oldest first) with ``present``: whether the folder is intact, and
    ``waiting``: saved from a run the gate discarded, for the person to use anyway, and not used
    yet (train_verdict.decide). Those are left out unless ``waiting``: the history lists what was
    kept or used, and a waiting one is offered on its run's report until used or left."""
    out = []
    for row in store.list_adapters(base_model):
        row["waiting"] = _waits_over_check(store, row)
        row["used_against_check"] = used_against_check(store, row)
        if row["waiting"] and not waiting:
            continue
        try:
            check_adapter_folder(Path(row["path"]))
            row["present"] = True
        except AdapterError:
            row["present"] = False
        out.append(row)
    _note_runs_before(store, out)
    return out


# how a run that left no adapter in the history ended (store.RUN_STATUSES)
ENDED_WITHOUT_ADAPTER = ("cancelled", "failed", "discarded")


def _note_runs_before(store, rows: list[dict]) -> None:
    """Each adapter from a run gets ``runs_before``: the runs numbered after the previous listed adapter's run and
    before its own that left no adapter listed, as (id, status). "Adapter 1 · run 2" read as a miscount when
    run 1 had been cancelled (usertest40): the history says so."""
    listed = {row["run_id"] for row in rows if row.get("run_id") is not None}
    ended = [(run_id, status) for run_id, status in store.run_statuses()
             if status in ENDED_WITHOUT_ADAPTER and run_id not in listed]
    previous = 0
    for row in rows:
        run_id = row.get("run_id")
        if run_id is None:
            continue
        row["runs_before"] = [(i, status) for i, status in ended if previous < i < run_id]
        previous = run_id


def _waits_over_check(store, row: dict) -> bool:
    from desktop_app.core.train_verdict import USE_ANYWAY, waiting_for_consent

    if not (row.get("metrics") or {}).get(USE_ANYWAY) or row.get("run_id") is None:
        return False
    try:
        run = store.get_run(row["run_id"])
    except Exception:  # noqa: BLE001 (its run deleted: nothing waits on it)
        return False
    return run.get("adapter_id") == row["id"] and waiting_for_consent(run, row["id"] if row.get("active") else None)


def used_against_check(store, row: dict) -> str:
    """Why ``row`` is in use against the check's advice, where the person said "Use it anyway" (its run's metrics'
    ``consent``): its run was discarded, or kept but held back for answers it changed to questions never rated;
    "" otherwise. The model card and ``adapters list`` say it (loop108: neither did)."""
    from desktop_app.core.train_verdict import CONSENT_USED, USE_ANYWAY

    if row.get("run_id") is None:
        return ""
    try:
        run = store.get_run(row["run_id"])
    except Exception:  # noqa: BLE001 (its run deleted: nothing recorded)
        return ""
    metrics = run.get("metrics") or {}
    if metrics.get("consent") != CONSENT_USED:
        return ""
    if run.get("status") == "discarded" and metrics.get(USE_ANYWAY):
        return "put in use against the check's advice (Use it anyway): the check discarded its run"
    if metrics.get("facts_changed"):
        return ("put in use against the check's advice (Use it anyway): the check held it back for answers it "
                "changed to questions you never rated")
    return ""


def activate(store, adapter_id: int, base_model: str | None = None) -> dict:
    row = store.get_adapter(adapter_id)
    if base_model is not None and row["base_model"] != base_model:
        raise AdapterError(f"Adapter {adapter_id} was trained on {row['base_model']}, not {base_model}.")
    check_adapter_folder(Path(row["path"]))
    store.set_active_adapter(adapter_id, row["base_model"])
    return store.get_adapter(adapter_id)


def deactivate(store, base_model: str) -> None:
    """Use the base model (no adapter) for ``base_model``."""
    store.set_active_adapter(None, base_model)


def rollback(store, base_model: str, to: int | None = None) -> dict | None:
    """Activate ``to`` (any earlier adapter), or the active adapter's parent. One without a
    parent (a first run's, an imported one) is refused, as the window's Roll back is greyed for
    it: going to the base model is ``deactivate``, said by name. Returns the now-active adapter."""
    if to is not None:
        return activate(store, to, base_model)
    current = store.active_adapter(base_model)
    if current is None:
        raise AdapterError(f"No adapter is active for {base_model}; there is nothing to roll back.")
    parent = current.get("parent_id")
    if parent is None:
        raise AdapterError(f"{label(current, start=True)} was not trained from another adapter: there is nothing to roll "
                           "back to. To use the base model: gpt2-desk adapters deactivate; another adapter: "
                           "gpt2-desk adapters activate ID.")
    return activate(store, parent, base_model)


NAME_CHARS = 60
TRASH_DIR = ".trash"  # under adapters_dir: deleted adapters a window can still bring back


def adapter_name(adapter_id: int | None, name: str | None = None, *, start: bool = False) -> str:
    """What a model wears, named the one way every view and the CLI name it: "adapter 3", "adapter 3
    “terse”" with the person's name for it, "the base model" for none. ``start``: it begins a sentence
    or a label ("Adapter 3 is now in use", the status bar's "Adapter 3"), the only place it takes a
    capital (the window had said "In use: Adapter 2" beside "Fine-tune kept: adapter 2")."""
    if adapter_id is None:
        words = "the base model"
    else:
        words = f"adapter {adapter_id} \u201c{name}\u201d" if name else f"adapter {adapter_id}"
    return words[:1].upper() + words[1:] if start else words


BASE_LABEL = "base"  # the status bar's label with no adapter on: as short as that (800 px windows)


def label(row: dict, *, start: bool = False) -> str:
    """An adapter's row named by ``adapter_name``: its number and its name, if it has one."""
    return adapter_name(row["id"], row.get("name"), start=start)


def rename(store, adapter_id: int, name: str | None) -> dict:
    """Give an adapter a name (one line, at most NAME_CHARS; blank: none)."""
    text = " ".join((name or "").split())
    if len(text) > NAME_CHARS:
        raise AdapterError(f"An adapter name has at most {NAME_CHARS} characters ({len(text)} given).")
    store.rename_adapter(adapter_id, text or None)
    return store.get_adapter(adapter_id)


@dataclass(frozen=True)
class DeletedAdapter:
    """A deleted adapter that ``undo_delete`` can bring back: its row, the adapters that were
    made after it (their link to it was cleared) and where its folder waits."""

    row: dict
    children: tuple
    trash: Path | None
    rescored: tuple = ()  # its re-scored answers: Compare showed them "not scored yet" after an undo


def delete(store, adapter_id: int, trash_dir: Path | None = None) -> DeletedAdapter:
    """Remove the adapter's record and its folder (refused for the active adapter). With
    ``trash_dir`` the folder is moved there instead, so ``undo_delete`` can put it back."""
    row, children = store.get_adapter(adapter_id), tuple(store.child_adapters(adapter_id))
    rescored = tuple(store.rescored_sets(adapter_id)) if trash_dir is not None else ()
    path = store.delete_adapter(adapter_id)
    trash = None
    if path and trash_dir is not None and Path(path).is_dir():
        Path(trash_dir).mkdir(parents=True, exist_ok=True)
        trash = Path(trash_dir) / f"{Path(path).name}-{uuid.uuid4().hex[:6]}"
        try:
            shutil.move(path, trash)  # a rename; a copy when the folder is on another disk
        except OSError as exc:  # the row is gone already: the files go too, as without a trash
            log.warning("could not keep adapter %s's files for undo: %s", adapter_id, exc)
            shutil.rmtree(path, ignore_errors=True)
            trash = None
    elif path:
        shutil.rmtree(path, ignore_errors=True)
    return DeletedAdapter(row, children, trash, rescored if trash is not None else ())


def undo_delete(store, deleted: DeletedAdapter) -> dict:
    """Bring a deleted adapter back: its folder first, then its row (same id, name, links)."""
    path = Path(deleted.row["path"])
    if deleted.trash is None or not deleted.trash.is_dir():
        raise AdapterError(f"Adapter {deleted.row['id']} cannot be brought back: its files are gone.")
    if path.exists():
        raise AdapterError(f"Adapter {deleted.row['id']} cannot be brought back: {path} is taken.")
    shutil.move(deleted.trash, path)
    try:
        store.restore_adapter(deleted.row, deleted.children, deleted.rescored)
    except BaseException:
        shutil.move(path, deleted.trash)
        raise
    return store.get_adapter(deleted.row["id"])


def empty_trash(paths) -> None:
    """Delete for good what the window's Undo can no longer bring back (its session ended)."""
    shutil.rmtree(Path(paths.adapters_dir) / TRASH_DIR, ignore_errors=True)


# ------------------------------------------------------------------ attaching to a loaded model

def _peft_name(adapter_id) -> str:
    return f"a{adapter_id}"


def attach(loaded, path, adapter_id: int | None) -> None:
    """Put the adapter in ``path`` on ``loaded.model`` (replacing any attached one)."""
    from peft import PeftModel

    check_adapter_folder(Path(path))
    name = _peft_name(adapter_id if adapter_id is not None else uuid.uuid4().hex[:6])
    with loaded.lock:
        model = loaded.model
        if isinstance(model, PeftModel):
            old = list(model.peft_config)
            if name not in model.peft_config:
                model.load_adapter(str(path), adapter_name=name, is_trainable=False)
            model.set_adapter(name)
            for other in old:
                if other != name:
                    model.delete_adapter(other)
        else:
            model = PeftModel.from_pretrained(model, str(path), adapter_name=name, is_trainable=False)
            model.to(loaded.device)
        model.eval()
        loaded.model = model
        loaded.adapter_id = adapter_id
        loaded.kept_blocks.clear()  # the base model's or another adapter's keys and values
    log.info("attached adapter %s (%s) to %s", adapter_id, path, loaded.model_id)


COMPARED_PREFIX = "compared"  # the PEFT name of an earlier adapter worn for a comparison: "compared2"


def _compared_peft_name(adapter_id: int) -> str:
    return f"{COMPARED_PREFIX}{adapter_id}"


def kept_earlier(loaded) -> int | None:
    """The id of the earlier adapter kept loaded beside the one in use after a comparison (None: none)."""
    names = [n for n in getattr(loaded.model, "peft_config", None) or {} if n.startswith(COMPARED_PREFIX)]
    return int(names[0][len(COMPARED_PREFIX):]) if names else None


def drop_kept_earlier(loaded) -> None:
    """Let go of the earlier adapter a comparison kept loaded (its adapter deleted, or no longer wanted)."""
    with loaded.lock:
        kept = kept_earlier(loaded)
        if kept is not None:
            loaded.model.delete_adapter(_compared_peft_name(kept))


@contextlib.contextmanager
def wearing_instead(loaded, row: dict):
    """Inside: ``loaded.model``, a PEFT model wearing the adapter in use, reads with adapter ``row``'s
    weights instead (the compare view's "Compared with" an earlier adapter), loaded beside the one in
    use as a second named adapter, so the one in use is never reloaded. The caller holds ``loaded.lock``.
    It stays loaded after (one at most: ``kept_earlier``), as the person compares one answer after
    another with the same adapter and each load read its safetensors again; ``attach`` and ``detach``
    drop it with the adapter in use, ``attach_active`` once its adapter is deleted. Its folder is
    checked first: its weights are the safetensors file, which PEFT reads before any pickle."""
    from peft import PeftModel

    check_adapter_folder(Path(row["path"]))
    model = loaded.model
    if not isinstance(model, PeftModel):
        raise AdapterError("No adapter is in use: there is nothing to compare an earlier adapter with.")
    in_use, name = model.active_adapter, _compared_peft_name(row["id"])
    if kept_earlier(loaded) not in (None, row["id"]):
        drop_kept_earlier(loaded)
    if name not in model.peft_config:
        _load_compared(model, row["path"], name)
    try:
        model.set_adapter(name)
        yield
    finally:
        model.set_adapter(in_use)
        model.eval()


def _load_compared(model, path, name: str) -> None:
    """Load an earlier adapter under ``name``; a load that failed half-way leaves no part of it behind."""
    try:
        model.load_adapter(str(path), adapter_name=name, is_trainable=False)
    except BaseException:
        if name in model.peft_config:
            model.delete_adapter(name)
        raise


def detach(loaded) -> None:
    """Back to the plain base model (the LoRA layers are removed, the base weights untouched)."""
    from peft import PeftModel

    with loaded.lock:
        if isinstance(loaded.model, PeftModel):
            loaded.model = loaded.model.unload()
            loaded.model.eval()
        loaded.adapter_id = None
        loaded.kept_blocks.clear()


def attach_active(loaded, store) -> dict | None:
    """Attach the adapter the person made active for ``loaded.model_id`` (detach when none).
    A missing or broken folder is reported in the log and the base model is used."""
    _drop_kept_if_deleted(loaded, store)
    row = store.active_adapter(loaded.model_id)
    if row is None:
        if loaded.adapter_id is not None:
            detach(loaded)
        return None
    if loaded.adapter_id == row["id"]:
        return row
    try:
        attach(loaded, row["path"], row["id"])
    except AdapterError as exc:
        log.warning("active adapter %s cannot be used: %s", row["id"], exc)
        detach(loaded)
        return None
    return row


def _drop_kept_if_deleted(loaded, store) -> None:
    """The earlier adapter a comparison kept loaded goes once its adapter is deleted (or its files are)."""
    kept = kept_earlier(loaded)
    if kept is None:
        return
    try:
        present = (Path(store.get_adapter(kept)["path"]) / WEIGHTS_FILE).is_file()
    except UserFacingError:  # its row is gone
        present = False
    if not present:
        drop_kept_earlier(loaded)


def switch_to(loaded, store, adapter_id: int | None) -> dict | None:
    """Make ``adapter_id`` (None: the base model) active in the store and on the loaded model."""
    if adapter_id is None:
        deactivate(store, loaded.model_id)
        detach(loaded)
        return None
    row = activate(store, adapter_id, loaded.model_id)
    attach(loaded, row["path"], row["id"])
    return row


def comparison_note(metrics: dict) -> str:
    """What an imported adapter was measured against, and whether it repeats a stored one: a
    "did not move" beside the very same weights is no judgement of them."""
    same, against = metrics.get("same_as"), metrics.get("judged_against")
    whom = f"adapter {against}, the one in use" if against is not None else "the base model, in use"
    note = f"The gate compared it with {whom} when you imported it."
    if same is not None:
        note = (f"It has the same weights as adapter {same} (an identical adapter_model.safetensors). " + note
                + (" Both are the same, so nothing could move." if same == against else ""))
    return note


def stored_label(store, adapter_id: int | None) -> str:
    """``adapter_id`` named as ``label`` names it, with the name the person gave it, read from ``store``: a page
    or a file that travels should say "adapter 3 “terse”", not a bare number; its number alone where its row
    is gone (deleted since), "the base model" for None."""
    if adapter_id is None:
        return adapter_name(None)
    try:
        return label(store.get_adapter(adapter_id))
    except UserFacingError:
        return adapter_name(adapter_id)


FIGURES_NAME_CHARS = 24  # of a long adapter name, what the inspector's "adapter" row shows (the rest in its tooltip)


def figures_adapter(store, adapter_id: int | None) -> tuple[tuple[str, str], dict | None]:
    """Which adapter's figures a token shows, with the store read once: as the adapter history names it,
    ("adapter 1 “terse”", the same) / ("the base model", ...), a long name clipped in the first (a row's room) and
    whole in the second (its tooltip); and as Copy figures' "adapter" says it, {"id": 1, "name": "terse"} (its name
    None where it has none or was deleted since), None for the base model: figures pasted elsewhere said whose they
    were nowhere (left69)."""
    if adapter_id is None:
        return (adapter_name(None), adapter_name(None)), None
    name = _stored_name(store, adapter_id)
    words = adapter_name(adapter_id, clip_at_word(name, FIGURES_NAME_CHARS) or None), adapter_name(adapter_id, name)
    return words, {"id": adapter_id, "name": name}


def _stored_name(store, adapter_id: int) -> str | None:
    try:
        return store.get_adapter(adapter_id).get("name")
    except UserFacingError:  # deleted since: its number is all there is
        return None
