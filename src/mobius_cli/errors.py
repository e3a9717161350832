"""Exit codes and the errors a user can cause, each mapped to one code."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes (product.md)."""

    OK = 0
    SOURCE = 1  # a data source failed: network, rate limit, bad response
    USAGE = 2  # bad arguments, unknown symbol
    ALERTS_FIRED = 3
    INTERRUPTED = 130


class MobiusError(Exception):
    """An error the user should see as one line, with an exit code."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, *, hint: str | None = None, detail: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.detail = detail  # shown only with -v


class UsageError(MobiusError):
    """Bad arguments or input: exit 2."""

    exit_code = ExitCode.USAGE


class SourceError(MobiusError):
    """A data source failed after retries: exit 1."""

    exit_code = ExitCode.SOURCE

    def __init__(self, source: str, message: str, *, hint: str | None = None,
                 detail: str | None = None):
        super().__init__(f"{source}: {message}", hint=hint, detail=detail)
        self.source = source


class AuthError(SourceError):
    """A source refused the API key: the user must fix it, no fallback hides that."""


class NotFoundError(UsageError):
    """The thing asked for does not exist at the source (unknown coin, protocol)."""
