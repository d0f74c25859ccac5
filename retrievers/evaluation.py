"""`bilge eval retrieval`: Recall@k, MRR@10, nDCG@10 and latency per mode on a SQuAD file.

Two protocols:
- documents (default): each article becomes one document (title, then its paragraphs joined by
  blank lines) cut by the real chunker; a chunk is relevant when its character range covers the
  gold answer's range.
- paragraphs: each distinct paragraph is one passage (a chunk of its article's document);
  relevant = the question's own paragraph (the MTEB-style protocol the published baselines use).

The store is a temporary one under the data directory's cache, removed afterwards: the user's
collections are never touched.
"""

from __future__ import annotations

import hashlib
import shutil
import time
import uuid
from dataclasses import dataclass, field
from contextlib import contextmanager
from typing import Callable, Iterator

from bilge.config import BilgeConfig
from bilge.paths import cache_dir
from retrievers.chunking import Chunk, chunk_blocks
from retrievers.embeddings import Embedder
from retrievers.ingest import chunk_id, rebuild_bm25, write_chunks
from retrievers.loaders import Block
from retrievers.metrics import latency_summary, ranking_metrics
from retrievers.rerank import CrossEncoderReranker
from retrievers.search import Searcher
from retrievers.squad import Article
from retrievers.store import ChunkStore

EVAL_COLLECTION = "bilge-eval"


@dataclass
class EvalSet:
    """Passages to index (source → chunks), questions, and which chunk ids answer each."""

    documents: dict[str, tuple[str, list[Chunk]]] = field(default_factory=dict)  # source → (digest, chunks)
    questions: dict[str, str] = field(default_factory=dict)
    answers: dict[str, list[str]] = field(default_factory=dict)  # gold answer texts per question
    qrels: dict[str, dict[str, int]] = field(default_factory=dict)
    gold: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # (source, chunk index, answer offset in it)
    uncovered: int = 0  # questions whose answer no single chunk covers (cut by a chunk boundary)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def documents_set(articles: list[Article], chunk_size: int, overlap: int) -> EvalSet:
    evalset = EvalSet()
    for a, article in enumerate(articles):
        blocks = [Block(article.title, True)] + [Block(p.context, False) for p in article.paragraphs]
        text, chunks = chunk_blocks(blocks, chunk_size, overlap)
        source, digest = f"squad-article-{a}", _digest(text)
        evalset.documents[source] = (digest, chunks)
        offset = len(article.title) + 2
        for paragraph in article.paragraphs:
            for qa in paragraph.qas:
                qid = f"q{len(evalset.questions)}"  # source ids repeat across merged files
                covering = [(c, offset + ans.start - c.start) for c in chunks for ans in qa.answers
                            if ans.start >= 0 and c.start <= offset + ans.start
                            and offset + ans.start + len(ans.text) <= c.end]
                relevant = {chunk_id(source, digest, c.index): 1 for c, _ in covering}
                if covering:
                    evalset.gold[qid] = (source, covering[0][0].index, covering[0][1])
                evalset.questions[qid] = qa.question
                evalset.answers[qid] = [ans.text for ans in qa.answers]
                if relevant:
                    evalset.qrels[qid] = relevant
                else:
                    evalset.uncovered += 1
            offset += len(paragraph.context) + 2
    return evalset


def paragraphs_set(articles: list[Article]) -> EvalSet:
    """Each distinct paragraph one passage, kept as a chunk of its article's document (a
    paragraph repeated later stays where it first appeared): documents are what a user's files
    are, so a rule about the answering document reads the article, not one paragraph of it."""
    evalset, placed = EvalSet(), {}  # paragraph text → (source, chunk index)
    for a, article in enumerate(articles):
        source, chunks, offset = f"squad-article-{a}", [], 0
        for paragraph in article.paragraphs:
            if paragraph.context not in placed:
                placed[paragraph.context] = (source, len(chunks))
                chunks.append(Chunk(paragraph.context, offset, offset + len(paragraph.context), len(chunks), None, "", ""))
                offset += len(paragraph.context) + 2
        if chunks:
            evalset.documents[source] = (_digest("\n\n".join(c.text for c in chunks)), chunks)
    for article in articles:
        for paragraph in article.paragraphs:
            source, index = placed[paragraph.context]
            digest = evalset.documents[source][0]
            for qa in paragraph.qas:
                qid = f"q{len(evalset.questions)}"
                evalset.questions[qid] = qa.question
                evalset.answers[qid] = [ans.text for ans in qa.answers]
                evalset.qrels[qid] = {chunk_id(source, digest, index): 1}
                if qa.answers and qa.answers[0].start >= 0:
                    evalset.gold[qid] = (source, index, qa.answers[0].start)
    return evalset


ProgressFn = Callable[[str, int, int], None]
"""(stage, done, total)"""


@contextmanager
def temporary_store(cfg: BilgeConfig, evalset: EvalSet, embedder: Embedder,
                    progress: ProgressFn = lambda stage, done, total: None) -> Iterator[tuple[BilgeConfig, ChunkStore]]:
    """`evalset` indexed in a throw-away embedded store under the cache (removed afterwards):
    the config pointing at it and the store. The user's collections are never touched."""
    home = cache_dir(cfg) / f"eval-{uuid.uuid4().hex[:12]}"
    eval_cfg = cfg.model_copy(update={"home": home, "store": cfg.store.model_copy(update={"mode": "embedded"})})
    try:
        store = ChunkStore(eval_cfg)
        total = sum(len(chunks) for _, chunks in evalset.documents.values())
        done = 0
        for source, (digest, chunks) in evalset.documents.items():
            write_chunks(store, EVAL_COLLECTION, embedder, source, digest, chunks, cfg)
            done += len(chunks)
            progress("index", done, total)
        rebuild_bm25(eval_cfg, store, EVAL_COLLECTION)
        yield eval_cfg, store
    finally:
        shutil.rmtree(home, ignore_errors=True)


def evaluate_retrieval(cfg: BilgeConfig, evalset: EvalSet, modes: list[str], *, embedder: Embedder,
                       reranker: CrossEncoderReranker | None = None,
                       progress: ProgressFn = lambda stage, done, total: None) -> dict[str, dict[str, float]]:
    """Index `evalset` in a throw-away store and measure each mode; returns {mode: metrics}."""
    with temporary_store(cfg, evalset, embedder, progress) as (eval_cfg, store):
        searcher = Searcher(eval_cfg, EVAL_COLLECTION, store=store, embedder=embedder, reranker=reranker)
        return {mode: _measure(searcher, evalset, mode, progress) for mode in modes}


def _measure(searcher: Searcher, evalset: EvalSet, mode: str, progress: ProgressFn) -> dict[str, float]:
    run, seconds = {}, []
    asked = [q for q in evalset.questions if q in evalset.qrels]
    for n, qid in enumerate(asked, start=1):
        started = time.perf_counter()
        hits = searcher.search(evalset.questions[qid], mode, 10, explain=False)
        seconds.append(time.perf_counter() - started)
        run[qid] = [hit.chunk_id for hit in hits]
        progress(mode, n, len(asked))
    return {**ranking_metrics(evalset.qrels, run), **latency_summary(seconds)}
