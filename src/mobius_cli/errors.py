"""Exit codes and the errors a user can cause, each mapped to one code."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes (product.md)."""

    OK = 0
    SOURCE = 1  # a data source failed: network, rate limit, bad response
    USAGE = 2  # bad arguments, unknown symbol
    ALERTS_FIRED = 3
    INTERNAL = 70  # a bug in Mobius (EX_SOFTWARE)
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


class Cancelled(UsageError):
    """The user said no to a change: nothing was done (exit 2; the REPL just says so)."""


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


class LocalStateError(UsageError):
    """Mobius's own files cannot be read or written (read-only or full home, a directory
    where a file belongs, unreadable config): exit 2, one line naming the path."""


_OS_REASONS = {
    "EACCES": "permission denied",
    "EPERM": "permission denied",
    "EROFS": "the file system is read-only",
    "ENOSPC": "the disk is full",
    "EDQUOT": "the disk quota is exceeded",
    "EISDIR": "it is a directory, not a file",
    "ENOTDIR": "a part of the path is a file, not a directory",
    "ENAMETOOLONG": "the path is too long",
}


def local_state_error(exc: OSError, action: str = "use", path: object = None
                      ) -> LocalStateError:
    """One clear line for an OSError on Mobius's own files: what, where, and why."""
    import errno

    where = path if path is not None else (exc.filename or "a file")
    reason = _OS_REASONS.get(errno.errorcode.get(exc.errno or 0, ""),
                             exc.strerror or type(exc).__name__)
    hint = "free some space" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else \
        "check its permissions, or point MOBIUS_HOME at a writable folder"
    return LocalStateError(f"cannot {action} {where}: {reason}", hint=hint, detail=str(exc))


# The exit code a run keeps when its stdout reader has gone (`mobius alerts check | head -0`):
# 0 for most commands (the reader had enough), but a command whose code carries news (3: an
# alert fired) sets it before printing, so a wrapper still learns it. __main__ resets it at
# the start of every run.
_exit_if_output_lost: int = ExitCode.OK


def set_exit_if_output_lost(code: int) -> None:
    """The exit code to keep if stdout's reader leaves while this run prints."""
    global _exit_if_output_lost
    _exit_if_output_lost = int(code)


def exit_if_output_lost() -> int:
    """The exit code for a run whose stdout reader left (0 unless a command said otherwise)."""
    return int(_exit_if_output_lost)
