"""What the window keeps between starts, in ``gui-settings.ini`` next to the data (so --data-dir
and tests isolate it too): its size and panels, the colour measure, the sampling settings and
system text, Enter's meaning, the colours (light, dark, the system's), the tab in front, the conversation last shown and a prompt typed and
not sent."""

from __future__ import annotations

import json

from PySide6.QtCore import QByteArray, QDataStream, QEvent, QObject, QPoint, QRect, QSettings, QSize, Qt, QTimer
from PySide6.QtWidgets import QApplication

from desktop_app.core.generation import RECOMMENDED_SAMPLING, SamplingSettings, recommended_sampling
from desktop_app.gui import view_toolbar
from desktop_app.gui.responsive import FIRST_SIZE, first_geometry, opens_maximized
from desktop_app.gui.text_summary import HISTOGRAMS_SHOWN
from desktop_app.gui.text_surprises import SURPRISES_OPEN, SURPRISES_ORDER


def open_settings(paths) -> QSettings:
    """The window's settings file, in the data folder."""
    return QSettings(str(paths.data_dir / "gui-settings.ini"), QSettings.Format.IniFormat)


def saved_sampling(saved: dict) -> SamplingSettings:
    """A person's saved settings; min-p saved before it existed was never their choice, so it
    takes the recommended value (an explicit 0, "off", stays off)."""
    return SamplingSettings.from_dict({"min_p": RECOMMENDED_SAMPLING["min_p"], **saved})


def restore(window) -> None:
    """The window as it was left (a first start: its first size)."""
    s = window.settings
    _restore_layout(window, s)
    window.legend.set_measure(s.value("measure", "probability"))
    window.legend.score_prompts.setChecked(_flag(s.value("score_prompts", "false")))
    window.popover.set_settings(_sampling(s), s.value("system", "") or "")
    window.popover.enter_sends.setChecked(_flag(s.value("enter_sends", "true")))
    window.popover.set_theme_choice(s.value("theme", "system") or "system")  # applied as the box changes
    window.use_popover_settings()
    window.text_mode.restore(s)
    window.prompt.setPlainText(s.value("prompt_draft", "") or "")


def _restore_layout(window, s: QSettings) -> None:
    geometry = s.value("geometry")
    if isinstance(geometry, QByteArray) and not geometry.isEmpty():
        window.restoreGeometry(geometry)  # maximized when it was left so
        window.first_start = False
        _fit_restored(window, geometry)
    else:
        first_size(window)
        window.first_start = True
    view_toolbar.restore_panels(window, s)
    splitter = s.value("splitter")
    if isinstance(splitter, QByteArray) and not splitter.isEmpty():
        window.splitter.restoreState(splitter)
    view_toolbar.restore_widths(window, s)


def _fit_restored(window, geometry: QByteArray) -> None:
    """Qt's own restore after the screen changed shrank a window larger than the new screen, or placed off it,
    to 2/3 of it (535x425 on 800x600, usertest37), and brought one left maximized back unmaximized at a stray
    size: it comes back at its size, moved onto the screen, or sized afresh for a screen too small for it."""
    saved = _saved_geometry(geometry)
    screen = window.screen() or QApplication.primaryScreen()
    if saved is None or screen is None:
        return
    frame, normal, maximized = saved
    free = screen.availableGeometry()
    if frame.width() > free.width() or frame.height() > free.height():
        first_size(window, wanted=normal.size())
        window.first_start = True  # as at a first start: a small screen opens it maximized
    elif window.isMaximized() == maximized and window.geometry() == normal:
        return  # restored as it was left
    else:
        window.setGeometry(normal.translated(_shift_inside(frame, free)))
    if maximized:
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def _saved_geometry(geometry: QByteArray) -> tuple[QRect, QRect, bool] | None:
    """(frame, normal geometry, maximized) as ``saveGeometry`` wrote them (Qt's layout: a magic number, two
    version numbers, the frame, the normal geometry, the screen's number, the maximized flag); None for
    bytes of another layout."""
    stream = QDataStream(geometry)
    stream.setVersion(QDataStream.Version.Qt_4_0)
    if stream.readUInt32() != 0x1D9D0CB:
        return None
    stream.readUInt16(), stream.readUInt16()
    frame, normal = QRect(), QRect()
    stream >> frame
    stream >> normal
    stream.readInt32()
    maximized = bool(stream.readUInt8())
    return (frame, normal, maximized) if stream.status() == QDataStream.Status.Ok else None


def _shift_inside(frame: QRect, free: QRect) -> QPoint:
    """How far ``frame`` (which fits in ``free``) moves to lie wholly inside it; nothing when it does."""
    x = min(max(frame.left(), free.left()), free.right() - frame.width() + 1)
    y = min(max(frame.top(), free.top()), free.bottom() - frame.height() + 1)
    return QPoint(x - frame.left(), y - frame.top())


def _flag(value) -> bool:
    return value in (True, "true")


def _sampling(s: QSettings) -> SamplingSettings:
    try:
        saved = json.loads(s.value("sampling", "{}"))  # a person's own choice stays theirs
        return saved_sampling(saved) if saved else recommended_sampling()
    except (TypeError, ValueError):
        return recommended_sampling()


def first_size(window, wanted: QSize = FIRST_SIZE) -> None:
    """The first start: 1280x800 (``wanted``) where the screen has room, else 85% of it, centred."""
    screen = window.screen() or QApplication.primaryScreen()
    if screen is None:
        window.resize(FIRST_SIZE)
        return
    least = window.minimumSizeHint().expandedTo(window.minimumSize())
    window.setGeometry(first_geometry(screen.availableGeometry(), least, wanted))


def show_at_start(window) -> None:
    """Shows the window as the app starts: a first start on a small screen maximized (its first
    size stays the size it comes back to when un-maximized); a later start as it was left, or, left at a size
    bigger than this screen, as a first start (``_fit_restored``): Qt shrank such a size to two thirds of the
    screen, 533x400 on 800x600, where the Text tab showed four lines (usertest39)."""
    screen = window.screen() or QApplication.primaryScreen()
    if getattr(window, "first_start", False) and screen is not None and opens_maximized(screen.availableGeometry()):
        window.showMaximized()
    else:
        window.show()


def save(window) -> None:
    s = window.settings
    s.setValue("geometry", window.saveGeometry())
    s.setValue("splitter", window.splitter.saveState())
    write_choices(window)
    s.setValue("mode", window.mode)  # at quit, as before: the tab the person leaves in front
    # a question typed and not sent is there at the next start (usertest 17: Ctrl+Q lost it); an edit
    # of a sent message is not: restored without its edit, it would be sent as a new question
    s.setValue("prompt_draft", window.message_editor.draft())
    s.sync()


CHOICE_PAUSE_MS = 500  # a choice is written once the person stops changing settings this long


def keep_choices_as_made(window) -> None:
    """The person's choices (Settings' colours, sampling, system text and Enter; the colour measure; the tab in
    front and the side panels shown or hidden) are written as they are made, not only at quit: Dark chosen, the
    app killed, the next start came back light with the sampling as it had been (usertest33). ``save`` still
    writes them at quit, with the window's geometry."""
    timer = QTimer(window)
    timer.setSingleShot(True)
    timer.setInterval(CHOICE_PAUSE_MS)
    timer.timeout.connect(lambda: write_choices(window))
    signals = [window.popover.changed, window.popover.theme.currentIndexChanged, window.legend.measure_changed,
               window.legend.score_prompts_changed, window.text_mode.tabs.currentChanged,
               window.text_view.surprises.toggle.toggled, window.text_view.surprises.panel.order.currentIndexChanged,
               window.text_view.summary_panel.histograms_button.toggled]
    for signal in signals + [action.triggered for action in window.panel_actions.values()]:  # the person's own
        signal.connect(timer.start)
    window.choices_timer = timer


def write_choices(window) -> None:
    s = window.settings
    view_toolbar.save_panels(window, s)
    # the tab in front only once the person or the first model chose it: a "chat" written while the model loaded
    # (a setting changed meanwhile) read as the person's choice, and a model with no chat template opened in Chat
    if window.text_mode.decided:
        s.setValue("mode", window.mode)
    s.setValue("measure", window.legend.measure())
    s.setValue("score_prompts", window.legend.score_prompts.isChecked())
    s.setValue("sampling", json.dumps(window.chat.settings.to_dict()))
    s.setValue("system", window.chat.system)
    s.setValue("enter_sends", window.prompt.enter_sends)
    s.setValue("theme", window.popover.theme_choice())
    s.setValue(SURPRISES_OPEN, window.text_view.surprises.toggle.isChecked())
    s.setValue(SURPRISES_ORDER, window.text_view.surprises.panel.order.currentData())
    s.setValue(HISTOGRAMS_SHOWN, window.text_view.summary_panel.histograms_button.isChecked())
    s.sync()  # on disk now: a kill does not wait for QSettings' own write


GEOMETRY_PAUSE_MS = 500  # a drag or a resize writes once it pauses this long, not at every pixel
GEOMETRY_EVENTS = (QEvent.Type.Resize, QEvent.Type.Move, QEvent.Type.WindowStateChange)


class GeometryWatch(QObject):
    """The window's size, place and maximized state, and the panels' widths, are written as they change, not only at
    quit: the app killed (kill -9, a crash, a power cut) came back at its first size, wherever the person had put it
    (leftovers61). ``save`` still writes them at quit."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(GEOMETRY_PAUSE_MS)
        self.timer.timeout.connect(self.write)
        window.installEventFilter(self)
        window.splitter.splitterMoved.connect(self.timer.start)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() in GEOMETRY_EVENTS:
            self.timer.start()
        return False

    def write(self) -> None:
        window = self.window
        if not window.isVisible() or window.quitting:  # hidden while quitting: ``save`` wrote it as it was shown
            return
        s = window.settings
        s.setValue("geometry", window.saveGeometry())
        s.setValue("splitter", window.splitter.saveState())
        view_toolbar.save_panels(window, s)  # the widths the person dragged the panels to
        s.sync()  # on disk now: a kill does not wait for QSettings' own write


DRAFT_PAUSE_MS = 1000  # a draft is written once typing pauses this long


def keep_draft_as_typed(window) -> None:
    """The question typed and not sent is written once typing pauses, not only at quit (usertest 18:
    the app killed, the next start brought back a question deleted before the kill, and a question
    typed since the last quit was lost). ``save`` still writes it at quit."""
    timer = QTimer(window)
    timer.setSingleShot(True)
    timer.setInterval(DRAFT_PAUSE_MS)
    timer.timeout.connect(lambda: write_draft(window))
    window.prompt.textChanged.connect(timer.start)
    window.draft_timer = timer


def write_draft(window) -> None:
    window.settings.setValue("prompt_draft", window.message_editor.draft())
    window.settings.sync()  # on disk now: a kill does not wait for QSettings' own write


def remember_conversation(window) -> None:
    """Written as soon as it changes, not at quit: after a crash or a kill the next start
    opens the conversation the person was in (the one the answer was being written into)."""
    shown, stored = window.chat.conversation_id, window.settings.value("last_conversation")
    if shown == (int(stored) if stored is not None else None):
        return
    if shown is None:
        window.settings.remove("last_conversation")
    else:
        window.settings.setValue("last_conversation", shown)
    window.settings.sync()
