"""usertest26: a new user looked for the dark palette in Settings; it followed the system only (or
--dark). Settings now has "Colours": Follow the system, Light, Dark; the choice is applied at once and
kept for the next start. pytest-qt, the real window on the tiny model, its real settings file."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QPalette  # noqa: E402

from test_gui import make_window  # noqa: E402,F401


@pytest.fixture
def light_again(qapp):
    """The palette of the tests after this one: light, as their fixtures set it, and no choice kept."""
    from desktop_app.gui.theme import apply_theme

    qapp.setProperty("gpt2desk_theme_fixed", False)  # as gpt2-desk starts without --dark
    yield qapp
    qapp.setProperty("gpt2desk_theme_choice", None)
    apply_theme(qapp, dark=False)


def _window_colour(qapp) -> str:
    return qapp.palette().color(QPalette.ColorRole.Window).name()


def test_dark_chosen_in_settings_applies_at_once_and_at_the_next_start(make_window, light_again):
    from desktop_app.gui.theme import colors, is_dark

    qapp = light_again
    window = make_window()
    assert [window.popover.theme.itemText(i) for i in range(window.popover.theme.count())] == [
        "Follow the system", "Light", "Dark"]
    window.popover.set_theme_choice("dark")
    assert is_dark() and _window_colour(qapp) == colors(True)["window"]
    window.close()  # keeps the window's settings
    window.popover.set_theme_choice("light")  # the closed window's box; the file keeps "dark"
    assert not is_dark()
    again = make_window()
    assert again.popover.theme_choice() == "dark"
    assert is_dark() and _window_colour(qapp) == colors(True)["window"]


def test_a_fixed_palette_keeps_its_colours_whatever_settings_say(make_window, light_again):
    """--dark, or a screenshot's light palette: the saved choice does not change it."""
    from desktop_app.gui.theme import is_dark

    qapp = light_again
    qapp.setProperty("gpt2desk_theme_fixed", True)
    window = make_window()
    window.popover.set_theme_choice("dark")
    assert not is_dark()
