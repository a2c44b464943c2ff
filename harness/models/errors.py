"""Errors from resolving, serving and calling models. Each message is one line that says what to fix."""

from __future__ import annotations


class ModelError(Exception):
    """Base class: a model could not be resolved or served."""


class UnknownModelError(ModelError, KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


class ModelConfigError(ModelError):
    """A models.yaml file is malformed."""


class MissingApiKeyError(ModelError):
    pass


class CheckpointMissingError(ModelError):
    pass


class ServeError(ModelError):
    """The vLLM server did not come up; the message ends with the last lines of its log."""


class EndpointError(RuntimeError):
    """A chat request failed for infrastructure reasons (after any retries): record it as an
    infra error, never as the model's failure."""

    def __init__(self, message: str, *, status_code: int | None = None, attempts: int = 1) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.attempts = attempts
