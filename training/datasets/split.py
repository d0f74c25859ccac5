"""`bilge data split`: a train/dev split by article that no paragraph crosses.

Paragraphs are compared after normalisation, so the same paragraph with other whitespace or
mojibake counts as the same. `exclude` removes every paragraph that occurs in held-out files
(e.g. the ENELPI test paragraphs that also sit in TQuAD's dev.json) before splitting.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from retrievers.squad import Article
from training.datasets.fix import normalize


def paragraph_key(context: str) -> str:
    return normalize(context)


@dataclass
class SplitResult:
    train: list[Article]
    dev: list[Article]
    excluded_paragraphs: int
    duplicate_paragraphs: int


def dedupe_and_exclude(articles: list[Article], held_out: set[str]) -> tuple[list[Article], int, int]:
    """Articles without held-out or already-seen paragraphs: (articles, excluded, duplicates)."""
    seen: set[str] = set()
    kept, excluded, duplicates = [], 0, 0
    for article in articles:
        paragraphs = []
        for paragraph in article.paragraphs:
            key = paragraph_key(paragraph.context)
            if key in held_out:
                excluded += 1
            elif key in seen:
                duplicates += 1
            else:
                seen.add(key)
                paragraphs.append(paragraph)
        if paragraphs:
            kept.append(Article(article.title, paragraphs))
    return kept, excluded, duplicates


def split_articles(articles: list[Article], dev_fraction: float, *, held_out: set[str] = frozenset(),
                   seed: int = 13) -> SplitResult:
    """Group articles by title (one title never lands on both sides), then draw dev titles."""
    if not 0 < dev_fraction < 1:
        raise ValueError(f"--dev-fraction must be between 0 and 1, got {dev_fraction}")
    kept, excluded, duplicates = dedupe_and_exclude(articles, set(held_out))
    titles = sorted({a.title for a in kept})
    random.Random(seed).shuffle(titles)
    total = sum(len(a.paragraphs) for a in kept)
    dev_titles: set[str] = set()
    dev_count = 0
    for title in titles:
        if dev_count >= dev_fraction * total:
            break
        dev_titles.add(title)
        dev_count += sum(len(a.paragraphs) for a in kept if a.title == title)
    train = [a for a in kept if a.title not in dev_titles]
    dev = [a for a in kept if a.title in dev_titles]
    return SplitResult(train, dev, excluded, duplicates)
