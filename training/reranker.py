"""`bilge train reranker`: a cross-encoder on positives and mined hard negatives.

The cross-encoder starts from the base encoder's first `layers` layers (a shallower model keeps
reranking 20 candidates within the latency budget on a 2-core CPU) with a new one-logit head,
trained with binary cross-entropy on (question, paragraph) pairs: the answering paragraph and
hard negatives mined by BM25 and by the bi-encoder. Every passage is the query window the app
shows the cross-encoder (`retrievers.window`), so training reads what inference reads.
Validation: rerank MRR@10 on dev, the candidates being each question's BM25 top 20 (the answer
always among them, so the metric isolates the reranker).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from bilge.config import Bm25Config, RerankerConfig
from retrievers.bm25 import Bm25Index
from retrievers.window import query_windows
from training.common import Recipe, fit_and_save, hf_arguments
from training.pairs import QaSet, bm25_negatives, dense_negatives, load_train_dev, sample_dev

WINDOW_CHARS = RerankerConfig().window_chars
ANALYZE = Bm25Index(Bm25Config(), []).terms  # the app's default BM25 analyzer, which picks its windows


def labelled_pairs(train: QaSet, bm25: list[list[int]], dense: list[list[int]], per_source: int = 2,
                   window_chars: int = WINDOW_CHARS) -> dict:
    rows = {"query": [], "passage": [], "label": []}
    for i, (question, gold) in enumerate(zip(train.questions, train.answer_of)):
        negatives = list(dict.fromkeys(bm25[i][:per_source] + dense[i][:per_source]))
        labelled = [(gold, 1.0)] + [(n, 0.0) for n in negatives]
        windows = query_windows(question, [train.paragraphs[index] for index, _ in labelled], ANALYZE, window_chars)
        for window, (_, label) in zip(windows, labelled):
            rows["query"].append(question)
            rows["passage"].append(window)
            rows["label"].append(label)
    return rows


def dev_samples(dev: QaSet, depth: int = 20, seed: int = 0, window_chars: int = WINDOW_CHARS) -> list[dict]:
    """Each question's BM25 top `depth` non-answers, topped up with random paragraphs when BM25
    finds fewer (a question sharing no word with the collection still gets a full list)."""
    rng = random.Random(seed)
    samples = []
    for question, gold, negatives in zip(dev.questions, dev.answer_of, bm25_negatives(dev, depth)):
        others = [i for i in rng.sample(range(len(dev.paragraphs)), len(dev.paragraphs)) if i != gold and i not in negatives]
        negatives = negatives + others[: depth - len(negatives)]
        positive, *negative = query_windows(question, [dev.paragraphs[i] for i in [gold, *negatives]], ANALYZE,
                                            window_chars)
        samples.append({"query": question, "positive": [positive], "negative": negative})
    return samples


def mean_pooled_cross_encoder(base: Path, layers: int, device: str = "cpu"):
    """Encoder → mean pooling → linear score. E5 was trained with mean pooling, so its <s> state
    carries little of the pair; the default classification head reads only that state and, seen
    here, did not learn at all (loss stayed at chance for 1,500 steps)."""
    from sentence_transformers import CrossEncoder
    from sentence_transformers.base.modules import Dense, Transformer
    from sentence_transformers.sentence_transformer.modules import Pooling
    from transformers import AutoConfig

    encoder = base / "encoder" if (base / "encoder").is_dir() else base
    max_length = min(384, AutoConfig.from_pretrained(str(encoder)).max_position_embeddings)
    transformer = Transformer(str(encoder), transformer_task="feature-extraction", max_seq_length=max_length,
                              config_kwargs={"num_hidden_layers": layers})
    width = transformer.get_embedding_dimension()
    return CrossEncoder(modules=[transformer, Pooling(width, pooling_mode="mean"),
                                 Dense(width, 1, activation_function=None, module_output_name="scores")], device=device)


def train_reranker(recipe: Recipe, data_dir: Path, command: str, *, layers: int = 4,
                   embedder: Path | None = None, window_chars: int = WINDOW_CHARS, callbacks: list | None = None) -> dict:
    import torch
    from datasets import Dataset
    from sentence_transformers import CrossEncoderTrainer, CrossEncoderTrainingArguments, SentenceTransformer
    from sentence_transformers.cross_encoder.evaluation import CrossEncoderRerankingEvaluator
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    device = "cuda" if torch.cuda.is_available() else "cpu"
    # 1. model: the base's first `layers` layers, mean pooling, a fresh one-logit head
    model = mean_pooled_cross_encoder(recipe.base, layers, device)
    model.model.embeddings.word_embeddings.weight.requires_grad_(False)
    # 2. data: positives and negatives mined by BM25 and by the bi-encoder, each read through its window
    train, dev = load_train_dev(data_dir)
    dev = sample_dev(dev, recipe.dev_questions, recipe.seed)
    miner = SentenceTransformer(str(embedder or recipe.base), device=device, local_files_only=True)
    dataset = Dataset.from_dict(labelled_pairs(train, bm25_negatives(train), dense_negatives(train, miner),
                                               window_chars=window_chars))
    del miner
    # 3. loss (positives are one in five: weight them up)  4. evaluator and its baseline
    loss = BinaryCrossEntropyLoss(model, pos_weight=torch.tensor(4.0))
    evaluator = CrossEncoderRerankingEvaluator(dev_samples(dev, window_chars=window_chars), at_k=10, name="dev",
                                               write_csv=False)
    baseline = evaluator(model)
    print(f"baseline {baseline}", file=sys.stderr)
    # 5. arguments
    args = CrossEncoderTrainingArguments(**hf_arguments(recipe, "eval_dev_mrr@10"))
    read = f"its {window_chars}-character query window" if window_chars else "the whole paragraph"
    data = (f"{len(dataset)} labelled (question, paragraph) pairs from the repaired ENELPI files minus dev.json "
            f"paragraphs (1 positive, up to 4 BM25/bi-encoder hard negatives each), the model reading {read}; "
            f"dev: {len(dev.questions)} questions, candidates = BM25 top 20 plus the answer, read the same way")
    # 6. train  7. evaluate the best model  8. save with its card
    return fit_and_save(recipe, model, CrossEncoderTrainer, args, dataset, loss, evaluator, baseline,
                        f"Bilge Turkish cross-encoder ({layers} layers)", data, command, callbacks=callbacks)
