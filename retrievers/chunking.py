"""Split a document's blocks into chunks that keep their source, page, section and offsets.

The extracted document text is the blocks joined by blank lines; every chunk is an exact
slice `text[start:end]` of it, so a citation can always be shown in context. A chunk never
crosses a heading or a PDF page, ends on a Turkish sentence boundary, and repeats the last
`overlap` sentences of the chunk before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from retrievers.loaders import Block
from retrievers.turkish import sentence_case, sentence_spans

BLOCK_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Chunk:
    text: str
    start: int
    end: int
    index: int
    page: int | None
    section: str
    title: str

    @property
    def index_text(self) -> str:
        """What the embedder and BM25 see: the chunk with its heading context in front."""
        return index_text(self.text, self.title, self.section)


def index_text(text: str, title: str, section: str) -> str:
    """The one definition of searchable text, shared by ingest and the BM25 rebuild."""
    context = " — ".join(sentence_case(part) for part in dict.fromkeys((title, section)) if part)
    return f"{context}\n{text}" if context else text


def passage_windows(text: str, size: int) -> list[str]:
    """`text` cut the way the chunker cuts a document: whole sentences, at most `size` characters each."""
    return [chunk.text for chunk in chunk_blocks([Block(text, False)], size, 0)[1]]


def document_text(blocks: list[Block]) -> str:
    return BLOCK_SEPARATOR.join(block.text for block in blocks)


def _runs(blocks: list[Block]) -> Iterator[tuple[list[tuple[int, int]], int | None, str]]:
    """Consecutive body blocks sharing a section and a page, as (spans, page, section)."""
    section, offset = "", 0
    spans: list[tuple[int, int]] = []
    page: int | None = None
    for block in blocks:
        start, end = offset, offset + len(block.text)
        offset = end + len(BLOCK_SEPARATOR)
        if block.heading or (spans and block.page != page):
            if spans:
                yield spans, page, section
                spans = []
            if block.heading:
                section = block.text
                continue
        page = block.page
        spans.append((start, end))
    if spans:
        yield spans, page, section


def _pieces(text: str, start: int, end: int, size: int) -> Iterator[tuple[int, int]]:
    """A sentence longer than a chunk, cut at spaces into pieces of at most `size`."""
    while end - start > size:
        cut = text.rfind(" ", start + 1, start + size)
        cut = cut if cut > start else start + size
        yield start, cut
        start = cut + 1 if text[cut:cut + 1] == " " else cut
    if end > start:
        yield start, end


def chunk_blocks(blocks: list[Block], size: int, overlap: int) -> tuple[str, list[Chunk]]:
    """The document text and its chunks (see the module docstring)."""
    text = document_text(blocks)
    title = next((b.text for b in blocks if b.heading), "")
    chunks: list[Chunk] = []
    for spans, page, section in _runs(blocks):
        sentences = [p for a, b in spans for s, e in sentence_spans(text, a, b) for p in _pieces(text, s, e, size)]
        current: list[tuple[int, int]] = []
        for sentence in sentences:
            if current and sentence[1] - current[0][0] > size:
                chunks.append(_make(text, current, len(chunks), page, section, title))
                kept = current[-overlap:] if overlap else []
                while kept and sentence[1] - kept[0][0] > size:
                    kept = kept[1:]
                current = kept
            current.append(sentence)
        if current:
            chunks.append(_make(text, current, len(chunks), page, section, title))
    return text, chunks


def _make(text: str, sentences: list[tuple[int, int]], index: int, page: int | None, section: str, title: str) -> Chunk:
    start, end = sentences[0][0], sentences[-1][1]
    return Chunk(text[start:end], start, end, index, page, section, title)
