"""`bilge data convert`: other QA layouts → SQuAD v1.1.

Formats (`--from`):
- `jsonl` / `csv`: rows with `question`, `context`, `answer` (optional `title`, `id`, `answer_start`);
- `textpair`: IN is a text file of contexts separated by blank lines; `--questions` a file of
  lines `N<TAB>question[<TAB>answer]` where N is the 1-based number of the context;
- `folder`: IN is a folder of documents (every format `bilge ingest` reads), cut into contexts
  by the real chunker; `--questions` a file of lines `question[<TAB>answer]`.

For the last two the context of each question is found by `Aligner`; alignments it cannot
trust go to a review list instead of the output.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bilge.errors import DataError
from retrievers.squad import Answer, Article, Paragraph, Question
from training.datasets.align import Aligner, Alignment
from training.datasets.fix import normalize

FORMATS = ("jsonl", "csv", "textpair", "folder")


@dataclass
class Conversion:
    articles: list[Article]
    review: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def questions(self) -> int:
        return sum(len(p.qas) for a in self.articles for p in a.paragraphs)


def _answer(context: str, text: str | None, start=None) -> tuple[list[Answer], str]:
    if not text:
        return [], ""
    text = normalize(text)
    if isinstance(start, int) and context[start:start + len(text)] == text:
        return [Answer(text, start)], ""
    count = context.count(text)
    if count == 1:
        return [Answer(text, context.index(text))], ""
    return [], "answer occurs several times in the context" if count else "answer not in the context"


def _rows(path: Path, kind: str) -> list[dict]:
    try:
        if kind == "jsonl":
            return [json.loads(line) for line in path.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
        raise DataError(f"{path}: cannot read {kind} rows ({exc})") from None


def from_rows(path: Path, kind: str) -> Conversion:
    by_context: dict[tuple[str, str], Paragraph] = {}
    conversion = Conversion([])
    for n, row in enumerate(_rows(path, kind), start=1):
        if not isinstance(row, dict) or not row.get("question") or not row.get("context"):
            raise DataError(f"{path}: row {n} needs 'question' and 'context' columns")
        context, title = normalize(row["context"]), normalize(str(row.get("title") or path.stem))
        start = row.get("answer_start")
        answers, problem = _answer(context, row.get("answer"), int(start) if str(start or "").isdigit() else None)
        if problem:
            conversion.review.append({"row": n, "question": row["question"], "answer": row.get("answer"),
                                      "reason": problem})
            continue
        paragraph = by_context.setdefault((title, context), Paragraph(context))
        paragraph.qas.append(Question(str(row.get("id") or f"{path.stem}-{n}"), normalize(row["question"]), answers))
    titles: dict[str, Article] = {}
    for (title, _), paragraph in by_context.items():
        titles.setdefault(title, Article(title)).paragraphs.append(paragraph)
    conversion.articles = list(titles.values())
    return conversion


def _question_lines(path: Path, numbered: bool) -> list[tuple[int | None, str, str | None]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("\t")]
        if numbered:
            if len(parts) < 2 or not parts[0].isdigit():
                raise DataError(f"{path}: line {n} should be 'NUMBER<TAB>question[<TAB>answer]'")
            rows.append((int(parts[0]), parts[1], parts[2] if len(parts) > 2 else None))
        else:
            rows.append((None, parts[0], parts[1] if len(parts) > 1 else None))
    return rows


def _aligned(contexts: list[str], questions, title: str, trust_numbers: bool, min_confidence: float) -> Conversion:
    aligner = Aligner(contexts, min_confidence)
    paragraphs = [Paragraph(c) for c in aligner.contexts]
    conversion = Conversion([Article(title, paragraphs)])
    for n, (number, question, answer) in enumerate(questions, start=1):
        hint = number - 1 if (trust_numbers and number is not None) else None
        result: Alignment = aligner.align(question, answer, hint)
        answers, problem = _answer(aligner.contexts[result.context], answer) if result.context is not None else ([], "")
        if not aligner.accepted(result) or problem:
            conversion.review.append({**asdict(result), "reason": result.reason or problem})
            continue
        paragraphs[result.context].qas.append(Question(f"{title}-{n}", normalize(question), answers))
    conversion.articles[0].paragraphs = [p for p in paragraphs if p.qas]
    return conversion


def from_textpair(path: Path, questions_path: Path, min_confidence: float) -> Conversion:
    blocks = [b.strip() for b in path.read_text(encoding="utf-8-sig").split("\n\n") if b.strip()]
    questions = _question_lines(questions_path, numbered=True)
    expected = max((number for number, _, _ in questions), default=0)
    notes = []
    trust = len(blocks) == expected
    if not trust:
        notes.append(f"{path.name} has {len(blocks)} blank-line-separated contexts but the questions refer to "
                     f"{expected}: numbers are not trusted, every question is aligned by content")
    conversion = _aligned(blocks, questions, path.stem, trust, min_confidence)
    conversion.notes = notes
    return conversion


def from_folder(folder: Path, questions_path: Path, min_confidence: float, chunk_size: int = 1200) -> Conversion:
    from retrievers.chunking import chunk_blocks
    from retrievers.loaders import read_blocks
    from retrievers.scan import scan_folder

    files, _ = scan_folder(folder)
    contexts = [c.text for path in files for c in chunk_blocks(read_blocks(path), chunk_size, 0)[1]]
    if not contexts:
        raise DataError(f"{folder}: no readable documents")
    return _aligned(contexts, _question_lines(questions_path, numbered=False), folder.name, False, min_confidence)
