"""`mobius parse`: show what a sentence means (placeholder until nl/ lands)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the parse command to the app."""
