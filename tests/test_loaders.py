"""Every format, read from real files written by the corpus writers."""

from pathlib import Path

import pytest

from corpora.ilac_ornek import LEAFLETS
from corpora.writers import write_document, write_pdf
from retrievers.loaders import read_blocks
from retrievers.turkish import turkish_casefold

TITLE, SECTIONS = LEAFLETS["parasetamol-500.pdf"]


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".html", ".md", ".txt"])
def test_each_format_yields_headings_and_turkish_body(tmp_path, suffix):
    path = write_document(tmp_path / f"parasetamol{suffix}", TITLE, SECTIONS)
    blocks = read_blocks(path)
    headings = [turkish_casefold(b.text) for b in blocks if b.heading]
    body = " ".join(b.text for b in blocks if not b.heading)
    assert any("olası yan etkiler" in h for h in headings), headings
    assert any("saklama" in h for h in headings), headings
    assert "karaciğer hasarı" in body
    assert "Çocukların göremeyeceği" in body
    if suffix == ".pdf":
        assert {b.page for b in blocks} == {1}


def test_pdf_pages_are_numbered(tmp_path):
    path = tmp_path / "paged.pdf"
    write_pdf(path, TITLE, SECTIONS, page_per_section=True)
    blocks = read_blocks(path)
    storage = [b for b in blocks if "25 °C" in b.text]
    assert storage and storage[0].page == len(SECTIONS)


def test_cp1254_text_file_reads_as_turkish(tmp_path):
    from corpora.writers import write_txt

    path = tmp_path / "eski.txt"
    write_txt(path, TITLE, SECTIONS, encoding="cp1254")
    body = " ".join(b.text for b in read_blocks(path))
    assert "karaciğer" in body and "Ã" not in body


def test_mojibake_markdown_is_repaired(tmp_path):
    path = tmp_path / "bozuk.md"
    path.write_text("# Ä°laÃ§ bilgisi\n\nÅžurubu Ä±lÄ±k suyla iÃ§iniz.\n", encoding="utf-8")
    blocks = read_blocks(path)
    assert [b.text for b in blocks] == ["İlaç bilgisi", "Şurubu ılık suyla içiniz."]
    assert blocks[0].heading and not blocks[1].heading


def test_shipped_corpus_is_readable():
    folder = Path(__file__).resolve().parent.parent / "corpora" / "ilac-ornek"
    files = sorted(folder.iterdir())
    assert 8 <= len(files) <= 12
    assert {f.suffix for f in files} == {".pdf", ".docx", ".html", ".md", ".txt"}
    for path in files:
        assert any("yan etki" in turkish_casefold(b.text) for b in read_blocks(path)), path
