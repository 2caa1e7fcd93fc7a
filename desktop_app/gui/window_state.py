"""What the window keeps between starts, in ``gui-settings.ini`` next to the data (so --data-dir
and tests isolate it too): its size and panels, the colour measure, the sampling settings and
system text, Enter's meaning, the colours (light, dark, the system's), the tab in front, the conversation last shown and a prompt typed and
not sent."""

from __future__ import annotations

import json

from PySide6.QtCore import QByteArray, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from desktop_app.core.generation import RECOMMENDED_SAMPLING, SamplingSettings, recommended_sampling
from desktop_app.gui import view_toolbar
from desktop_app.gui.responsive import FIRST_SIZE, first_geometry, opens_maximized


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
    else:
        first_size(window)
        window.first_start = True
    view_toolbar.restore_panels(window, s)
    splitter = s.value("splitter")
    if isinstance(splitter, QByteArray) and not splitter.isEmpty():
        window.splitter.restoreState(splitter)
    view_toolbar.restore_widths(window, s)


def _flag(value) -> bool:
    return value in (True, "true")


def _sampling(s: QSettings) -> SamplingSettings:
    try:
        saved = json.loads(s.value("sampling", "{}"))  # a person's own choice stays theirs
        return saved_sampling(saved) if saved else recommended_sampling()
    except (TypeError, ValueError):
        return recommended_sampling()


def first_size(window) -> None:
    """The first start: 1280x800 where the screen has room, else 85% of it, centred."""
    screen = window.screen() or QApplication.primaryScreen()
    if screen is None:
        window.resize(FIRST_SIZE)
        return
    least = window.minimumSizeHint().expandedTo(window.minimumSize())
    window.setGeometry(first_geometry(screen.availableGeometry(), least))


def show_at_start(window) -> None:
    """Shows the window as the app starts: a first start on a small screen maximized (its first
    size stays the size it comes back to when un-maximized); a later start as it was left."""
    screen = window.screen() or QApplication.primaryScreen()
    if getattr(window, "first_start", False) and screen is not None and opens_maximized(screen.availableGeometry()):
        window.showMaximized()
    else:
        window.show()


def save(window) -> None:
    s = window.settings
    s.setValue("geometry", window.saveGeometry())
    s.setValue("splitter", window.splitter.saveState())
    view_toolbar.save_panels(window, s)
    s.setValue("measure", window.legend.measure())
    s.setValue("score_prompts", window.legend.score_prompts.isChecked())
    s.setValue("sampling", json.dumps(window.chat.settings.to_dict()))
    s.setValue("system", window.chat.system)
    s.setValue("mode", window.mode)
    s.setValue("enter_sends", window.prompt.enter_sends)
    s.setValue("theme", window.popover.theme_choice())
    # a question typed and not sent is there at the next start (usertest 17: Ctrl+Q lost it); an edit
    # of a sent message is not: restored without its edit, it would be sent as a new question
    s.setValue("prompt_draft", window.message_editor.draft())
    s.sync()


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
