"""Render resources/icons/gpt2-desk.svg (the app icon, same design as app.svg) to PNGs in the
sizes desktops ask for.  Run: QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py"""

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"


def main() -> int:
    app = QGuiApplication(sys.argv)  # noqa: F841  (QPainter on images wants one)
    renderer = QSvgRenderer(str(ICONS / "gpt2-desk.svg"))
    if not renderer.isValid():
        print("cannot read gpt2-desk.svg", file=sys.stderr)
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        out = ICONS / f"gpt2-desk-{size}.png"
        image.save(str(out))
        print(out.relative_to(ICONS.parents[1]), out.stat().st_size, "bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
