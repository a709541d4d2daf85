"""Probation in Numbers: helpers that load official data, judge claims, draw charts and run notebooks."""

__version__ = "0.1.0"
