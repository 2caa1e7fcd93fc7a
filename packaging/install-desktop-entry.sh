#!/usr/bin/env bash
# Adds gpt2-desk to the desktop's application menu, for the current user only.
# Shipped inside the bundle (next to the gpt2-desk program); run it from there:
#   ./install-desktop-entry.sh             menu entry, icons, and ~/.local/bin/gpt2-desk
#   ./install-desktop-entry.sh --uninstall removes them again (your chats and models stay)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
BIN="$HOME/.local/bin"
ENTRY="$DATA/applications/gpt2-desk.desktop"

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$ENTRY" "$DATA/icons/hicolor/scalable/apps/gpt2-desk.svg"
  rm -f "$DATA"/icons/hicolor/*/apps/gpt2-desk.png
  if [ -L "$BIN/gpt2-desk" ]; then rm -f "$BIN/gpt2-desk"; fi
  echo "gpt2-desk menu entry removed (the program folder $HERE is left as it is)"
  exit 0
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--uninstall]" >&2; exit 2
fi

if [ ! -x "$HERE/gpt2-desk" ]; then
  echo "error: $HERE/gpt2-desk not found: run this script from the unpacked bundle" >&2; exit 1
fi
mkdir -p "$DATA/applications" "$DATA/icons/hicolor/scalable/apps" "$BIN"
for png in "$HERE"/icons/gpt2-desk-*.png; do
  size="${png##*-}"; size="${size%.png}"
  mkdir -p "$DATA/icons/hicolor/${size}x${size}/apps"
  cp "$png" "$DATA/icons/hicolor/${size}x${size}/apps/gpt2-desk.png"
done
cp "$HERE/icons/gpt2-desk.svg" "$DATA/icons/hicolor/scalable/apps/gpt2-desk.svg"
# The menu entry runs the program by its absolute path (quoted: the folder may hold spaces).
sed -e "s|^Exec=.*|Exec=\"$HERE/gpt2-desk\"|" -e "s|^TryExec=.*|TryExec=$HERE/gpt2-desk|" \
  "$HERE/gpt2-desk.desktop" > "$ENTRY"
chmod 644 "$ENTRY"
ln -sfn "$HERE/gpt2-desk" "$BIN/gpt2-desk"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$DATA/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$DATA/icons/hicolor" || true
echo "gpt2-desk is in the application menu; from a terminal: $BIN/gpt2-desk (or gpt2-desk if ~/.local/bin is on PATH)"
