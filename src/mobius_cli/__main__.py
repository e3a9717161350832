"""Entry point: lazy-imports the app and maps errors and Ctrl-C to exit codes."""

from __future__ import annotations

import sys

from mobius_cli.errors import ExitCode


def _say(message: str) -> None:
    print(f"mobius: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (never a traceback for user errors)."""
    args = sys.argv[1:] if argv is None else argv
    verbose = any(a in ("-v", "--verbose") or a.startswith("-vv") for a in args)
    from mobius_cli import _click
    from mobius_cli.app import app
    from mobius_cli.errors import MobiusError

    try:
        result = app(args=args, prog_name="mobius", standalone_mode=False)
        code = int(result) if isinstance(result, int) else ExitCode.OK
        if code == ExitCode.INTERRUPTED:  # Typer turned Ctrl-C into an exit code
            _say("interrupted")
        return code
    except MobiusError as exc:
        line = f"error: {exc.message}"
        if exc.hint:
            line += f" ({exc.hint})"
        _say(line)
        if verbose and exc.detail:
            _say(f"detail: {exc.detail}")
        return exc.exit_code
    except _click.UsageError as exc:
        if _click.NoArgsIsHelpError and isinstance(exc, _click.NoArgsIsHelpError):
            print(exc.ctx.get_help() if exc.ctx else "", file=sys.stderr)
            return ExitCode.USAGE
        where = exc.ctx.command_path if getattr(exc, "ctx", None) else "mobius"
        _say(f"error: {exc.format_message()} (see `{where} --help`)")
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
    except BrokenPipeError:
        return ExitCode.OK
    except SystemExit:
        # Click turns a closed stdout (`mobius ... | head`) into exit 1, which here means a
        # data source failed: the reader simply had enough.
        if isinstance(sys.stdout, _click.PacifyFlushWrapper):
            return ExitCode.OK
        raise
    except Exception as exc:  # a bug: still one line unless -v
        if verbose:
            raise
        _say(f"internal error: {type(exc).__name__}: {exc} (run with -v for the traceback)")
        return ExitCode.SOURCE


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
