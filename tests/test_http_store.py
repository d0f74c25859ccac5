"""store.mode = "http" against a real `chroma run` server on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bilge.errors import StoreError
from retrievers.ingest import Ingestor
from retrievers.search import Searcher
from retrievers.store import ChunkStore
from tests.conftest import make_config


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    binary = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    process = subprocess.Popen([binary, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
                                "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("chroma run did not start")
    yield port
    process.terminate()
    process.wait(timeout=10)


def test_ingest_and_search_through_a_chroma_server(tmp_path, tiny_model_dir, tiny_embedder, docs_dir, chroma_server):
    cfg = make_config(tmp_path / "home", tiny_model_dir, store={"mode": "http", "port": chroma_server})
    report = Ingestor(cfg, "paylasilan", tiny_embedder, ChunkStore(cfg)).run(docs_dir)
    assert report.added == 5
    assert not (tmp_path / "home" / "chroma").exists()  # nothing embedded: the server holds the vectors
    hits = Searcher(cfg, "paylasilan", embedder=tiny_embedder).search("karaciğer", "hybrid", 3)
    assert len(hits) == 3
    again = Ingestor(cfg, "paylasilan", tiny_embedder, ChunkStore(cfg)).run(docs_dir)
    assert again.unchanged == 5


def test_unreachable_server_is_a_clear_error(tmp_path, tiny_model_dir):
    cfg = make_config(tmp_path / "home", tiny_model_dir, store={"mode": "http", "port": free_port()})
    with pytest.raises(StoreError, match="cannot reach the Chroma server at 127.0.0.1"):
        ChunkStore(cfg)
