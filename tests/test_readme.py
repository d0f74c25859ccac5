"""The README stays true: its first commands, its generated tables, and CI running the same command."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_readme_script():
    spec = importlib.util.spec_from_file_location("readme_script", ROOT / "scripts" / "readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_first_lines_give_exactly_make_chat_and_make_test():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```sh") + 1: lines.index("```")]
    assert [line.split("#")[0].strip() for line in block] == ["make chat", "make test"]


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_generated_sections_match_the_code():
    script = load_readme_script()
    current = (ROOT / "README.md").read_text(encoding="utf-8")
    assert script.render(current) == current, "run `.venv/bin/python scripts/readme.py`"
