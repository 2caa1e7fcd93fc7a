"""A short window (an 800x480 or 1024x600 netbook screen, under a title bar) gives the chat the room its
secondary parts took: the colour key moves from its own row over the chat into the View toolbar's empty
middle, and the prompt area goes compact (a two-line box, tighter margins: ``PromptArea.set_short``).
At 800x461 the transcript had 138 px of the window's height, under a 41 px toolbar, a 38 px key row,
the notice and a 158 px prompt area."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer

# Below this window height the secondary parts go compact. Measured from the window itself, which their
# form does not change, so the switch cannot flicker; a 1024x600 screen's maximized window (about 580 px)
# keeps the roomy form, its chat had about 260 px.
SHORT_WINDOW_PX = 540


def is_short(height: int) -> bool:
    return height < SHORT_WINDOW_PX


class ShortWindow(QObject):
    """Watches ``window``'s height and puts its secondary parts in their short or roomy form.

    A window taller than SHORT_WINDOW_PX can still squeeze the key's row: a layout takes an equal share
    from every part when they ask more than the window has, and the row, whose least height is none (the
    window's least height counts the short form), lost all of its 38 px at 1088x680 beside both side
    panels under the first start's six-line notice, its measure and "Score my prompts" gone from the window. So a key squeezed under its height goes to the toolbar too (the prompt
    area keeps its form: that is the window height's), until the window is taller than it was then by the row's height.

    Attributes:
        window: the MainWindow (its legend, its View toolbar's ``legend_slot``, its prompt area).
        short: the form shown (None before the first resize).
        squeezed_at: the window's height when the key's row was squeezed (None: it was not)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.short: bool | None = None
        self.squeezed_at: int | None = None
        window.installEventFilter(self)
        window.legend.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Resize:
            self.fit()
        elif watched is self.window.legend and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            if self.squeezed_at is None and self._squeezed():
                # not now: the key's Resize comes from inside its row's layout, which taking the key out of
                # would pull the item from under (a segfault in QBoxLayout::setGeometry)
                QTimer.singleShot(0, self, self._move_squeezed_legend)
        return False

    def _move_squeezed_legend(self) -> None:
        if self.squeezed_at is None and self._squeezed():
            self.squeezed_at = self.window.height()
            self._place_legend(True)

    def fit(self) -> None:
        height = self.window.height()
        short = is_short(height)
        # short anyway, or taller than when it was squeezed by the row's height: the row may have room again
        # (not by less: the window's least height moves a few pixels with the key's place)
        if self.squeezed_at is not None and (short or height >= self.squeezed_at + self.window.legend.sizeHint().height()):
            self.squeezed_at = None
        in_toolbar = short or self.squeezed_at is not None
        if in_toolbar != self._legend_in_toolbar():
            self._place_legend(in_toolbar)
        if short != self.short:
            self.short = short
            self.window.prompt_area.set_short(short)

    def _squeezed(self) -> bool:
        """The key on its row, given less than its height (its least is none: see the class)."""
        legend = self.window.legend
        return (not self._legend_in_toolbar() and legend.isVisible()
                and legend.height() < legend.sizeHint().height())

    def _legend_in_toolbar(self) -> bool:
        return self.window.legend.parentWidget() is self.window.legend_slot

    def _place_legend(self, in_toolbar: bool) -> None:
        """The key into the toolbar's middle (short) or back on its row over the chat and the Text tab."""
        w = self.window
        legend, slot, column = w.legend, w.legend_slot.layout(), w.centre_column
        (column if in_toolbar else slot).removeWidget(legend)
        if in_toolbar:
            slot.addWidget(legend)
        else:
            column.insertWidget(0, legend)
        legend.set_in_toolbar(in_toolbar)
        legend.show()  # a widget moved to another parent is hidden until shown
