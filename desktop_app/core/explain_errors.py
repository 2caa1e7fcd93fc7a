"""What "Why this token?" raises: a clear error, and the stop when the person moved on."""

from __future__ import annotations

import threading

from desktop_app.core.errors import UserFacingError


class ExplainError(UserFacingError):
    pass


class ExplainCancelled(UserFacingError):
    """The person moved on (another token): the work stopped between steps."""

    def __init__(self, message: str = "The explanation was stopped."):
        super().__init__(message)


def check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise ExplainCancelled()
