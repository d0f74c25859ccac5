"""The search pipeline as LangChain objects: a `BaseRetriever` and `Embeddings`.

Only `_get_relevant_documents` is implemented; `invoke`, batching, callbacks and async come
from the base class, and `invoke(query, k=…)` overrides the retriever's `k` for one call, as
LangChain's standard retriever suite expects (tests run it). Every stage's score travels in the
document metadata. There is no writable `VectorStore` view of a collection: documents added
through one would bypass the manifest and the BM25 index, and the retriever here already
serves LangChain with the whole pipeline rather than the dense half of it.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from retrievers.embeddings import Embedder
from retrievers.store import Hit


def hit_to_document(hit: Hit) -> Document:
    return Document(page_content=hit.text, id=hit.chunk_id,
                    metadata={**hit.metadata, "chunk_id": hit.chunk_id, "scores": dict(hit.scores)})


class BilgeRetriever(BaseRetriever):
    """Bilge's hybrid + rerank search over one collection."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Any
    """A `retrievers.search.Searcher`."""
    k: int = 5
    mode: str = "rerank"

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                k: int | None = None) -> list[Document]:
        return [hit_to_document(hit) for hit in self.searcher.search(query, self.mode, k or self.k)]


class BilgeEmbeddings(Embeddings):
    """The configured embedder, with its query/passage prefixes, as LangChain `Embeddings`."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_passages(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_queries([text])[0].tolist()
