"""The heatmap of an analysed text as a PNG: the chat's TokenView, laid out at a given width
and painted into an image (dark text on white, whatever the window's theme) above the key of
its colours (``heatmap_legend``). Used by the Text view's Export menu and by
``gpt2-desk analyse --export-png`` (which starts Qt offscreen for it)."""

from __future__ import annotations

import math
import os
from pathlib import Path

from desktop_app.core.errors import UserFacingError

MARGIN = 16
MAX_HEIGHT = 32_000  # Qt's raster painter works in 16-bit coordinates
# the Text tab's picture goes onto a handout or a slide: drawn at the screen's 1 on a 1024x768 projector, a sentence's
# heatmap was 498 x 109 pixels, soft once printed or shown full screen (usertest71). At least 2 pixels to each of its own
EXPORT_LEAST_RATIO = 2.0


def export_ratio(screen_ratio: float) -> float:
    """The pixels to each of the picture's own in the Text tab's "Heatmap as PNG": the screen's, at least 2."""
    return max(EXPORT_LEAST_RATIO, screen_ratio)


def _application():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:  # the command line: draw without a display and without a window
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([])
    return app


def heatmap_image(records, prefix: str = "", *, width: int = 900, measure: str = "probability", model_written=(),
                  colorizer=None, key=None, pixel_ratio: float = 1.0):
    """A QImage ``width`` pixels wide of the coloured tokens (the unscored prefix first), with
    the key of the colours below them; ``model_written``: the indices of the records a model's
    continuation wrote, marked as on screen and said under the text. ``colorizer`` (index,
    record) -> rgb colours the tokens in place of ``measure`` (the Text tab's "Fine-tune's
    change"), and then ``key`` (a heatmap_legend.Key) says what its colours mean. ``pixel_ratio``:
    as ``document_image``'s."""
    _application()
    from desktop_app.gui import heatmap_legend
    from desktop_app.gui.token_view import MODEL_WORDS, TokenView

    view = TokenView(measure=measure, lazy_tooltips=True)
    if colorizer is not None:
        view.colorizer = colorizer  # before the records go in: one layout, in these colours
    else:
        key = heatmap_legend.key_for(measure)
    view.setLineWrapMode(TokenView.LineWrapMode.FixedPixelWidth)  # not the (unshown) widget's width
    view.setLineWrapColumnOrWidth(width - 2 * MARGIN)
    view.set_records(records, prefix=prefix, model_written=model_written)
    try:
        return document_image(view.document(), width, key, view.font(), model_starts=view.model_starts(),
                              note=MODEL_WORDS if view.model_written else "", pixel_ratio=pixel_ratio)
    finally:
        view.deleteLater()


def document_image(document, width: int, key, font, *, model_starts=(), note: str = "", pixel_ratio: float = 1.0):
    """``document`` (laid out ``width - 2 * MARGIN`` wide) painted dark on white into a QImage
    ``width`` pixels wide, with a bar at each of ``model_starts`` (where a continuation begins),
    then ``note`` and ``key`` (a heatmap_legend.Key, or None) below it. ``pixel_ratio`` > 1 (the
    screen's, a 200 % laptop's 2): the same picture with that many pixels to each of its own."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QAbstractTextDocumentLayout, QColor, QFontMetrics, QPainter, QPalette

    from desktop_app.gui import heatmap_legend
    from desktop_app.gui.token_view import paint_model_starts

    text_h = math.ceil(document.size().height())
    note_rect = QRect()
    if note:
        note_rect = QFontMetrics(font).boundingRect(QRect(0, 0, width - 2 * MARGIN, 10_000),
                                                    int(Qt.TextFlag.TextWordWrap), note)
        text_h += heatmap_legend.GAP + note_rect.height()
    height = text_h + heatmap_legend.key_height(key, font, width - 2 * MARGIN) + 2 * MARGIN
    if height > MAX_HEIGHT:
        raise UserFacingError(f"The heatmap would be {height:,} pixels tall, more than a PNG here can hold: "
                              "export it wider, or export the tokens as JSON instead.")
    image = _white_image(width, height, pixel_ratio)
    painter = QPainter(image)
    painter.setFont(font)
    heatmap_legend.paint_key(painter, key, MARGIN, MARGIN + text_h, width - 2 * MARGIN, QColor("black"))
    if note:
        painter.setPen(QColor("black"))
        painter.drawText(note_rect.translated(MARGIN, MARGIN + text_h - note_rect.height()),
                         int(Qt.TextFlag.TextWordWrap), note)
    painter.translate(MARGIN, MARGIN)
    context = QAbstractTextDocumentLayout.PaintContext()
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Text, QColor("black"))
    context.palette = palette
    document.documentLayout().draw(painter, context)
    paint_model_starts(painter, document, model_starts)
    painter.end()
    return image


def _white_image(width: int, height: int, pixel_ratio: float):
    """A white QImage of ``width`` x ``height`` logical pixels at ``pixel_ratio``. Drawn at 1 on a
    200 % screen, an exported heatmap had half the pixels of the one on screen: its letters came
    out small and soft beside it (usertest49)."""
    from PySide6.QtGui import QColor, QImage

    ratio = max(1.0, min(pixel_ratio, MAX_HEIGHT / height))  # a tall text keeps within the painter's reach
    image = QImage(math.ceil(width * ratio), math.ceil(height * ratio), QImage.Format.Format_RGB32)
    image.setDevicePixelRatio(ratio)
    image.fill(QColor("white"))
    return image


def change_drawing(change, adapter_name: str, in_use: str | None = None):
    """What a heatmap of "Fine-tune's change" (a core.adapter_change.TextChange) draws, in the
    Text tab's export and ``analyse --vs-base --export-png`` alike: (the adapter's ScoredText, a
    colourer of its records by their change, a heatmap_legend.Key whose caption says what the
    colours mean, naming ``adapter_name`` and what it was compared with, since the picture travels
    without the window; ``in_use``: the adapter's short name, for the title against an earlier adapter)."""
    from desktop_app.core.palette import change_color
    from desktop_app.gui import heatmap_legend, text_change_words
    from desktop_app.gui.compare_words import nice_scale

    scale = nice_scale(list(change.deltas))
    records = change.adapter.records

    def colour(index: int, record):
        if index >= change.tokens or record is not records[index]:
            return None  # not a record the change scored: plain, no colour says what it is not
        return change_color(change.deltas[index], scale)

    against = change.compared_with
    caption = text_change_words.export_caption(adapter_name, scale, against, in_use)
    return change.adapter, colour, heatmap_legend.key_from(caption, text_change_words.key(change, in_use, against))


def write_heatmap_png(path, scored, *, width: int = 900, measure: str = "probability",
                      model_written=(), colorizer=None, key=None, pixel_ratio: float = 1.0) -> tuple[Path, tuple[int, int]]:
    """Draw ``scored`` (a core.session.ScoredText) into a PNG; returns (path, (width, height) in pixels).
    Written beside the target and renamed, so a failure leaves no half file. ``colorizer``,
    ``key`` and ``pixel_ratio``: as ``heatmap_image``'s."""
    path = Path(path).expanduser()
    image = heatmap_image(scored.records, scored.unscored_prefix, width=width, measure=measure,
                          model_written=model_written, colorizer=colorizer, key=key, pixel_ratio=pixel_ratio)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.png")
    if not image.save(str(tmp), "PNG"):
        tmp.unlink(missing_ok=True)
        raise UserFacingError(f"{path} could not be written. Nothing was exported.")
    try:
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserFacingError(f"{path} could not be written: {exc.strerror or exc}. Nothing was exported.") from exc
    return path, (image.width(), image.height())
