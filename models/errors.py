"""Errors of the model layer; each says what was wrong and, where it helps, what to do."""

from __future__ import annotations


class TomtatError(Exception):
    """Base of every error tomtat raises on purpose."""


class InputError(TomtatError, ValueError):
    """A text the models cannot take (empty, wrong language, ...); ``field`` names the bad part."""

    def __init__(self, message: str, field: str = "text", code: str = "invalid_input") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


class UnknownModelError(TomtatError, ValueError):
    """A model name that is neither in the registry nor a checkpoint directory."""


class UnsupportedTaskError(TomtatError, ValueError):
    """A checkpoint was asked for a task (or translation direction) it was not trained for."""

    def __init__(self, message: str, field: str = "target") -> None:
        super().__init__(message)
        self.field = field


class CheckpointNotFoundError(TomtatError, FileNotFoundError):
    """A known checkpoint is not on this machine; the message says where we looked and how to fetch it."""


class BrokenCheckpointError(TomtatError, RuntimeError):
    """A checkpoint directory exists but a file is missing or unreadable; the message names the file."""


class ModelUnavailableError(TomtatError, RuntimeError):
    """No loaded model can do what was asked; ``retry_after`` is set only while models are loading
    (a missing checkpoint does not appear by waiting)."""

    def __init__(self, message: str, field: str | None = None, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.retry_after = retry_after
