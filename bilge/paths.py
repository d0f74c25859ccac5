"""Where Bilge keeps its state: everything lives under one data directory.

The directory comes from the config (`home`, set by `--home` / `BILGE_HOME` in the CLI) or
the platform's user data directory. Functions only compute paths; creating them is left to
the code that writes, so importing or asking never touches the disk.
"""

from __future__ import annotations

from pathlib import Path

from bilge.config import BilgeConfig
from bilge.names import check_collection_name


def data_home(cfg: BilgeConfig) -> Path:
    """The root of all state."""
    if cfg.home is not None:
        return Path(cfg.home).expanduser().resolve()
    from platformdirs import user_data_dir

    return Path(user_data_dir("bilge", appauthor=False))


def chroma_dir(cfg: BilgeConfig) -> Path:
    """Embedded Chroma's files (unused in http mode)."""
    return data_home(cfg) / "chroma"


def collection_dir(cfg: BilgeConfig, collection: str) -> Path:
    """Bilge's own files for one collection: manifest, BM25 index, lock.

    A server's collections get their own folder, so an embedded and a served collection of the
    same name never share a manifest. Only a valid name becomes a folder, so no name can reach
    outside the data directory.
    """
    check_collection_name(collection)
    if cfg.store.mode == "http":
        return data_home(cfg) / "collections" / f"{cfg.store.host}_{cfg.store.port}" / collection
    return data_home(cfg) / "collections" / collection


def cache_dir(cfg: BilgeConfig) -> Path:
    """Rebuildable caches (temporary evaluation stores and the like)."""
    return data_home(cfg) / "cache"


def history_path(cfg: BilgeConfig) -> Path:
    """The chat history database (conversations and their turns)."""
    return data_home(cfg) / "history.sqlite3"
