"""Which model picks the answering sentence of a gold paragraph: selectors side by side, and the reader.

    .venv/bin/python bench/sentence_choice.py SELECTOR [SELECTOR …] [--reader models/reader]
                                              [--questions 300] [--data ../shared/data]

The dev questions the selector trainer validates on (`SentenceChoiceEvaluator`: dev.json
questions whose paragraph has two sentences or more, the trainer's `dev_seed` draw), every sentence of
the gold paragraph scored by each selector (its logit, with the heading, as the app reads it)
and read by the reader (its margin, in the window the app reads). Prints P@1 of the answering
sentence for each selector alone, the reader alone, and their sum (the answer score without
its passage and lexical terms). The reader reads every sentence here; the app reads only the
best `answer.reader_candidates`, which is why a selector that ranks like the reader matters.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tqdm import tqdm

from retrievers.reader import QaModelReader
from training.common import Recipe
from training.pairs import train_dev_articles
from training.selector import NEIGHBOURS, SentenceChoiceEvaluator, sentence_data


def right_share(scores: list[list[float]], golds: list[tuple[int, ...]]) -> float:
    """The share of questions whose best-scored sentence holds the answer."""
    hits = sum(max(range(len(s)), key=s.__getitem__) in gold for s, gold in zip(scores, golds))
    return hits / max(len(golds), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("selectors", nargs="+", type=Path)
    parser.add_argument("--reader", type=Path, default=ROOT / "models" / "reader")
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()

    import torch
    from sentence_transformers import CrossEncoder

    _, dev_articles = train_dev_articles(args.data)
    data = sentence_data(dev_articles)
    questions = SentenceChoiceEvaluator(data, args.questions, Recipe.dev_seed).questions
    golds = [q.gold for q in questions]
    reader = QaModelReader.from_path(str(args.reader))
    margins = []
    for q in tqdm(questions, desc="reader", unit="question"):
        read = reader.read_sentences(q.question, [(data.texts[q.passage], span, data.titles[q.passage], "")
                                                  for span in data.spans[q.passage]], NEIGHBOURS)
        margins.append([-100.0 if span is None else span.margin for _, span in read])
    print(f"{len(questions)} dev questions, gold paragraph of two sentences or more\n")
    print(f"| P@1 of the answering sentence | {'selector alone':>14} | {'selector + reader':>17} |")
    print("|---|---:|---:|")
    for path in args.selectors:
        model = CrossEncoder(str(path), device="cpu", local_files_only=True)
        logits = [model.predict([(q.question, data.sentence(q.passage, s)) for s in range(len(data.spans[q.passage]))],
                                activation_fn=torch.nn.Identity(), show_progress_bar=False).tolist()
                  for q in tqdm(questions, desc=path.name, unit="question")]
        summed = [[a + b for a, b in zip(l, m)] for l, m in zip(logits, margins)]
        print(f"| {path} | {right_share(logits, golds):14.3f} | {right_share(summed, golds):17.3f} |")
    print(f"| the reader alone ({args.reader}) | {right_share(margins, golds):14.3f} | |")


if __name__ == "__main__":
    main()
