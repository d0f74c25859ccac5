"""The offline answer: the reader's span, the sentence that supports it quoted, and its citation.

Nothing is generated: every word of the answer is copied from a passage, which is why this path
cannot be talked into saying something the documents do not (instructions planted in a document
are at most quoted as text, never followed). For a question split into parts, each part gets
its own line.
"""

from __future__ import annotations

from assistant.documents import Numbering
from assistant.events import AnswerChunk, AnswerResult
from assistant.graph import Emit, Evidence
from retrievers.chunking import index_text
from retrievers.reader import Reader
from retrievers.turkish import sentence_spans


def supporting_sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence of `text` that contains the span (the span itself when it crosses sentences)."""
    for s, e in sentence_spans(text):
        if s <= start < e:
            return (s, max(e, end)) if end > e else (s, e)
    return start, end


def tidy_span(text: str) -> str:
    """A marked answer without the edges readers leave: spaces, trailing punctuation, and a
    bracket opened and not closed ("8 tabletten (4 gram" → "8 tabletten")."""
    text = text.strip(" \n.,;:")
    if text.count("(") > text.count(")"):
        text = text[:text.rindex("(")].rstrip(" ,;:")
    return text


class ExtractiveWriter:
    def __init__(self, reader: Reader, passages: int) -> None:
        self.reader, self.passages = reader, passages
        self.name = reader.name

    def write(self, result: AnswerResult, evidence: list[Evidence], numbering: Numbering, emit: Emit) -> None:
        paragraphs: list[str] = []
        for item in evidence:
            top = item.hits[:self.passages]
            headings = [index_text("", h.metadata.get("title", ""), h.metadata.get("section", "")).strip()
                        for h in top]
            span = self.reader.read(item.question, [h.text for h in top], headings)
            if span is None:
                continue
            hit = top[span.passage]
            citation, _ = numbering.cite(hit)
            s, e = supporting_sentence(hit.text, span.start, span.end)
            quote = hit.text[s:e].strip()
            short = tidy_span(hit.text[span.start:span.end])
            if citation not in result.citations:
                result.citations.append(citation)
            if short and short != quote.strip(" .") and len(short) < len(quote):
                paragraph = f"**{short}** [{citation.number}]\n\n> {quote}"
            else:
                paragraph = f"> {quote} [{citation.number}]"
            if len(evidence) > 1:
                paragraph = f"*{item.question}*\n\n{paragraph}"
            result.quote = result.quote or quote
            result.short = result.short or short or quote
            paragraphs.append(paragraph)
            emit(AnswerChunk(paragraph + "\n\n"))
        result.answer = "\n\n".join(paragraphs)
