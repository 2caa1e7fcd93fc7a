"""A runnable HF TRL training script, written beside an exported ratings file, for training
on a machine with more (or many) GPUs: the same objectives as the app (KTO for thumbs; DPO
plus a likelihood term on the chosen answer for pairs; plain SFT), LoRA on all linear
layers, and the app's learning settings (``train_settings.FineTuneSettings``) at export time,
with the batch size, number of updates, learning rate and KTO class weights chosen from the exported
examples by the app's own rule (``train_schedule.plan``), unless a setting fixes them.

The script is plain text with the settings filled in; it needs torch, transformers, peft,
trl, datasets and accelerate, and runs as ``python train.py`` or ``accelerate launch train.py``.
"""

from __future__ import annotations

import json
import pprint
from pathlib import Path

from desktop_app.core.prompts import ASSISTANT_PREFIX, USER_PREFIX
from desktop_app.core.train_schedule import plan

OBJECTIVES = {
    "kto": "KTO on thumbs up/down (TRL KTOTrainer, loss_type 'kto')",
    "dpo": "DPO plus a likelihood (SFT) term on the chosen answer (TRL DPOTrainer, loss_type ['sigmoid', 'sft'])",
    "sft": "supervised fine-tuning on liked and corrected answers (TRL SFTTrainer, loss on the answer only)",
}
# The app's plain transcript (core.prompts) as a chat template, for models that have none (GPT-2).
TRANSCRIPT_TEMPLATE = (
    "{% for m in messages %}{% if m['role'] == 'system' %}{{ m['content'] | trim }}\n\n"
    "{% elif m['role'] == 'user' %}" + USER_PREFIX + "{{ m['content'] | trim }}\n"
    "{% else %}" + ASSISTANT_PREFIX + " {{ m['content'] | trim }}\n{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}" + ASSISTANT_PREFIX + "{% endif %}")
SETTING_KEYS = ("lora_r", "lora_alpha", "lora_dropout", "target_modules", "beta", "seed", "sft_weight",
                "max_grad_norm")

SCRIPT = '''#!/usr/bin/env python
"""Train a LoRA adapter on ratings exported from GPT-2 Desk, with HF TRL.

Objective: __OBJECTIVE__.
Data: __DATASET_NAME__ (beside this script). Settings: the app's fine-tune settings (SETTINGS below).

    python __NAME__                                   # one GPU, or the CPU
    accelerate launch --num_processes 8 __NAME__      # many GPUs (accelerate config for several machines)

The adapter lands in OUTPUT_DIR/adapter; bring it back into the app with
    gpt2-desk adapters import OUTPUT_DIR/adapter --model __MODEL_SPEC__
Needs: torch, transformers, peft, trl, datasets, accelerate.
"""

import argparse
import math
from pathlib import Path

FORMAT = __FORMAT__
BASE_MODEL = __BASE_MODEL__
DATASET = Path(__file__).with_name(__DATASET__)
SETTINGS = __SETTINGS__
TRANSCRIPT_TEMPLATE = __TEMPLATE__
TRL_FIELDS = ("prompt", "completion", "label", "chosen", "rejected")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default=BASE_MODEL, help="hub id or folder of the base model")
    p.add_argument("--data", default=str(DATASET))
    p.add_argument("--output-dir", default="gpt2-desk-trl")
    p.add_argument("--max-steps", type=int, default=None, help="default: the app's number of updates")
    p.add_argument("--lr", type=float, default=SETTINGS["lr"])
    p.add_argument("--batch-size", type=int, default=None, help="per device; default: the app's batch over the devices")
    p.add_argument("--cpu", action="store_true", help="train on the CPU even when a GPU is present")
    return p.parse_args()


def per_device_batch(world_size):
    """The app's batch (SETTINGS["batch_size"], chosen from the examples) split over the devices."""
    return max(1, math.ceil(SETTINGS["batch_size"] / world_size))


def main():
    import torch
    from accelerate import PartialState
    from datasets import load_dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer

    args = parse_args()
    data = load_dataset("json", data_files=args.data, split="train")
    # the app's own keys (a correction's "source", a kto row's "thread") are for its import only
    data = data.select_columns([c for c in TRL_FIELDS if c in data.column_names])
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    if not tokenizer.chat_template:  # GPT-2: the app's plain "User:/Assistant:" transcript
        tokenizer.chat_template = TRANSCRIPT_TEMPLATE
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32, use_safetensors=True)
    lora = LoraConfig(r=SETTINGS["lora_r"], lora_alpha=SETTINGS["lora_alpha"], lora_dropout=SETTINGS["lora_dropout"],
                      target_modules=SETTINGS["target_modules"], task_type="CAUSAL_LM")
    gpu = torch.cuda.is_available() and not args.cpu
    batch_size = args.batch_size or per_device_batch(PartialState().num_processes)
    steps = args.max_steps or SETTINGS["updates"]
    common = dict(output_dir=args.output_dir, per_device_train_batch_size=batch_size, max_steps=steps,
                  learning_rate=args.lr, lr_scheduler_type="linear", max_grad_norm=SETTINGS["max_grad_norm"],
                  seed=SETTINGS["seed"], bf16=gpu and torch.cuda.is_bf16_supported(), use_cpu=not gpu,
                  logging_steps=1, save_strategy="no", report_to=[])
    if FORMAT == "kto":
        from trl import KTOConfig, KTOTrainer as Trainer

        config = KTOConfig(beta=SETTINGS["beta"], desirable_weight=SETTINGS["desirable_weight"],
                           undesirable_weight=SETTINGS["undesirable_weight"], **common)
    elif FORMAT == "dpo":
        from trl import DPOConfig, DPOTrainer as Trainer

        config = DPOConfig(beta=SETTINGS["beta"], loss_type=["sigmoid", "sft"],
                           loss_weights=[1.0, SETTINGS["sft_weight"]], **common)
    else:
        from trl import SFTConfig, SFTTrainer as Trainer

        config = SFTConfig(completion_only_loss=True, **common)
    trainer = Trainer(model=model, args=config, train_dataset=data, processing_class=tokenizer, peft_config=lora)
    trainer.train()
    out = Path(args.output_dir) / "adapter"
    trainer.save_model(str(out))  # the LoRA weights only, as safetensors
    if trainer.accelerator.is_main_process:
        print(f"adapter written to {out}")


if __name__ == "__main__":
    main()
'''


def scheduled_settings(settings: dict, rows: list[dict]) -> dict:
    """The settings the script trains with: the fixed ones, and the schedule the app would
    choose for these examples (an explicit epochs/batch size/lr in ``settings`` wins)."""
    liked = sum(1 for row in rows if row.get("label") is True)
    disliked = sum(1 for row in rows if row.get("label") is False)
    schedule = plan(len(rows), liked=liked, disliked=disliked, epochs=settings.get("epochs"),
                    batch_size=settings.get("batch_size"), lr=settings.get("lr"),
                    min_steps=settings.get("min_steps", 0), max_steps=settings.get("max_steps", 200),
                    desirable_weight=settings.get("desirable_weight"),
                    undesirable_weight=settings.get("undesirable_weight"))
    chosen = {k: settings[k] for k in SETTING_KEYS}
    chosen.update(batch_size=schedule.batch_size, updates=schedule.updates, lr=schedule.lr,
                  desirable_weight=schedule.desirable_weight, undesirable_weight=schedule.undesirable_weight)
    return chosen


def render_script(fmt: str, dataset_name: str, script_name: str, base_model: str, model_spec: str,
                  chosen: dict) -> str:
    if fmt not in OBJECTIVES:
        raise ValueError(f"unknown format {fmt!r}")
    values = {"__OBJECTIVE__": OBJECTIVES[fmt], "__NAME__": script_name, "__MODEL_SPEC__": model_spec,
              "__FORMAT__": repr(fmt), "__BASE_MODEL__": repr(base_model),
              "__SETTINGS__": pprint.pformat(chosen, sort_dicts=False), "__TEMPLATE__": repr(TRANSCRIPT_TEMPLATE)}
    values.update({"__DATASET_NAME__": dataset_name, "__DATASET__": repr(dataset_name)})
    text = SCRIPT
    for marker, value in values.items():
        text = text.replace(marker, value)
    return text


def write_script(path: Path, fmt: str, dataset: Path, base_model: str, model_spec: str, settings: dict) -> Path:
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} already exists; choose another name or remove it first.")
    rows = [json.loads(line) for line in Path(dataset).read_text(encoding="utf-8").splitlines() if line.strip()]
    chosen = scheduled_settings(settings, rows)
    path.write_text(render_script(fmt, dataset.name, path.name, base_model, model_spec, chosen), encoding="utf-8")
    path.chmod(0o755)
    return path
