"""Options every command takes, accepted before or after the command name."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from desktop_app.core.logs import configure_logging
from desktop_app.core.paths import AppPaths

COMMON_DEFAULTS = {"data_dir": None, "db": None, "model": None, "device": "auto", "precision": "auto"}


class CliError(Exception):
    """A usage problem; printed as one line."""


def add_common_options(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS so a value given before the command is not overwritten by the sub-parser's default.
    group = parser.add_argument_group("common options")
    group.add_argument("--data-dir", default=argparse.SUPPRESS, help="keep data, cache and logs in this folder")
    group.add_argument("--db", default=argparse.SUPPRESS, help="the SQLite file (default: in the data folder)")
    group.add_argument("--model", default=argparse.SUPPRESS,
                       help="hub id, GPT-2 short name, local folder, .gguf file, or 'bundled' (default: gpt2)")
    group.add_argument("--device", default=argparse.SUPPRESS, choices=["auto", "cpu", "cuda", "mps"],
                       help="where the model runs (default: auto)")
    group.add_argument("--precision", default=argparse.SUPPRESS, choices=["auto", "exact", "fast"],
                       help="model weights: exact (float32) or fast (bfloat16/float16 where the hardware "
                            "has it); default auto = fast where supported")


def finish_common_options(args: argparse.Namespace) -> None:
    for name, default in COMMON_DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, default)
    args.paths = AppPaths.resolve(args.data_dir).ensure()
    if args.db is None:
        args.db = str(args.paths.db_path)
    args.db = str(Path(args.db).expanduser())
    configure_logging(args.paths.log_dir)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def print_notice(notice: str | None) -> None:
    if notice:
        print(f"note: {notice}", file=sys.stderr)


def quiet_libraries() -> None:
    """Library progress bars and warnings are not for the person at the terminal; ours are."""
    import warnings

    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=UserWarning, module="transformers")


class TqdmProgress:
    """models.Progress -> one tqdm bar per stage, on stderr."""

    def __init__(self):
        self.bar = None
        self.stage = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if total <= 1 and self.bar is None:  # quick steps (a load from safetensors) need no bar
            return
        key = stage.split(" (")[0].split()[0]
        if self.bar is None or key != self.stage:
            if self.bar is not None:
                self.bar.close()
            self.bar = tqdm(total=total or None, desc=stage, file=sys.stderr, leave=False, disable=not total)
            self.stage = key
        self.bar.set_description(stage)
        self.bar.n = done
        self.bar.refresh()
        if total and done >= total:
            self.bar.close()
            self.bar = None


def load_model_for_cli(args: argparse.Namespace, source=None):
    """Resolve --model, say why when the offline model is chosen, load with progress,
    and attach the active adapter unless --no-adapter."""
    from desktop_app.core.models import load_model, resolve_spec

    quiet_libraries()
    source = source or resolve_spec(args.model)
    print_notice(source.notice)
    loaded = load_model(source, args.paths, args.device, TqdmProgress(), precision=args.precision)
    if not getattr(args, "no_adapter", True):
        attach_active_adapter(args, loaded)
    return loaded


def attach_active_adapter(args: argparse.Namespace, loaded) -> None:
    """Use the adapter the person made active for this model, if any."""
    from pathlib import Path

    from desktop_app.core import adapters

    if not Path(args.db).exists():
        return
    store = open_store(args)
    try:
        adapters.attach_active(loaded, store)
    finally:
        store.close()


def open_store(args: argparse.Namespace):
    from desktop_app.core.store import Store

    return Store.open(args.db)
