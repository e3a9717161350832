"""Placeholder."""

from __future__ import annotations

import typer

cache_app = typer.Typer()


def register(app: typer.Typer) -> None:
    """Add commands to the app."""
