"""`bilge ingest` killed with SIGKILL partway, then run again, equals one uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from retrievers.store import ChunkStore
from tests.conftest import REPO, make_config, write_config


def snapshot(cfg) -> dict:
    store = ChunkStore(cfg)
    if not store.exists("kill"):
        return {}
    return {hit.chunk_id: (hit.text, hit.metadata) for hit in store.iter_all("kill")}


def ingest_command(config, folder):
    return [sys.executable, "-m", "bilge", "--config", str(config), "ingest", str(folder), "-c", "kill"]


@pytest.mark.parametrize("delay", [5.0, 7.0])  # after start-up (~4 s), while files are being embedded
def test_sigkill_then_rerun_matches_a_clean_run(tmp_path, tiny_model_dir, docs_dir, delay):
    killed = make_config(tmp_path / "killed", tiny_model_dir, ingest={"batch_size": 1})
    clean = make_config(tmp_path / "clean", tiny_model_dir, ingest={"batch_size": 1})
    killed_config, clean_config = write_config(tmp_path / "k.toml", killed), write_config(tmp_path / "c.toml", clean)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(ingest_command(killed_config, docs_dir), env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    subprocess.run(ingest_command(killed_config, docs_dir), env=env, check=True, capture_output=True)
    subprocess.run(ingest_command(clean_config, docs_dir), env=env, check=True, capture_output=True)
    assert snapshot(killed) == snapshot(clean) != {}
