"""A resolved model source -> a loaded model on a device (``LoadedModel``), its tokenizer alone,
and the checks a model folder passes before transformers reads it.

Only safetensors weights are ever loaded and never remote code. Where a spec points is
core/model_sources.py's; a GGUF file's conversion core/gguf_conversion.py's.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.core import checks_passed
from desktop_app.core.errors import ModelError
from desktop_app.core.file_tokenizer import read_file_tokenizer
from desktop_app.core.gguf_conversion import convert_gguf, converted_folder_for, is_converted
from desktop_app.core.install_copy import ready_bundled_folder
from desktop_app.core.kept_blocks import KeptBlocks
from desktop_app.core.memory import collection_paused
from desktop_app.core.model_sources import (ModelSource, Progress, download_hub_model, local_source, no_progress,
                                            resolve_spec)
from desktop_app.core.paths import AppPaths
from desktop_app.core.weights_files import config_problem, safetensors_problem

log = logging.getLogger(__name__)

# Any one of these is a tokenizer transformers can read; without them transformers 5 makes an empty
# one (a single token), and every prompt came out as no tokens at all ("cannot reshape tensor of 0 elements").
TOKENIZER_FILES = ("tokenizer.json", "vocab.json", "tokenizer.model")
PICKLE_WEIGHTS = ("pytorch_model.bin", "tf_model.h5", "flax_model.msgpack", "model.ckpt.index")


@dataclass
class LoadedModel:
    """A model on a device, ready for generation and scoring.

    Attributes:
        model: the transformers model, or a PEFT wrapper of it while an adapter is attached.
        tokenizer: its tokenizer (used by the thread that runs the model).
        source, folder: where it came from, and the local folder it was loaded from.
        device, dtype, context_window: where it runs, its precision, how many tokens fit.
        adapter_id: the adapter it wears (None: the base model).
        weights: "int8" when the linear layers compute with an int8 copy (Compact), else None.
        precision_note: why the precision asked for was not the one loaded (None: it was).
        lock: held while a thread runs the model (the window's model lane never contends for it).
        _spare_tokenizer, _spare_lock: a second tokenizer for the fine-tune thread, made once.
        kept_blocks: the first window's cache of its last scorings (core/kept_blocks.py)."""

    model: object  # transformers PreTrainedModel (or a PEFT wrapper of one)
    tokenizer: object
    source: ModelSource
    folder: Path
    device: object  # torch.device
    dtype: object  # torch.dtype
    context_window: int
    adapter_id: int | None = None
    weights: str | None = None
    precision_note: str | None = None
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _spare_tokenizer: object = field(default=None, repr=False)
    _spare_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # the first window's cache of the last scorings, kept for the next (core/kept_blocks.py)
    kept_blocks: KeptBlocks = field(default_factory=KeptBlocks, repr=False)

    def training_tokenizer(self):
        """A second tokenizer of this model for the fine-tune thread: a fast tokenizer must not
        be used from two threads at once. Parsing tokenizer.json holds the GIL for ~150 ms (a
        visible stall of the window), so the app makes it while the model loads."""
        with self._spare_lock:  # not self.lock: an answer holds that while it streams
            if self._spare_tokenizer is None:
                self._spare_tokenizer = self.new_tokenizer()
            return self._spare_tokenizer

    def new_tokenizer(self):
        """A tokenizer of this model of the caller's own, for a thread that neither runs the model nor
        trains (the window's conversation import placing token ratings on the store lane)."""
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(self.folder)

    @property
    def model_id(self) -> str:
        return self.source.model_id

    @property
    def precision(self) -> str:
        """'float32', 'bfloat16', 'float16' or (Compact) 'int8': stored with every record."""
        return self.weights or str(self.dtype).replace("torch.", "")

    @property
    def precision_label(self) -> str:
        """'Fast (bfloat16)', 'Exact (float32)' or 'Compact (int8 weights)': what the status bar
        and the records say."""
        from desktop_app.core.precision import label

        return label(self.precision)

    def describe(self) -> str:
        return f"{self.source.display_name} on {self.device.type} ({self.precision_label})"


TOKENIZER_JSON_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


def check_model_folder(folder: Path) -> None:
    """A ModelError in words for a folder transformers would refuse, or read wrongly: no config.json (an
    adapter's folder, said so), pickle weights or none, a damaged file, no tokenizer."""
    if not (folder / "config.json").exists():
        if (folder / "adapter_config.json").exists():  # an exported fine-tune, chosen where a model goes
            raise ModelError(f"{folder} holds a LoRA adapter, not a model: bring it in with Adapter history > "
                             "Import... (or `gpt2-desk adapters import`) while its base model is loaded.")
        raise ModelError(f"{folder} is not a model folder (no config.json).")
    weights = _weights_files(folder)
    # a broken tokenizer file made transformers say only "Expecting property name ...", naming no file (robust101)
    settings = [folder / "config.json"] + [folder / n for n in TOKENIZER_JSON_FILES if (folder / n).exists()]
    problems = [config_problem(p) for p in settings] + [safetensors_problem(p) for p in weights]
    problem = next((p for p in problems if p), None)
    if problem:  # before transformers, whose words for these name neither the file nor what to do
        raise ModelError(f"In {folder}, {problem}")
    if not any((folder / name).exists() for name in TOKENIZER_FILES):
        raise ModelError(f"{folder} has no tokenizer (tokenizer.json, or vocab.json and merges.txt): copy those files "
                         "from where the model came from, or save them there with tokenizer.save_pretrained(folder).")


def check_named_model(spec: str | None) -> None:
    """A ModelError for a model named by a path that holds none (no such folder or file, a folder without a
    model), found without PyTorch or the network: `gpt2-desk score --model /etc` said so only after PyTorch's
    10 s start (cli63). A hub id or a GPT-2 name passes: the load resolves those."""
    source = local_source(spec.strip()) if spec and spec.strip() else None
    if source is not None and source.kind == "folder":
        check_model_folder(Path(source.location))


def _weights_files(folder: Path) -> list[Path]:
    """The folder's .safetensors weights, in any case; a ModelError where there are none (pickles alone
    said so) or none transformers finds: it asks for model.safetensors by that name, so where the file
    system tells cases apart a MODEL.SAFETENSORS was "no model weights" with the weights right there."""
    weights = [p for p in sorted(folder.iterdir()) if p.suffix.lower() == ".safetensors"]
    if not weights:
        pickles = [name for name in PICKLE_WEIGHTS if (folder / name).exists()] + [p.name for p in folder.glob("*.bin")]
        if pickles:
            raise ModelError(
                f"{folder} holds only pickle weights ({', '.join(sorted(set(pickles)))}), which can run code "
                "when loaded; convert them to safetensors first."
            )
        raise ModelError(f"{folder} holds no model weights (*.safetensors).")
    if not any((folder / f"{p.stem}.safetensors").exists() for p in weights):
        raise ModelError(f"{folder} holds its weights as {', '.join(p.name for p in weights)}, a name transformers "
                         "does not find: rename them to end in .safetensors, in small letters (model.safetensors).")
    return weights


def pick_device(preference: str = "auto"):
    """(torch device, its default dtype) for "auto" | "cpu" | "cuda" | "mps"; a ModelError where the one asked for is missing."""
    import torch

    if preference == "cuda" or (preference == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise ModelError("--device cuda was asked for, but no CUDA GPU is available.")
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.device("cuda"), dtype
    mps = getattr(torch.backends, "mps", None)
    if preference == "mps" or (preference == "auto" and mps is not None and mps.is_available()):
        if mps is None or not mps.is_available():
            raise ModelError("--device mps was asked for, but Apple MPS is not available.")
        return torch.device("mps"), torch.float16
    return torch.device("cpu"), torch.float32


def local_folder(source: ModelSource, paths: AppPaths, progress: Progress = no_progress) -> Path:
    """The folder ``source`` is read from: a GGUF file converted, a hub model downloaded, where not done yet."""
    if source.kind == "gguf":  # the bundled model: the install's converted copy where it passes its checks
        copy = ready_bundled_folder(Path(source.location), paths, progress)
        return copy if copy is not None else convert_gguf(Path(source.location), paths, progress)
    if source.kind == "hub":
        return download_hub_model(source.location, progress)
    return Path(source.location)


def load_model(source: ModelSource, paths: AppPaths, device: str = "auto",
               progress: Progress = no_progress, precision: str = "auto") -> LoadedModel:
    """``precision``: "exact" (float32), "fast" (16-bit where the hardware has it), "compact"
    (int8 linear weights on a CPU) or "auto" (fast where supported); see core.precision."""
    import torch

    with collection_paused(settle_after=True):  # see core.memory: no stalls, and the model lives long
        # the device first: `--device cuda` without a GPU was said after a first conversion's minutes (cli63)
        torch_device, _default = pick_device(device)
        folder = local_folder(source, paths, progress)
        check_model_folder(folder)
        dtype, compact, note = _weights_precision(torch_device, precision)
        progress(f"Loading {source.display_name}", 0, 1)
        load_dtype = torch.float32 if compact else dtype  # Compact quantizes from the float32 weights
        finite_key = checks_passed.key(f"finite weights in {load_dtype}", folder.glob("*.safetensors"))  # before reading
        tokenizer, model = _read_model_folder(folder, load_dtype)
    model.to(torch_device).eval()
    check_weights_finite(model, folder, paths.cache_dir / checks_passed.RECORD_NAME, finite_key)
    weights = _compact_weights(model, dtype) if compact else None
    if dtype == torch.bfloat16 and torch_device.type == "cpu":
        _prepare_cpu_bf16(model, compact=weights is not None)
    progress(f"Loaded {source.display_name}", 1, 1)
    log.info("loaded %s from %s on %s/%s", source.model_id, folder, torch_device, dtype)
    return LoadedModel(model, tokenizer, source, folder, torch_device, dtype, _context_window(model.config),
                       weights=weights, precision_note=note)


def open_tokenizer(spec: str | None, paths: AppPaths):
    """The tokenizer alone of the model ``spec`` names (as ``resolve_spec`` reads it), for work that
    reads text as the model does without running it (an import placing token ratings, an export
    finding where a character began: core/exchange.py). In seconds or not at all: a ModelError for
    a model not on this computer (the hub is not asked) or a GGUF file not converted yet (~25 s).
    A folder's tokenizer.json is read without transformers (core/file_tokenizer.py): its import was
    most of `rate --token`'s and `export`'s time."""
    source = resolve_spec(spec, probe=lambda: False)
    if source.kind == "gguf":
        folder = ready_bundled_folder(Path(source.location), paths) or converted_folder_for(Path(source.location), paths)
        if not is_converted(folder):
            raise ModelError(f"{source.display_name} has not been opened on this computer yet (its GGUF file is "
                             "converted the first time)")
    else:
        folder = Path(source.location)
    try:
        return read_file_tokenizer(folder) or _transformers_tokenizer(folder)
    except Exception as exc:
        raise ModelError(f"Could not read the tokenizer in {folder}: {exc}") from exc


def _transformers_tokenizer(folder: Path):
    from transformers import AutoTokenizer

    from desktop_app.core.logs import quiet_libraries

    quiet_libraries()
    return AutoTokenizer.from_pretrained(folder, trust_remote_code=False)


def _weights_precision(torch_device, precision: str) -> tuple:
    """(the weights' dtype, whether they are made Compact, a note when Compact was asked for and this
    device cannot: the model then loads Fast or Exact, and the note says which)."""
    import torch

    from desktop_app.core.precision import COMPACT, compact_unsupported, weights_dtype

    dtype = weights_dtype(torch_device, precision)
    note = compact_unsupported(torch_device) if precision == COMPACT else None
    if note:
        note = f"{note}; loaded {'Fast' if dtype != torch.float32 else 'Exact'} instead."
        log.warning(note)
    return dtype, precision == COMPACT and note is None, note


def _read_model_folder(folder: Path, dtype) -> tuple:
    """(tokenizer, model) read from ``folder`` in ``dtype``; a folder transformers cannot read is a ModelError."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=False)
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype, use_safetensors=True,
                                                     trust_remote_code=False, use_kernels=False)
    except Exception as exc:
        raise ModelError(f"Could not load the model in {folder}: {exc}") from exc
    return tokenizer, model


def _prepare_cpu_bf16(model, *, compact: bool) -> None:
    """Fast on a CPU: bf16 products on prepacked weights (Compact: its other layers)."""
    from desktop_app.core.fast_decode import pack_cpu_weights

    pack_cpu_weights(model)
    _keep_float32_logits(model)
    if not compact:
        from desktop_app.core import bf16_gemv

        bf16_gemv.library(build=True)  # the lean step's one-row product: built once per machine (~1 s)


def _keep_float32_logits(model) -> None:
    """The output layer's logits unrounded: bfloat16 ones tied alternatives' chances (core.float_logits)."""
    from desktop_app.core.float_logits import keep_float32_logits

    keep_float32_logits(model)


def _context_window(config) -> int:
    """The tokens the model reads at once, as its config names them (1024 where it names none)."""
    return int(getattr(config, "n_positions", None) or getattr(config, "max_position_embeddings", None) or 1024)


def check_weights_finite(model, folder: Path, record: Path | None = None, check_key: str | None = None) -> None:
    """A file whose header reads but whose numbers were overwritten loads without complaint, and
    then every answer fails deep in sampling; one pass over the weights says so at load, while
    the model in use can still stay. The pass took ~0.9 CPU-s of each start of the bundled model
    on a busy CPU: once it passed, it is remembered in ``record`` under ``check_key`` (the weight
    files' paths, sizes and times, taken before they were read) and not made again for them."""
    import torch

    if record is not None and checks_passed.passed(record, check_key):
        return
    with torch.no_grad():
        for name, param in model.named_parameters():
            if not bool(torch.isfinite(param).all()):
                raise ModelError(f"The model in {folder} is damaged: its weights ({name}) hold invalid numbers "
                                 "(NaN or infinity). Copy or download the model again.")
    if record is not None:
        checks_passed.remember(record, check_key)


def _compact_weights(model, dtype) -> str:
    """Quantize the float32 ``model``'s linear layers to int8 (core.compact) and cast the rest to
    ``dtype``; returns the records' precision name."""
    from desktop_app.core.compact import INT8, quantize_cpu_weights

    count, skipped = quantize_cpu_weights(model, dtype)
    log.info("Compact: %d linear layers in int8, %d left in %s", count, len(skipped), dtype)
    return INT8


def open_model(spec: str | None, paths: AppPaths, device: str = "auto",
               progress: Progress = no_progress, precision: str = "auto") -> LoadedModel:
    """Resolve ``spec`` (core/model_sources.py) and load it."""
    return load_model(resolve_spec(spec), paths, device, progress, precision)
