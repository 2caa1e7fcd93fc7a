"""What the bench scripts share: the repository on the import path, the model cache, the
bundled model converted once, the machine's load, and the figure lines they print.

A script in bench/ runs with bench/ first on its path, so ``import _common`` works from any
of them; importing it puts the repository root (this checkout's code, not an installed copy)
and tests/ (the tiny fixture models) on the path.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _folder in (ROOT / "tests", ROOT):  # the repository first: this checkout's desktop_app
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

# where converted models are kept between runs (the test suite's cache when it is set)
DEFAULT_CACHE = os.environ.get("GPT2_DESK_TEST_CACHE") or str(Path(tempfile.gettempdir()) / "gpt2-desk-bench-cache")


def add_cache_dir(parser) -> None:
    parser.add_argument("--cache-dir", default=DEFAULT_CACHE,
                        help="where the bundled model is converted once and kept (default: %(default)s)")


def bundled_folder(cache_dir) -> Path:
    """The bundled SmolLM2-135M-Instruct as a safetensors folder, converted once into ``cache_dir``."""
    from desktop_app.core.gguf_conversion import convert_gguf
    from desktop_app.core.model_sources import bundled_gguf_path
    from desktop_app.core.paths import AppPaths

    return convert_gguf(bundled_gguf_path(), AppPaths.resolve(Path(cache_dir)).ensure())


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages and its cores, for every printed result."""
    return f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)"


def median(values) -> float:
    values = [v for v in values if v == v]  # a failed round (NaN) does not count
    return statistics.median(values) if values else float("nan")


def figure(name: str, value: float, digits: int = 2) -> None:
    """One ``name: value`` line, the form every bench prints its results in (gpu_suite.sh greps them)."""
    print(f"{name}: {value:.{digits}f}", flush=True)


class Clock:
    """Wall and CPU seconds of this process over a ``with`` block: on a shared machine the CPU
    seconds (tokens per CPU-second) are steadier than the wall time.

    Attributes:
        wall, cpu: the seconds, once the block has ended."""

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self._wall
        self.cpu = max(time.process_time() - self._cpu, 1e-9)
