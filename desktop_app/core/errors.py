"""Errors whose message a person can act on; the CLI and GUI show them as one line."""


class UserFacingError(Exception):
    """Base class: str(exc) is a complete sentence meant for the user."""


class ModelError(UserFacingError):
    pass


class PromptTooLongError(UserFacingError):
    pass
