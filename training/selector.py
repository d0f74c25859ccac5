"""`bilge train selector`: answer-sentence selection — which sentence of a passage answers.

The answer step quotes one sentence, and a cross-encoder trained to rank whole paragraphs picks
it badly: its negatives were other paragraphs, never the neighbouring sentences of the right
one, which is exactly the choice the answer step makes ("highest daily dose" against the
starting-dose sentence beside it). The selector is a cross-encoder trained for that choice on
(question, heading + sentence) pairs from the training QA files:
- positives: the sentence(s) holding the answer span;
- negatives: the other sentences of the same paragraph, the sentences of BM25- and
  bi-encoder-mined paragraphs that share the most terms with the question, and one random
  sentence (the easy case that sets how low an unrelated sentence scores, which abstention reads).
Binary cross-entropy, not a softmax over each paragraph: the score must mean the same on every
question, because the assistant abstains below a fixed value. The heading is dropped from a
share of the examples, so passages without a title read as well. `joint` adds the reranker's
(question, paragraph window) pairs, for one cross-encoder that does both jobs.
With `--unanswerable`, each training question is also asked with its subject or the word saying
what it asks swapped for another article's (`retrievers.unanswerable`, made on two halves of the
training articles as the abstention check makes them of dev), against its own answering sentence,
label 0: the sentence about Pardus's release does not answer the question about Turkcell's, nor
the one about Pardus's price. Without it the selector never saw a question that fits a sentence in
every word but one, which is what an unanswerable question about a leaflet looks like, and
scored those like answers. Measured and not shipped: the selector so trained doubted every
sentence more, not the swapped ones alone (README, "Measured and not shipped (2026-12-01, late)").
With a teacher (`--teacher`, a reader), each label is blended with the reader's belief that the
sentence answers, σ(margin): the 12-layer reader alone picks TQuAD dev's answering sentence more
often than the 4-layer selector does (0.86 against 0.76 P@1 given the gold paragraph), but the
app can afford to read only a few sentences with it; the selector ranks them all.
Validation: P@1 of the answering sentence among its paragraph's sentences on dev.json.
"""

from __future__ import annotations

import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from sentence_transformers.base.evaluation.evaluator import BaseEvaluator

from bilge.config import AnswerConfig
from bilge.errors import InputError
from retrievers.sampling import seeded_indexes
from retrievers.sentences import selector_text, sentences_holding
from retrievers.squad import Article
from retrievers.turkish import sentence_spans
from retrievers.unanswerable import probes, split_halves
from training.common import Recipe, fit_and_save, hf_arguments, sampled_rows
from training.pairs import ANALYZE, QaSet, bm25_negatives, dense_negatives, train_dev_articles

HEADING_DROPOUT = 0.3
NEIGHBOURS = AnswerConfig().reader_neighbours  # the reader's window, as the app reads it
TEACHER_SHARE = 0.5
"""A distilled label = (1 − share) × gold + share × σ(reader margin): the gold label keeps the
scale the assistant's abstention reads (a stray sentence still scores near 0), the reader adds
which wrong neighbours are near misses."""


@dataclass(frozen=True)
class SentenceQuestion:
    question: str
    passage: int
    gold: tuple[int, ...]  # sentences of the passage holding the answer


@dataclass
class SentenceData:
    """Passages split into sentences, and the questions whose answer lies in known sentences."""

    titles: list[str]
    texts: list[str]
    spans: list[list[tuple[int, int]]]
    questions: list[SentenceQuestion]

    def sentence(self, passage: int, index: int, heading: bool = True) -> str:
        start, end = self.spans[passage][index]
        return selector_text(self.texts[passage][start:end], self.titles[passage] if heading else "")

    def qa_set(self) -> QaSet:
        """The same questions as (question, paragraph) pairs, for mining negative paragraphs."""
        return QaSet([q.question for q in self.questions], self.texts, [q.passage for q in self.questions])


def sentence_data(articles: list[Article]) -> SentenceData:
    """Every question whose first answer sits at its stated offset, with the sentences holding it."""
    data = SentenceData([], [], [], [])
    index: dict[str, int] = {}
    for article in articles:
        for paragraph in article.paragraphs:
            if paragraph.context not in index:
                index[paragraph.context] = len(data.texts)
                data.titles.append(article.title)
                data.texts.append(paragraph.context)
                data.spans.append(list(sentence_spans(paragraph.context)))
            passage = index[paragraph.context]
            for qa in paragraph.qas:
                answer = qa.answers[0] if qa.answers else None
                if answer is None or answer.start < 0 or \
                        paragraph.context[answer.start:answer.start + len(answer.text)] != answer.text:
                    continue
                gold = sentences_holding(data.spans[passage], answer.start, answer.start + len(answer.text))
                if gold:
                    data.questions.append(SentenceQuestion(qa.question, passage, tuple(gold)))
    return data


def hardest_sentences(data: SentenceData, question: str, passage: int, count: int) -> list[int]:
    """The `count` sentences of a passage sharing the most analysed terms with the question."""
    terms = set(ANALYZE(question))
    overlap = [len(terms.intersection(ANALYZE(data.texts[passage][s:e]))) for s, e in data.spans[passage]]
    return sorted(range(len(overlap)), key=lambda i: -overlap[i])[:count]


def selector_rows(data: SentenceData, mined: list[list[int]], seed: int, *, same_passage: int = 8,
                  mined_passages: int = 2, per_mined: int = 2) -> dict[str, list]:
    """(question, heading + sentence, label) rows; `mined[i]` = negative passages of question i.
    `source` holds each row's (passage, sentence), for a teacher to read; it is not trained on."""
    rng = random.Random(seed)
    rows: dict[str, list] = {"query": [], "passage": [], "label": [], "source": []}
    for i, q in enumerate(data.questions):
        others = [s for s in range(len(data.spans[q.passage])) if s not in q.gold]
        labelled = [(q.passage, s, 1.0) for s in q.gold]
        labelled += [(q.passage, s, 0.0) for s in rng.sample(others, min(same_passage, len(others)))]
        for passage in mined[i][:mined_passages]:
            labelled += [(passage, s, 0.0) for s in hardest_sentences(data, q.question, passage, per_mined)]
        unrelated = rng.randrange(len(data.texts))
        if unrelated != q.passage and data.spans[unrelated]:
            labelled.append((unrelated, rng.randrange(len(data.spans[unrelated])), 0.0))
        for passage, s, label in labelled:
            rows["query"].append(q.question)
            rows["passage"].append(data.sentence(passage, s, heading=rng.random() >= HEADING_DROPOUT))
            rows["label"].append(label)
            rows["source"].append((passage, s))
    return rows


def swapped_rows(data: SentenceData, articles: list[Article], seed: int) -> dict[str, list]:
    """(swapped question, heading + the real question's answering sentence, 0) rows, one per swap
    `retrievers.unanswerable.probes` makes of each half of `articles` (the module docstring)."""
    rng = random.Random(seed)
    by_question = {q.question: q for q in data.questions}
    rows: dict[str, list] = {"query": [], "passage": [], "label": [], "source": []}
    first, second = split_halves(articles, seed)
    for stored, other in ((first, second), (second, first)):
        for probe in probes(stored, other, seed=seed):
            q = by_question.get(probe.original)
            if q is None:
                continue
            rows["query"].append(probe.question)
            rows["passage"].append(data.sentence(q.passage, q.gold[0], heading=rng.random() >= HEADING_DROPOUT))
            rows["label"].append(0.0)
            rows["source"].append((q.passage, q.gold[0]))
    return rows


def reader_labelled(rows: dict, data: SentenceData, teacher: Path, pairs: int, seed: int,
                    neighbours: int = NEIGHBOURS) -> dict:
    """`pairs` of the rows (a seeded sample, in order: the reader's forward pass is the cost, so
    only what training reads is scored), each label blended with the reader's σ(margin) for the
    sentence, read as the app reads it (`reader_input`: the heading, the sentence, its neighbours)."""
    from tqdm import tqdm

    from retrievers.reader import QaModelReader

    sample = sampled_rows(rows, pairs, seed)
    reader = QaModelReader.from_path(str(teacher))
    by_question: dict[str, list[int]] = {}
    for i, question in enumerate(sample["query"]):
        by_question.setdefault(question, []).append(i)
    for question, members in tqdm(by_question.items(), desc="reader labels", unit="question"):
        read = reader.read_sentences(question, [(data.texts[p], data.spans[p][s], data.titles[p], "")
                                                for p, s in (sample["source"][i] for i in members)], neighbours)
        for i, (_, span) in zip(members, read):
            belief = 0.0 if span is None else 1.0 / (1.0 + math.exp(-span.margin))
            sample["label"][i] = (1 - TEACHER_SHARE) * sample["label"][i] + TEACHER_SHARE * belief
    return sample


class SentenceChoiceEvaluator(BaseEvaluator):
    """P@1 and MRR of the answering sentence among all sentences of its paragraph (dev.json
    questions whose paragraph has two sentences or more): the choice the answer step makes."""

    def __init__(self, data: SentenceData, limit: int, seed: int = 0, name: str = "dev", heading: bool = True) -> None:
        super().__init__()
        choice = [q for q in data.questions if len(data.spans[q.passage]) > 1]
        self.questions = [choice[i] for i in seeded_indexes(len(choice), limit, seed)]
        self.data, self.name, self.heading = data, name, heading
        self.primary_metric = f"{name}_p@1"

    def __call__(self, model, output_path: str | None = None, epoch: int = -1, steps: int = -1) -> dict[str, float]:
        pairs, owners = [], []
        for n, q in enumerate(self.questions):
            for s in range(len(self.data.spans[q.passage])):
                pairs.append((q.question, self.data.sentence(q.passage, s, self.heading)))
                owners.append(n)
        scores = model.predict(pairs, batch_size=64, show_progress_bar=False)
        by_question: list[list[float]] = [[] for _ in self.questions]
        for owner, score in zip(owners, scores):
            by_question[owner].append(float(score))
        hits = reciprocal = 0.0
        for q, sentence_scores in zip(self.questions, by_question):
            order = sorted(range(len(sentence_scores)), key=lambda s: -sentence_scores[s])
            rank = min(order.index(g) for g in q.gold) + 1
            hits += rank == 1
            reciprocal += 1 / rank if rank <= 10 else 0.0
        n = max(len(self.questions), 1)
        metrics = {f"{self.name}_p@1": hits / n, f"{self.name}_mrr@10": reciprocal / n}
        self.store_metrics_in_model_card_data(model, metrics, epoch, steps)
        return metrics


def train_selector(recipe: Recipe, data_dir: Path, command: str, *, layers: str | int = 4,
                   embedder: Path | None = None, joint: bool = False, teacher: Path | None = None,
                   unanswerable: bool = False, callbacks: list | None = None) -> dict:
    import torch
    from datasets import Dataset
    from sentence_transformers import CrossEncoderTrainer, CrossEncoderTrainingArguments, SentenceTransformer
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    from training.reranker import cross_encoder_from, encoder_layers, labelled_pairs, layer_choice

    if teacher is not None and not (teacher / "config.json").is_file():
        raise InputError(f"--teacher {teacher}: no model here; give a reader directory (e.g. models/reader)")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # 1. model: the chosen layers of the base (a cross-encoder keeps its head, as for the reranker)
    kept = layer_choice(str(layers), encoder_layers(recipe.base))
    model = cross_encoder_from(recipe.base, kept, device)
    model.model.embeddings.word_embeddings.weight.requires_grad_(False)
    # 2. data: sentences of the answering paragraph and of mined paragraphs
    train_articles, dev_articles = train_dev_articles(data_dir)
    train, dev = sentence_data(train_articles), sentence_data(dev_articles)
    paragraphs = train.qa_set()
    mined_bm25 = bm25_negatives(paragraphs)
    mined_dense = mined_bm25
    if embedder is not None:
        miner = SentenceTransformer(str(embedder), device=device, local_files_only=True)
        mined_dense = dense_negatives(paragraphs, miner)
        del miner
    mined = [list(dict.fromkeys(b[:1] + d[:1] + b[1:2])) for b, d in zip(mined_bm25, mined_dense)]
    rows = selector_rows(train, mined, recipe.seed)
    swapped = swapped_rows(train, train_articles, recipe.seed) if unanswerable else {}
    for key, values in swapped.items():
        rows[key] += values
    if teacher is not None:
        rows = reader_labelled(rows, train, teacher, recipe.max_steps * recipe.batch_size, recipe.seed)
    del rows["source"]
    if joint:
        passages = labelled_pairs(paragraphs, mined_bm25, mined_dense)
        for key in rows:
            rows[key] += passages[key]
    dataset = Dataset.from_dict(rows)
    # 3. loss: plain binary cross-entropy (a score with one meaning on every question)  4. evaluator
    loss = BinaryCrossEntropyLoss(model)
    evaluator = SentenceChoiceEvaluator(dev, recipe.dev_questions, recipe.dev_seed)
    baseline = evaluator(model)
    print(f"baseline {baseline}", file=sys.stderr)
    # 5. arguments
    args = CrossEncoderTrainingArguments(**hf_arguments(recipe, "eval_dev_p@1"))
    positives = sum(label >= 0.5 for label in rows["label"])
    data = (f"Layers {','.join(map(str, kept))} of {recipe.base}; {len(dataset)} labelled (question, heading + "
            f"sentence) pairs ({positives} answering) from the repaired ENELPI files minus dev.json paragraphs: "
            f"the answering sentence(s), up to 8 other sentences of the same paragraph, the 2 sentences richest in "
            f"the question's terms of up to 2 BM25/bi-encoder-mined paragraphs, 1 random sentence; heading dropped "
            f"from {HEADING_DROPOUT:.0%}"
            + (f"; {len(swapped['label'])} questions with their subject or asked word swapped for another "
               f"article's, against their own answering sentence, label 0" if unanswerable else "")
            + ("; plus the reranker's (question, paragraph window) pairs" * joint)
            + (f"; labels = {1 - TEACHER_SHARE:g} × gold + {TEACHER_SHARE:g} × σ(margin) of the reader {teacher}, "
               f"on a seeded sample of as many pairs as training reads" if teacher else "")
            + f"; dev: {len(evaluator.questions)} dev.json questions, P@1 among their paragraph's sentences")
    # 6. train  7. evaluate the best model  8. save with its card
    title = f"Bilge Turkish answer-sentence selector ({len(kept)} layers{', joint with reranking' if joint else ''})"
    return fit_and_save(recipe, model, CrossEncoderTrainer, args, dataset, loss, evaluator, baseline, title, data,
                        command, callbacks=callbacks)
