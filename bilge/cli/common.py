"""What every command shares: the loaded config, friendly errors, JSON and progress output.

Data goes to stdout, progress and messages to stderr, so `bilge ... --json | jq` always works.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Callable

import typer

from bilge.config import BilgeConfig
from bilge.errors import BilgeError
from bilge.names import check_collection_name

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
CollectionOption = Annotated[
    str | None, typer.Option("--collection", "-c", help="Collection name (default: store.collection).")
]


@dataclass
class State:
    """What the root callback hands to every command through `ctx.obj`."""

    config: BilgeConfig
    config_path: Path | None
    found_by: str = "--config"


OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",  # model hubs are unreachable: fail in milliseconds, not ~75 s of DNS retries
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",  # our own bars go to stderr; theirs would interleave
    "TRANSFORMERS_VERBOSITY": "error",
    "TOKENIZERS_PARALLELISM": "false",
    "DO_NOT_TRACK": "1",
    "ANONYMIZED_TELEMETRY": "False",
}


def offline_environment() -> None:
    """Set the variables the libraries below read, unless the user set them."""
    for key, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(key, value)


def friendly(command: Callable) -> Callable:
    """Turn a BilgeError into `bilge: error: …` on stderr and exit code 1 (traceback with BILGE_DEBUG=1)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except BilgeError as exc:
            if os.environ.get("BILGE_DEBUG"):
                raise
            typer.echo(f"bilge: error: {exc}", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.echo("bilge: interrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper


def state(ctx: typer.Context) -> State:
    return ctx.obj


def chosen_collection(ctx: typer.Context, collection: str | None) -> str:
    """`--collection`, checked before any model loads, or the config's `store.collection`."""
    return check_collection_name(collection) if collection is not None else state(ctx).config.store.collection


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def stderr_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def stdout_console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 120)


def trainer_output_to_stderr():
    """The Hugging Face trainer prints its logs on stdout; `--json` output must stay alone there."""
    import contextlib

    return contextlib.redirect_stdout(sys.stderr)
