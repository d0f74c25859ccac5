"""The one rule for collection names, checked wherever a name enters Bilge.

Chroma's own rule (letters, digits, `.`, `_`, `-`, starting and ending with a letter or digit,
no `..`), so a name Bilge accepts is one Chroma accepts too, with two of Bilge's own: at most
55 characters, since a collection's long passages get a companion `NAME.windows` that must fit
Chroma's 63, and no name ending in `.windows`. Checked
before any model loads or any file is touched: a collection's folder is built from its name
(`bilge.paths.collection_dir`), and "../../escaped" would otherwise put a manifest outside the
data directory before Chroma's own check refused it.
"""

from __future__ import annotations

import re

from bilge.errors import InputError

_ALLOWED = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9._-]{1,53}[a-zA-Z0-9]")
RESERVED_SUFFIX = ".windows"  # the companion collection of a collection's window vectors

RULE = ("3 to 55 letters, digits, '.', '_' or '-', starting and ending with a letter or digit, no '..', "
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
