"""The offline answer: the selector's sentence quoted and cited, the reader's span marked in it.

Nothing is generated: every word of the answer is copied from a passage, which is why this path
cannot be talked into saying something the documents do not (instructions planted in a document
are at most quoted as text, never followed). For a question split into parts, each part gets
its own line.
"""

from __future__ import annotations

from assistant.documents import Numbering
from assistant.events import AnswerChunk, AnswerResult
from assistant.graph import Emit, Evidence
from bilge.config import AnswerConfig
from retrievers.selector import ScoredSentence


def tidy_span(text: str) -> str:
    """A marked answer without the edges readers leave: spaces, trailing punctuation, and a
    bracket opened and not closed ("8 tabletten (4 gram" → "8 tabletten")."""
    text = text.strip(" \n.,;:")
    if text.count("(") > text.count(")"):
        text = text[:text.rindex("(")].rstrip(" ,;:")
    return text


def short_answer(text: str, sentence: ScoredSentence, min_margin: float) -> str:
    """The reader's answer inside the sentence, when it is confident enough; else ""."""
    if sentence.answer is None or sentence.margin is None or sentence.margin < min_margin:
        return ""
    return tidy_span(text[sentence.answer[0]:sentence.answer[1]])


class ExtractiveWriter:
    """Quotes the best sentence of each piece of evidence, with the reader's answer marked in it."""

    def __init__(self, name: str, cfg: AnswerConfig) -> None:
        self.name, self.cfg = name, cfg

    def write(self, result: AnswerResult, evidence: list[Evidence], numbering: Numbering, emit: Emit) -> None:
        paragraphs: list[str] = []
        for item in evidence:
            if not item.sentences:
                continue
            best = item.sentences[0]
            hit = item.hits[best.passage]
            citation, _ = numbering.cite(hit)
            quote = hit.text[best.start:best.end].strip()
            # a yes/no question's answer is the whole sentence: a span marked in it would be noise
            short = "" if item.yes_no else short_answer(hit.text, best, self.cfg.span_min_score)
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
