"""Widgets made in the parent they stay in.

Under the app's style sheet, a widget given another parent (``setParent``, a layout of another widget taking it,
``QTabWidget.addTab``, ``QScrollArea.setWidget``, ``QSplitter.addWidget``) is sent a StyleChange and polished
again, with everything it holds: a window built bottom-up, each part made alone and then moved into the next,
polished its 469 widgets 6 times over, 2,817 StyleChange events and most of its construction's time
(bench/window_build.py). A widget made in the parent it ends in is sent one; putting it where it already is
(``addTab`` of a page made in the tabs' stack, ``setWidget`` of a content made in the viewport) sends none.

Made alone still, where what a widget keeps of its first size or margins shows: a scroll area in a page out of
sight (the Fine-tune panel, the Text summary) is laid out only once shown, and its content fits its words to the
viewport's first 100 px until then; a layout's margins read while its widget is a window are a window's (the
inspector's figures keep theirs).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStackedWidget, QTabWidget, QWidget


def tab_pages(tabs: QTabWidget) -> QWidget:
    """The parent to make ``tabs``' pages in: the stack ``addTab`` moves a page into."""
    stack = tabs.findChild(QStackedWidget, "qt_tabwidget_stackedwidget", Qt.FindChildOption.FindDirectChildrenOnly)
    return stack if stack is not None else tabs


def sized_as_made_alone(*widgets: QWidget) -> None:
    """Tab pages made in place take the size a widget made without a parent has, 640x480: a page out of sight
    keeps the size it was made with (QStackedLayout sizes the one in front only), and at a child's first 100x30
    a hidden page fitted its words to 100 px until it was shown."""
    for widget in widgets:
        widget.resize(640, 480)
