"""Datasets that read the standard distribution files (and a bundled one, Digits)."""
