"""LangChain's own standard suites (`langchain-tests`) for Bilge's retriever and embeddings, on a
real store built with the tiny model: what a LangChain user plugging Bilge in relies on."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests, RetrieversIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from retrievers.langchain import BilgeEmbeddings, BilgeRetriever
from tests.conftest import LEAFLETS, make_config


@pytest.fixture(scope="module")
def leaflet_searcher(tmp_path_factory, tiny_model_dir, tiny_embedder):
    from corpora.writers import write_document
    from retrievers.ingest import Ingestor
    from retrievers.search import Searcher
    from retrievers.store import ChunkStore

    folder = tmp_path_factory.mktemp("leaflets")
    for name, (title, sections) in LEAFLETS.items():
        write_document(folder / (Path(name).stem + ".md"), title, sections)
    cfg = make_config(tmp_path_factory.mktemp("home"), tiny_model_dir)
    Ingestor(cfg, "ilac", tiny_embedder, ChunkStore(cfg)).run(folder)
    return Searcher(cfg, "ilac", embedder=tiny_embedder)


class TestBilgeRetrieverStandard(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _store(self, leaflet_searcher):
        type(self).searcher = leaflet_searcher

    @property
    def retriever_constructor(self) -> type[BilgeRetriever]:
        return BilgeRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"searcher": self.searcher, "mode": "hybrid"}

    @property
    def retriever_query_example(self) -> str:
        return "parasetamol karaciğer"


class BilgeEmbeddingsParams:
    """What both embeddings suites construct: `BilgeEmbeddings` over the tiny real embedder."""

    @pytest.fixture(autouse=True)
    def _embedder(self, tiny_embedder):
        type(self).embedder = tiny_embedder

    @property
    def embeddings_class(self) -> type[BilgeEmbeddings]:
        return BilgeEmbeddings

    @property
    def embedding_model_params(self) -> dict:
        return {"embedder": self.embedder}


class TestBilgeEmbeddingsStandard(BilgeEmbeddingsParams, EmbeddingsIntegrationTests):
    pass


class TestBilgeEmbeddingsUnitStandard(BilgeEmbeddingsParams, EmbeddingsUnitTests):
    pass
