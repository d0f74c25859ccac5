"""Typed errors whose messages tell the user what to do.

Library code raises these; only the CLI (and the TUI) turn them into one line and a
non-zero exit, so a user mistake never shows a traceback (llm's errors.py pattern).
"""


class BilgeError(Exception):
    """Base of every error a user can act on."""


class ConfigError(BilgeError):
    """The config file or a config value is wrong."""


class IngestError(BilgeError):
    """A whole ingest run could not proceed (a single bad file is reported, not raised)."""


class IngestStopped(BilgeError):
    """An ingest was stopped by its user between two files; what was done is kept."""


class FileRejected(BilgeError):
    """One file cannot be read; the ingest reports it and goes on."""


class StoreLockedError(BilgeError):
    """Another process is writing to the same collection."""


class IndexMissingError(BilgeError):
    """A collection was asked for before anything was ingested into it."""


class DamagedIndexError(BilgeError):
    """A file Bilge keeps beside a collection (BM25 index, manifest) or the chat history is unreadable."""


class IndexMismatchError(BilgeError):
    """A collection's vectors came from another embedder than the configured one."""


class StoreError(BilgeError):
    """The Chroma store cannot be reached or opened."""


class ModelError(BilgeError):
    """A configured model cannot be loaded."""


class BackendError(BilgeError):
    """The answer backend (a chat-model server) failed."""


class DataError(BilgeError):
    """An input data file (SQuAD JSON and the like) is malformed."""


class InputError(BilgeError):
    """A value the user typed (a query, a mode, a number) cannot be used."""
