"""The terminal chat (Textual). Talks to `assistant/` only: no torch, chromadb or training imports."""
