"""(question, paragraph) training pairs with mined hard negatives, and the dev set.

Train = the ENELPI files, repaired by `bilge data fix`, minus every paragraph that also occurs in
dev.json (25 of them do); dev = dev.json's distinct paragraphs. Hard negatives: the best-scoring
non-answering paragraph under BM25 and under the current model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bilge.config import Bm25Config
from retrievers.bm25 import Bm25Index
from retrievers.sampling import seeded_indexes
from retrievers.squad import Article, articles_from_json, load_squad
from training.datasets.fix import fix_files
from training.datasets.split import dedupe_and_exclude, paragraph_key

QUERY, PASSAGE = "query: ", "passage: "
ANALYZE = Bm25Index(Bm25Config(), []).terms
"""The app's default BM25 analyzer: it picks the cross-encoder's windows and the hardest sentences."""


@dataclass
class QaSet:
    questions: list[str]
    paragraphs: list[str]
    answer_of: list[int]  # question i is answered by paragraphs[answer_of[i]]


def qa_set(articles: list[Article]) -> QaSet:
    paragraphs: dict[str, int] = {}
    questions, answer_of = [], []
    for article in articles:
        for paragraph in article.paragraphs:
            index = paragraphs.setdefault(paragraph.context, len(paragraphs))
            for qa in paragraph.qas:
                questions.append(qa.question)
                answer_of.append(index)
    return QaSet(questions, list(paragraphs), answer_of)


def train_dev_articles(data_dir: Path) -> tuple[list[Article], list[Article]]:
    """(repaired ENELPI articles without any dev.json paragraph, dev.json articles as read)."""
    dev_articles = load_squad(data_dir / "tquad" / "dev.json")
    fixed, _ = fix_files(sorted((data_dir / "tquad").glob("enelpi_*.json")))
    held_out = {paragraph_key(p.context) for a in dev_articles for p in a.paragraphs}
    train_articles, _, _ = dedupe_and_exclude(articles_from_json(fixed, "enelpi (fixed)"), held_out)
    return train_articles, dev_articles


def load_train_dev(data_dir: Path) -> tuple[QaSet, QaSet]:
    train_articles, dev_articles = train_dev_articles(data_dir)
    dev_articles, _, _ = dedupe_and_exclude(dev_articles, set())
    return qa_set(train_articles), qa_set(dev_articles)


def sample_dev(dev: QaSet, limit: int, seed: int = 0) -> QaSet:
    if len(dev.questions) <= limit:
        return dev
    chosen = seeded_indexes(len(dev.questions), limit, seed)
    return QaSet([dev.questions[i] for i in chosen], dev.paragraphs, [dev.answer_of[i] for i in chosen])


def bm25_negatives(qa: QaSet, depth: int = 5) -> list[list[int]]:
    """For each question, the top non-answering paragraphs under Turkish BM25."""
    ids = [str(i) for i in range(len(qa.paragraphs))]
    index = Bm25Index.build(Bm25Config(), ids, qa.paragraphs)
    return [[int(i) for i, _ in index.search(q, depth + 1) if int(i) != gold][:depth]
            for q, gold in zip(qa.questions, qa.answer_of)]


def dense_negatives(qa: QaSet, model, depth: int = 5) -> list[list[int]]:
    """For each question, the top non-answering paragraphs under the model being trained."""
    q = model.encode([QUERY + t for t in qa.questions], normalize_embeddings=True, batch_size=64)  # (nq, dim)
    p = model.encode([PASSAGE + t for t in qa.paragraphs], normalize_embeddings=True, batch_size=64)  # (np, dim)
    order = np.argsort(-(q @ p.T), axis=1)[:, : depth + 1]
    return [[int(j) for j in row if j != gold][:depth] for row, gold in zip(order, qa.answer_of)]
