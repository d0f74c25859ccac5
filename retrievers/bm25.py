"""BM25 over a collection's chunks with the Turkish analyzer, persisted beside the collection.

bm25s does the scoring; its defaults are wrong for Turkish (`str.lower`, English stop words),
so the analyzer in `retrievers.turkish` tokenizes and bm25s only sees finished terms. The saved
directory carries a format version and the analyzer settings; a mismatch means "rebuild".
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from bilge.config import Bm25Config
from bilge.errors import DamagedIndexError
from bilge.faults import fault_point
from retrievers.turkish import analyze, fold_diacritics, make_stemmer, softening_key

FORMAT_VERSION = 1


def folded_keys(terms) -> set[str]:
    """Each term without diacritics and across consonant softening (`holds` looks words up in it)."""
    return {fold_diacritics(term) for term in terms} | {softening_key(term) for term in terms}


def holds(keys: set[str], terms: list[str]) -> bool:
    """Whether every one of a word's `terms` is among `keys` (`folded_keys`)."""
    return bool(terms) and all(fold_diacritics(term) in keys or softening_key(term) in keys for term in terms)


class Bm25Index:
    def __init__(self, cfg: Bm25Config, ids: list[str], retriever=None) -> None:
        self.cfg = cfg
        self.ids = ids
        self._retriever = retriever
        self._stem = make_stemmer(cfg.stemmer, cfg.prefix_length)
        self._folded_vocabulary: set[str] | None = None

    @classmethod
    def build(cls, cfg: Bm25Config, ids: list[str], texts: list[str]) -> "Bm25Index":
        import bm25s

        index = cls(cfg, list(ids))
        if ids:
            index._retriever = bm25s.BM25(k1=cfg.k1, b=cfg.b)
            index._retriever.index([index.terms(t) or ["∅"] for t in texts], show_progress=False)
        return index

    def terms(self, text: str) -> list[str]:
        return analyze(text, self._stem)

    def contains(self, word: str) -> bool:
        """Whether the collection has the word's stem, compared without Turkish diacritics and
        across consonant softening, so "Ibni" finds "İbni", "maglup" finds "mağlup" and "şurubu"
        finds "şurup"."""
        if self._folded_vocabulary is None:
            vocabulary = self._retriever.vocab_dict if self._retriever is not None else {}
            self._folded_vocabulary = folded_keys(vocabulary)
        return holds(self._folded_vocabulary, self.terms(word))

    def mentions(self, text: str, *words: str) -> bool:
        """Whether `text` holds each word's stems, compared as `contains` compares them with the
        collection: "METFORMİN 850 MG" mentions "Metforminin", "Öksürük şurubu" mentions "şurup".
        The text is analysed once for all the words, and not at all for none."""
        return not words or self.keys_mention(self.keys_of(text), *words)

    def keys_of(self, text: str) -> set[str]:
        """`text`'s terms as `mentions` compares them, to keep for a text asked about again (a
        whole document, once per question)."""
        return folded_keys(self.terms(text))

    def keys_mention(self, keys: set[str], *words: str) -> bool:
        """`mentions`, on a text's `keys_of`."""
        return all(holds(keys, self.terms(word)) for word in words)

    def coverage(self, question: str, text: str) -> float:
        """The share of the question's idf mass whose terms `text` also holds (0–1): the lexical
        evidence that a sentence answers, which no cross-encoder replaces on rare names and
        numbers. Normalised so that it means the same in a small folder and a large one."""
        terms = set(self.terms(question))
        if self._retriever is None or not terms:
            return 0.0
        weights = {term: self._idf(term) for term in terms}
        total = sum(weights.values())
        found = set(self.terms(text))
        return sum(w for term, w in weights.items() if term in found) / total if total else 0.0

    def _idf(self, term: str) -> float:
        """log((N + 1) / (df + 0.5)), df read off bm25s's term-major score matrix."""
        pointer, token = self._retriever.scores["indptr"], self._retriever.vocab_dict.get(term)
        frequency = int(pointer[token + 1] - pointer[token]) if token is not None else 0
        return float(np.log((len(self.ids) + 1) / (frequency + 0.5)))

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) for the best k chunks with a positive score."""
        terms = self.terms(query)
        if self._retriever is None or not terms:
            return []
        k = min(k, len(self.ids))
        docs, scores = self._retriever.retrieve([terms], k=k, show_progress=False)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def scores_of(self, query: str, ids: list[str]) -> dict[str, float]:
        """BM25 scores of given chunks, so a dense-only hit still shows its lexical score."""
        terms = self.terms(query)
        if self._retriever is None or not terms:
            return {i: 0.0 for i in ids}
        positions = {chunk_id: n for n, chunk_id in enumerate(self.ids)}
        all_scores = np.asarray(self._retriever.get_scores(terms))  # (n_chunks,)
        return {i: float(all_scores[positions[i]]) if i in positions else 0.0 for i in ids}

    def save(self, directory: Path) -> None:
        """Write to a sibling temp folder, then swap it in, so a reader never sees half an index."""
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._retriever is not None:
            self._retriever.save(str(tmp / "bm25s"))
        fault_point("bm25-half-saved")
        params = {"version": FORMAT_VERSION, "analyzer": self.cfg.model_dump(), "count": len(self.ids)}
        (tmp / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
        (tmp / "params.json").write_text(json.dumps(params), encoding="utf-8")
        old = directory.with_name(directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if directory.exists():
            directory.rename(old)
        fault_point("bm25-swapping")
        tmp.rename(directory)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path, cfg: Bm25Config) -> "Bm25Index | None":
        """The saved index; None when it is missing or was built with other settings (it is then
        rebuilt from the store); DamagedIndexError when its files are there but unreadable."""
        if not (directory / "params.json").exists():
            return None
        try:
            params = json.loads((directory / "params.json").read_text(encoding="utf-8"))
            if params.get("version") != FORMAT_VERSION or params.get("analyzer") != cfg.model_dump():
                return None
            ids = json.loads((directory / "ids.json").read_text(encoding="utf-8"))
            retriever = None
            if ids:
                import bm25s

                retriever = bm25s.BM25.load(str(directory / "bm25s"))
            if not isinstance(ids, list) or (retriever is not None and len(ids) != int(retriever.scores["num_docs"])):
                raise ValueError("ids and index disagree")
        except Exception as exc:  # json, numpy and bm25s each fail their own way on a damaged file
            raise DamagedIndexError(
                f"the BM25 index in {directory} is damaged ({type(exc).__name__}); run "
                f"`bilge collections repair {directory.parent.name}` to rebuild it from the store"
            ) from None
        return cls(cfg, ids, retriever)
