"""Placeholder."""

import typer

config_app = typer.Typer()
keys_app = typer.Typer()
