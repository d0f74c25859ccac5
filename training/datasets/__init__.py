"""Data tools for QA datasets: check, fix, convert, split, inspect (the `bilge data` commands)."""
