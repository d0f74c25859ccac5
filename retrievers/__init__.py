"""Retrieval: reading and repairing documents, chunking, the Chroma store, BM25, dense search,
reranking and their evaluation. Imports nothing above it (assistant, tui, training)."""
