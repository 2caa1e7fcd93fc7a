"""The first start's model notice (pytest-qt, the real window): it shows from the start, while a first start
still converts the bundled model for a minute with Send off and the status bar says "Converting … (only the
first time, a few minutes)", so "Ready with the bundled model" over it said two things at once (usertest 24).
It says which model is used, true while it loads and after."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from test_gui import make_window  # noqa: E402,F401


def test_the_notice_shown_while_the_model_loads_does_not_say_ready(make_window, monkeypatch):
    from desktop_app.core import model_sources

    monkeypatch.setattr(model_sources, "cached_hub_folder", lambda repo: None)
    notice = model_sources.resolve_spec(None, probe=lambda: False).notice
    window = make_window(wait=False)  # the notice is told before the load ends, as the load task tells it
    window.chat.model_notice.emit(notice)
    shown = window.notice_banner.label.text()
    assert shown.startswith(f"Using the bundled model {model_sources.BUNDLED_NAME}, which works offline")
    assert "Ready" not in shown
