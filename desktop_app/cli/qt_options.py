"""Qt's own command-line options (``-platform xcb``, ``-style Fusion``, ``-reverse`` …), which every
Qt program takes: argparse read ``gpt2-desk -platform xcb`` as the command "xcb" and refused it
(usertest49). They are split off here and handed to the window's QApplication."""

from __future__ import annotations

# QGuiApplication's and QApplication's options (Qt 6), single dash as Qt documents them; our own
# options all start with "--", so none of these is ever one of ours
QT_OPTIONS_WITH_VALUE = frozenset({
    "-platform", "-platformpluginpath", "-platformtheme", "-plugin", "-qwindowgeometry", "-qwindowicon",
    "-qwindowtitle", "-style", "-stylesheet", "-session", "-display", "-geometry", "-qmljsdebugger",
})
QT_FLAGS = frozenset({"-reverse", "-widgetcount", "-nograb", "-dograb", "-sync"})


def split_qt_options(argv: list[str]) -> tuple[list[str], list[str]]:
    """(the words for our parser, Qt's options with their values), each list in its order.
    "-style Fusion" and "-style=Fusion" alike; an option with its value missing stays ours, so
    argparse says what is wrong with it."""
    ours, qt = [], []
    index = 0
    while index < len(argv):
        word = argv[index]
        name = word.split("=", 1)[0]
        if word in QT_FLAGS or (name in QT_OPTIONS_WITH_VALUE and "=" in word):
            qt.append(word)
        elif word in QT_OPTIONS_WITH_VALUE and index + 1 < len(argv):
            qt += argv[index:index + 2]
            index += 1
        else:
            ours.append(word)
        index += 1
    return ours, qt
