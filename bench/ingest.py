"""Ingestion speed and memory: files/s, chunks/s and peak RSS for corpora/ and a synthetic folder.

    .venv/bin/python bench/ingest.py [--synthetic 2000] [--config bilge.toml]

Each run ingests into a fresh temporary data directory with the configured embedder, so the
numbers include reading, repair, chunking, embedding and writing to Chroma. Prints a table.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bilge.config import load_config  # noqa: E402
from corpora.ilac_ornek import LEAFLETS  # noqa: E402
from retrievers.embeddings import load_embedder  # noqa: E402
from retrievers.ingest import Ingestor  # noqa: E402
from retrievers.store import ChunkStore  # noqa: E402


def synthetic_folder(folder: Path, count: int, seed: int = 0) -> Path:
    """`count` Markdown/TXT leaflets made by shuffling the sample leaflets' sections."""
    rng = random.Random(seed)
    sections = [s for _, secs in LEAFLETS.values() for s in secs]
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        chosen = rng.sample(sections, 4)
        body = "\n\n".join(f"## {h}\n\n" + "\n\n".join(ps) for h, ps in chosen)
        suffix = ".md" if n % 2 else ".txt"
        (folder / f"belge-{n:05d}{suffix}").write_text(f"# Örnek belge {n}\n\n{body}\n", encoding="utf-8")
    return folder


def measure(cfg_path: Path | None, folder: Path) -> dict:
    with tempfile.TemporaryDirectory() as home:
        cfg = load_config(cfg_path).model_copy(update={"home": Path(home)})
        embedder = load_embedder(cfg)
        files = sum(1 for p in folder.rglob("*") if p.is_file())
        started = time.perf_counter()
        report = Ingestor(cfg, "bench", embedder, ChunkStore(cfg)).run(folder)
        seconds = time.perf_counter() - started
        again = time.perf_counter()
        Ingestor(cfg, "bench", embedder, ChunkStore(cfg)).run(folder)
        unchanged_seconds = time.perf_counter() - again
    return {"folder": folder.name, "files": files, "chunks": report.chunks, "seconds": seconds,
            "files_per_s": files / seconds, "chunks_per_s": report.chunks / seconds,
            "rerun_s": unchanged_seconds, "embedder": f"{embedder.name} ({embedder.identity})"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=ROOT / "bilge.toml")
    parser.add_argument("--synthetic", type=int, default=2000, help="Documents in the synthetic folder.")
    args = parser.parse_args()
    rows = [measure(args.config, ROOT / "corpora" / "ilac-ornek")]
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(measure(args.config, synthetic_folder(Path(tmp) / f"synthetic-{args.synthetic}", args.synthetic)))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"embedder: {rows[0]['embedder']}; peak RSS of the whole run: {peak_mb:.0f} MB")
    print("| folder | files | chunks | seconds | files/s | chunks/s | unchanged re-run (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['folder']} | {r['files']} | {r['chunks']} | {r['seconds']:.1f} | {r['files_per_s']:.1f} "
              f"| {r['chunks_per_s']:.1f} | {r['rerun_s']:.2f} |")


if __name__ == "__main__":
    main()
