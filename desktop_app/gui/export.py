"""Export an answer: its heatmap as a PNG picture or a web page, and its tokens as JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path

from desktop_app.core.adapters import adapter_name, stored_label
from desktop_app.core.errors import UserFacingError
from desktop_app.core.heatmap_html import write_heatmap_html
from desktop_app.core.palette import MEASURES
from desktop_app.core.records import joined_text
from desktop_app.core.word_cut import clip_at_word
from desktop_app.gui import heatmap_legend
from desktop_app.gui.text_export import MARGIN, document_image


def heatmap_png(view, path, width: int = 820) -> Path:
    """Lay the view's document out at ``width`` px and save it as a PNG: dark text on white
    whatever the window's theme (the view's own background is transparent), with the key of
    its colours below it (the measure's, or the attribution's while one is shown over it), with as
    many pixels to each of its own as the screen the view is on (a 200 % screen's 2)."""
    doc = view.document().clone()
    doc.setTextWidth(width)
    key = heatmap_legend.key_for(view.measure, attribution=view.overlay is not None)
    image = document_image(doc, math.ceil(doc.size().width()) + 2 * MARGIN, key, view.font(),
                           pixel_ratio=view.devicePixelRatioF())
    path = Path(path)
    if not image.save(str(path), "PNG"):
        raise OSError(f"Could not write {path}.")
    return path


def answer_json(message: dict | None, records, path, measure: str = "probability", *,
                scored_by: str | None = None) -> Path:
    """An answer's text and token records. ``scored_by``: the records are a scoring of an answer no
    model wrote here (core/unwritten.py), by that model ("the base model", "adapter 2"), and may
    cover only the start of its text: the text is the stored one, whole."""
    data = {
        "message_id": (message or {}).get("id"),
        "model_id": (message or {}).get("model_id"),
        "adapter_id": (message or {}).get("adapter_id"),
        "settings": (message or {}).get("settings", {}),
        "text": message["text"] if message is not None else joined_text(records),
        "measure": measure,
        "tokens_are": ("generated" if scored_by is None else f"scored by {scored_by}, not generated" if scored_by
                       else "none: not generated here, not scored yet"),
        "tokens": [r.to_json() for r in records],
    }
    path = Path(path)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


PAGE_TITLE_CHARS = 60  # the answer's first words name its page (the browser's tab shows about as many)


def answer_html(card, path, measure: str = "probability", *, store=None) -> Path:
    """An answer's heatmap as a web page in ``measure``'s colours (the probability's where the window shows plain
    text), saying the model and adapter that wrote it, or for an answer no model wrote here, that scored it: the
    adapter with the name the person gave it, read from ``store`` (None: by its number)."""
    if not card.records:  # an imported answer not scored yet: nothing to colour
        raise UserFacingError("This answer has no token figures yet: score it first (it is scored when shown "
                              "with a model loaded), then export its page.")
    message = card.message or {}
    scoring = getattr(getattr(card, "unwritten", None), "scoring", None)
    model, adapter_id = ((scoring.model_id, scoring.adapter_id) if scoring is not None
                         else (message.get("model_id"), message.get("adapter_id")))
    text = message.get("text") or joined_text(card.records)
    return write_heatmap_html(path, card.records, measure if measure in MEASURES else "probability",
                              title=f"Answer: {clip_at_word(text, PAGE_TITLE_CHARS)}", model=model or "the model",
                              adapter=None if adapter_id is None else
                              stored_label(store, adapter_id) if store is not None else adapter_name(adapter_id))
