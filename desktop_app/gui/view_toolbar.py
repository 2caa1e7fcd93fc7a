"""The view toolbar: show or hide each side panel (a toggle and a shortcut each), remembered
between starts, so the chat can have the whole window."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QSizePolicy, QToolBar, QWidget

from desktop_app.gui.theme import icon

# window attribute, words, icon, shortcut
PANELS = (("conversations", "Conversations", "sidebar-left", "Ctrl+B"),
          ("side_tabs", "Token and fine-tune panel", "sidebar-right", "Ctrl+Shift+B"))


def build_view_toolbar(window) -> QToolBar:
    """Adds the toolbar to ``window`` and ``window.panel_actions``: attribute -> checkable QAction."""
    bar = QToolBar("View", window)
    bar.setObjectName("ViewToolBar")
    bar.setMovable(False)
    bar.setFloatable(False)
    bar.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)  # no way to lose the toolbar itself
    bar.setIconSize(QSize(18, 18))
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    window.panel_actions = {}
    for attr, words, icon_name, keys in PANELS:
        action = QAction(icon(icon_name), words, window)
        action.setCheckable(True)
        action.setChecked(True)
        action.setShortcut(QKeySequence(keys))
        action.setToolTip(f"Show or hide the {words.lower()} ({QKeySequence(keys).toString()})")
        action.toggled.connect(getattr(window, attr).setVisible)
        window.panel_actions[attr] = action
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    bar.addAction(window.panel_actions["conversations"])
    bar.addWidget(spacer)
    bar.addAction(window.panel_actions["side_tabs"])
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    window.panel_fitter = PanelFitter(window)
    return bar


CHAT_WIDTH = 420  # the chat is what the window is for: side panels give way down to their minimum first


class PanelFitter(QObject):
    """When the window narrows, the side panels shrink (to their minimum widths) before the chat does
    (a splitter alone takes it all from the chat, its stretching part)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.taken: dict[int, int] = {}  # panel index -> width it gave the chat
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Resize:
            QTimer.singleShot(0, self.fit)  # once the splitter has its new width
        return False

    def fit(self) -> None:
        splitter = self.window.splitter
        sizes = splitter.sizes()
        if len(sizes) != 3:
            return
        want = CHAT_WIDTH - sizes[1]
        if want > 0:
            for i in (2, 0):  # the inspector side first, then the conversations
                panel = splitter.widget(i)
                if panel.isVisible():
                    give = max(0, min(want, sizes[i] - panel.minimumWidth()))
                    sizes[i] -= give
                    sizes[1] += give
                    self.taken[i] = self.taken.get(i, 0) + give
                    want -= give
        else:  # wider again: the panels get back what they gave
            spare = -want
            for i in (0, 2):
                back = min(spare, self.taken.get(i, 0))
                sizes[i] += back
                sizes[1] -= back
                self.taken[i] = self.taken.get(i, 0) - back
                spare -= back
        splitter.setSizes(sizes)


def restore_panels(window, settings) -> None:
    for attr, action in window.panel_actions.items():
        action.setChecked(settings.value(f"show_{attr}", "true") in (True, "true"))


def save_panels(window, settings) -> None:
    for attr, action in window.panel_actions.items():
        settings.setValue(f"show_{attr}", action.isChecked())


def reveal(window, attr: str) -> None:
    """Show a hidden panel the person just asked for (a token click wants the inspector)."""
    window.panel_actions[attr].setChecked(True)
