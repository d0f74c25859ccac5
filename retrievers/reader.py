"""Answer extraction: pick the answer span inside retrieved passages.

Two readers behind one method, `read(question, passages) -> Span | None`:
- `QaModelReader`: an extractive question-answering model (what `bilge train reader` writes),
  scoring every start/end token pair inside the passage;
- `SentenceReader`: the clearly named fallback when no reader model exists. The cross-encoder
  scores each sentence of the passages against the question and the best sentence is the span.

With a reader model installed the two work together (`SentenceThenSpanReader`): the
cross-encoder picks the sentence, the model marks the answer inside it. Either way the span is
a character range of one of the given passages, so the supporting sentence and the citation
offsets follow from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bilge.config import BilgeConfig
from bilge.errors import ModelError
from retrievers.rerank import CrossEncoderReranker
from retrievers.turkish import sentence_spans


@dataclass(frozen=True)
class Span:
    """An answer: `passages[passage][start:end]`, with the reader's confidence."""

    passage: int
    start: int
    end: int
    score: float


class Reader(Protocol):
    name: str

    def read(self, question: str, passages: list[str], headings: list[str] | None = None) -> Span | None:
        """The best answer span in `passages`; `headings` (title — section per passage) give
        readers that score sentences the context a sentence alone lacks."""


class SentenceReader:
    """The best-scoring sentence is the answer (used when no reader model is installed).

    Each sentence is scored with its passage's heading in front: "Günde 8 tabletten fazla
    almayınız." only answers a question about paracetamol under "Parasetamol — Nasıl kullanılır?".
    """

    def __init__(self, reranker: CrossEncoderReranker) -> None:
        self._reranker = reranker
        self.name = "sentence-reader (fallback: no reader model)"

    def read(self, question: str, passages: list[str], headings: list[str] | None = None) -> Span | None:
        candidates = [(p, s, e) for p, text in enumerate(passages) for s, e in sentence_spans(text)]
        if not candidates:
            return None
        headings = headings or [""] * len(passages)
        texts = [f"{headings[p]}\n{passages[p][s:e]}".lstrip() for p, s, e in candidates]
        scores = self._reranker.score(question, texts)
        best = max(range(len(candidates)), key=scores.__getitem__)
        passage, start, end = candidates[best]
        return Span(passage, start, end, scores[best])


def clip_question(tokenizer, question: str, max_tokens: int) -> str:
    """The question cut to `max_tokens` tokens, so the passage window keeps most of its room
    (and the tokenizer's stride stays valid for any question a person types)."""
    offsets = tokenizer(question, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    return question if len(offsets) <= max_tokens else question[:offsets[max_tokens - 1][1]]


def qa_windows(tokenizer, questions: list[str], contexts: list[str], max_length: int, **options):
    """Question + context token windows, the same for training and reading: the question clipped
    to a third of the window, the context cut into windows overlapping by a quarter (so an
    answer cut by one window is whole in the next), offsets kept to map tokens back to text."""
    max_length = min(max_length, tokenizer.model_max_length)
    questions = [clip_question(tokenizer, q, max_length // 3) for q in questions]
    return tokenizer(questions, contexts, truncation="only_second", max_length=max_length, stride=max_length // 4,
                     return_overflowing_tokens=True, return_offsets_mapping=True, **options)


class QaModelReader:
    """An extractive QA model (start/end logits over passage tokens)."""

    def __init__(self, model, tokenizer, name: str, max_length: int = 384, max_answer_tokens: int = 30) -> None:
        self._model, self._tokenizer, self.name = model.eval(), tokenizer, name
        self._max_length, self._max_answer = max_length, max_answer_tokens

    @classmethod
    def from_path(cls, path: str) -> QaModelReader:
        from transformers import AutoModelForQuestionAnswering, AutoTokenizer

        try:
            tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            model = AutoModelForQuestionAnswering.from_pretrained(path, local_files_only=True)
        except Exception as exc:  # the loaders raise many kinds; all mean "not a reader directory"
            raise ModelError(
                f"reader model '{path}' cannot be loaded ({type(exc).__name__}: {exc}); "
                "set answer.reader to a directory written by `bilge train reader`"
            ) from None
        return cls(model, tokenizer, f"qa-model:{path}")

    def read(self, question: str, passages: list[str], headings: list[str] | None = None) -> Span | None:
        import torch

        if not passages:
            return None
        encoded = qa_windows(self._tokenizer, [question] * len(passages), passages, self._max_length, padding=True,
                             return_tensors="pt")
        offsets = encoded.pop("offset_mapping")
        windows = encoded.pop("overflow_to_sample_mapping")
        inputs = {k: v.to(self._model.device) for k, v in encoded.items() if k in ("input_ids", "attention_mask")}
        with torch.inference_mode():
            output = self._model(**inputs)
        best: Span | None = None
        for w in range(len(windows)):
            context = [i for i, seq in enumerate(encoded.sequence_ids(w)) if seq == 1]
            if not context:
                continue
            first, last = context[0], context[-1]
            start_logits = output.start_logits[w, first:last + 1]
            end_logits = output.end_logits[w, first:last + 1]
            pair = start_logits[:, None] + end_logits[None, :]
            allowed = torch.ones_like(pair, dtype=torch.bool).triu().tril(self._max_answer - 1)
            pair = pair.masked_fill(~allowed, float("-inf"))
            flat = int(pair.argmax())
            s, e = divmod(flat, pair.shape[1])
            score = float(pair[s, e])
            if best is None or score > best.score:
                start, end = int(offsets[w, first + s, 0]), int(offsets[w, first + e, 1])
                best = Span(int(windows[w]), start, end, score)
        return best


class SentenceThenSpanReader:
    """The cross-encoder chooses the sentence (the evidence a person reads); the QA model marks
    the answer inside it.

    Why not let the QA model choose among the passages: on 100 TQuAD dev questions the quoted
    sentence then held a gold answer for 56 % of them, against 75 % when the cross-encoder
    chooses; a short answer is worth little when the sentence beneath it is the wrong one.
    """

    def __init__(self, sentences: SentenceReader, spans: QaModelReader, min_score: float) -> None:
        self._sentences, self._spans, self._min_score = sentences, spans, min_score
        self.name = f"{spans.name} inside the best sentence"

    def read(self, question: str, passages: list[str], headings: list[str] | None = None) -> Span | None:
        """The marked answer, or the whole sentence when the model is not confident enough."""
        sentence = self._sentences.read(question, passages, headings)
        if sentence is None:
            return None
        inner = self._spans.read(question, [passages[sentence.passage][sentence.start:sentence.end]])
        if inner is None or inner.score < self._min_score:
            return sentence
        return Span(sentence.passage, sentence.start + inner.start, sentence.start + inner.end, inner.score)


def load_reader(cfg: BilgeConfig, reranker: CrossEncoderReranker) -> Reader:
    """The sentence reader, with the reader model marking the answer when `answer.reader` exists."""
    sentences = SentenceReader(reranker)
    path = cfg.resolve(cfg.answer.reader) if cfg.answer.reader else None
    if path is not None and (path / "config.json").is_file():
        return SentenceThenSpanReader(sentences, QaModelReader.from_path(str(path)), cfg.answer.span_min_score)
    return sentences
