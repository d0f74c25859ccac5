"""Turkish WordPiece vocabularies trained with the `tokenizers` library.

BERT's defaults lower-case and strip accents, which turns ş→s and ı→i: for Turkish both stay
off. Only NFC normalisation is applied, so the model sees the text as written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def train_wordpiece(texts: Iterable[str], size: int, out_dir: Path, *, min_frequency: int = 2):
    """Train a cased Turkish WordPiece tokenizer and save it as a transformers tokenizer in `out_dir`.

    Deterministic for the same texts and size (the tokenizers trainer has no randomness).
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertTokenizerFast

    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=size, min_frequency=min_frequency, special_tokens=SPECIAL_TOKENS)
    tokenizer.train_from_iterator(texts, trainer)
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    fast = BertTokenizerFast(tokenizer_object=tokenizer, do_lower_case=False, strip_accents=False,
                             tokenize_chinese_chars=False)
    out_dir.mkdir(parents=True, exist_ok=True)
    fast.save_pretrained(str(out_dir))
    return fast


def fertility(tokenizer, texts: list[str]) -> float:
    """Tokens per word (whitespace words) over `texts`: lower means the vocabulary fits the
    language better and a sequence holds more text."""
    words = sum(len(t.split()) for t in texts)
    tokens = sum(len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"])
    return tokens / max(words, 1)
