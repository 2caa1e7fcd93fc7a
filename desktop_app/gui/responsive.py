"""Bars that fit a narrow window: below the width their full form needs, they switch to a
compact form (icon-only buttons, shorter labels) instead of widening the window."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtWidgets import QStatusBar, QWidget

FIRST_SIZE = QSize(1280, 800)  # the window's size at its first start, where the screen has room
SCREEN_SHARE = 0.85  # at most this share of the screen's free area: the title bar and the status bar stay on it


def first_geometry(available: QRect, least: QSize, wanted: QSize = FIRST_SIZE) -> QRect:
    """Where the window opens the first time: ``wanted``, cut to 85% of the screen's free
    area (``available``: without panels and docks) but not below ``least`` (the window's
    minimum), centred. At exactly the screen's size the title bar pushed the status bar off it."""
    width = max(least.width(), min(wanted.width(), int(available.width() * SCREEN_SHARE)))
    height = max(least.height(), min(wanted.height(), int(available.height() * SCREEN_SHARE)))
    rect = QRect(0, 0, width, height)
    rect.moveCenter(available.center())
    return rect


def opens_maximized(available: QRect, wanted: QSize = FIRST_SIZE) -> bool:
    """A first start on a screen too small for ``wanted`` within its share (800x600, 1366x768):
    the window opens maximized, since 85% of a small screen left the chat about 260 px tall (usertest:
    680x510 on 800x600); the window manager fits a maximized window, title bar and all."""
    return (available.width() * SCREEN_SHARE < wanted.width()
            or available.height() * SCREEN_SHARE < wanted.height())


class _BarWatcher(QObject):
    """Calls ``update()`` whenever ``bar`` is resized or its layout asks again, once ``watch()``
    was called (by a subclass, after it set what ``update`` reads)."""

    def __init__(self, bar: QWidget):
        super().__init__(bar)
        self.bar = bar

    def watch(self) -> None:
        self.bar.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        # a part shown or hidden (Chat's "Score my prompts" after Text) changes what the full
        # form needs without a resize: the bar's layout asks again, and so does this
        if watched is self.bar and event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            self.update()
        elif watched is self.bar and event.type() == QEvent.Type.FontChange:
            self.remeasure()
        return False

    def update(self) -> None:
        raise NotImplementedError

    def remeasure(self) -> None:
        """Measured again from the full form after the text size changed (Ctrl++ / Ctrl+0, gui/text_zoom.py): the
        widths remembered were the old font's, and back at the usual size the prompt row had kept its icons alone."""
        recheck = getattr(self, "recheck", None)
        if recheck is not None:
            recheck()
        self.update()


class Compactor(_BarWatcher):
    """Calls ``apply(compact)`` when ``bar``'s width crosses what its full form asks for.

    The bar's parts get small explicit minimum widths, so a narrow window may squeeze it;
    the width the full form wanted is remembered when it turns compact, and it turns back
    once there is room for it again."""

    def __init__(self, bar: QWidget, apply: Callable[[bool], None]):
        super().__init__(bar)
        self.apply = apply
        self.compact = False
        self.full_width = 0
        self.watch()

    def update(self) -> None:
        width = self.bar.width()
        if not self.compact:
            wanted = self.bar.sizeHint().width()
            if width < wanted:
                self.full_width = wanted
                self.set_compact(True)
        elif width >= self.full_width:
            self.set_compact(False)
            if self.bar.width() < self.bar.sizeHint().width():  # the full form grew meanwhile (a longer name)
                self.full_width = self.bar.sizeHint().width()
                self.set_compact(True)

    def recheck(self) -> None:
        """Measures the full form again while the bar is compact: a part that only the full form
        shows changed (the Text bar's status words, under a compact bar), so the width it was
        remembered wanting may no longer hold. Its words came back only when the window widened
        past that width: after a continuation's long "writing…", never at 1280 px."""
        if not self.compact:
            return
        self.set_compact(False)
        wanted = self.bar.sizeHint().width()
        if self.bar.width() < wanted:
            self.full_width = wanted
            self.set_compact(True)

    def set_compact(self, compact: bool) -> None:
        self.compact = compact
        self.apply(compact)


class Ladder(_BarWatcher):
    """Compactor in several steps: ``apply(step)`` shortens the bar one step at a time (0: the
    full form) while it is narrower than what it asks for, remembering at each step the width
    the step before wanted, and takes a step back once that width is there again. Measured on
    screen, like Compactor, where a part's short form is not known from its hints (a button's
    style sheet sets its padding). The prompt row's Compactor dropped every word at once at
    1280 px because only the long model name did not fit."""

    def __init__(self, bar: QWidget, steps: int, apply: Callable[[int], None]):
        super().__init__(bar)
        self.steps, self.apply = steps, apply
        self.step = 0
        self.wanted: list[int] = [0] * steps  # what step i's form asked for when it gave way
        self.watch()

    def update(self) -> None:
        width = self.bar.width()
        while self.step < self.steps and width < self.bar.sizeHint().width():
            self._go(self.step + 1)
        while self.step > 0 and width >= self.wanted[self.step - 1]:
            self._apply(self.step - 1)
            if width < self.bar.sizeHint().width():  # the fuller form grew meanwhile (a longer name)
                self.wanted[self.step - 1] = self.bar.sizeHint().width()
                self._apply(self.step)
                break
            self.step -= 1

    def recheck(self) -> None:
        """Measures again from the full form: a part that only a fuller form keeps in the bar changed
        (the Text bar's status words, on a row of their own under it), so the widths remembered may
        no longer hold."""
        if self.step == 0:
            return
        self.step = 0
        self._apply(0)
        self.update()

    def _go(self, step: int) -> None:
        self.wanted[step - 1] = self.bar.sizeHint().width()
        self.step = step
        self._apply(step)

    def _apply(self, step: int) -> None:
        """Applies ``step`` and drops the layouts' cached hints, so the next measure sees it
        (a button's new text marks only the bar's own layout, not the row layout inside it)."""
        self.apply(step)
        layouts = [self.bar.layout()]
        while layouts:
            layout = layouts.pop()
            if layout is not None:
                layout.invalidate()
                layouts += [layout.itemAt(i).layout() for i in range(layout.count())]


class Stepper(_BarWatcher):
    """Calls ``apply(step)`` with the fewest of ``steps`` steps that let ``bar``'s parts fit
    (0: the full form; each step shortens one more thing, the least needed first), where
    Compactor's one step dropped everything at once though only one word did not fit.
    ``need(step)``: the width the bar asks for at that step, worked out from its parts' size
    hints, so no step is tried on screen (a part shown and hidden to measure it asked the
    layout again, and again)."""

    def __init__(self, bar: QWidget, steps: int, need: Callable[[int], int], apply: Callable[[int], None]):
        super().__init__(bar)
        self.steps, self.need, self.apply = steps, need, apply
        self.step = 0
        self.watch()

    def update(self) -> None:
        width = self.bar.width()
        step = next((s for s in range(self.steps) if self.need(s) <= width), self.steps)
        if step != self.step:
            self.step = step
            self.apply(step)


def elided(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def laid_out_width(widget: QWidget) -> int:
    """The width a layout gives ``widget`` at rest: its size hint within its least and most widths. The load's
    bar is fixed at 140 px with a hint of 97: counted by its hint, a "Saved <file>" thought to fit beside it and
    "Explaining a token…" was cut 13 px into its file's name at 1024 px (usertest43)."""
    return min(max(widget.sizeHint().width(), widget.minimumWidth()), widget.maximumWidth())


class MessageRoom(QObject):
    """Keeps ``room`` pixels of a status bar for its passing messages (a hovered token's
    figures), and more while a longer one is shown ("Saved <file>"), for as long as it shows.
    ``giving``: permanent labels that shorten themselves (elided_labels.ElidedLabel), in the order
    they give way; each gets at most what the room and the bar's other permanent widgets leave,
    and at least its minimum. ``yielding``: permanent widgets that step aside, in this order,
    while a message needs more than that (the last answer's speed). At 800 px the model's name
    took the room; at 1024 px during a fine-tune the run's label, which did not give way, cut the
    figures ("entropy 3."); at 800 px "Saved <file>" was cut in the file's name (usertest 9)."""

    GAP = 10  # px the bar puts around each permanent widget (its frame and spacing)

    def __init__(self, bar: QStatusBar, room: int, giving: tuple[QWidget, ...], yielding: tuple[QWidget, ...] = ()):
        super().__init__(bar)
        self.bar, self.room, self.giving, self.yielding = bar, room, giving, yielding
        self.aside: list[QWidget] = []  # the yielding widgets this hid for the message shown
        bar.installEventFilter(self)
        bar.messageChanged.connect(lambda _message: self.fit())

    def eventFilter(self, watched, event) -> bool:
        # a permanent widget shown, hidden or given a longer text asks the bar's layout again
        if watched is self.bar and event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            self.fit()
        return False

    def message_room(self) -> int:
        """The px the message side wants now: the room, or the message shown, if longer."""
        message = self.bar.currentMessage()
        return max(self.room, self.bar.fontMetrics().horizontalAdvance(message) + 16 if message else 0)

    def _shown(self) -> list[QWidget]:
        # not hidden, rather than visible: a fit while the window is not shown (every child reports
        # isVisible() False then) must count the same widgets as one on screen
        return [w for w in self.bar.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
                if not w.isHidden() or w in self.aside]

    def _make_way(self) -> None:
        """Steps the yielding widgets aside, as few as the message shown needs, and back after it."""
        shown = self._shown()
        least = sum((w.minimumWidth() if w in self.giving else laid_out_width(w)) + self.GAP for w in shown)
        message = self.bar.currentMessage()
        free = self.bar.width() - least
        need = self.bar.fontMetrics().horizontalAdvance(message) + 16 if message else 0
        aside = []
        for w in self.yielding:
            if free >= need:
                break
            if w in shown:
                aside.append(w)
                free += laid_out_width(w) + self.GAP
        for w in self.yielding:  # only what changes: a hide or show asks the layout (and this) again
            if w in aside and not w.isHidden():
                w.hide()
            elif w not in aside and w in self.aside:
                w.show()
        self.aside = aside

    def fit(self) -> None:
        self._make_way()
        shown = [w for w in self._shown() if not w.isHidden()]
        fixed = sum(laid_out_width(w) + self.GAP for w in shown if w not in self.giving)
        free = self.bar.width() - self.message_room() - fixed
        giving = [w for w in self.giving if w in shown]
        self.squeeze(giving, fixed)
        for i, label in enumerate(giving):
            later = sum(w.sizeHint().width() + self.GAP for w in giving[i + 1:])
            width = min(label.sizeHint().width(), free - later - self.GAP)
            width = max(label.minimumWidth(), width)
            if label.maximumWidth() != width:
                label.setMaximumWidth(width)
            free -= width + self.GAP

    def squeeze(self, giving: list[QWidget], fixed: int) -> None:
        """A giving label that keeps a readable least width (``readable``: the run's label, its shortest form)
        gives it up, down to its ``floor``, where the bar cannot hold it beside the others' least widths: at
        480 px the run's label had run under the model's name, read "fine-tune: reading (" (the half of a "0"),
        with no "…"; now it is cut after a word with "…" (polish36). The message's room is not counted: the
        readable form keeps its place before a hovered token's figures."""
        for label in giving:
            readable = getattr(label, "readable", None)
            if readable is None:
                continue
            others = sum(w.minimumWidth() + self.GAP for w in giving if w is not label)
            least = max(label.floor, min(readable, self.bar.width() - fixed - others - self.GAP))
            if label.minimumWidth() != least:
                label.setMinimumWidth(least)
