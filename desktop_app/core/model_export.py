"""Take a kept adapter out of the app: as PEFT's adapter folder, as the base model with the
adapter merged in (a transformers folder), or as one GGUF file for llama.cpp, LM Studio
and Ollama.

Every output is written under a temporary name beside the target and renamed in one step,
so a cancelled, failed or disk-full export leaves nothing half-written, and an existing
file or folder is never replaced. The model card written beside each is ``export_card``'s.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import shutil
import stat
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from shlex import quote
from typing import Callable

from desktop_app.core import gguf_export
from desktop_app.core.adapters import CONFIG_FILE, WEIGHTS_FILE, check_adapter_folder, used_against_check
from desktop_app.core.errors import UserFacingError
# the model card and the names it gives the base live in export_card; callers and tests import them from here too
from desktop_app.core.export_card import (  # noqa: F401
    BUNDLED_HUB_ID, GPT2_TOOLS, RATING_COUNT_WORDS, base_by_name, base_gguf_for, changed_facts_lines,
    fetchable_base_name, gguf_usage_lines, hub_id_for, lora_usage_lines, megabytes, model_card, rating_count_lines,
    spec_for_model_id, usage_lines)
from desktop_app.core.gguf_export import ExportCancelled

log = logging.getLogger(__name__)

FORMATS = ("peft", "merged", "gguf", "gguf-lora")
QUANTS = gguf_export.QUANTS
Progress = Callable[[str, int, int], None]


class ExportError(UserFacingError):
    pass


@dataclass
class ExportResult:
    format: str
    path: Path
    bytes: int
    notes: list[str] = field(default_factory=list)
    extra_files: list[Path] = field(default_factory=list)


# ------------------------------------------------------------------ the adapter and its base

def base_folder(model_id: str, paths, progress: Progress | None = None) -> Path:
    from desktop_app.core.model_sources import resolve_spec
    from desktop_app.core.models import check_model_folder, local_folder

    folder = local_folder(resolve_spec(spec_for_model_id(model_id)), paths, progress or (lambda *a: None))
    check_model_folder(folder)
    return folder


def load_merged(folder: Path, adapter_path: Path, progress: Progress | None = None):
    """The base model in float32 with the adapter's LoRA weights folded into it; ``progress``
    hears its three steps (loading, tensor by tensor; adding the adapter; merging)."""
    import warnings

    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from desktop_app.core.load_progress import weights_counted

    report = progress or (lambda *a: None)
    report("Loading the base model", 0, 0)  # reading its config and making its layers: not counted
    with weights_counted(lambda done, total: report("Loading the base model", done, total)):
        base = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, use_safetensors=True,
                                                    trust_remote_code=False)
    report("Adding the adapter", 1, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GPT-2's Conv1D: PEFT notes it sets fan_in_fan_out
        model = PeftModel.from_pretrained(base, str(adapter_path), is_trainable=False)
    report("Merging the adapter into the base model", 2, 3)
    merged = model.merge_and_unload().eval()
    report("Merging the adapter into the base model", 3, 3)
    return merged


# ------------------------------------------------------------------ safe writing

def _check_target(out: Path) -> None:
    if out.exists() or out.is_symlink():
        raise ExportError(f"{out} already exists; choose another name or remove it first.")
    if not out.parent.is_dir():
        # the words `export --out` and `analyse --export-png` use for the same mistake (usertest27)
        raise ExportError(f"There is no folder {out.parent}: create it first, or pick another path.")


def _check_space(out: Path, needed: int) -> None:
    free = shutil.disk_usage(out.parent).free
    if free < needed * 1.05 + 16 * 2**20:
        raise ExportError(f"Not enough disk space in {out.parent}: the export needs about "
                          f"{needed / 2**20:.0f} MB and {free / 2**20:.0f} MB are free.")


@contextlib.contextmanager
def _written_atomically(out: Path):
    """Yields a staging path beside ``out`` (a file or a folder, as the body writes it); it
    becomes ``out`` when the body succeeds and is removed when anything fails."""
    staging = out.with_name(f".tmp-{out.name}-{uuid.uuid4().hex[:8]}")
    try:
        yield staging
        if out.exists():  # appeared while we worked
            raise ExportError(f"{out} appeared while exporting; nothing was replaced.")
        if staging.is_dir():
            _open_like_folder(staging)
        os.replace(staging, out)
    except BaseException:
        if staging.is_dir():
            shutil.rmtree(staging, ignore_errors=True)
        else:
            staging.unlink(missing_ok=True)
        raise


def _open_like_folder(folder: Path) -> None:
    """safetensors writes its files owner-only (0600); an export is for other programs and
    users (Ollama's service, a container), so its files get the folder's (the umask's) read bits."""
    readable = stat.S_IMODE(folder.stat().st_mode) & 0o666
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            path.chmod(stat.S_IMODE(path.stat().st_mode) | readable & 0o444)


def _disk_full(exc: OSError, out: Path) -> ExportError:
    if exc.errno == errno.ENOSPC:
        return ExportError(f"The disk filled up while writing {out}; nothing was kept. Free some space and retry.")
    return ExportError(f"Could not write {out}: {exc.strerror or exc}.")


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _param_count(folder: Path) -> int:
    """Weights in the base model's safetensors files, read from their headers only."""
    from safetensors import safe_open

    total = 0
    for file in folder.glob("*.safetensors"):
        with safe_open(str(file), "np") as handle:
            for key in handle.keys():
                n = 1
                for d in handle.get_slice(key).get_shape():
                    n *= d
                total += n
    return total


# ------------------------------------------------------------------ the three formats

def _export_peft(row: dict, out: Path, report: Progress) -> ExportResult:
    source = Path(row["path"])
    _check_space(out, _size(source))
    with _written_atomically(out) as staging:
        staging.mkdir()
        for name in (CONFIG_FILE, WEIGHTS_FILE):
            shutil.copy2(source / name, staging / name)
        config = json.loads((staging / CONFIG_FILE).read_text())
        hub = hub_id_for(row["base_model"])
        if hub:  # the training copy's local path means nothing on another machine
            config["base_model_name_or_path"] = hub
            (staging / CONFIG_FILE).write_text(json.dumps(config, indent=2, sort_keys=True))
        (staging / "README.md").write_text(model_card(row, "peft", folder_name=out.name), encoding="utf-8")
        report("Writing the adapter", 1, 1)
    trained_on = base_gguf_for(row["base_model"])
    if trained_on is None:
        base = config.get("base_model_name_or_path") or "BASE"
        note = f"Load with PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained({base!r}), {str(out)!r})."
        return ExportResult("peft", out, _size(out), [note])
    return ExportResult("peft", out, _size(out), [_peft_note_over_gguf(row, out, trained_on)])


def _peft_note_over_gguf(row: dict, out: Path, trained_on: Path) -> str:
    """How to load a PEFT export whose base the app read from a GGUF file: over the hub's model by its id, and
    over that GGUF by its name alone (the hub's weights are not the ones it learned on: every figure moves a little)."""
    hub, used = fetchable_base_name(row["base_model"], trained_on)
    over_file = f"AutoModelForCausalLM.from_pretrained(FOLDER, gguf_file={trained_on.name!r})"
    if hub is None:
        return (f"Load with PeftModel.from_pretrained({over_file}, {str(out)!r}), FOLDER holding the base this app "
                f"used: {used} (needs the gguf package).")
    return (f"Load with PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained({hub!r}), {str(out)!r}). "
            f"The base this app used: {used}; over that file ({over_file}, needs the gguf package) its figures "
            f"are the app's, and over the hub's {hub} they differ a little.")


def _sampling_config(staging: Path, sampling) -> None:
    """The app's sampling in generation_config.json: without it transformers' generate()
    decodes greedily, and the merged model answers unlike the app."""
    from transformers import GenerationConfig

    try:
        config = GenerationConfig.from_pretrained(staging)
    except OSError:
        config = GenerationConfig()
    if sampling.is_greedy:
        config.update(do_sample=False, repetition_penalty=sampling.repetition_penalty)
    else:
        config.update(do_sample=True, temperature=sampling.temperature, top_k=sampling.top_k,
                      top_p=sampling.top_p, min_p=sampling.min_p, repetition_penalty=sampling.repetition_penalty)
    config.save_pretrained(staging)


def _export_merged(row: dict, out: Path, folder: Path, report: Progress, cancel, sampling) -> ExportResult:
    from transformers import AutoTokenizer, GenerationConfig

    _check_space(out, 4 * _param_count(folder))
    report("Merging the adapter into the base model", 0, 3)
    model = load_merged(folder, Path(row["path"]))
    _stop_if(cancel)
    with _written_atomically(out) as staging:
        report("Writing the merged model", 1, 3)
        model.save_pretrained(staging, safe_serialization=True)
        _stop_if(cancel)
        AutoTokenizer.from_pretrained(folder).save_pretrained(staging)
        try:
            GenerationConfig.from_pretrained(folder).save_pretrained(staging)
        except OSError:  # no generation_config.json in the base: save_pretrained wrote the model's
            pass
        _sampling_config(staging, sampling)
        (staging / "README.md").write_text(model_card(row, "merged", folder_name=out.name), encoding="utf-8")
        report("Writing the merged model", 2, 3)
        _stop_if(cancel)  # a cancel while the tokenizer and card were written must not keep the folder
    report("Writing the merged model", 3, 3)  # the bar fills under the step it measured
    return ExportResult("merged", out, _size(out), [f"Load with AutoModelForCausalLM.from_pretrained({str(out)!r})."])


def pre_tokenizer_for(model_id: str, config) -> tuple[str, str | None]:
    """llama.cpp's name for the pre-tokenizer (how text is split before BPE), and a note
    when it had to be guessed. A model that came from a GGUF file says it in that file."""
    from desktop_app.core.model_sources import resolve_spec

    source = resolve_spec(spec_for_model_id(model_id)) if model_id.startswith(("gguf:", "bundled:")) else None
    if source is not None and source.kind == "gguf":
        from gguf import GGUFReader

        field = GGUFReader(source.location).fields.get("tokenizer.ggml.pre")
        if field is not None:
            return str(field.contents()), None
    if config.model_type == "gpt2":
        return "gpt-2", None
    if "smollm" in model_id.lower():
        return "smollm", None
    return "default", ("llama.cpp splits text with its default pre-tokenizer for this model; if its "
                       "answers look garbled there, convert the merged export with llama.cpp's converter.")


def card_path_for(gguf: Path) -> Path:
    """The model card written beside a GGUF file ("My model.gguf" -> "My model.README.md")."""
    return gguf.with_name(f"{gguf.stem}.README.md")


def _export_gguf(row: dict, out: Path, folder: Path, quant: str, report: Progress, cancel,
                 sampling) -> ExportResult:
    from transformers import AutoConfig, AutoTokenizer

    config = AutoConfig.from_pretrained(folder)
    gguf_export.check_architecture(config)
    if quant not in QUANTS:
        raise ExportError(f"Unknown GGUF type {quant!r}; use one of {', '.join(QUANTS)}.")
    _check_target(card_path_for(out))
    if config.model_type == "llama":
        _check_target(out.with_suffix(".Modelfile"))
    _check_space(out, int((2.0 if quant == "f16" else 1.07) * _param_count(folder)))
    # reading the base's GGUF header takes seconds (the bundled model: 8 s on one core), and the dialog
    # had said only "Exporting…" over an empty bar until the model loaded (usertest46)
    report("Reading the base model's tokenizer", 0, 0)
    pre, pre_note = pre_tokenizer_for(row["base_model"], config)
    model = load_merged(folder, Path(row["path"]), report)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    _stop_if(cancel)
    with _written_atomically(out) as staging:
        info = gguf_export.write_gguf(model, tokenizer, folder, staging, quant=quant, name=f"gpt2-desk adapter {row['id']}",
                                      pre_tokenizer=pre, progress=report, cancel=cancel)
        report("Checking the written file", 0, 0)
        gguf_export.check_written(staging)
        _stop_if(cancel)  # Cancel (or Esc) during the check kept the file and its Modelfile (usertest46)
    notes, extra = _beside_gguf(row, out, info.architecture == "llama", tokenizer, sampling, quant)
    return ExportResult("gguf", out, out.stat().st_size, [n for n in (pre_note,) if n] + notes, extra)


def _beside_gguf(row: dict, out: Path, llama: bool, tokenizer, sampling, quant: str) -> tuple[list[str], list[Path]]:
    """The files written beside the GGUF (a Llama's Ollama Modelfile; the model card, as a merged folder's
    README: the GGUF had come with a Modelfile alone, which said nothing of what it held) and the notes."""
    from desktop_app.core.ollama import modelfile_for

    notes, extra = [], []
    modelfile_path = out.with_suffix(".Modelfile")
    if llama:
        modelfile_path.write_text(modelfile_for(out.name, tokenizer, sampling), encoding="utf-8")
        extra.append(modelfile_path)
        notes.append(f"Ollama: ollama create my-model -f {quote(modelfile_path.name)} (run it in {out.parent}).")
        notes.append(f"llama.cpp: llama-cli -m {quote(str(out))} (or llama-server -m {quote(str(out))}); "
                     "LM Studio and koboldcpp open the file too.")
    else:
        notes.append(f"A GPT-2 GGUF loads in {GPT2_TOOLS}.")
    card = card_path_for(out)
    card.write_text(model_card(row, "gguf", quant, out.name, out.stat().st_size,
                               modelfile_path.name if llama else None), encoding="utf-8")
    extra.append(card)
    notes.append(f"This app: gpt2-desk --model {quote(str(out))} (its first start converts the file once).")
    return notes, extra


def _lora_notes(row: dict, out: Path) -> list[str]:
    base = base_gguf_for(row["base_model"])
    if base is None:
        return ["llama.cpp applies it over the base model's GGUF: llama-cli -m BASE.gguf --lora "
                f"{quote(str(out))}. This base is not a GGUF file; make one with llama.cpp's convert_hf_to_gguf.py "
                "from the base model's folder, or export this adapter as 'gguf' (merged: one file, no --lora)."]
    hub, used = fetchable_base_name(row["base_model"], base)
    fetch = f"a GGUF of {hub}, the model the adapter was trained on" if hub else "the base model's GGUF"
    return [f"llama.cpp: llama-cli -m {quote(base.name)} --lora {quote(str(out))} (-m: {fetch}; the base this app "
            f"used: {used}; llama-server takes the same --lora)."]


def _export_lora_gguf(row: dict, out: Path, folder: Path, report: Progress, cancel) -> ExportResult:
    from transformers import AutoConfig

    from desktop_app.core import lora_gguf

    source = Path(row["path"])
    card = card_path_for(out)  # what it is, the base it needs, and llama.cpp's --lora, as a GGUF's card says its use
    _check_target(card)
    _check_space(out, 2 * _size(source))
    with _written_atomically(out) as staging:
        lora_gguf.write_lora_gguf(source, AutoConfig.from_pretrained(folder), staging,
                                  name=f"gpt2-desk adapter {row['id']}", progress=report, cancel=cancel)
        report("Checking the written file", 0, 0)
        lora_gguf.check_written_lora(staging)
        _stop_if(cancel)  # a cancel during the check must not keep the file
    card.write_text(model_card(row, "gguf-lora", folder_name=out.name, size=out.stat().st_size), encoding="utf-8")
    return ExportResult("gguf-lora", out, out.stat().st_size, _lora_notes(row, out), [card])


def _stop_if(cancel) -> None:
    if cancel is not None and cancel.is_set():
        raise ExportCancelled()


def _card_row(store, row: dict) -> dict:
    """The adapter's row with what its card says besides: its parent's name and whether the person put it in use
    against the check's advice (adapters.used_against_check)."""
    parent_name = None
    if row.get("parent_id") is not None:
        try:
            parent_name = store.get_adapter(row["parent_id"]).get("name")
        except Exception:  # noqa: BLE001 (the parent deleted since: its id is all there is)
            parent_name = None
    return {**row, "parent_name": parent_name, "used_against_check": used_against_check(store, row)}


def export_adapter(store, adapter_id: int, fmt: str, out, paths, *, quant: str = "f16",
                   progress: Progress | None = None, cancel: threading.Event | None = None,
                   sampling=None) -> ExportResult:
    """Export adapter ``adapter_id`` as ``fmt`` to ``out`` (which must not exist yet). ``sampling``
    (a SamplingSettings; the app's defaults if None) goes into the merged folder's
    generation_config.json and the GGUF's Ollama Modelfile."""
    from desktop_app.core.generation import recommended_sampling

    if fmt not in FORMATS:
        raise ExportError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    report = progress or (lambda *a: None)
    sampling = sampling or recommended_sampling()
    row = _card_row(store, store.get_adapter(adapter_id))
    check_adapter_folder(Path(row["path"]))
    out = Path(out).expanduser().absolute()
    if fmt.startswith("gguf") and out.suffix.lower() != ".gguf":
        raise ExportError(f"A GGUF export is one file: give a name ending in .gguf, not {out.name}.")
    _check_target(out)
    try:
        if fmt == "peft":
            return _export_peft(row, out, report)
        folder = base_folder(row["base_model"], paths, report)
        if fmt == "merged":
            return _export_merged(row, out, folder, report, cancel, sampling)
        if fmt == "gguf-lora":
            return _export_lora_gguf(row, out, folder, report, cancel)
        return _export_gguf(row, out, folder, quant, report, cancel, sampling)
    except OSError as exc:
        raise _disk_full(exc, out) from exc
