"""Turkish vocabularies trained with the `tokenizers` library (unigram language model, the
SentencePiece algorithm that multilingual E5 also uses).

Why unigram, not WordPiece: the WordPiece trainer breaks frequency ties in hash order, so two
runs on the same text gave different vocabularies; the unigram trainer finds the same pieces
every run, and ordering them by score (then text) makes the ids the same too. Only NFC
normalisation is applied (no lower-casing, no accent stripping: ş, ı, ğ stay as written).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def train_vocabulary(texts: Iterable[str], size: int, out_dir: Path):
    """Train a cased Turkish unigram tokenizer; save it as a transformers tokenizer in `out_dir`.

    Deterministic: the same texts and size give the same pieces with the same ids.
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.Unigram())
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(vocab_size=size, special_tokens=SPECIAL_TOKENS, unk_token="[UNK]",
                                      max_piece_length=16)
    tokenizer.train_from_iterator(texts, trainer)
    learned = [(piece, score) for piece, score in json.loads(tokenizer.to_str())["model"]["vocab"]
               if piece not in SPECIAL_TOKENS]  # [(piece, log-probability), …]
    # The trainer appends the single characters it must keep with scores a hair apart in hash
    # order; one shared score for them removes the only run-to-run difference.
    # Scores also differ in their last bits between runs (summation order): six decimals keep
    # every difference that matters for segmentation and none of that noise.
    floor = min(score for piece, score in learned if len(piece) == 1)
    char_score = round(floor, 2)
    learned = [(piece, char_score if len(piece) == 1 and score < floor + 0.05 else round(score, 6))
               for piece, score in learned]
    ordered = [(token, 0.0) for token in SPECIAL_TOKENS] + sorted(learned, key=lambda item: (-item[1], item[0]))
    tokenizer.model = models.Unigram(ordered, unk_id=SPECIAL_TOKENS.index("[UNK]"), byte_fallback=False)
    cls, sep = SPECIAL_TOKENS.index("[CLS]"), SPECIAL_TOKENS.index("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    out_dir.mkdir(parents=True, exist_ok=True)
    fast.save_pretrained(str(out_dir))
    return fast


def fertility(tokenizer, texts: list[str]) -> float:
    """Tokens per word (whitespace words) over `texts`: lower means the vocabulary fits the
    language better and a sequence holds more text."""
    words = sum(len(t.split()) for t in texts)
    tokens = sum(len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"])
    return tokens / max(words, 1)
