"""Typer commands: thin layers that parse arguments, call core, and render."""
