"""Read PDF, DOCX, HTML, Markdown and TXT into blocks of repaired text (headings and body).

unstructured does the partitioning; PDFs go through pypdf first (unstructured's own PDF path
needs the 580 MB `[pdf]` extra and OCR models) and their text through unstructured's text
partitioner, page by page, after words split by stray spaces are joined again
(`retrievers.spacing`, with the whole document's vocabulary). Everything here works offline:
see `_offline_unstructured`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bilge.errors import FileRejected
from retrievers.spacing import repair_spacing
from retrievers.textrepair import decode_text, repair_text

SUPPORTED_SUFFIXES = frozenset({".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt"})


@dataclass(frozen=True)
class Block:
    """One element of a document: a heading or a piece of body text, with its PDF page."""

    text: str
    heading: bool
    page: int | None = None


@cache
def _offline_unstructured() -> None:
    """Stop unstructured from reaching the network.

    Its sentence counting loads spaCy's English model and downloads it when missing
    (unstructured 0.27, `nlp/tokenize.py`); it only needs sentence boundaries, so a blank
    multilingual pipeline with a sentencizer takes its place. Telemetry is switched off.
    """
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("SCARF_NO_ANALYTICS", "1")
    os.environ.setdefault("UNSTRUCTURED_DISABLE_NOTICE", "1")
    import spacy
    import unstructured.nlp.tokenize as tokenize

    nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    tokenize._get_nlp = lambda: nlp


_SENTENCE_PUNCT = tuple(".!;,")


def _is_heading(text: str, category: str) -> bool:
    """unstructured's Title guess for plain text is English-tuned; keep it for short lines that do
    not read as a statement (questions stay: "Nasıl kullanılır?" is a typical leaflet heading),
    and also take short ALL-CAPS lines (section names in typed leaflets)."""
    words = text.split()
    if not words or len(words) > 14 or "\n" in text or text.endswith(_SENTENCE_PUNCT):
        return False
    letters = [c for c in text if c.isalpha()]
    all_caps = len(letters) >= 3 and all(c.isupper() for c in letters)
    return category == "Title" or all_caps


def _blocks(elements, page: int | None = None) -> list[Block]:
    blocks = []
    for element in elements:
        text = repair_text(element.text or "").strip()
        if text:
            blocks.append(Block(text, _is_heading(text, element.category), page))
    return blocks


def unwrap_lines(page: str) -> str:
    """Re-join the lines a PDF wrapped at the page width, keeping real breaks (headings, items).

    PDF text has no blank lines between paragraphs, so the break is judged from the lines: a
    line is continued when the next one starts in lower case, or when it fills most of the
    page width and does not end a sentence.
    """
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    if not lines:
        return ""
    width = max(len(line) for line in lines)
    out = [lines[0]]
    for line in lines[1:]:
        previous = out[-1]
        wrapped = line[0].islower() or (
            len(previous.rsplit("\n", 1)[-1]) > 0.75 * width and not previous.endswith((".", "!", "?", ":"))
        )
        out[-1:] = [f"{previous} {line}"] if wrapped else [previous, line]
    return "\n".join(out)


def _read_pdf(path: Path) -> list[Block]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    from unstructured.partition.text import partition_text

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileRejected("encrypted PDF; save an unprotected copy and ingest that")
        pages = [page.extract_text() or "" for page in reader.pages]
    except FileRejected:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise FileRejected(f"damaged PDF ({exc}); re-export it and ingest again") from None
    except Exception as exc:  # pypdf signals encryption without a key through several types
        if "decrypt" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise FileRejected("encrypted PDF; save an unprotected copy and ingest that") from None
        raise FileRejected(f"damaged PDF ({exc}); re-export it and ingest again") from None
    pages = repair_spacing([repair_text(re.sub(r"[ \t]+", " ", re.sub(r"[ \t]+\n", "\n", text))) for text in pages])
    blocks: list[Block] = []
    for number, text in enumerate(pages, start=1):
        if text.strip():
            elements = partition_text(text=unwrap_lines(text), languages=["tur"])
            blocks.extend(_blocks(elements, page=number))
    return blocks


def _read_docx(path: Path) -> list[Block]:
    from unstructured.partition.docx import partition_docx

    try:
        return _blocks(partition_docx(filename=str(path)))
    except Exception as exc:  # python-docx raises zipfile/KeyError/lxml errors for broken files
        raise FileRejected(f"damaged DOCX ({type(exc).__name__}); re-save it and ingest again") from None


def _read_markup(path: Path, suffix: str, fallback_encoding: str) -> list[Block]:
    text = decode_text(path.read_bytes(), fallback_encoding)
    if not text.strip():
        raise FileRejected("no text in the file")
    if suffix in (".html", ".htm"):
        from unstructured.partition.html import partition_html

        return _blocks(partition_html(text=text, languages=["tur"]))
    if suffix in (".md", ".markdown"):
        from unstructured.partition.md import partition_md

        return _blocks(partition_md(text=text, languages=["tur"]))
    from unstructured.partition.text import partition_text

    return _blocks(partition_text(text=text, languages=["tur"]))


def read_blocks(path: Path, fallback_encoding: str = "cp1254") -> list[Block]:
    """All blocks of one file, in reading order; FileRejected says why a file cannot be read."""
    _offline_unstructured()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise FileRejected(f"unsupported file type '{suffix}'")
    if suffix == ".pdf":
        blocks = _read_pdf(path)
    elif suffix == ".docx":
        blocks = _read_docx(path)
    else:
        blocks = _read_markup(path, suffix, fallback_encoding)
    if not blocks:
        raise FileRejected("no text could be extracted (a scanned PDF needs OCR first)")
    return blocks
