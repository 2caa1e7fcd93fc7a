"""Ctrl++ / Ctrl+- / Ctrl+0: the whole window's text larger for a projector or a screen across a room, kept between
starts. usertest71: a teacher preparing a class on a 1024x768 projector pressed Ctrl++ and nothing grew; only the
desktop's own font size grew the window's text, a setting outside the app they did not know of.

The window grows as it does under a desktop's larger font: the application font is set larger and the style sheet
set again, whose sizes and icons follow the application font (``theme.font_scale``)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication

from desktop_app.gui.theme import SHEET_BASE_PT, apply_theme, is_dark

# the sizes offered, as a share of the desktop's own font (a browser's steps); never below it: the style sheet's
# sizes do not shrink under its 9 pt (theme.font_scale), so a smaller size would shrink the menus and not the answers
ZOOM_PERCENTS = (100, 110, 125, 150, 175, 200)
ZOOM_SETTING = "text_zoom"
ZOOM_IN_KEYS = ("Ctrl++", "Ctrl+=")  # Ctrl+= too: on many keyboards "+" is Shift+=, and Ctrl++ asks for Shift
ZOOM_OUT_KEYS, ZOOM_RESET_KEYS = ("Ctrl+-",), ("Ctrl+0",)


def desktop_point_size(app: QApplication) -> float:
    """The application font's size before any zoom: the desktop's, read once and kept on the application."""
    kept = app.property("gpt2desk_desktop_pt")
    if kept is None:
        kept = app.font().pointSizeF()
        kept = kept if kept > 0 else SHEET_BASE_PT
        app.setProperty("gpt2desk_desktop_pt", kept)
    return float(kept)


def zoom_percent(app: QApplication) -> int:
    """The text size in use, as a share of the desktop's font (100 until a zoom)."""
    value = app.property("gpt2desk_zoom")
    return int(value) if value else 100


def set_zoom(app: QApplication, percent: int) -> int:
    """The application's text at the offered size nearest ``percent``; the style sheet set again so the answers,
    the texts and the icons grow with the menus. Returns the size now in use."""
    nearest = min(ZOOM_PERCENTS, key=lambda offered: abs(offered - percent))
    if nearest == zoom_percent(app):
        return nearest
    font = QFont(app.font())
    font.setPointSizeF(desktop_point_size(app) * nearest / 100)
    app.setProperty("gpt2desk_zoom", nearest)
    app.setFont(font)
    apply_theme(app, is_dark())  # the sheet's sizes were worked out from the font before: set it again
    return nearest


def step_zoom(app: QApplication, steps: int) -> int:
    """``steps`` offered sizes larger (negative: smaller), stopping at the ends."""
    here = ZOOM_PERCENTS.index(min(ZOOM_PERCENTS, key=lambda offered: abs(offered - zoom_percent(app))))
    there = max(0, min(len(ZOOM_PERCENTS) - 1, here + steps))
    return set_zoom(app, ZOOM_PERCENTS[there])


def zoom_words(percent: int) -> str:
    """What the status bar says after a zoom key, the way back included."""
    if percent == 100:
        return "Text at its usual size (Ctrl++ makes it larger, for a projector)"
    largest = " (the largest)" if percent == ZOOM_PERCENTS[-1] else ""
    return f"Text at {percent}%{largest}: Ctrl+- smaller, Ctrl+0 back to the usual size"


def zoom_by_key(window, steps: int | None) -> int:
    """A zoom key pressed: ``steps`` sizes larger or smaller, None back to the usual size; said and kept."""
    app = QApplication.instance()
    percent = set_zoom(app, 100) if steps is None else step_zoom(app, steps)
    fit_to_font(window)
    window.statusBar().showMessage(zoom_words(percent), 6000)
    window.settings.setValue(ZOOM_SETTING, percent)
    return percent


def fit_to_font(window) -> None:
    """What the window sized once from the font at its build, sized again for the font in use."""
    # once the font's change has reached every widget (some by posted events): measured at once, the list's
    # least width was 216 px of the 248 its title and search box then asked for
    QTimer.singleShot(0, window, lambda: _fit_conversations(window))


def _fit_conversations(window) -> None:
    """The conversation list as wide as its title needs at this size; the width a larger size took from the chat
    given back to it at a size that needs no more than the list had before (else, back at 100 %, the prompt row
    had kept Settings and Regenerate as icons alone in a 1024 px window)."""
    from desktop_app.gui.window_build import fit_conversations  # the build imports the wiring that imports this

    panel, splitter = window.conversations, window.splitter
    had = panel.width()
    fit_conversations(window)
    if not panel.isVisible():  # hidden (Ctrl+B, the Text tab): no width of its own to remember or give back
        return
    before = getattr(window, "conversations_width_before_zoom", None)
    if before is None and panel.minimumWidth() > had:
        window.conversations_width_before_zoom = had
    elif before is not None and panel.minimumWidth() <= before:
        window.conversations_width_before_zoom = None
        sizes, at = splitter.sizes(), splitter.indexOf(panel)
        given_back = sizes[at] - before
        if given_back > 0:
            sizes[at], sizes[at + 1] = before, sizes[at + 1] + given_back  # to the chat beside it
            splitter.setSizes(sizes)


def restore_zoom(settings) -> None:
    """The size kept from the last start, set before the window is built: every part then sizes itself as under a
    desktop's larger font (a size changed in a built window leaves a few cut: the Text tab's histogram titles).
    Nothing to do at the usual size: no sheet set again at start."""
    try:
        percent = int(settings.value(ZOOM_SETTING, 100) or 100)
    except (TypeError, ValueError):
        percent = 100
    if percent != 100:
        set_zoom(QApplication.instance(), percent)


def bind(window) -> None:
    for keys, steps in ((ZOOM_IN_KEYS, 1), (ZOOM_OUT_KEYS, -1), (ZOOM_RESET_KEYS, None)):
        for key in keys:
            QShortcut(QKeySequence(key), window, lambda steps=steps: zoom_by_key(window, steps))
