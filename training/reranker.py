"""`bilge train reranker`: a cross-encoder on positives and mined hard negatives.

The cross-encoder starts from some of the base's layers (a shallower model keeps reranking 20
candidates within the latency budget on a 2-core CPU): the first N, or the ones named. A plain
encoder gets a new one-logit head; a cross-encoder keeps its own, so a trained one can be pruned
and fine-tuned back. It is trained with binary cross-entropy on (question, paragraph) pairs: the
answering paragraph and hard negatives mined by BM25 and by the bi-encoder. Every passage is the
query window the app shows the cross-encoder (`retrievers.window`), so training reads what
inference reads. With a teacher (`--teacher`), the student learns the teacher's scores instead
(MSE on its logits, as sentence-transformers' distillation recipes do), so that the scores keep the
teacher's scale, which the assistant's abstention threshold (`answer.min_score`) reads.
Validation: rerank MRR@10 on dev, the candidates being each question's BM25 top 20 (the answer
always among them, so the metric isolates the reranker).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from bilge.config import RerankerConfig
from bilge.errors import InputError
from retrievers.window import query_windows
from training.common import Recipe, encoder_dir, fit_and_save, hf_arguments, sampled_rows
from training.pairs import ANALYZE, QaSet, bm25_negatives, dense_negatives, load_train_dev, sample_dev

WINDOW_CHARS = RerankerConfig().window_chars


def labelled_pairs(train: QaSet, bm25: list[list[int]], dense: list[list[int]], per_source: int = 2,
                   window_chars: int = WINDOW_CHARS, random_negatives: int = 0, seed: int = 0) -> dict:
    """Each question with its paragraph (label 1) and hard negatives (label 0), plus
    `random_negatives` unrelated paragraphs: the easy cases that set how low an off-topic score is."""
    rng = random.Random(seed)
    rows = {"query": [], "passage": [], "label": []}
    for i, (question, gold) in enumerate(zip(train.questions, train.answer_of)):
        negatives = list(dict.fromkeys(bm25[i][:per_source] + dense[i][:per_source]))
        if random_negatives:
            others = [n for n in range(len(train.paragraphs)) if n != gold and n not in negatives]
            negatives += rng.sample(others, min(random_negatives, len(others)))
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


def teacher_labelled(rows: dict, teacher: Path, pairs: int, seed: int, device: str = "cpu") -> dict:
    """`pairs` of the rows (a seeded sample: the teacher's forward pass is the cost, so only what
    training reads is scored), each labelled with the teacher's logit for it."""
    import torch
    from sentence_transformers import CrossEncoder

    sample = sampled_rows(rows, pairs, seed)
    model = CrossEncoder(str(teacher), device=device, local_files_only=True)
    logits = model.predict(list(zip(sample["query"], sample["passage"])), batch_size=32,
                           activation_fn=torch.nn.Identity(), show_progress_bar=True)
    return {**sample, "label": [float(x) for x in logits]}


def mean_pooled_cross_encoder(base: Path, layers: int, device: str = "cpu"):
    """Encoder → mean pooling → linear score. E5 was trained with mean pooling, so its <s> state
    carries little of the pair; the default classification head reads only that state and, seen
    here, did not learn at all (loss stayed at chance for 1,500 steps)."""
    from sentence_transformers import CrossEncoder
    from sentence_transformers.base.modules import Dense, Transformer
    from sentence_transformers.sentence_transformer.modules import Pooling
    from transformers import AutoConfig

    encoder = encoder_dir(base)
    max_length = min(384, AutoConfig.from_pretrained(str(encoder)).max_position_embeddings)
    transformer = Transformer(str(encoder), transformer_task="feature-extraction", max_seq_length=max_length,
                              config_kwargs={"num_hidden_layers": layers})
    width = transformer.get_embedding_dimension()
    return CrossEncoder(modules=[transformer, Pooling(width, pooling_mode="mean"),
                                 Dense(width, 1, activation_function=None, module_output_name="scores")], device=device)


def layer_choice(spec: str, available: int) -> list[int]:
    """`--layers`: how many of the base's first layers to keep ("4"), or which ones ("0,2,3").

    Why a list: cut from the shipped 4-layer cross-encoder without retraining, layers 0,2,3 still
    ranked TQuAD dev at MRR@10 0.71 (all four: 0.76, layers 0,1,3: 0.36, 0,1: 0.14), and layers 0,1
    under a new head stayed at chance for 700 steps of 32 on a CPU."""
    try:
        numbers = [int(part) for part in spec.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) == 1:
        kept = list(range(numbers[0])) if 1 <= numbers[0] <= available else []
    else:
        kept = numbers if numbers == sorted(set(numbers)) and all(0 <= n < available for n in numbers) else []
    if not kept:
        raise InputError(f"--layers {spec.strip()!r}: give a count from 1 to {available}, or increasing layer "
                         f"numbers from 0 to {available - 1} (e.g. 0,2,3)")
    return kept


def is_cross_encoder(folder: Path) -> bool:
    config = folder / "config_sentence_transformers.json"
    return config.is_file() and json.loads(config.read_text(encoding="utf-8")).get("model_type") == "CrossEncoder"


def encoder_layers(base: Path) -> int:
    from transformers import AutoConfig

    return AutoConfig.from_pretrained(str(encoder_dir(base))).num_hidden_layers


def cross_encoder_from(base: Path, kept: list[int], device: str = "cpu"):
    """The base's layers `kept` (renumbered from 0) under a scoring head: a cross-encoder base
    keeps its trained head, any other encoder gets mean pooling and a new head."""
    import torch
    from sentence_transformers import CrossEncoder

    if is_cross_encoder(base):
        model = CrossEncoder(str(base), device=device, local_files_only=True)
    else:
        model = mean_pooled_cross_encoder(base, kept[-1] + 1, device)
    encoder = model[0].auto_model
    encoder.encoder.layer = torch.nn.ModuleList(encoder.encoder.layer[i] for i in kept)
    encoder.config.num_hidden_layers = len(kept)
    return model


def train_reranker(recipe: Recipe, data_dir: Path, command: str, *, layers: str | int = 4,
                   embedder: Path | None = None, window_chars: int = WINDOW_CHARS, teacher: Path | None = None,
                   callbacks: list | None = None) -> dict:
    import torch
    from datasets import Dataset
    from sentence_transformers import CrossEncoderTrainer, CrossEncoderTrainingArguments, SentenceTransformer
    from sentence_transformers.cross_encoder.evaluation import CrossEncoderRerankingEvaluator
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss, MSELoss

    if teacher is not None and not (teacher / "config.json").is_file():
        raise InputError(f"--teacher {teacher}: no model here; give a cross-encoder directory (e.g. models/reranker)")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # 1. model: the chosen layers of the base under its own scoring head, or mean pooling and a fresh one
    kept = layer_choice(str(layers), encoder_layers(recipe.base))
    model = cross_encoder_from(recipe.base, kept, device)
    model.model.embeddings.word_embeddings.weight.requires_grad_(False)
    # 2. data: positives and negatives mined by BM25 and by the bi-encoder, each read through its window
    train, dev = load_train_dev(data_dir)
    dev = sample_dev(dev, recipe.dev_questions, recipe.dev_seed)
    miner = SentenceTransformer(str(embedder or recipe.base), device=device, local_files_only=True)
    rows = labelled_pairs(train, bm25_negatives(train), dense_negatives(train, miner), window_chars=window_chars,
                          random_negatives=1 if teacher else 0, seed=recipe.seed)
    del miner
    if teacher:
        rows = teacher_labelled(rows, teacher, recipe.max_steps * recipe.batch_size, recipe.seed, device)
    dataset = Dataset.from_dict(rows)
    # 3. loss: the teacher's logits, or labels (positives are one in five: weight them up)  4. evaluator, baseline
    loss = MSELoss(model) if teacher else BinaryCrossEntropyLoss(model, pos_weight=torch.tensor(4.0))
    evaluator = CrossEncoderRerankingEvaluator(dev_samples(dev, window_chars=window_chars), at_k=10, name="dev",
                                               write_csv=False)
    baseline = evaluator(model)
    print(f"baseline {baseline}", file=sys.stderr)
    # 5. arguments
    args = CrossEncoderTrainingArguments(**hf_arguments(recipe, "eval_dev_mrr@10"))
    read = f"its {window_chars}-character query window" if window_chars else "the whole paragraph"
    labels = f" and 1 random one; labels = the logits of the teacher {teacher}" if teacher else ""
    data = (f"Layers {','.join(map(str, kept))} of the base; {len(dataset)} labelled (question, paragraph) pairs "
            f"from the repaired ENELPI files minus dev.json paragraphs (1 positive, up to 4 BM25/bi-encoder hard "
            f"negatives each{labels}), the model reading {read}; "
            f"dev: {len(dev.questions)} questions, candidates = BM25 top 20 plus the answer, read the same way")
    # 6. train  7. evaluate the best model  8. save with its card
    return fit_and_save(recipe, model, CrossEncoderTrainer, args, dataset, loss, evaluator, baseline,
                        f"Bilge Turkish cross-encoder ({len(kept)} layers)", data, command, callbacks=callbacks)
