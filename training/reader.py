"""`bilge train reader`: extractive question answering — the answer span inside a sentence.

The reader reads what the app shows it: the sentence holding the answer with its neighbours
under the article title (`retrievers.sentences.reader_input`), at most
`answer.reader_max_tokens` (128) tokens. Short inputs train several times faster than whole
paragraphs, so a CPU run sees every training question several times. It starts from a reader
(or any encoder's first `layers` layers) with a start/end head (`BertForQuestionAnswering`),
trained on the repaired ENELPI answers (minus dev paragraphs) with the SQuAD recipe: a window
without the answer points at [CLS]; the title is dropped from a share of the examples, as
passages without one exist. Validation = exact match and token F1 of the span the app's own
reader code (`retrievers.reader.QaModelReader`) marks inside each dev question's answering
sentence: what is measured is what runs. Word embeddings stay frozen, so the shipped pack holds
only the layers and the head.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from pathlib import Path

from bilge.config import AnswerConfig
from bilge.errors import InputError
from retrievers.answer_metrics import best_of
from retrievers.reader import MARKS_SENTENCE, marked_types, qa_windows, sentence_pieces
from retrievers.sampling import seeded_indexes
from retrievers.sentences import reader_input, sentences_holding
from retrievers.turkish import sentence_spans, turkish_casefold
from training.common import Recipe, encoder_dir, hf_arguments, last_checkpoint, write_model_card
from training.pack import pack
from training.pairs import ANALYZE


NEIGHBOURS, MAX_TOKENS = AnswerConfig().reader_neighbours, AnswerConfig().reader_max_tokens
HEADING_DROPOUT = 0.3
HARD_SHARE = 0.5
"""The share of no-answer windows read around the far sentence most like the question
(`hardest_far`); the rest are drawn at random, which sets how low an unrelated sentence scores."""
MARKED_DATA = (", and around a neighbour that does not hold it (target [CLS]), the sentence read marked as token "
               "type 1")
"""What the model card adds for a reader trained with `mark_sentence`."""


@dataclass(frozen=True)
class SpanExample:
    question: str
    context: str
    start: int
    answers: tuple[str, ...]
    sentence: tuple[int, int]  # the answering sentence(s), in context positions


def span_examples(articles, neighbours: int = NEIGHBOURS, heading_dropout: float = 0.0, negatives: bool = False,
                  hard_share: float = 0.0, near: bool = False, seed: int = 0) -> list[SpanExample]:
    """Every question whose first answer is located in its paragraph, as the app shows it to the
    reader: the sentence(s) holding the answer with `neighbours` on each side, the title above.
    With `negatives`, each also comes with a read that must point at [CLS], which is how the
    reader says "not in this sentence" (start -1): a sentence of the paragraph far enough away,
    or of another paragraph of the article (for a `hard_share` of the questions the one sharing
    the most analysed terms with the question, `hardest_far`, else one drawn at random). With
    `near` too, a neighbour of the answering sentence that does not hold the answer's text, read
    in its own window, which holds the answer beside it: only the sentence mark of a reader
    trained with `mark_sentence` (`retrievers.reader`) tells the two apart."""
    rng = random.Random(seed)
    examples = []
    for article in articles:
        paragraphs = [(p, list(sentence_spans(p.context))) for p in article.paragraphs]
        for paragraph, spans in paragraphs:
            for qa in paragraph.qas:
                if not qa.answers or qa.answers[0].start < 0:
                    continue
                answer = qa.answers[0]
                end = answer.start + len(answer.text)
                holding = sentences_holding(spans, answer.start, end)
                if paragraph.context[answer.start:end] != answer.text or not holding:
                    continue
                title = article.title if rng.random() >= heading_dropout else ""
                answers = tuple(a.text for a in qa.answers)
                sentence = (spans[holding[0]][0], spans[holding[-1]][1])
                window = reader_input(paragraph.context, sentence, neighbours, title)
                examples.append(SpanExample(qa.question, window.context, window.to_context(answer.start), answers,
                                            window.sentence))
                far = [(paragraph.context, s) for i, s in enumerate(spans)
                       if min(abs(i - h) for h in holding) > neighbours]
                far += [(other.context, s) for other, other_spans in paragraphs if other is not paragraph
                        for s in other_spans]
                if negatives and far:
                    hard = rng.random() < hard_share
                    text, elsewhere = hardest_far(qa.question, far, answers, rng) if hard else rng.choice(far)
                    window = reader_input(text, elsewhere, neighbours, title)
                    examples.append(SpanExample(qa.question, window.context, -1, answers, window.sentence))
                if negatives and near:
                    folded = folded_answers(answers)
                    beside = [s for i, s in enumerate(spans) if 0 < min(abs(i - h) for h in holding) <= neighbours
                              and not holds_answer(paragraph.context[s[0]:s[1]], folded)]
                    if beside:
                        window = reader_input(paragraph.context, rng.choice(beside), neighbours, title)
                        examples.append(SpanExample(qa.question, window.context, -1, answers, window.sentence))
    return examples


def folded_answers(answers: tuple[str, ...]) -> tuple[str, ...]:
    """The answers casefolded once, for `holds_answer` to test many sentences against."""
    return tuple(turkish_casefold(a) for a in answers)


def holds_answer(sentence: str, folded: tuple[str, ...]) -> bool:
    """Whether the sentence holds any of the `folded_answers`' texts: then it is no negative."""
    text = turkish_casefold(sentence)
    return any(a in text for a in folded)


def hardest_far(question: str, far: list[tuple[str, tuple[int, int]]], answers: tuple[str, ...],
                rng: random.Random) -> tuple[str, tuple[int, int]]:
    """Of the far `(text, sentence)` candidates, the one sharing the most analysed terms with the
    question (ties drawn at random): the wrong sentence the app's selector and lexical share put
    among the few the reader reads, as the definition opening a leaflet's section does for every
    question about its drug. A sentence holding an answer's text is passed over, unless every
    far sentence holds one."""
    terms = set(ANALYZE(question))
    folded = folded_answers(answers)
    candidates = [(text, span) for text, span in far if not holds_answer(text[span[0]:span[1]], folded)] or far
    overlap = [len(terms.intersection(ANALYZE(text[s:e]))) for text, (s, e) in candidates]
    best = max(overlap)
    return rng.choice([c for c, o in zip(candidates, overlap) if o == best])


def load_span_data(data_dir: Path, mark_sentence: bool = False) -> tuple[list[SpanExample], list[SpanExample]]:
    from training.pairs import train_dev_articles

    train_articles, dev_articles = train_dev_articles(data_dir)
    return (span_examples(train_articles, heading_dropout=HEADING_DROPOUT, negatives=True,
                          hard_share=HARD_SHARE, near=mark_sentence),
            span_examples(dev_articles))


def windows(tokenizer, examples: list[SpanExample], max_length: int = MAX_TOKENS, marked: bool = False) -> dict:
    """The reader's token windows (`qa_windows`) with the start/end token positions of the answer
    ([CLS] = 0 when it is outside the window, or the example has none); `marked`: with the
    sentence read as token type 1 (`marked_types`, as `QaModelReader` marks it)."""
    encoded = qa_windows(tokenizer, [e.question for e in examples], [e.context for e in examples], max_length,
                         padding="max_length")
    starts, ends, inside = [], [], []
    for w, offsets in enumerate(encoded["offset_mapping"]):
        example, sequence = examples[encoded["overflow_to_sample_mapping"][w]], encoded.sequence_ids(w)
        if marked:
            inside.append(sentence_pieces(sequence, offsets, example.context, example.sentence)[1])
        first, last = example.start, example.start + len(example.answers[0])
        context = [i for i, seq in enumerate(sequence) if seq == 1]
        if example.start < 0 or not context or offsets[context[0]][0] > first or offsets[context[-1]][1] < last:
            starts.append(0)
            ends.append(0)
            continue
        starts.append(next(i for i in context if offsets[i][1] > first))
        ends.append(next(i for i in reversed(context) if offsets[i][0] < last))
    features = {"input_ids": encoded["input_ids"], "attention_mask": encoded["attention_mask"],
                "start_positions": starts, "end_positions": ends}
    return {**features, "token_type_ids": marked_types(len(encoded["input_ids"][0]), inside)} if marked else features


class SpanEvaluator:
    """Exact match and token F1 of the span the app's reader marks in each dev question's answering
    sentence (read with its neighbours, as the app reads the sentence the selector chose)."""

    def __init__(self, examples: list[SpanExample], name: str = "dev") -> None:
        self.examples, self.name = examples, name

    def __call__(self, model, tokenizer) -> dict[str, float]:
        from retrievers.reader import QaModelReader

        reader = QaModelReader(model, tokenizer, "training")
        em = f1 = 0.0
        for example in self.examples:
            span = reader.read(example.question, example.context, within=example.sentence)
            answer = example.context[span.start:span.end] if span else ""
            best_em, best_f1 = best_of(answer, list(example.answers))
            em, f1 = em + best_em, f1 + best_f1
        model.train()
        n = max(len(self.examples), 1)
        return {f"{self.name}_exact_match": em / n, f"{self.name}_f1": f1 / n}


def _trainer_class():
    from transformers import Trainer

    class SpanTrainer(Trainer):
        """The HF trainer, evaluated by `SpanEvaluator` instead of a loss on windows."""

        def __init__(self, *args, span_evaluator: SpanEvaluator, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.span_evaluator = span_evaluator

        def evaluate(self, eval_dataset=None, ignore_keys=None, metric_key_prefix: str = "eval") -> dict:
            metrics = {f"{metric_key_prefix}_{k}": v
                       for k, v in self.span_evaluator(self.model, self.processing_class).items()}
            self.log(metrics)
            self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics)
            return metrics

    return SpanTrainer


def train_reader(recipe: Recipe, data_dir: Path, command: str, *, layers: int = 12, mark_sentence: bool = False,
                 callbacks: list | None = None) -> dict:
    """With `mark_sentence`, the reader reads the sentence asked about as token type 1 and also
    learns "not this one" on the answer's neighbours (`span_examples(near=True)`); its config
    says so, and the app marks what it reads (measured and not shipped: README)."""
    import torch
    from datasets import Dataset
    from transformers import (AutoModelForQuestionAnswering, AutoTokenizer, EarlyStoppingCallback,
                              TrainingArguments)

    encoder = encoder_dir(recipe.base)
    # 1. model: the base's first `layers` layers under its start/end head (a reader keeps its own)
    tokenizer = AutoTokenizer.from_pretrained(str(recipe.base), local_files_only=True)
    model = AutoModelForQuestionAnswering.from_pretrained(str(encoder), num_hidden_layers=layers,
                                                          local_files_only=True)
    if mark_sentence and model.config.type_vocab_size < 2:
        raise InputError(f"--base {recipe.base}: the reader marks the sentence it reads as a second token type, "
                         "and this encoder has one; start from an encoder with type_vocab_size 2 (models/embedder)")
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    setattr(model.config, MARKS_SENTENCE, mark_sentence)  # saved in config.json: how the app reads it
    # 2. data: answering sentences with their neighbours, from train; the same from dev for the evaluator
    train, dev = load_span_data(data_dir, mark_sentence)
    dev = [dev[i] for i in seeded_indexes(len(dev), recipe.dev_questions, recipe.dev_seed)]
    dataset = Dataset.from_dict(windows(tokenizer, train, marked=mark_sentence))
    # 3. loss: the model's own (cross-entropy over start and end)  4. evaluator and its baseline
    evaluator = SpanEvaluator(dev)
    baseline = evaluator(model, tokenizer)
    print(f"baseline {baseline}", file=sys.stderr)
    # 5. arguments
    args = TrainingArguments(**hf_arguments(recipe, "eval_dev_f1"))
    # eval_dataset only satisfies the trainer's argument check: `evaluate` runs the SpanEvaluator
    trainer = _trainer_class()(model=model, args=args, train_dataset=dataset, eval_dataset=dataset.select([0]),
                               processing_class=tokenizer, span_evaluator=evaluator,
                               callbacks=[EarlyStoppingCallback(early_stopping_patience=recipe.patience),
                                          *(callbacks or [])])
    # 6. train  7. evaluate the best model  8. save with its card
    trainer.train(resume_from_checkpoint=last_checkpoint(recipe))
    metrics = evaluator(model.to("cuda" if torch.cuda.is_available() else "cpu"), tokenizer)
    model.save_pretrained(str(recipe.output))
    # the base's tokenizer as it was loaded: the one read through keeps the evaluator's call options
    # (max_length, stride, truncation) in its saved config
    AutoTokenizer.from_pretrained(str(recipe.base), local_files_only=True).save_pretrained(str(recipe.output))
    pack(recipe.output, recipe.output)
    answered = sum(example.start >= 0 for example in train)
    data = (f"{answered} answered questions from the repaired ENELPI files minus dev.json paragraphs, each read "
            f"as the answering sentence with {NEIGHBOURS} sentence(s) on each side under the article title "
            f"(dropped from {HEADING_DROPOUT:.0%}), and once around a sentence that does not hold its answer "
            f"(target [CLS]; for {HARD_SHARE:.0%} of them the far sentence sharing the most terms with the "
            f"question){MARKED_DATA if mark_sentence else ''}; {len(dataset)} windows of at most {MAX_TOKENS} "
            f"tokens; dev: "
            f"{len(dev)} dev.json questions, the span the app's reader code marks inside the answering sentence")
    write_model_card(recipe.output, f"Bilge Turkish reader ({layers} layers)", recipe, data, metrics, baseline,
                     command)
    return {"baseline": baseline, "metrics": metrics, "output": str(recipe.output)}
