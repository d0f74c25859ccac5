"""Bilge: chat with your own Turkish documents, offline, with citations.

This package is the ground floor (config, errors, paths) plus the CLI roof in `bilge.cli`.
"""

__version__ = "0.1.0"
