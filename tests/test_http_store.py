"""store.mode = "http" against a real `chroma run` server on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import signal
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


class ChromaServer:
    """A real `chroma run` on 127.0.0.1 that a test can stop and start again (same port, same data)."""

    def __init__(self, path: Path) -> None:
        self.path, self.port, self.process = path, free_port(), None

    def start(self) -> None:
        binary = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
        self.process = subprocess.Popen([binary, "run", "--path", str(self.path), "--host", "127.0.0.1", "--port",
                                         str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail("chroma run did not start")

    def stop(self) -> None:
        """The whole process group: `chroma run` may serve from a child process."""
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=10)


@pytest.fixture
def server(tmp_path):
    running = ChromaServer(tmp_path / "server")
    running.start()
    yield running
    if running.process.poll() is None:
        running.stop()


@pytest.fixture
def chroma_server(server):
    return server.port


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


def test_a_server_restarted_mid_chat_is_one_line_then_the_next_question_works(tmp_path, tiny_model_dir, tiny_embedder,
                                                                              tiny_reranker_dir, docs_dir, server):
    from assistant.events import Done, Failed
    from assistant.service import Assistant

    cfg = make_config(tmp_path / "home", tiny_model_dir, store={"mode": "http", "port": server.port},
                      reranker={"model": str(tiny_reranker_dir)}, answer={"selector": "", "reader": ""})
    Ingestor(cfg, "sohbet", tiny_embedder, ChunkStore(cfg)).run(docs_dir)
    assistant = Assistant(cfg, "sohbet")

    def last_event(question: str):
        return list(assistant.events(question))[-1]

    assert isinstance(last_event("Parasetamol karaciğere zarar verir mi?"), Done)
    server.stop()
    failed = last_event("Parasetamol kaç tablet alınır?")
    assert isinstance(failed, Failed) and "\n" not in failed.message
    assert failed.message.startswith(f"lost the Chroma server at 127.0.0.1:{server.port}")
    server.start()
    assert isinstance(last_event("Parasetamol kaç tablet alınır?"), Done)
