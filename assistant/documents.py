"""The three things the assistant can do with the documents: search, read around a hit, list.

Both answer paths use these: the extractive graph calls them directly; the chat-model agent
calls them as LangChain tools (`assistant.agent`). Passages are numbered per answer so that a
marker [n] always points at the same chunk, whichever tool call found it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from assistant.events import Citation
from assistant.questions import (
    asks_yes_or_no,
    name_candidates,
    name_frequency,
    names_what_is_missing,
    proper_names,
)
from retrievers.chunking import index_text
from retrievers.search import Searcher
from retrievers.selector import Passage, ScoredSentence, SentenceSelector, load_selector
from retrievers.store import Hit
from retrievers.turkish import turkish_casefold


def citation_of(hit: Hit, number: int) -> Citation:
    meta = hit.metadata
    score = hit.scores.get("rerank", hit.scores.get("fused", hit.scores.get("dense", 0.0)))
    return Citation(
        number=number, chunk_id=hit.chunk_id, source=str(meta.get("source", "")),
        file_name=str(meta.get("file_name") or Path(str(meta.get("source", ""))).name),
        page=meta.get("page"), section=str(meta.get("section", "")), start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)), text=hit.text, score=float(score), title=str(meta.get("title", "")),
        scores=dict(hit.scores),
    )


@dataclass
class Numbering:
    """Citation numbers handed out in the order passages were first seen within one answer."""

    by_chunk: dict[str, Citation] = field(default_factory=dict)

    def cite(self, hit: Hit) -> tuple[Citation, bool]:
        """The hit's citation and whether it is new to this answer."""
        known = self.by_chunk.get(hit.chunk_id)
        if known is not None:
            return known, False
        citation = citation_of(hit, len(self.by_chunk) + 1)
        self.by_chunk[hit.chunk_id] = citation
        return citation, True

    def numbered(self, numbers: list[int]) -> list[Citation]:
        wanted = set(numbers)
        return [c for c in self.by_chunk.values() if c.number in wanted]


DOCUMENTS_KEPT = 16
"""Whole documents whose BM25 keys `Documents` keeps for the document check."""


class Documents:
    """One collection seen through the search pipeline."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self._selector: SentenceSelector | None = None
        self._documents_read: dict[tuple[str, str], set[str]] = {}  # (source, file hash) → BM25 keys

    @property
    def selector(self) -> SentenceSelector:
        if self._selector is None:
            # through the searcher each time: an ingest replaces its BM25 index
            self._selector = load_selector(self.searcher.cfg, self.searcher.reranker,
                                           lambda question, text: self.searcher.bm25.coverage(question, text))
        return self._selector

    @property
    def collection(self) -> str:
        return self.searcher.collection

    def search(self, query: str, k: int) -> list[Hit]:
        """The rerank pipeline (hybrid first stage, cross-encoder second)."""
        return self.searcher.search(query, "rerank", k)

    def select(self, question: str, hits: list[Hit]) -> list[ScoredSentence]:
        """The sentences of `hits`, best answer first (indexes into `hits`); a passage is `named`
        when its heading or text holds each of the question's names that the collection has."""
        index = self.searcher.bm25
        names = [name for name in name_candidates(question, self.searcher.cfg.answer.name_max_zipf)
                 if index.contains(name)]
        passages = []
        for hit in hits:
            title, section = str(hit.metadata.get("title", "")), str(hit.metadata.get("section", ""))
            passages.append(Passage(hit.text, title, section, hit.scores.get("fused", 0.0),
                                    index.mentions(index_text(hit.text, title, section), *names)))
        return self.selector.rank(question, passages, yes_no=asks_yes_or_no(question))

    def missing_names(self, question: str, max_zipf: float, proper_max_zipf: float) -> list[str]:
        """The question's names that occur nowhere in the collection: words rarer than `max_zipf`
        (`name_candidates`), and words written as names (`proper_names`) rarer than `proper_max_zipf`."""
        index, proper = self.searcher.bm25, proper_names(question)
        return [name for name in name_candidates(question, max(max_zipf, proper_max_zipf))
                if not index.contains(name) and names_what_is_missing(
                    name_frequency(name), turkish_casefold(name) in proper, max_zipf, proper_max_zipf)]

    def unfamiliar_words(self, question: str) -> list[str]:
        """Every content word of the question the collection lacks, its verb included: a predicate
        no document uses ("… hangi renktedir?") says the documents do not speak of it."""
        index = self.searcher.bm25
        return [word for word in name_candidates(question, math.inf, keep_predicate=True)
                if not index.contains(word)]

    def unmentioned_names(self, question: str, hit: Hit) -> dict[str, float]:
        """The question's names (`name_candidates`, any frequency, with their `name_frequency`)
        that the collection holds but `hit`'s whole document never mentions: asked "Omeprazol
        tiroid hastalarında kullanılır mı?", the omeprazole leaflet never says "tiroid" while the
        salbutamol one does, so a sentence quoted from it answers something else."""
        index = self.searcher.bm25
        held = [name for name in name_candidates(question, math.inf) if index.contains(name)]
        if not held:
            return {}
        keys = self._document_keys(hit)
        return {name: name_frequency(name) for name in held if not index.keys_mention(keys, name)}

    def _document_keys(self, hit: Hit) -> set[str]:
        """The BM25 keys of `hit`'s whole document, kept for the last `DOCUMENTS_KEPT` documents
        by source and content hash: a 300-page regulation takes ~0.3 s to read, and a changed
        file, re-ingested, has a new hash."""
        key = (str(hit.metadata.get("source", "")), str(hit.metadata.get("file_hash", "")))
        if key not in self._documents_read:
            document = self.searcher.store.neighbours(self.collection, key[0], 0, 1 << 30) or [hit]  # every chunk
            text = " ".join(index_text(c.text, str(c.metadata.get("title", "")), str(c.metadata.get("section", "")))
                            for c in document)
            self._documents_read[key] = self.searcher.bm25.keys_of(text)
            if len(self._documents_read) > DOCUMENTS_KEPT:
                del self._documents_read[next(iter(self._documents_read))]
        return self._documents_read[key]

    def read_passage(self, chunk_id: str, window: int = 1) -> list[Hit]:
        """The chunk and up to `window` chunks on each side of it, in document order."""
        found = self.searcher.store.get(self.collection, [chunk_id])
        if not found:
            return []
        meta = found[0].metadata
        index = int(meta.get("chunk_index", 0))
        return self.searcher.store.neighbours(self.collection, meta.get("source", ""),
                                              max(0, index - window), index + window)

    def list_sources(self) -> dict[str, int]:
        return self.searcher.store.sources(self.collection)
