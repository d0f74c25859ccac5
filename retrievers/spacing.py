"""Words split by stray spaces in PDF text, joined again: "kullan ıma sunulmu ştur" → "kullanıma
sunulmuştur".

PDF exporters place glyphs, not words; some leave a space wherever the layout kerned a
letter, and pypdf faithfully extracts it. Two neighbouring pieces are joined when the piece on
one side is not a word (below `FRAGMENT_ZIPF` in wordfreq's general Turkish, and short or
seldom written in the document) and the joined form is a word: common enough in general
Turkish (`WORD_ZIPF`) or written unsplit elsewhere in the same document (how an inflected term
no word list holds is recognised). Never joined: two real words ("ne den", "gün de"), a piece
starting with a capital after a lower-case one (a name starts there), and a very common word
with a piece unless the joined form is common too ("ve zaif" is not "vezaif"). The rule
rather misses a split than invents a word; the tokenizer's vocabulary was not used, since its
pieces are fragments by design. Measured on planted splits by `bench/spacing.py` (README
"Measured"): about 0.6 of planted splits rejoined, 4 false joins among ~155,000 real spaces.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from retrievers.turkish import turkish_casefold

FRAGMENT_ZIPF = 1.5  # rarer than this in general Turkish: not a word on its own
WORD_ZIPF = 2.0  # at least this common: the joined form is a word
COMMON_ZIPF, COMMON_JOINED_ZIPF = 5.5, 3.0  # "ve", "bir", "de": joined only into a common word
SHORT, RARELY = 4, 2  # a rare piece is a fragment when this short, or written at most this often
_PIECE = re.compile(r"\S+")
_LETTERS = re.compile(r"[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "tr")


def _core(piece: str) -> tuple[str, str, str]:
    """(leading punctuation, the letters, trailing punctuation) of a whitespace-separated piece;
    the letters are "" when the piece holds a digit or is not letters inside."""
    match = re.fullmatch(r"(\W*)(.*?)(\W*)", piece, re.UNICODE)
    lead, core, trail = match.groups()
    return (lead, core, trail) if _LETTERS.fullmatch(core or "-") else (piece, "", "")


class SpacingRepair:
    """The joining rule with the vocabulary of one document (all its pages)."""

    def __init__(self, document_text: str) -> None:
        self.written = Counter(turkish_casefold(_core(p)[1]) for p in _PIECE.findall(document_text))

    def _fragment(self, piece: str) -> bool:
        """Not a word: rare in general Turkish, and short or seldom written in this document (a
        drug name is rare too, but a leaflet writes it again and again). A lone letter is not
        taken for a fragment: it may belong to either neighbour ("ilk i nsan")."""
        key = turkish_casefold(piece)
        return _zipf(key) < FRAGMENT_ZIPF and (len(key) <= SHORT or self.written[key] <= RARELY)

    def _word(self, joined: str) -> bool:
        """A word: common in general Turkish, or written so elsewhere in this document."""
        return _zipf(joined) >= WORD_ZIPF or self.written[joined] > 0

    def joins(self, left: str, right: str) -> bool:
        """Whether the letter pieces `left` and `right` are one word split by a stray space."""
        if not left or not right or not (self._fragment(left) or self._fragment(right)):
            return False
        if right[0].isupper() and not left.isupper():  # "Reisicumhur Gazi": a name starts there
            return False
        joined = turkish_casefold(left + right)
        if max(_zipf(turkish_casefold(left)), _zipf(turkish_casefold(right))) >= COMMON_ZIPF:
            # "ve zaif" is not "vezaif", however often the document writes that: beside a very
            # common word only a common joined form counts
            return _zipf(joined) >= COMMON_JOINED_ZIPF
        return self._word(joined)

    def repair(self, text: str) -> str:
        """`text` with split words joined; everything else (line breaks included) unchanged."""
        pieces = list(_PIECE.finditer(text))
        out, last, i = [], 0, 0
        while i < len(pieces):
            current = pieces[i]
            lead, core, trail = _core(current.group())
            end = current.end()
            while i + 1 < len(pieces) and core and not trail and text[end:pieces[i + 1].start()] == " ":
                next_lead, next_core, next_trail = _core(pieces[i + 1].group())
                if next_lead or not self.joins(core, next_core):
                    break
                core, trail, end = core + next_core, next_trail, pieces[i + 1].end()
                i += 1
            out.append(text[last:current.start()] + lead + core + trail)
            last, i = end, i + 1
        out.append(text[last:])
        return "".join(out)


def repair_spacing(pages: list[str]) -> list[str]:
    """Every page of one document repaired with the whole document's vocabulary."""
    repair = SpacingRepair("\n".join(pages))
    return [repair.repair(page) for page in pages]
