"""Faults tried on a real `bilge` and what each lost: a table for the README.

    .venv/bin/python bench/faults.py [--config bilge.toml] [--small-files 10000] [--pdf-pages 2000]
                                     [--parts faults scale]

With the configured (shipped) models, in a temporary data directory, every fault runs the real
CLI in a child process and compares the collection afterwards (`retrievers.catalog.
collection_state`: chunks with text and metadata, window vectors, BM25 ids, manifest rows) with
one uninterrupted ingest of the same leaflets:

- SIGKILL at every named point of an ingest (`bilge.faults`), then the same command again;
- Ctrl-C (SIGINT) between two files, then again;
- a damaged BM25 index and a damaged manifest: the next command's message, then
  `bilge collections repair`, with a second collection's files compared byte for byte;
- a damaged chat history; a second writer while the collection's lock is held;
- a `chroma run` server stopped and started again under a running searcher;
- a folder of `--small-files` small files and a PDF of `--pdf-pages` pages, each ingested in a
  child process that reports its peak RSS, beside the leaflets' peak (the ratio is the point).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from bilge.config import config_toml, load_config  # noqa: E402
from retrievers.catalog import collection_state  # noqa: E402

POINTS = ("scanned", "read", "pending", "old-chunks-deleted", "embedded@2", "chunks-upserted", "windows-upserted@2",
          "written", "done@3", "before-bm25", "bm25-built", "bm25-half-saved", "bm25-swapping")
REMOVAL_POINTS = ("removing", "removed")
PEAK_RSS = ("import resource, runpy, sys; sys.argv = ['bilge'] + sys.argv[1:]\n"
            "try:\n    runpy.run_module('bilge', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print('peak_rss_kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)")


class Bench:
    def __init__(self, config: Path, work: Path) -> None:
        self.work, self.rows = work, []
        self.source_config = config

    def config(self, name: str) -> tuple[Path, object]:
        """The config with a data directory of its own (relative model paths still find the
        installation's models), as a file for the CLI and as an object."""
        cfg = load_config(self.source_config).model_copy(update={"home": self.work / name})
        path = self.work / f"{name}.toml"
        path.write_text(config_toml(cfg), encoding="utf-8")
        return path, load_config(path)

    def bilge(self, config: Path, *args: str, fault: str | None = None, peak: bool = False):
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("BILGE_FAULT", None)
        if fault:
            env["BILGE_FAULT"] = fault
        command = [sys.executable, "-c", PEAK_RSS] if peak else [sys.executable, "-m", "bilge"]
        started = time.perf_counter()
        # SIGINT as a terminal has it (a background parent would pass it on ignored)
        result = subprocess.run([*command, "--config", str(config), *args], env=env, capture_output=True, text=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        result.seconds = time.perf_counter() - started
        return result

    def row(self, fault: str, result, lost: str, note: str = "") -> None:
        lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("peak_rss_kb")]
        message = lines[-1] if result.returncode not in (0, -signal.SIGKILL) and lines else ""
        self.rows.append((fault, str(result.returncode), str(len(lines)) if message else "–", lost, note or message))
        print(f"{fault}: exit {result.returncode}, lost: {lost}", file=sys.stderr)


def lost(state: dict, expected: dict) -> str:
    if state == expected:
        return "nothing"
    parts = [key for key in ("chunks", "windows", "bm25", "manifest") if state.get(key) != expected.get(key)]
    return "differs: " + ", ".join(parts)


def kills(bench: Bench, leaflets: Path, clean: dict) -> None:
    for point in POINTS:
        config, cfg = bench.config(f"kill-{point.replace('@', '-')}")
        options = []
        if "bm25" in point:
            bench.bilge(config, "ingest", str(leaflets), "-c", "kill")
            options = ["--rebuild"]
        killed = bench.bilge(config, "ingest", str(leaflets), "-c", "kill", *options, fault=point)
        assert killed.returncode == -signal.SIGKILL, f"{point} not reached: {killed.stderr[-300:]}"
        again = bench.bilge(config, "ingest", str(leaflets), "-c", "kill")
        bench.row(f"SIGKILL at `{point}`" + (" (--rebuild)" if options else ""), killed,
                  lost(collection_state(cfg, "kill"), clean) if again.returncode == 0 else "re-run failed")
    for point in REMOVAL_POINTS:
        config, cfg = bench.config(f"kill-{point}")
        folder = bench.work / f"docs-{point}"
        shutil.copytree(leaflets, folder)
        bench.bilge(config, "ingest", str(folder), "-c", "kill")
        removed = sorted(folder.iterdir())[0]
        removed.unlink()
        killed = bench.bilge(config, "ingest", str(folder), "-c", "kill", fault=point)
        bench.bilge(config, "ingest", str(folder), "-c", "kill")
        state = collection_state(cfg, "kill")
        gone = all(not path.startswith(str(removed)) for path in state["manifest"])
        whole = set(state["bm25"]) == set(state["chunks"]) and len(state["manifest"]) == len(list(folder.iterdir()))
        bench.row(f"SIGKILL at `{point}` (a file deleted)", killed, "nothing" if gone and whole else "differs")


def interrupt(bench: Bench, leaflets: Path, clean: dict) -> None:
    config, cfg = bench.config("ctrl-c")
    stopped = bench.bilge(config, "ingest", str(leaflets), "-c", "kill", fault="done@2:int")
    bench.bilge(config, "ingest", str(leaflets), "-c", "kill")
    bench.row("Ctrl-C in `bilge ingest` after the 2nd file", stopped, lost(collection_state(cfg, "kill"), clean))


def damage(bench: Bench, leaflets: Path, clean: dict) -> None:
    for what in ("BM25 index", "manifest"):
        config, cfg = bench.config(f"damaged-{what.split()[0].lower()}")
        for name in ("kill", "other"):
            bench.bilge(config, "ingest", str(leaflets), "-c", name)
        home = Path(cfg.home) / "collections"
        other = {p: p.read_bytes() for p in (home / "other").rglob("*") if p.is_file()}
        target = home / "kill" / ("bm25/ids.json" if what == "BM25 index" else "manifest.sqlite3")
        target.write_bytes(b"\x00damaged\x00" * 40)
        for leftover in home.glob("kill/manifest.sqlite3-*"):
            leftover.unlink()
        failed = bench.bilge(config, "search", "parasetamol", "-c", "kill", "--mode", "bm25") if what == "BM25 index" \
            else bench.bilge(config, "ingest", str(leaflets), "-c", "kill")
        repaired = bench.bilge(config, "collections", "repair", "kill")
        untouched = other == {p: p.read_bytes() for p in (home / "other").rglob("*") if p.is_file()}
        result = lost(collection_state(cfg, "kill"), clean) if repaired.returncode == 0 else "repair failed"
        bench.row(f"damaged {what}, then `bilge collections repair`", failed,
                  result + ("" if untouched else "; other collection changed"))
    config, cfg = bench.config("damaged-history")
    history = Path(cfg.home) / "history.sqlite3"
    history.parent.mkdir(parents=True)
    history.write_bytes(b"not a database" * 50)
    bench.row("damaged chat history (`bilge chat`)", bench.bilge(config, "chat"), "nothing (file left as it was)")


def second_writer(bench: Bench, leaflets: Path) -> None:
    from filelock import FileLock

    config, cfg = bench.config("two-writers")
    bench.bilge(config, "ingest", str(leaflets), "-c", "kill")
    before = collection_state(cfg, "kill")
    with FileLock(str(Path(cfg.home) / "collections" / "kill" / "ingest.lock")):
        refused = bench.bilge(config, "ingest", str(leaflets), "-c", "kill", "--rebuild")
    bench.row("second writer (`ingest --rebuild` while the chat ingests)", refused,
              lost(collection_state(cfg, "kill"), before))


def server_restart(bench: Bench, leaflets: Path) -> None:
    import socket

    from bilge.errors import StoreError
    from retrievers.embeddings import load_embedder
    from retrievers.ingest import Ingestor
    from retrievers.search import Searcher
    from retrievers.store import ChunkStore

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    binary = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")

    def start():
        process = subprocess.Popen([binary, "run", "--path", str(bench.work / "server"), "--port", str(port)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return process
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("chroma run did not start")

    _, cfg = bench.config("http")
    cfg = cfg.model_copy(update={"store": cfg.store.model_copy(update={"mode": "http", "port": port})})
    server = start()
    embedder = load_embedder(cfg)
    Ingestor(cfg, "kill", embedder, ChunkStore(cfg)).run(leaflets)
    searcher = Searcher(cfg, "kill", embedder=embedder)
    before = [h.chunk_id for h in searcher.search("parasetamol dozu", "hybrid", 3)]
    os.killpg(server.pid, signal.SIGTERM)
    server.wait()
    try:
        searcher.search("parasetamol dozu", "hybrid", 3)
        message = "(no error)"
    except StoreError as exc:
        message = f"bilge: error: {exc}"
    server = start()
    after = [h.chunk_id for h in searcher.search("parasetamol dozu", "hybrid", 3)]
    os.killpg(server.pid, signal.SIGTERM)
    server.wait()
    result = subprocess.CompletedProcess([], 1, "", message)
    bench.row("`chroma run` stopped and restarted under a running searcher", result,
              "nothing; the next search works" if after == before else "results differ after restart")


def scale(bench: Bench, leaflets: Path, small_files: int, pdf_pages: int) -> list[tuple[str, float, float, int]]:
    """(what, seconds, peak RSS MB, chunks) for the leaflets, many small files, one long PDF."""
    import json

    from corpora.writers import write_pdf
    from retrievers.turkish import sentence_spans

    text = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpora" / "ilac-ornek").glob("*.md")))
    sentences = [text[s:e] for s, e in sentence_spans(" ".join(text.split()))]
    many = bench.work / "many"
    many.mkdir()
    for i in range(small_files):
        (many / f"belge-{i:05d}.txt").write_text(f"Not {i}. {sentences[i % len(sentences)]} "
                                                 f"{sentences[(7 * i + 3) % len(sentences)]}\n", encoding="utf-8")
    long_pdf = bench.work / "long"
    long_pdf.mkdir()
    pages = [(f"Bölüm {n + 1}", [" ".join(sentences[(n + k) % len(sentences)] for k in range(5))])
             for n in range(pdf_pages)]
    write_pdf(long_pdf / "uzun-belge.pdf", "Uzun belge", pages, page_per_section=True)
    rows = []
    for what, folder in (("4 leaflets", leaflets), (f"{small_files:,} small files", many),
                         (f"one PDF of {pdf_pages:,} pages", long_pdf)):
        config, _ = bench.config(f"scale-{len(rows)}")
        result = bench.bilge(config, "ingest", str(folder), "-c", "scale", "--json", peak=True)
        peak = next(int(line.split()[1]) for line in result.stderr.splitlines() if line.startswith("peak_rss_kb"))
        rows.append((what, result.seconds, peak / 1024, json.loads(result.stdout)["chunks"]))
        print(f"{what}: {result.seconds:.0f} s, peak {peak / 1024:.0f} MB", file=sys.stderr)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "bilge.toml")
    parser.add_argument("--small-files", type=int, default=10_000)
    parser.add_argument("--pdf-pages", type=int, default=2_000)
    parser.add_argument("--parts", nargs="+", choices=("faults", "scale"), default=["faults", "scale"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bilge-faults-") as tmp:
        bench = Bench(args.config, Path(tmp))
        leaflets = Path(tmp) / "leaflets"
        leaflets.mkdir()
        for path in sorted((ROOT / "corpora" / "ilac-ornek").glob("*"))[:4]:
            shutil.copy(path, leaflets)
        if "faults" in args.parts:
            config, cfg = bench.config("clean")
            bench.bilge(config, "ingest", str(leaflets), "-c", "kill")
            clean = collection_state(cfg, "kill")
            kills(bench, leaflets, clean)
            interrupt(bench, leaflets, clean)
            damage(bench, leaflets, clean)
            second_writer(bench, leaflets)
            server_restart(bench, leaflets)
            print("| fault | exit | message lines | lost | message |")
            print("|---|---:|---:|---|---|")
            for row in bench.rows:
                print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |", flush=True)
        if "scale" in args.parts:
            sizes = scale(bench, leaflets, args.small_files, args.pdf_pages)
            print("\n| ingested | time | peak RSS | × the leaflets' peak | chunks |\n|---|---:|---:|---:|---:|")
            for what, seconds, peak, chunks in sizes:
                print(f"| {what} | {seconds:.0f} s | {peak:.0f} MB | {peak / sizes[0][2]:.2f} | {chunks:,} |")


if __name__ == "__main__":
    main()
