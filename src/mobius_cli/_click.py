"""Click's exceptions, wherever this Typer keeps them (newer Typer vendors Click)."""

from __future__ import annotations

try:  # Typer >= 0.22 ships its own copy of Click
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
    from typer._click.utils import PacifyFlushWrapper
except ImportError:  # pragma: no cover - older Typer on real Click
    from click.exceptions import ClickException, UsageError
    from click.utils import PacifyFlushWrapper

    NoArgsIsHelpError = None  # type: ignore[assignment,misc]

from typer import Abort, Exit

__all__ = ["Abort", "ClickException", "Exit", "NoArgsIsHelpError", "PacifyFlushWrapper",
           "UsageError"]
