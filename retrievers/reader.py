"""The reader: marks the short answer inside the sentence the selector chose.

An extractive question-answering model (what `bilge train reader` writes) reads the chosen
sentence with its neighbours under the passage heading (`retrievers.sentences.reader_input`), at
most `answer.reader_max_tokens` tokens: the same window it was trained on. It scores every
start/end token pair inside the chosen sentence and returns the best with its confidence: its
margin over [CLS], where the reader points when the window does not answer (it was trained to).
A span starts where a word does: subword pieces would otherwise let it mark "laşması" of
"Antlaşması" or the "te" of "1453'te". It may end inside a word, as Turkish answers drop a
suffix ("antlaşması" of "antlaşmasıdır", "1814 yılında" of "yılındaki": a tenth of TQuAD dev's
answers do). Below `answer.span_min_score` the assistant quotes the sentence alone.

A reader whose config says `bilge_marks_sentence` reads the sentence asked about as token type 1
and its heading and neighbours as type 0: without the mark, the window around the sentence
before the answer holds the answer too, so the reader could not say "not in this sentence" and
the neighbour borrowed the answer's confidence. Older readers read every token as type 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from bilge.config import BilgeConfig
from bilge.errors import ModelError
from retrievers.model_files import require_model
from retrievers.sentences import ReaderInput, reader_input

APOSTROPHES = "'’‘ʼ`"  # the marks Turkish writes before a proper noun's suffix


@dataclass(frozen=True)
class Span:
    """An answer: `context[start:end]`; `score` = its start + end logit, `null` = the same for
    [CLS] (the reader's "no answer here"), so `margin` is how much the reader prefers the span."""

    start: int
    end: int
    score: float
    null: float = 0.0

    @property
    def margin(self) -> float:
        return self.score - self.null


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


def starts_word(text: str, at: int) -> bool:
    """Whether an answer may start at `at`: after a space or a mark, or where digits and letters
    meet ("bitirip1943"); not inside a word, nor after a suffix's apostrophe ("1453'te")."""
    if at == 0 or at >= len(text):
        return True
    before, first = text[at - 1], text[at]
    if before.isalnum():
        return before.isdigit() != first.isdigit()
    return not (before in APOSTROPHES and at >= 2 and text[at - 2].isalnum())


def visible_start(text: str, start: int, end: int) -> int:
    """Where a token's text begins: its offsets include sentencepiece's leading space ("▁")."""
    while start < end and text[start].isspace():
        start += 1
    return start


MARKS_SENTENCE = "bilge_marks_sentence"  # the config key of a reader trained on marked sentences


def sentence_pieces(sequence: list[int | None], offsets: list[tuple[int, int]], text: str,
                    within: tuple[int, int]) -> tuple[list[tuple[int, int]], list[int]]:
    """One token window's pieces as (first visible character, end) and the positions of the
    context pieces inside the `within` character range of `text`. A piece's offsets include the
    space before it, so a sentence's first word is inside the range only by its visible start;
    the question's pieces point into the question, which may be longer than the context."""
    pieces = [(visible_start(text, a, b), b) if seq == 1 else (a, b) for seq, (a, b) in zip(sequence, offsets)]
    low, high = within
    return pieces, [i for i, (seq, (a, b)) in enumerate(zip(sequence, pieces)) if seq == 1 and a >= low and b <= high]


def marked_types(length: int, inside: list[list[int]]) -> list[list[int]]:
    """Token types for windows of `length` tokens: 1 at each window's `inside` positions."""
    types = [[0] * length for _ in inside]
    for row, positions in zip(types, inside):
        for i in positions:
            row[i] = 1
    return types


class QaModelReader:
    """An extractive QA model (start/end logits over context tokens)."""

    def __init__(self, model, tokenizer, name: str, max_length: int = 128, max_answer_tokens: int = 30) -> None:
        self._model, self._tokenizer, self.name = model.eval(), tokenizer, name
        self._max_length, self._max_answer = max_length, max_answer_tokens
        self.marks_sentence = bool(getattr(model.config, MARKS_SENTENCE, False))

    @classmethod
    def from_path(cls, path: str, max_length: int = 128) -> QaModelReader:
        from transformers import AutoModelForQuestionAnswering, AutoTokenizer

        try:
            tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            model = AutoModelForQuestionAnswering.from_pretrained(path, local_files_only=True)
        except Exception as exc:  # the loaders raise many kinds; all mean "not a reader directory"
            raise ModelError(
                f"reader model '{path}' cannot be loaded ({type(exc).__name__}: {exc}); "
                "set answer.reader to a directory written by `bilge train reader`"
            ) from None
        return cls(model, tokenizer, f"qa-model:{path}", max_length)

    def read(self, question: str, context: str, within: tuple[int, int] | None = None) -> Span | None:
        """The best span of `context`; with `within`, only spans inside that character range."""
        return self.read_many(question, [(context, within or (0, len(context)))])[0]

    def read_sentences(self, question: str, sentences: list[tuple[str, tuple[int, int], str, str]],
                       neighbours: int) -> list[tuple[ReaderInput, Span | None]]:
        """Each `(passage text, (start, end), title, section)` sentence read in its window (the
        heading, the sentence, `neighbours` on each side: `reader_input`), all in one batch: what
        the answer step, the selector's teacher and the benches read alike."""
        windows = [reader_input(text, span, neighbours, title, section) for text, span, title, section in sentences]
        return list(zip(windows, self.read_many(question, [(w.context, w.sentence) for w in windows])))

    def read_many(self, question: str, contexts: list[tuple[str, tuple[int, int]]]) -> list[Span | None]:
        """The best span inside each `(context, (low, high))` character range, all contexts in one
        forward pass: the answer step reads its few candidate sentences at once, which on a CPU
        costs less than one pass per sentence."""
        import torch

        if not contexts:
            return []
        encoded = qa_windows(self._tokenizer, [question] * len(contexts), [c for c, _ in contexts], self._max_length,
                             padding=True, return_tensors="pt")
        offsets, owners = encoded.pop("offset_mapping"), encoded.pop("overflow_to_sample_mapping").tolist()
        read = [sentence_pieces(encoded.sequence_ids(w), offsets[w].tolist(), *contexts[owner])
                for w, owner in enumerate(owners)]
        inputs = {k: v.to(self._model.device) for k, v in encoded.items() if k in ("input_ids", "attention_mask")}
        if self.marks_sentence:
            types = marked_types(encoded["input_ids"].shape[1], [tokens for _, tokens in read])
            inputs["token_type_ids"] = torch.tensor(types, device=self._model.device)
        with torch.inference_mode():
            output = self._model(**inputs)
        cls = (output.start_logits[:, 0] + output.end_logits[:, 0]).tolist()
        best: list[Span | None] = [None] * len(contexts)
        for w, (owner, (pieces, tokens)) in enumerate(zip(owners, read)):
            text = contexts[owner][0]
            if not tokens:
                continue
            first, last = tokens[0], tokens[-1]
            pair = output.start_logits[w, first:last + 1, None] + output.end_logits[w, None, first:last + 1]
            allowed = torch.ones_like(pair, dtype=torch.bool).triu().tril(self._max_answer - 1)
            word_starts = torch.tensor([starts_word(text, a) for a, _ in pieces[first:last + 1]])
            on_words = allowed & word_starts[:, None]
            flat = int(pair.masked_fill(~(on_words if on_words.any() else allowed), float("-inf")).argmax())
            s, e = divmod(flat, pair.shape[1])
            score = float(pair[s, e])
            if best[owner] is None or score > best[owner].score:
                null = min(c for c, o in zip(cls, owners) if o == owner)
                best[owner] = Span(pieces[first + s][0], pieces[first + e][1], score, null)
        return best


def load_reader(cfg: BilgeConfig) -> QaModelReader | None:
    """The reader model of `answer.reader`, or None when it is empty (the sentence is the answer)."""
    if not cfg.answer.reader:
        return None
    path = require_model(cfg.resolve(cfg.answer.reader), "answer.reader", "bilge train reader")
    return QaModelReader.from_path(str(path), cfg.answer.reader_max_tokens)
