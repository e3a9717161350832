"""Entry point: lazy-imports the app and maps errors, Ctrl-C and closed pipes to exit codes."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterator

from mobius_cli.errors import ExitCode


def _say(message: str) -> None:
    from mobius_cli.render.format import printable

    with contextlib.suppress(OSError, ValueError):  # stderr gone too: nothing left to tell
        print(f"mobius: {printable(message)}", file=sys.stderr)


def _verbosity(args: list[str]) -> int:
    """How many -v were given before `--` (errors are mapped before the context exists)."""
    level = 0
    for arg in args:
        if arg == "--":
            break
        if arg == "--verbose":
            level += 1
        elif arg.startswith("-") and not arg.startswith("--") and set(arg[1:]) == {"v"}:
            level += len(arg) - 1
    return level


def _is_broken_pipe(exc: BaseException) -> bool:
    return isinstance(exc, BrokenPipeError) or (
        isinstance(exc, OSError) and exc.errno in (errno.EPIPE, errno.EINVAL)
        and _stdout_closed())


def _stdout_closed() -> bool:
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        return True
    except OSError as exc:
        return exc.errno == errno.EPIPE
    return False


def _raised_by_broken_pipe() -> bool:
    """Whether the SystemExit being handled comes from Rich's broken-pipe handler (Rich
    points stdout at /dev/null itself and exits 1)."""
    tb = sys.exc_info()[2]
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "on_broken_pipe":
            return True
        tb = tb.tb_next
    return False


def _silence_stdout() -> None:
    """The reader of stdout left (`mobius ... | head`): point stdout at /dev/null so the
    flush at exit cannot fail again (as the Python docs recommend for SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _flush_stdout() -> bool:
    """Flush stdout; False (and stdout silenced) when its reader has gone or it cannot be
    written (a full disk: said by the caller)."""
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        _silence_stdout()
        return False
    except OSError as exc:
        _silence_stdout()
        if exc.errno != errno.EPIPE:
            raise
        return False
    return True


# Writing stdout failed for good (`mobius price btc > /dev/full`): said in one line.
_WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def _unwritable(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.filename is None and exc.errno in _WRITE_ERRORS


def _output_failed(exc: OSError) -> int:
    """One line for output that could not be written; the run's news (an alert fired)
    keeps its code, anything else is bad local state (2)."""
    from mobius_cli.errors import exit_if_output_lost

    _silence_stdout()
    _say(f"error: cannot write the output: {exc.strerror or exc}")
    code = exit_if_output_lost()
    return code if code != ExitCode.OK else ExitCode.USAGE


def _streams_present() -> None:
    """A closed stdout or stderr (`mobius price btc >&-`) leaves Python without the stream:
    writes go nowhere instead of failing, and the run's code stands."""
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the run
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the run


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (never a traceback for user errors)."""
    args = sys.argv[1:] if argv is None else list(argv)
    # numpy's OpenBLAS starts a thread per core as it loads (50 ms and more of `mobius ta`);
    # Mobius's matrices (365 x 50 at most) are too small to gain from them. The user's
    # own setting wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    _streams_present()
    code = _run(args)
    try:
        _flush_stdout()  # a reader that left early is not a failure; the code stands
    except OSError as exc:
        if not _unwritable(exc):
            raise
        return _output_failed(exc)
    return code


def _run(args: list[str]) -> int:
    verbose = _verbosity(args)
    from mobius_cli import _click
    from mobius_cli.errors import (
        LocalStateError,
        MobiusError,
        exit_if_output_lost,
        local_state_error,
        set_exit_if_output_lost,
    )

    set_exit_if_output_lost(ExitCode.OK)  # a command whose code carries news sets its own
    try:
        result = app_main(args)
        code = int(result) if isinstance(result, int) else ExitCode.OK
        if code == ExitCode.INTERRUPTED:  # Typer turned Ctrl-C into an exit code
            _say("interrupted")
        return code
    except MobiusError as exc:
        _report(exc, verbose)
        return exc.exit_code
    except _click.UsageError as exc:
        if _click.NoArgsIsHelpError and isinstance(exc, _click.NoArgsIsHelpError):
            print(exc.ctx.get_help() if exc.ctx else "", file=sys.stderr)
            return ExitCode.USAGE
        where = exc.ctx.command_path if getattr(exc, "ctx", None) else "mobius"
        message = _command_suggestion(exc, exc.format_message())
        name = getattr(exc, "option_name", None) or ""
        if name[1:2].isdigit():  # `convert -1 btc eur`: a number, not an option
            message = f"a negative number ({name}) is not accepted here; amounts are positive"
        _say(f"error: {message} (see `{where} --help`)")
        return ExitCode.USAGE
    except _click.Exit as exc:
        return exc.exit_code
    except (KeyboardInterrupt, _click.Abort):
        print(file=sys.stderr)
        _say("interrupted")
        return ExitCode.INTERRUPTED
    except _click.ClickException as exc:
        _say(f"error: {exc.format_message()}")
        return ExitCode.USAGE
    except SystemExit:
        # Click turns a closed stdout (`mobius ... | head`) into exit 1, which here means a
        # data source failed: the reader simply had enough.
        if isinstance(sys.stdout, _click.PacifyFlushWrapper) or _raised_by_broken_pipe() \
                or _stdout_closed():
            _silence_stdout()
            return exit_if_output_lost()
        raise
    except Exception as exc:
        if _is_broken_pipe(exc):
            _silence_stdout()
            return exit_if_output_lost()  # 0 unless the command's code carries news
        if _unwritable(exc):
            assert isinstance(exc, OSError)
            return _output_failed(exc)
        if isinstance(exc, OSError) and exc.filename is not None:
            # Mobius's own files (read-only or full home, a directory for a file).
            error: LocalStateError = local_state_error(exc)
            _report(error, verbose)
            return error.exit_code
        # A bug: one line, or the traceback with -v.
        if verbose:
            import traceback

            traceback.print_exc()
        what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        _say(f"internal error: {what}; run with -v for details")
        return ExitCode.INTERNAL


# Words people type for the root's own options: `mobius version` means --version.
_OPTION_WORDS = {"version": "--version", "help": "--help"}


def _command_suggestion(exc: object, message: str) -> str:
    """"No such command 'hlep'." with the names it is close to (difflib over the group's
    commands, and help/version meaning --help/--version), instead of Typer's guess alone
    ('version' is not 'movers')."""
    import re
    from difflib import get_close_matches

    match = re.match(r"No such command '(.*)'\.", message)
    ctx = getattr(exc, "ctx", None)
    commands = getattr(getattr(ctx, "command", None), "commands", None)
    if not match or not commands:
        return message
    typo = match.group(1)
    root = getattr(ctx, "parent", None) is None  # --version is the root's alone
    words = {**{name: f"'{name}'" for name in commands},
             **{word: f"`{ctx.command_path} {option}`"  # type: ignore[union-attr]
                for word, option in _OPTION_WORDS.items()
                if word not in commands and (root or word == "help")}}
    key = typo.lower()
    close = [key] if key in words else get_close_matches(key, list(words), n=3, cutoff=0.6)
    head = f"No such command {typo!r}."
    return f"{head} Did you mean {' or '.join(words[c] for c in close)}?" if close else head


def _report(exc: object, verbose: int) -> None:
    from mobius_cli.errors import MobiusError

    assert isinstance(exc, MobiusError)
    line = f"error: {exc.message}"
    if exc.hint:
        line += f" ({exc.hint})"
    _say(line)
    if verbose and exc.detail:
        _say(f"detail: {exc.detail}")


# Root options that take a value (the rest are flags).
_VALUE_OPTIONS = frozenset({"--vs"})
# Root flags also accepted after the subcommand (`mobius gas --offline`), as --json and --vs
# are by the commands themselves. No command defines an option of the same name (a test
# walks every command), so after the subcommand these can only mean the root's flag.
_TRAILING_ROOT_FLAGS = frozenset({"--offline", "--no-color", "--verbose", "-v"})
# -q/--quiet too, except after the commands that have a -q/--quiet of their own (a test
# walks every command to keep this list whole).
_QUIET_FLAGS = frozenset({"-q", "--quiet"})
_OWN_QUIET = (("ask",), ("alerts", "check"))


def _is_trailing_root_flag(arg: str, quiet: bool = False) -> bool:
    """A root flag that may come after the subcommand: those above, -vv, -vvv, and with
    `quiet` -q/--quiet."""
    return arg in _TRAILING_ROOT_FLAGS or (quiet and arg in _QUIET_FLAGS) or (
        len(arg) > 2 and arg[0] == "-" and set(arg[1:]) == {"v"})


def _has_own_quiet(tail: list[str]) -> bool:
    """Whether the command named at the start of `tail` has its own -q/--quiet."""
    words = []
    for arg in tail[:2]:
        if arg.startswith("-"):
            break
        words.append(arg)
    return any(tuple(words[:len(path)]) == path for path in _OWN_QUIET)


def _subcommand_index(args: list[str]) -> int | None:
    """Where the subcommand is named on the command line (after the root options), if
    anywhere; None when the root's own --help comes first (`mobius --help price` lists
    every command)."""
    skip = False
    for index, arg in enumerate(args):
        if skip:
            skip = False
        elif arg in ("--", "-h", "--help"):
            return None
        elif arg.startswith("-"):
            skip = arg in _VALUE_OPTIONS
        else:
            return index
    return None


def _subcommand(args: list[str]) -> str | None:
    """The subcommand named on the command line, if any (see _subcommand_index)."""
    index = _subcommand_index(args)
    return None if index is None else args[index]


def _hoist_root_flags(args: list[str]) -> list[str]:
    """`mobius price btc --offline` as `mobius --offline price btc`: a root flag given after
    the subcommand (and before any `--`) moves in front of it."""
    index = _subcommand_index(args)
    if index is None:
        return args
    head, tail = args[:index], args[index:]
    end = tail.index("--") if "--" in tail else len(tail)
    quiet = not _has_own_quiet(tail)
    found = [arg for arg in tail[:end] if _is_trailing_root_flag(arg, quiet)]
    if not found:
        return args
    kept = [arg for arg in tail[:end] if not _is_trailing_root_flag(arg, quiet)]
    # A flag said twice is said once; -v counts every time (-v -v is -vv).
    counted = [arg for arg in found if arg == "--verbose" or arg.startswith("-v")]
    once = [arg for arg in dict.fromkeys(found) if arg not in counted]
    return [*head, *once, *counted, *kept, *tail[end:]]


def app_main(args: list[str]) -> object:
    """The Typer app without Click's own error handling (tests monkeypatch around it).

    Only the subcommand being run is built (`portfolio show`: the portfolio group with its
    `show` alone): turning every command's signature into Click parameters costs more than
    the rest of a warm command. The root --help (and --version) lists commands from
    mobius_cli._listing without importing them. The REPL, completion, a group's --help and
    an unknown name still see every command.
    """
    args = _hoist_root_flags(args)
    name = _subcommand(args)
    if name is None and _asks_for_help_or_version(args):
        from mobius_cli.root import app as root

        with _listing_only(root):
            return root(args=args, prog_name="mobius", standalone_mode=False)
    from mobius_cli.app import app

    with _only_the_path(app, args):
        return app(args=args, prog_name="mobius", standalone_mode=False)


@contextlib.contextmanager
def _only_the_path(app: object, args: list[str]) -> Iterator[None]:
    """Each Typer on the command line's path keeps only the command or group named next
    (`mobius portfolio show ...`: the root keeps `portfolio`, which keeps `show`); a name
    that is not there, or an option where a name would be, leaves that level whole."""
    saved: list[tuple[object, list[object], list[object]]] = []
    level: object = app
    index = _subcommand_index(args)
    rest = args
    try:
        while index is not None:
            name = rest[index]
            commands = [c for c in level.registered_commands  # type: ignore[attr-defined]
                        if _command_name(c) == name]
            groups = [g for g in level.registered_groups  # type: ignore[attr-defined]
                      if g.name == name and g.typer_instance is not None]
            if not commands and not groups:
                break
            saved.append((level, level.registered_commands,  # type: ignore[attr-defined]
                          level.registered_groups))  # type: ignore[attr-defined]
            level.registered_commands, level.registered_groups = (  # type: ignore[attr-defined]
                commands, groups)
            if commands:
                break
            level, rest = groups[0].typer_instance, rest[index + 1:]
            index = 0 if rest and not rest[0].startswith("-") else None
        yield
    finally:
        for typer_app, commands, groups in reversed(saved):
            typer_app.registered_commands, typer_app.registered_groups = (  # type: ignore[attr-defined]
                commands, groups)


def _asks_for_help_or_version(args: list[str]) -> bool:
    """The root's own --help or --version: answered by the root and the listing alone."""
    for arg in args:
        if arg == "--":
            return False
        if arg in ("-h", "--help", "--version"):
            return True
    return False


@contextlib.contextmanager
def _listing_only(root: object) -> Iterator[None]:
    """For the root --help, which shows each command's name and first help paragraph only:
    the root stands with a parameterless stand-in per command and group, made from
    mobius_cli._listing (generated from the whole app; tests compare the two helps)."""
    from typer.models import CommandInfo

    from mobius_cli._listing import COMMANDS

    def stand_in() -> None:
        pass

    commands, groups = root.registered_commands, root.registered_groups  # type: ignore[attr-defined]
    try:
        root.registered_commands = [  # type: ignore[attr-defined]
            CommandInfo(name=name, help=text, callback=stand_in) for name, text in COMMANDS]
        root.registered_groups = []  # type: ignore[attr-defined]
        yield
    finally:
        root.registered_commands, root.registered_groups = commands, groups  # type: ignore[attr-defined]


def _command_name(info: object) -> str | None:
    name = getattr(info, "name", None)
    callback = getattr(info, "callback", None)
    if name is None and callback is not None:  # Typer's default: the function's name
        name = callback.__name__.lower().replace("_", "-")
    return name


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
