#!/usr/bin/env bash
# The window's size across restarts under a real window manager (geometry62): Xvfb + openbox, driven with xdotool.
# A first start on a 1280x800 screen opens maximized; the title bar's double-click un-maximizes it; an Alt+right
# drag (openbox's resize) gives it a size; then the app quits (Ctrl+Q) or is killed (kill -9) after WAIT_S; the
# next start must come back at that size, not maximized. Prints each step's window size and state, and the
# settings file's geometry as the next start reads it.
#
#   bash bench/wm_restart_geometry.sh [ctrlq|kill] [WAIT_S]      (DISPLAY_NUM=96, PYTHON=.venv/bin/python)
# Needs Xvfb, openbox, xdotool and xprop (apt-get install xvfb openbox xdotool x11-utils). Runs the app on a
# fresh HOME, so no one's settings are read or written.
set -u
cd "$(dirname "$0")/.."
HOW="${1:-ctrlq}"; WAIT_S="${2:-1}"; PY="${PYTHON:-.venv/bin/python}"
export DISPLAY=":${DISPLAY_NUM:-96}"
HOME_DIR=$(mktemp -d)
Xvfb "$DISPLAY" -screen 0 1280x800x24 >/dev/null 2>&1 & XVFB=$!
sleep 1
openbox >/dev/null 2>&1 & WM=$!
sleep 1
APP=
cleanup() { [ -n "$APP" ] && kill "$APP" 2>/dev/null; sleep 1; kill "$WM" "$XVFB" 2>/dev/null; rm -rf "$HOME_DIR"; }
trap cleanup EXIT

start() {
  HOME="$HOME_DIR" PYTHONPATH="$PWD" "$PY" -m desktop_app >/dev/null 2>&1 & APP=$!
  WIN=
  for _ in $(seq 120); do
    sleep 0.5; WIN=$(xdotool search --onlyvisible --name "^GPT-2 Desk$" 2>/dev/null | tail -1); [ -n "$WIN" ] && break
  done
  sleep 4  # the window manager's maximize lands after the window maps
}
report() { echo "$1: $(xdotool getwindowgeometry "$WIN" | tail -1 | tr -s ' ') $(xprop -id "$WIN" _NET_WM_STATE | sed 's/.*= *//')"; }
saved() {
  "$PY" - "$HOME_DIR" <<'PY'
import sys
from pathlib import Path
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(["probe"])  # on the same screen: restoreGeometry fits a size to the screen it reads on
ini = str(next(Path(sys.argv[1]).rglob("gui-settings.ini")))  # under .local/share: rglob sees hidden folders
probe = QMainWindow()
probe.restoreGeometry(QSettings(ini, QSettings.Format.IniFormat).value("geometry"))
maximized = bool(probe.windowState() & Qt.WindowState.WindowMaximized)
normal = (probe.normalGeometry() if maximized else probe.geometry()).size()
print(f"on disk: maximized={maximized}, normal size {normal.width()}x{normal.height()}")
PY
}
wait_gone() { for _ in $(seq 60); do kill -0 "$APP" 2>/dev/null || return; sleep 0.5; done; echo "(did not end)"; }

start; report "first start"
xdotool mousemove 640 8 click --repeat 2 --delay 80 1; sleep 1.5; report "un-maximized"
xdotool mousemove 1000 700 keydown alt mousedown 3; sleep 0.3
for point in "950 650" "850 600" "800 560"; do xdotool mousemove $point; sleep 0.3; done
xdotool mouseup 3 keyup alt; sleep 0.3; report "dragged"
sleep "$WAIT_S"
case "$HOW" in kill) kill -9 "$APP";; *) xdotool windowactivate "$WIN" key ctrl+q;; esac
wait_gone; saved
start; report "restarted"
