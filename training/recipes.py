"""The shipped recipe: what `bilge train all` runs to produce models/ (only what differs from
`Recipe`'s defaults, and why). The numbers are the ones the shipped model cards record.
`TRAINER_OPTIONS` are passed to the trainer itself, not to its `Recipe`."""

from __future__ import annotations

TRAINER_OPTIONS = ("layers", "window_chars")

SHIPPED = {
    # 400 steps: dev MRR@10 stopped improving after ~350 on an H100 (the card's curve);
    # a low rate keeps the multilingual E5 geometry the pruned base starts from.
    "embedder": {"max_steps": 400, "batch_size": 64, "learning_rate": 2e-5, "eval_steps": 25, "patience": 5,
                 "dev_questions": 1318},
    # 4 layers: reranking 20 candidates must stay near interactive latency on a 2-core CPU.
    # Whole paragraphs (window_chars 0): the shipped model predates query windows.
    "reranker": {"layers": 4, "window_chars": 0, "max_steps": 1500, "batch_size": 64, "learning_rate": 4e-5,
                 "eval_steps": 100, "patience": 4, "dev_questions": 600},
    # All 12 layers of the trained embedder (it already matches Turkish questions to passages),
    # half a pass over the answer windows: trained on the 2-core CPU in bfloat16 in 48 minutes.
    "reader": {"layers": 12, "max_steps": 300, "batch_size": 16, "learning_rate": 8e-5, "eval_steps": 100,
               "patience": 2, "dev_questions": 200},
}
