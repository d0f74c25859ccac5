"""The search pipeline over one collection: BM25, dense, hybrid and reranked.

`hybrid` fuses BM25 and the dense cosine over the union of both candidate lists; `rerank` adds
the cross-encoder's score of the top `rerank_top_n` as one more weighted stage and fuses again,
so one number (`fused`) decides every order and each stage's weight is a config value. Every
returned hit carries every stage's score (dense cosine and BM25, even when only one retriever
found it), so a person can see why a passage came first.
"""

from __future__ import annotations

from functools import cached_property
from typing import Literal, get_args

import numpy as np

from bilge.config import BilgeConfig
from bilge.errors import IndexMissingError, InputError
from bilge.paths import collection_dir
from retrievers.bm25 import Bm25Index
from retrievers.chunking import index_text
from retrievers.embeddings import Embedder, load_embedder
from retrievers.fusion import Pool, add_stage, fuse
from retrievers.ingest import ensure_embedded_by, rebuild_bm25
from retrievers.rerank import CrossEncoderReranker, load_reranker
from retrievers.store import ChunkStore, Hit
from retrievers.window import query_windows

Mode = Literal["bm25", "dense", "hybrid", "rerank"]
MODES: tuple[str, ...] = get_args(Mode)


class Searcher:
    """Search one collection. Models load on first use, so BM25-only work never loads torch models."""

    def __init__(self, cfg: BilgeConfig, collection: str, *, store: ChunkStore | None = None,
                 embedder: Embedder | None = None, reranker: CrossEncoderReranker | None = None) -> None:
        self.cfg, self.collection = cfg, collection
        self.store = store or ChunkStore(cfg)
        if not self.store.exists(collection) or self.store.count(collection) == 0:
            raise IndexMissingError(
                f"no index for collection '{collection}': run `bilge ingest DIR --collection {collection}` first"
            )
        self._given_embedder, self._reranker = embedder, reranker
        self._bm25: Bm25Index | None = None

    @cached_property
    def embedder(self) -> Embedder:
        """The configured (or given) embedder, once it is known to be the one the collection was built with."""
        embedder = self._given_embedder or load_embedder(self.cfg)
        ensure_embedded_by(self.cfg, self.collection, embedder)
        return embedder

    @property
    def reranker(self) -> CrossEncoderReranker:
        if self._reranker is None:
            self._reranker = load_reranker(self.cfg)
        return self._reranker

    @property
    def bm25(self) -> Bm25Index:
        if self._bm25 is None:
            folder = collection_dir(self.cfg, self.collection) / "bm25"
            self._bm25 = Bm25Index.load(folder, self.cfg.bm25)
            if self._bm25 is None:  # settings changed or never built: rebuild from the store
                self._bm25 = rebuild_bm25(self.cfg, self.store, self.collection)
        return self._bm25

    def search(self, query: str, mode: str | None = None, k: int | None = None, *, explain: bool = True) -> list[Hit]:
        """The top k hits. `explain=False` skips filling in the scores of stages the mode did not
        run (and, in bm25 mode, embedding the query), which is what latency measurements want."""
        mode = mode or self.cfg.retrieval.mode
        k = k or self.cfg.retrieval.k
        if mode not in MODES:
            raise InputError(f"unknown search mode '{mode}'; choose one of {', '.join(MODES)}")
        if not query.strip():
            raise InputError("empty query; type a question")
        fetch = max(self.cfg.retrieval.fetch_k, k)
        vector = self.embedder.embed_queries([query])[0] if explain or mode != "bm25" else None  # (dim,)
        if mode == "dense":
            hits = self.store.query(self.collection, vector, fetch)[:k]
        elif mode == "bm25":
            lexical = dict(self.bm25.search(query, fetch)[:k])
            hits = self._by_ids(list(lexical))
            for hit in hits:
                hit.scores["bm25"] = lexical[hit.chunk_id]
        else:
            hits = self._fused(query, vector, fetch, k, rerank=mode == "rerank")
        if explain:
            self._fill_first_stage_scores(query, vector, hits)
        return hits

    def _fused(self, query: str, vector: np.ndarray, fetch: int, k: int, *, rerank: bool) -> list[Hit]:
        retrieval = self.cfg.retrieval
        weights = {"bm25": retrieval.bm25_weight, "dense": retrieval.dense_weight}
        first_stage = self.first_stage_pool(query, vector, fetch)
        ranked = fuse(first_stage, weights, retrieval.fusion, retrieval.rrf_k)
        depth = max(k, retrieval.rerank_top_n) if rerank else k
        hits = self._by_ids([chunk_id for chunk_id, _ in ranked[:depth]])
        for hit in hits:
            hit.scores.update(first_stage[hit.chunk_id])
        fused = dict(ranked)
        if rerank:
            for hit, score in zip(hits, self.reranker.score(query, self.reranker_texts(query, hits))):
                hit.scores["rerank"] = score
            fused = dict(add_stage(ranked, {hit.chunk_id: hit.scores["rerank"] for hit in hits}, "rerank",
                                   retrieval.rerank_weight, retrieval.fusion, retrieval.rrf_k))
        for hit in hits:
            hit.scores["fused"] = fused[hit.chunk_id]
        return sorted(hits, key=lambda hit: hit.scores["fused"], reverse=True)[:k]

    def reranker_texts(self, query: str, hits: list[Hit]) -> list[str]:
        """What the cross-encoder reads of each hit: its heading context and the query's window of it."""
        windows = query_windows(query, [hit.text for hit in hits], self.bm25.terms, self.cfg.reranker.window_chars)
        return [index_text(window, hit.metadata.get("title", ""), hit.metadata.get("section", ""))
                for window, hit in zip(windows, hits)]

    def first_stage_pool(self, query: str, vector: np.ndarray, fetch: int) -> Pool:
        """Both retrievers' top `fetch`, each candidate with both scores (the missing one computed)."""
        pool: Pool = {hit.chunk_id: {"dense": hit.scores["dense"]}
                      for hit in self.store.query(self.collection, vector, fetch)}
        for chunk_id, score in self.bm25.search(query, fetch):
            pool.setdefault(chunk_id, {})["bm25"] = score
        no_dense = [chunk_id for chunk_id, stages in pool.items() if "dense" not in stages]
        for chunk_id, score in (self.store.dense_scores(self.collection, no_dense, vector) if no_dense else {}).items():
            pool[chunk_id]["dense"] = score
        no_bm25 = [chunk_id for chunk_id, stages in pool.items() if "bm25" not in stages]
        for chunk_id, score in (self.bm25.scores_of(query, no_bm25) if no_bm25 else {}).items():
            pool[chunk_id]["bm25"] = score
        return pool

    def _by_ids(self, ids: list[str]) -> list[Hit]:
        found = {hit.chunk_id: hit for hit in self.store.get(self.collection, ids)} if ids else {}
        return [found[i] for i in ids if i in found]

    def _fill_first_stage_scores(self, query: str, vector: np.ndarray, hits: list[Hit]) -> None:
        """The stage scores a mode did not compute itself (fused modes already have both)."""
        missing_dense = [h.chunk_id for h in hits if "dense" not in h.scores]
        missing_bm25 = [h.chunk_id for h in hits if "bm25" not in h.scores]
        dense = self.store.dense_scores(self.collection, missing_dense, vector) if missing_dense else {}
        lexical = self.bm25.scores_of(query, missing_bm25) if missing_bm25 else {}
        for hit in hits:
            if "dense" not in hit.scores:
                hit.scores["dense"] = dense[hit.chunk_id]
            if "bm25" not in hit.scores:
                hit.scores["bm25"] = lexical.get(hit.chunk_id, 0.0)
