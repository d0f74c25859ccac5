"""`bilge train embedder`: contrastive bi-encoder training on (question, paragraph) pairs.

Loss: MultipleNegativesRankingLoss (InfoNCE with in-batch negatives, Henderson et al. 2017;
Karpukhin et al. 2020) plus one mined hard negative per pair. The batch sampler keeps a
paragraph from appearing twice in a batch, where it would be its own false negative. The word
embeddings stay frozen: the 4-bit-derived vocabulary matrix is the base's, so only the encoder
layers change (and only they are shipped).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from training.common import Recipe, RetrievalEvaluator, fit_and_save, hf_arguments
from retrievers.window import query_windows
from training.pairs import ANALYZE, PASSAGE, QUERY, QaSet, bm25_negatives, dense_negatives, load_train_dev, sample_dev


def triplets(train: QaSet, bm25: list[list[int]], dense: list[list[int]], seed: int,
             window_chars: int = 0) -> dict[str, list[str]]:
    """anchor / positive / negative columns; the negative alternates between the BM25-mined and the
    model-mined paragraph so the model sees both kinds of near miss. With `window_chars`, each
    paragraph is its run of sentences richest in the question's terms up to that many characters:
    dense search scores a passage by its best window of that size, and short inputs train fast."""
    rng = random.Random(seed)
    rows = {"anchor": [], "positive": [], "negative": []}
    for i, (question, gold) in enumerate(zip(train.questions, train.answer_of)):
        pool = (bm25[i][:2] if i % 2 else dense[i][:2]) or bm25[i] or dense[i]
        if not pool:
            continue
        texts = [train.paragraphs[gold], train.paragraphs[rng.choice(pool)]]
        positive, negative = query_windows(question, texts, ANALYZE, window_chars) if window_chars else texts
        rows["anchor"].append(QUERY + question)
        rows["positive"].append(PASSAGE + positive)
        rows["negative"].append(PASSAGE + negative)
    return rows


def dev_evaluator(dev: QaSet) -> RetrievalEvaluator:
    return RetrievalEvaluator([QUERY + q for q in dev.questions], [PASSAGE + p for p in dev.paragraphs], dev.answer_of)


def train_embedder(recipe: Recipe, data_dir: Path, command: str, *, window_chars: int = 0,
                   callbacks: list | None = None) -> dict:
    import torch
    from datasets import Dataset
    from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments
    from sentence_transformers.base.sampler import BatchSamplers
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    # 1. model
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = SentenceTransformer(str(recipe.base), device=device, local_files_only=True)
    model[0].auto_model.embeddings.word_embeddings.weight.requires_grad_(False)
    # 2. data: pairs, negatives from BM25 and from the untrained model
    train, dev = load_train_dev(data_dir)
    dev = sample_dev(dev, recipe.dev_questions, recipe.dev_seed)
    dataset = Dataset.from_dict(triplets(train, bm25_negatives(train), dense_negatives(train, model), recipe.seed,
                                         window_chars))
    # 3. loss  4. evaluator, run once before training: the baseline
    loss = MultipleNegativesRankingLoss(model)
    evaluator = dev_evaluator(dev)
    baseline = evaluator(model)
    print(f"baseline {baseline}", file=sys.stderr)
    # 5. arguments
    args = SentenceTransformerTrainingArguments(**hf_arguments(recipe, "eval_dev_mrr@10"),
                                                batch_sampler=BatchSamplers.NO_DUPLICATES)
    read = f"the {window_chars}-character query window of each paragraph" if window_chars else "whole paragraphs"
    data = (f"{len(dataset)} (question, paragraph, hard negative) triplets from the ENELPI files repaired by "
            f"`bilge data fix`, minus the paragraphs of dev.json, reading {read}; dev: {len(dev.questions)} "
            f"questions over "
            f"{len(dev.paragraphs)} dev.json paragraphs")
    # 6. train  7. evaluate the best model  8. save with its card
    return fit_and_save(recipe, model, SentenceTransformerTrainer, args, dataset, loss, evaluator, baseline,
                        "Bilge Turkish bi-encoder", data, command, callbacks=callbacks)
