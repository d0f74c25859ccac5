"""Find the documents under a folder, following symlinks but never in circles."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from retrievers.loaders import SUPPORTED_SUFFIXES


def scan_folder(root: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """(supported files in a stable order, [(path, reason)] for entries that cannot be walked).

    A directory reached twice (a symlink pointing at an ancestor) and a link that resolves to
    itself are reported as symlink loops instead of being walked forever.
    """
    if root.is_file():
        return ([root] if root.suffix.lower() in SUPPORTED_SUFFIXES else []), []
    files: list[Path] = []
    failures: list[tuple[str, str]] = []
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            info = folder.stat()
        except OSError as exc:
            failures.append((os.path.abspath(folder), _why(exc)))
            continue
        if (info.st_dev, info.st_ino) in seen:
            failures.append((os.path.abspath(folder), "symlink loop; remove the link"))
            continue
        seen.add((info.st_dev, info.st_ino))
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            failures.append((os.path.abspath(folder), _why(exc)))
            continue
        subfolders = []
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                continue  # .git, editor files, our own hidden state
            try:
                if entry.is_dir(follow_symlinks=True):
                    subfolders.append(path)
                elif path.suffix.lower() in SUPPORTED_SUFFIXES:
                    path.stat()  # a dangling or looping link fails here, not later
                    files.append(path)
            except OSError as exc:
                if path.suffix.lower() in SUPPORTED_SUFFIXES or entry.is_symlink():
                    failures.append((os.path.abspath(path), _why(exc)))
        stack.extend(reversed(subfolders))
    return files, failures


def _why(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop; remove the link"
    if isinstance(exc, PermissionError):
        return "permission denied; make it readable"
    if isinstance(exc, FileNotFoundError):
        return "broken link; the target does not exist"
    return f"cannot read ({exc.strerror or exc})"
