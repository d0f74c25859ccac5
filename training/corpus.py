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


def corpus_texts(paths: list[Path]) -> list[str]:
    """Non-empty text lines of plain-text files (.txt, UD sentence files), the paragraphs and
    questions of SQuAD .json files, and the blocks of any document Bilge reads (a user's folder
    of PDF/DOCX/HTML/Markdown): what `bilge train vocab` and `bilge train mlm` learn from."""
    from bilge.errors import InputError
    from retrievers.loaders import read_blocks
    from retrievers.scan import scan_folder
    from retrievers.textrepair import decode_text

    texts: list[str] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder; pass text files or folders with --corpus")
        files = scan_folder(path)[0] if path.is_dir() else [path]
        for file in files:
            if file.suffix.lower() == ".json":
                texts.extend(squad_texts(file))
            elif file.suffix.lower() in (".txt", ""):
                texts.extend(line.strip() for line in decode_text(file.read_bytes()).splitlines() if line.strip())
            else:
                texts.extend(block.text for block in read_blocks(file) if block.text.strip())
    if not texts:
        raise InputError(f"no text found in {', '.join(map(str, paths))}; pass .txt, .json (SQuAD) or documents")
    return texts
