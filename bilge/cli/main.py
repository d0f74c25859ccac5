"""`bilge`: the root command; loads the config once and registers the command groups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bilge.cli import ask, chat, collections, data, eval, ingest, lm, search, train
from bilge.cli.common import State, friendly, offline_environment
from bilge.config import load_config

app = typer.Typer(
    name="bilge", no_args_is_help=True, add_completion=False, rich_markup_mode=None,
    help="Bilge: Türkçe belgelerinizle sohbet edin. Chat with your own Turkish documents, offline, with citations.",
)


@app.callback()
@friendly
def root(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option(
        "--config", envvar="BILGE_CONFIG", help="Config file (default: ./bilge.toml when present, else built-in defaults).",
        dir_okay=False,
    )] = None,
    home: Annotated[Path | None, typer.Option(
        "--home", envvar="BILGE_HOME", help="Data directory for all state (overrides the config's `home`).",
        file_okay=False,
    )] = None,
) -> None:
    offline_environment()
    if config is None and Path("bilge.toml").is_file():
        config = Path("bilge.toml")
    cfg = load_config(config)
    if home is not None:
        cfg = cfg.model_copy(update={"home": home})
    ctx.obj = State(config=cfg, config_path=config)


for module in (ingest, search, ask, eval, data, train, lm, collections, chat):
    module.register(app)


def main() -> None:
    app()
