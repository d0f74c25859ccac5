"""Regenerate the README's generated parts: the config table and the command reference.

    .venv/bin/python scripts/readme.py          # rewrite README.md in place
    .venv/bin/python scripts/readme.py --check  # exit 1 when README.md is out of date (the tests run this)

Both come from the code: the config table from the pydantic field descriptions, the command
reference from `bilge … --help`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
COMMANDS = [[], ["ingest"], ["search"], ["ask"], ["chat"], ["collections"], ["collections", "repair"], ["config"], ["eval", "retrieval"],
            ["eval", "answers"], ["eval", "abstention"], ["data", "check"], ["data", "fix"], ["data", "convert"],
            ["data", "split"], ["data", "inspect"], ["train", "base"], ["train", "embedder"], ["train", "reranker"],
            ["train", "selector"], ["train", "reader"], ["train", "all"], ["train", "unpack"], ["train", "vocab"],
            ["train", "lm"], ["train", "grow"], ["eval", "lm"], ["generate"]]


def command_reference() -> str:
    from typer.testing import CliRunner

    from bilge.cli.main import app

    parts = []
    for args in COMMANDS:
        result = CliRunner(env={"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"}).invoke(app, [*args, "--help"])
        text = re.sub(r"[ \t]+\n", "\n", result.output).strip()
        parts.append(f"### `{' '.join(['bilge', *args])}`\n\n```text\n{text}\n```")
    return "\n\n".join(parts)


def generated() -> dict[str, str]:
    from bilge.config import config_markdown_table

    return {"config": config_markdown_table(), "commands": command_reference()}


def render(text: str) -> str:
    for name, body in generated().items():
        pattern = re.compile(rf"(<!-- generated:{name} -->\n).*?(<!-- /generated:{name} -->)", re.S)
        text = pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)
    return text


def main() -> int:
    current = README.read_text(encoding="utf-8")
    fresh = render(current)
    if "--check" in sys.argv:
        if fresh != current:
            print("README.md is out of date: run `.venv/bin/python scripts/readme.py`", file=sys.stderr)
            return 1
        return 0
    README.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
