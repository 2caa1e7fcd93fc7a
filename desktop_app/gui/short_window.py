"""A short window (an 800x480 or 1024x600 netbook screen, under a title bar) gives the chat the room its
secondary parts took: the colour key moves from its own row over the chat into the View toolbar's empty
middle, and the prompt area goes compact (a two-line box, tighter margins: ``PromptArea.set_short``).
At 800x461 the transcript had 138 px of the window's height, under a 41 px toolbar, a 38 px key row,
the notice and a 158 px prompt area."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject

# Below this window height the secondary parts go compact. Measured from the window itself, which their
# form does not change, so the switch cannot flicker; a 1024x600 screen's maximized window (about 580 px)
# keeps the roomy form, its chat had about 260 px.
SHORT_WINDOW_PX = 540


def is_short(height: int) -> bool:
    return height < SHORT_WINDOW_PX


class ShortWindow(QObject):
    """Watches ``window``'s height and puts its secondary parts in their short or roomy form.

    Attributes:
        window: the MainWindow (its legend, its View toolbar's ``legend_slot``, its prompt area).
        short: the form shown (None before the first resize)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.short: bool | None = None
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        short = is_short(self.window.height())
        if short == self.short:
            return
        self.short = short
        self._place_legend(short)
        self.window.prompt_area.set_short(short)

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
