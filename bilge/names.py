"""The one rule for collection names, checked wherever a name enters Bilge.

Chroma's rule as its older servers still enforce it (3–63 letters, digits, `.`, `_`, `-`,
starting and ending with a letter or digit, no `..`; Chroma 1.5 allows up to 512), so a name
Bilge accepts is one any Chroma accepts, and its companion `NAME.windows` (the window vectors
of long passages) too; no name may end in `.windows` itself. Checked
before any model loads or any file is touched: a collection's folder is built from its name
(`bilge.paths.collection_dir`), and "../../escaped" would otherwise put a manifest outside the
data directory before Chroma's own check refused it.
"""

from __future__ import annotations

import re

from bilge.errors import InputError

_ALLOWED = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9._-]{1,61}[a-zA-Z0-9]")
RESERVED_SUFFIX = ".windows"  # the companion collection of a collection's window vectors

RULE = ("3 to 63 letters, digits, '.', '_' or '-', starting and ending with a letter or digit, no '..', "
        f"not ending in '{RESERVED_SUFFIX}'")


def collection_name_problem(name: str) -> str | None:
    """Why `name` cannot be a collection name, or None when it can."""
    if not _ALLOWED.fullmatch(name) or ".." in name or name.endswith(RESERVED_SUFFIX):
        return f"collection name {name!r} is not allowed: use {RULE} (for example 'ilac-ornek')"
    return None


def check_collection_name(name: str) -> str:
    """`name` itself, or an InputError saying what a name may hold."""
    problem = collection_name_problem(name)
    if problem:
        raise InputError(problem)
    return name
