"""The recipes `bilge train all` runs, per profile, and which one made each shipped model.

Only what differs from `Recipe`'s defaults is listed, with why. `TRAINER_OPTIONS` are passed
to the trainer itself, not to its `Recipe`. Every step of the `cpu` profile runs in under two
hours on a 2-core CPU because it trains on what the app reads: 200-character windows for the
embedder, 250-character windows for the cross-encoder, one sentence (with its neighbours, at
most 128 tokens) for the selector and the reader. The `gpu` profile is the recipe the shipped
embedder and reranker were trained with on one H100.
"""

from __future__ import annotations

TRAINER_OPTIONS = ("layers", "window_chars", "joint")
CHAIN = ("embedder", "reranker", "selector", "reader")
"""The order of `bilge train all`: each model starts from the one named in `STARTS_FROM`."""
STARTS_FROM = {"embedder": "base", "reranker": "base", "selector": "reranker", "reader": "embedder"}

PROFILES = {
    "gpu": {
        # 400 steps: dev MRR@10 stopped improving after ~350 on an H100 (the card's curve);
        # a low rate keeps the multilingual E5 geometry the pruned base starts from.
        "embedder": {"max_steps": 400, "batch_size": 64, "learning_rate": 2e-5, "eval_steps": 25, "patience": 5,
                     "dev_questions": 1318},
        # 4 layers: reranking 20 candidates must stay near interactive latency on a 2-core CPU.
        # Whole paragraphs (window_chars 0): the shipped model predates query windows.
        "reranker": {"layers": 4, "window_chars": 0, "max_steps": 1500, "batch_size": 64, "learning_rate": 4e-5,
                     "eval_steps": 100, "patience": 4, "dev_questions": 600},
        "selector": {"layers": 4, "max_steps": 3000, "batch_size": 64, "learning_rate": 3e-5, "eval_steps": 250,
                     "patience": 4, "dev_questions": 600},
        "reader": {"layers": 12, "max_steps": 1500, "batch_size": 64, "learning_rate": 5e-5, "eval_steps": 250,
                   "patience": 3, "dev_questions": 400},
    },
    "cpu": {
        # The query's 200-character window of each paragraph, as dense search scores windows.
        "embedder": {"window_chars": 200, "max_steps": 400, "batch_size": 32, "learning_rate": 2e-5,
                     "eval_steps": 100, "patience": 3, "dev_questions": 600},
        "reranker": {"layers": 4, "window_chars": 250, "max_steps": 1500, "batch_size": 32, "learning_rate": 4e-5,
                     "eval_steps": 250, "patience": 3, "dev_questions": 300},
        # From the reranker's 4 layers (it already knows what answers a question): 1,600 steps, about two
        # thirds of a pass over the sentence pairs, ~50 min here; dev P@1 peaked at step 800 and
        # stayed flat. 12 layers from the embedder learned slower per hour (README).
        "selector": {"layers": 4, "max_steps": 1600, "batch_size": 32, "learning_rate": 4e-5, "eval_steps": 400,
                     "patience": 3, "dev_questions": 300},
        # All 12 layers of the embedder, ~1.5 passes over the sentence windows (half of them without
        # their answer): 128 tokens train ~4x faster than the 384-token paragraphs before. Batch 16:
        # 4.4 s a step on a 2-core CPU without bfloat16 (66 min), where batch 32 took 7.3 s (2 h).
        "reader": {"layers": 12, "max_steps": 900, "batch_size": 16, "learning_rate": 5e-5, "eval_steps": 300,
                   "patience": 3, "dev_questions": 400},
    },
}

SHIPPED = {"embedder": "gpu", "reranker": "gpu", "selector": "cpu", "reader": "cpu"}
"""The profile each model under models/ was trained with (its card records the command)."""
