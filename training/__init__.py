"""Training: vocabularies, encoders from scratch or from the e5 base, MLM, bi-encoder,
cross-encoder and reader trainers. Imports retrievers (for evaluation) but never the app."""
