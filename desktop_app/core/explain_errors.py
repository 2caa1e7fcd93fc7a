"""What "Why this token?" raises: a clear error, and the stop when the person moved on."""

from __future__ import annotations

import threading

from desktop_app.core.errors import UserFacingError


class ExplainError(UserFacingError):
    pass


# What each use of an answer's token does to it, in the refusal of a question's token: explain's own words, and
# probe's, which scores a phrase rather than explaining the token.
TOKEN_USES = {"explain": "only answer tokens can be explained", "probe": "only an answer's tokens can be scored"}


# What cannot be done to an answer whose prompt cannot be rebuilt, in each use's words.
UNREBUILT_USES = {"explain": "cannot be explained", "probe": "cannot be scored"}


def not_an_answer(message_id: int, role: str | None, use: str = "explain") -> ExplainError:
    """The refusal of a token of a message that is not an answer, in the words of ``use`` ("explain", "probe")."""
    return ExplainError(f"Message {message_id} is a {role} message; {TOKEN_USES[use]}.")


def prompt_not_rebuilt(message_id: int, reason: str, use: str = "explain") -> ExplainError:
    """The refusal of an answer whose prompt cannot be rebuilt (``reason``), in the words of ``use``."""
    return ExplainError(f"Message {message_id} {UNREBUILT_USES[use]}: {reason}.")


class ExplainCancelled(UserFacingError):
    """The person moved on (another token): the work stopped between steps."""

    def __init__(self, message: str = "The explanation was stopped."):
        super().__init__(message)


def check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise ExplainCancelled()
