"""The Turkish texts training reads: ../shared/data and the sample corpus, gathered in one place."""

from __future__ import annotations

import json
from pathlib import Path

from bilge.config import PROJECT_ROOT

SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


def squad_texts(path: Path) -> list[str]:
    texts = []
    for article in json.loads(path.read_text(encoding="utf-8-sig"))["data"]:
        for paragraph in article["paragraphs"]:
            texts.append(paragraph["context"])
            texts.extend(qa["question"] for qa in paragraph["qas"])
    return texts


def turkish_texts(data_dir: Path = SHARED_DATA) -> list[str]:
    """Lines of the raw Turkish text, UD sentences, TQuAD paragraphs and questions, sample leaflets."""
    from corpora.ilac_ornek import LEAFLETS

    texts: list[str] = []
    for path in sorted((data_dir / "raw-turkish").glob("*.txt")) + sorted((data_dir / "ud-turkish").glob("*.txt")):
        texts.extend(line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip())
    for path in sorted((data_dir / "tquad").glob("*.json")):
        texts.extend(squad_texts(path))
    for title, sections in LEAFLETS.values():
        texts.append(title)
        texts.extend(text for heading, paragraphs in sections for text in (heading, *paragraphs))
    return texts
