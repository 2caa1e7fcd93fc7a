"""Export an answer: its heatmap as a PNG picture and its tokens as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from desktop_app.core.records import joined_text


def heatmap_png(view, path, width: int = 820, background: str | None = None) -> Path:
    """Lay the view's document out at ``width`` px and save it as a PNG."""
    doc = view.document().clone()
    doc.setTextWidth(width)
    margin = 16
    size = doc.size()
    image = QImage(int(size.width()) + 2 * margin, int(size.height()) + 2 * margin, QImage.Format.Format_ARGB32)
    image.fill(QColor(background) if background else view.palette().base().color())
    painter = QPainter(image)
    painter.translate(margin, margin)
    doc.drawContents(painter, QRectF(0, 0, size.width(), size.height()))
    painter.end()
    path = Path(path)
    if not image.save(str(path), "PNG"):
        raise OSError(f"Could not write {path}.")
    return path


def answer_json(message: dict | None, records, path, measure: str = "probability") -> Path:
    data = {
        "message_id": (message or {}).get("id"),
        "model_id": (message or {}).get("model_id"),
        "adapter_id": (message or {}).get("adapter_id"),
        "settings": (message or {}).get("settings", {}),
        "text": joined_text(records),
        "measure": measure,
        "tokens": [r.to_json() for r in records],
    }
    path = Path(path)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
