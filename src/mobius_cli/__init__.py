"""Mobius: a terminal assistant for crypto and DeFi."""

__version__ = "0.1.0"
