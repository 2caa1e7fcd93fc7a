"""Small set-up helpers many test files share (no Qt, no fixtures: those are in conftest.py and,
for the window, gui_windows.py)."""

from __future__ import annotations

import threading
from typing import Callable


def on_which_thread(*_args, **_kwargs) -> threading.Thread:
    return threading.current_thread()


def thread_name(*_args, **_kwargs) -> str:
    return threading.current_thread().name


def watch_calls(monkeypatch, owner, name: str, note: Callable = on_which_thread) -> list:
    """Put a watched ``owner.name`` in place for the test: each call appends ``note(*args, **kwargs)``
    (by default the thread it runs on) to the list returned, then runs the real function."""
    real = getattr(owner, name)
    seen: list = []

    def watched(*args, **kwargs):
        seen.append(note(*args, **kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, watched)
    return seen
