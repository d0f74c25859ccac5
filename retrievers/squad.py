"""SQuAD v1.1 JSON as plain dataclasses: the format of every QA file Bilge reads or writes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from bilge.errors import DataError


@dataclass
class Answer:
    text: str
    start: int


@dataclass
class Question:
    id: str
    question: str
    answers: list[Answer] = field(default_factory=list)


@dataclass
class Paragraph:
    context: str
    qas: list[Question] = field(default_factory=list)


@dataclass
class Article:
    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)


def load_squad(path: Path) -> list[Article]:
    """Read a SQuAD file; a malformed one raises DataError naming the file and the place."""
    return articles_from_json(read_json(path), str(path))


def read_json(path: Path):
    """A JSON file (BOM tolerated); a missing or broken one is a DataError naming the file."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: not a readable JSON file ({exc})") from None


def articles_from_json(raw, path: str = "data") -> list[Article]:
    """SQuAD JSON already parsed (a dict with 'data', or the list itself) → Articles."""
    data = raw.get("data") if isinstance(raw, dict) else raw
    if not isinstance(data, list):
        raise DataError(f"{path}: expected SQuAD JSON with a top-level 'data' list")
    articles = []
    for a, article in enumerate(data):
        try:
            articles.append(Article(
                title=str(article.get("title", f"article-{a}")),
                paragraphs=[
                    Paragraph(p["context"], [
                        Question(str(q.get("id", f"{a}-{n}-{m}")), q["question"],
                                 [Answer(ans["text"], int(ans.get("answer_start", -1))) for ans in q.get("answers", [])])
                        for m, q in enumerate(p.get("qas", []))
                    ])
                    for n, p in enumerate(article["paragraphs"])
                ],
            ))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DataError(f"{path}: article {a} is not SQuAD-shaped (missing or bad {exc})") from None
    return articles


def dump_squad(articles: list[Article], path: Path) -> None:
    data = {"version": "1.1", "data": [
        {"title": a.title, "paragraphs": [
            {"context": p.context, "qas": [
                {"id": q.id, "question": q.question,
                 "answers": [{"text": ans.text, "answer_start": ans.start} for ans in q.answers]}
                for q in p.qas
            ]} for p in a.paragraphs
        ]} for a in articles
    ]}
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
