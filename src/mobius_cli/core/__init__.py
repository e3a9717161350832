"""Pure domain code: models and rules. No I/O, no printing."""
