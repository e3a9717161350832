"""The SQLite store: connection, migrations, and one repository per table group."""

from mobius_cli.store.db import Store, connect, transaction

__all__ = ["Store", "connect", "transaction"]
