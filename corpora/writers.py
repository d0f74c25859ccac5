"""Write one titled, sectioned document in each format Bilge reads.

Used to build `corpora/ilac-ornek` (so the binary files can be rebuilt) and by the tests to
make real files of every format. fpdf2 needs a TrueType font for ğ ş ı İ: DejaVuSans.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone
from pathlib import Path

Sections = list[tuple[str, list[str]]]
"""[(heading, [paragraph, ...]), ...]"""

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)


def write_md(path: Path, title: str, sections: Sections) -> None:
    parts = [f"# {title}"]
    for heading, paragraphs in sections:
        parts.append(f"## {heading}")
        parts.extend(paragraphs)
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")


def write_txt(path: Path, title: str, sections: Sections, encoding: str = "utf-8") -> None:
    """Plain text with ALL-CAPS section names, as leaflets are often typed."""
    from retrievers.turkish import turkish_casefold

    def upper(text: str) -> str:
        return turkish_casefold(text).replace("i", "İ").replace("ı", "I").upper()

    parts = [upper(title)]
    for heading, paragraphs in sections:
        parts.append(upper(heading))
        parts.extend(paragraphs)
    path.write_bytes(("\n\n".join(parts) + "\n").encode(encoding))


def write_html(path: Path, title: str, sections: Sections) -> None:
    body = [f"<h1>{html.escape(title)}</h1>"]
    for heading, paragraphs in sections:
        body.append(f"<h2>{html.escape(heading)}</h2>")
        body.extend(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    page = (
        '<!DOCTYPE html>\n<html lang="tr">\n<head><meta charset="utf-8"><title>'
        f"{html.escape(title)}</title></head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
    path.write_text(page, encoding="utf-8")


def write_docx(path: Path, title: str, sections: Sections) -> None:
    import docx

    document = docx.Document()
    document.core_properties.created = datetime(2026, 1, 1, tzinfo=timezone.utc)
    document.add_heading(title, level=1)
    for heading, paragraphs in sections:
        document.add_heading(heading, level=2)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    document.save(str(path))


def write_pdf(path: Path, title: str, sections: Sections, *, page_per_section: bool = False) -> None:
    """A text PDF; `page_per_section` puts each section on its own page (to test page numbers)."""
    from fpdf import FPDF

    font = next((f for f in FONT_CANDIDATES if Path(f).exists()), None)
    if font is None:
        raise RuntimeError("DejaVuSans.ttf not found: install fonts-dejavu-core to write Turkish PDFs")
    pdf = FPDF()
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=timezone.utc))  # same bytes on every rebuild
    pdf.add_font("DejaVu", "", font)
    pdf.add_page()
    pdf.set_font("DejaVu", size=15)
    pdf.multi_cell(0, 9, title)
    pdf.ln(3)
    for number, (heading, paragraphs) in enumerate(sections):
        if page_per_section and number:
            pdf.add_page()
        pdf.set_font("DejaVu", size=13)
        pdf.multi_cell(0, 8, heading)
        pdf.ln(2)
        pdf.set_font("DejaVu", size=11)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, paragraph)
            pdf.ln(3)
    pdf.output(str(path))


WRITERS = {".md": write_md, ".txt": write_txt, ".html": write_html, ".docx": write_docx, ".pdf": write_pdf}


def write_document(path: Path, title: str, sections: Sections) -> Path:
    WRITERS[path.suffix](path, title, sections)
    return path
