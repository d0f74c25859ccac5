"""`bilge train reader`: extractive question answering — the answer span inside a paragraph.

The reader starts from the base encoder's first `layers` layers with a start/end head
(`BertForQuestionAnswering`), trained on the repaired ENELPI answers (minus dev paragraphs) with
the standard SQuAD recipe: long paragraphs cut into overlapping windows, a window without the
answer points at [CLS]. Validation = exact match and token F1 of the span the app's own reader
code (`retrievers.reader.QaModelReader`) picks from each dev paragraph: what is measured is
what runs. Word embeddings stay frozen, so the shipped pack holds only the layers and the head.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from pathlib import Path

from retrievers.answer_metrics import best_of
from retrievers.reader import qa_windows
from training.common import Recipe, encoder_dir, hf_arguments, last_checkpoint, write_model_card
from training.pack import pack


@dataclass(frozen=True)
class SpanExample:
    question: str
    context: str
    start: int
    answers: tuple[str, ...]


def span_examples(articles) -> list[SpanExample]:
    """Every question whose first answer is located in its paragraph."""
    return [SpanExample(qa.question, p.context, qa.answers[0].start, tuple(a.text for a in qa.answers))
            for a in articles for p in a.paragraphs for qa in p.qas
            if qa.answers and qa.answers[0].start >= 0
            and p.context[qa.answers[0].start:qa.answers[0].start + len(qa.answers[0].text)] == qa.answers[0].text]


def load_span_data(data_dir: Path) -> tuple[list[SpanExample], list[SpanExample]]:
    from training.pairs import train_dev_articles

    train_articles, dev_articles = train_dev_articles(data_dir)
    return span_examples(train_articles), span_examples(dev_articles)


def windows(tokenizer, examples: list[SpanExample], max_length: int = 384) -> dict:
    """The reader's token windows (`qa_windows`) with the start/end token positions of the
    answer ([CLS] = 0 when it is outside the window)."""
    encoded = qa_windows(tokenizer, [e.question for e in examples], [e.context for e in examples], max_length,
                         padding="max_length")
    starts, ends = [], []
    for w, offsets in enumerate(encoded["offset_mapping"]):
        example = examples[encoded["overflow_to_sample_mapping"][w]]
        first, last = example.start, example.start + len(example.answers[0])
        context = [i for i, seq in enumerate(encoded.sequence_ids(w)) if seq == 1]
        if not context or offsets[context[0]][0] > first or offsets[context[-1]][1] < last:
            starts.append(0)
            ends.append(0)
            continue
        starts.append(next(i for i in context if offsets[i][1] > first))
        ends.append(next(i for i in reversed(context) if offsets[i][0] < last))
    return {"input_ids": encoded["input_ids"], "attention_mask": encoded["attention_mask"],
            "start_positions": starts, "end_positions": ends}


class SpanEvaluator:
    """Exact match and token F1 of the span the app's reader picks in each dev paragraph."""

    def __init__(self, examples: list[SpanExample], name: str = "dev") -> None:
        self.examples, self.name = examples, name

    def __call__(self, model, tokenizer) -> dict[str, float]:
        from retrievers.reader import QaModelReader

        reader = QaModelReader(model, tokenizer, "training")
        em = f1 = 0.0
        for example in self.examples:
            span = reader.read(example.question, [example.context])
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


def train_reader(recipe: Recipe, data_dir: Path, command: str, *, layers: int = 3,
                 callbacks: list | None = None) -> dict:
    import torch
    from datasets import Dataset
    from transformers import (AutoModelForQuestionAnswering, AutoTokenizer, EarlyStoppingCallback,
                              TrainingArguments)

    encoder = encoder_dir(recipe.base)
    # 1. model: the base's first `layers` layers and a fresh start/end head
    tokenizer = AutoTokenizer.from_pretrained(str(recipe.base), local_files_only=True)
    model = AutoModelForQuestionAnswering.from_pretrained(str(encoder), num_hidden_layers=layers,
                                                          local_files_only=True)
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    # 2. data: answer windows from train; dev paragraphs for the evaluator
    train, dev = load_span_data(data_dir)
    dev = random.Random(recipe.seed).sample(dev, min(recipe.dev_questions, len(dev)))
    dataset = Dataset.from_dict(windows(tokenizer, train))
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
    tokenizer.save_pretrained(str(recipe.output))
    pack(recipe.output, recipe.output)
    data = (f"{len(train)} answered questions ({len(dataset)} windows) from the repaired ENELPI files minus "
            f"dev.json paragraphs; dev: {len(dev)} dev.json questions, span picked by the app's reader code")
    write_model_card(recipe.output, f"Bilge Turkish reader ({layers} layers)", recipe, data, metrics, baseline,
                     command)
    return {"baseline": baseline, "metrics": metrics, "output": str(recipe.output)}
