"""`bilge`: the root command; loads the config once and registers the command groups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bilge.cli import ask, chat, collections, configuration, data, eval, ingest, lm, search, train
from bilge.cli.common import State, friendly, offline_environment
from bilge.config import find_config, load_config

app = typer.Typer(
    name="bilge", no_args_is_help=True, add_completion=False, rich_markup_mode=None,
    help="Bilge: Türkçe belgelerinizle sohbet edin. Chat with your own Turkish documents, offline, with citations.",
)


@app.callback()
@friendly
def root(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option(
        "--config", help="Config file (default: $BILGE_CONFIG, ./bilge.toml, the user config folder's bilge.toml, "
        "else the built-in defaults, which are the shipped bilge.toml).", dir_okay=False,
    )] = None,
    home: Annotated[Path | None, typer.Option(
        "--home", envvar="BILGE_HOME", help="Data directory for all state (overrides the config's `home`).",
        file_okay=False,
    )] = None,
) -> None:
    offline_environment()
    path, found_by = find_config(config)
    cfg = load_config(path)
    if home is not None:
        cfg = cfg.model_copy(update={"home": home})
    ctx.obj = State(config=cfg, config_path=path, found_by=found_by)


for module in (ingest, search, ask, eval, data, train, lm, collections, chat, configuration):
    module.register(app)


def main() -> None:
    app()
