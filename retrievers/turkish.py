"""Turkish text rules: casefolding, sentence boundaries, and the BM25 analyzer.

Python's `str.lower()` is wrong for Turkish: "İ".lower() gives "i̇" (i + combining dot) and
"I".lower() gives "i" where Turkish wants "ı". Every comparison in Bilge goes through
`turkish_casefold` instead.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Callable, Iterator, Literal

_UPPER_TO_LOWER = str.maketrans({"I": "ı", "İ": "i"})

# Abbreviations after which a period does not end a sentence (lower-cased, without the dot).
ABBREVIATIONS = frozenset(
    """dr prof doç yrd av sn st no nr tel vb vs bkz örn krş yy mö ms bl md s sf ss mg ml kg gr mm cm km
    ör gen alb yzb ltd şti a.ş müh uzm hz""".split()
)

STOPWORDS = frozenset(
    """acaba ama ancak artık aslında az bana bazı belki ben beni benim bile bir biraz birçok biri birkaç
    birşey biz bize bizi bizim bu buna bunda bundan bunlar bunları bunların bunu bunun burada böyle
    çok çünkü da daha dahi de defa diğer diye en gibi göre hem hep hepsi her hiç için ile ise
    işte kadar ki kim kimi kimse mi mı mu mü nasıl ne neden nerde nerede nereye niçin niye o olan
    olarak oldu olduğu olduğunu olmak olması olur on ona ondan onlar onları onların onu onun
    sadece sanki siz size sizi sizin şey şeyi şu şuna şunda şundan şunu tüm ve veya ya yani""".split()
)
"""A short Turkish stop list: function words and question particles, none of them content."""

QUESTION_WORDS = frozenset(
    """ne neler nedir nelerdir neyi neyin neye nasıl nasıldır hangi hangisi hangileri kaç kaçtır kaçta
    kim kimdir kimler nerede nereden nereye neresi neresidir nereli neden niçin niye mi mı mu mü midir mıdır mudur müdür
    misiniz mısınız miyim mıyım musunuz müsünüz mıdır var mı yok gerekir gerekiyor olur olmalı
    peki ya acaba""".split()
)
"""Words that ask rather than say what is asked about."""

QUESTION_STEMS = re.compile(r"^(?:ne(?:y|re|den|dir|ler)\w*|kaç(?:a|ta|tan|tır|tir|ar|ıncı|ıncısı)?|hangi\w*|"
                            r"kim(?:i|in|e|de|den|dir|di|ler\w*)?|nasıl\w*)$")
"""Inflected question words ("neyle", "neydi", "nerenin", "kaça", "kimdi"): they ask, they do not name."""


def is_question_word(word: str) -> bool:
    """`word` (Turkish-casefolded) asks rather than names: a question word or particle, inflected or not."""
    return word in QUESTION_WORDS or bool(QUESTION_STEMS.match(word))


_COUNT_WORD = re.compile(r"kaç(?:a|ı|ta|tan|tır|ında|ından|ına|ıncı(?:sı)?(?:dır)?)?")
""""kaç" (how many, how much, which in order) and its inflections; not the verb "kaçmak" (to
flee: "kaçtı", "kaçar") or "kaçınmak" (to avoid)."""
_NUMBER_STEM = re.compile(r"(?:bir(?:inci|er)|iki|üç|dör[dt]|beş|altı|yedi|sekiz|dokuz|on(?:uncu|ar)?$|yirmi|otuz|"
                          r"kırk|elli|altmış|yetmiş|seksen|doksan|yüz|bin|milyon|milyar|yarım|çeyrek|ilk)")
"""Number words, read as prefixes so that every inflection counts ("üçüncü", "ikişer", "yüzde");
a noun that starts like one ("altında") only keeps a sentence in. "On" (ten) is read whole: its
inflections are the pronoun's ("onu", "ona", "onda")."""
_COUNTER = re.compile(r"(?:kez|kere|defa|sefer|tablet|kapsül|draje|damla|ölçek|kaşık|bardak|doz|puf|püskürt|ampul|"
                      r"şase|saat|dakika|gün|gece|hafta|ay|yıl|yaş|gram|litre|kilo|mg|ml)")
"""Counters and units, as prefixes: what "bir" counts when it is a number."""
_LOCATIVE = re.compile(r"[dt][ae]$")
_ROMAN_ORDINAL = re.compile(r"\b[IVXLC]+\.")


def asks_count(question: str) -> bool:
    """The question asks for a number: how many, how much, at what age, which in order ("kaç")."""
    return any(_COUNT_WORD.fullmatch(word) for word in _TOKEN.findall(turkish_casefold(question)))


def holds_number(sentence: str) -> bool:
    """The sentence states a number: a digit, a Roman ordinal ("III."), a number word, or "bir"
    counting something ("günde bir kez", "haftada bir"). Why not every "bir": it is also the
    indefinite article of a definition ("Omeprazol … bir proton pompası inhibitörüdür."), the
    sentence a leaflet opens with, which names the drug and so reads as an answer to any
    question about it."""
    words = _TOKEN.findall(turkish_casefold(sentence))
    return (any(ch.isdigit() for ch in sentence) or bool(_ROMAN_ORDINAL.search(sentence))
            or any(_NUMBER_STEM.match(word) for word in words)
            or any(word == "bir" and _counts(words[n - 1] if n else "", words[n + 1] if n + 1 < len(words) else "")
                   for n, word in enumerate(words)))


def _counts(before: str, after: str) -> bool:
    """"bir" between these words is a count: before a counter or unit, or after a time in the
    locative ("günde bir", "8 saatte bir")."""
    return bool(_COUNTER.match(after)) or bool(_COUNTER.match(before) and _LOCATIVE.search(before))


_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)]*(?=\s)"
                           r"|(?<=[a-zçğıöşü]{3})[.!?]+(?=[A-ZÇĞİÖŞÜ][a-zçğıöşü]|\d|[\"'“‘«]\w|[IVX]+\.\s)|\n+")
"""A stop before a space; a stop glued, after a lower-case word, to a capitalised word, a number, a
quotation or a ruler's ordinal (extracted text loses that space: "etmiştir.Anadolu",
"etmiştir.1281 yılında", "addır.'Celâl’e mensup'", "kaldırıldı.II. Mehmed"); or a line break."""
_ROMAN = re.compile(r"[IVXLC]+")
"""An ordinal in Roman numerals, as before a ruler's name ("II. Murad", "XIV. Louis"): like "3.", it
does not end the sentence."""
_TOKEN = re.compile(r"\w+", re.UNICODE)


def turkish_casefold(text: str) -> str:
    """Lower-case with Turkish rules (I→ı, İ→i), NFC-normalised, accents kept."""
    text = unicodedata.normalize("NFC", text)
    return text.translate(_UPPER_TO_LOWER).lower()


_DIACRITICS = str.maketrans("ıüöçşğâîû", "iuocsgaiu")


def fold_diacritics(text: str) -> str:
    """Casefolded Turkish without its diacritics (ı→i, ş→s, ğ→g, â→a …): for matching words that
    people type without them ("Ibni", "maglup") against text that has them."""
    return turkish_casefold(text).translate(_DIACRITICS)


_HARDENED = {"b": "p", "c": "ç", "d": "t", "ğ": "k"}
_FOLDED_VOWELS = frozenset("aeiou")
_FOLDED_HARDENED = {"b": "p", "d": "t", "g": "k"}  # ç→c folds to c either way


def hardened(word: str) -> str:
    """The word with its final consonant as it is before a consonant or at the word's end:
    "şurub" (of "şurubu") → "şurup", "kanad" → "kanat", "köpeğ" → "köpek" (Turkish softens p, ç,
    t, k before a vowel); other words unchanged."""
    return word[:-1] + _HARDENED[word[-1]] if word and word[-1] in _HARDENED else word


def softening_key(term: str) -> str:
    """`term` compared across consonant softening and without diacritics: one trailing vowel
    dropped, the final consonant hardened ("şurubu"/"şurup" → "surup", "ilacı"/"ilaç" → "ilac")."""
    folded = fold_diacritics(term)
    if len(folded) > 3 and folded[-1] in _FOLDED_VOWELS:
        folded = folded[:-1]
    return folded[:-1] + _FOLDED_HARDENED.get(folded[-1:], folded[-1:])


def sentence_case(text: str) -> str:
    """ALL-CAPS headings ("METFORMİN NEDİR?") in sentence case ("Metformin nedir?"), Turkish
    rules; other text unchanged. Cased models read shouted words as rare pieces."""
    if not text.isupper():
        return text
    return upper_first(turkish_casefold(text))


def upper_first(text: str) -> str:
    """`text` with its first letter upper-cased by Turkish rules ("ilacı" → "İlacı", "ısı" → "Isı")."""
    return text[:1].replace("i", "İ").upper() + text[1:]


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence in text[start:end], whitespace trimmed.

    A period ends a sentence only when the next word starts with a capital, a digit or a quote,
    and the word before it is not a known abbreviation (dotted or not: "M.Ö."), a lone letter, or an
    ordinal in digits or Roman numerals ("Dr. Ayşe", "vb. gibi", "3. gün", "II. Murad").
    Line breaks always end a sentence (list items, headings inside a block).
    """
    end = len(text) if end is None else end
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        if not match.group().startswith("\n") and not _ends_sentence(text, match.start(), match.end(), end):
            continue
        yield from _trimmed(text, cursor, match.end())
        cursor = match.end()
    yield from _trimmed(text, cursor, end)


def _ends_sentence(text: str, mark: int, after: int, end: int) -> bool:
    following = text[after:end].lstrip()
    if not following:
        return True
    if not (following[0].isupper() or following[0].isdigit() or following[0] in "\"'“‘«(-•"):
        return False
    if text[mark] != ".":
        return True
    word = re.search(r"[\w.]+$", text[max(0, mark - 12):mark])
    if word is None:
        return True
    # the dotted word ("M.Ö"), and the word after a glued stop read alone ("kaldırıldı.II": "II")
    return not any(_keeps_its_stop(w) for w in (word.group(), word.group().rsplit(".", 1)[-1]))


def _keeps_its_stop(word: str) -> bool:
    """A known abbreviation, a lone letter, or an ordinal in digits or Roman numerals."""
    token = turkish_casefold(word).replace(".", "")
    return token in ABBREVIATIONS or len(token) == 1 or token.isdigit() or bool(_ROMAN.fullmatch(word))


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


Stemmer = Literal["prefix", "snowball", "none"]


@lru_cache(maxsize=8)
def make_stemmer(kind: Stemmer, prefix_length: int = 5) -> Callable[[str], str]:
    """A word → stem function. `prefix` keeps the first N letters (strong for an agglutinative
    language with a short list of suffixes); `snowball` is the Snowball Turkish stemmer."""
    if kind == "none":
        return lambda word: word
    if kind == "prefix":
        return lambda word: word[:prefix_length]
    import Stemmer as pystemmer  # PyStemmer, imported only when chosen

    stemmer = pystemmer.Stemmer("turkish")
    return stemmer.stemWord


def analyze(text: str, stemmer: Callable[[str], str]) -> list[str]:
    """BM25 terms: Turkish casefold, split words (also at apostrophes: "İstanbul'da" → istanbul,
    da), drop stop words and lone suffixes, stem."""
    terms = []
    for word in _TOKEN.findall(turkish_casefold(text)):
        if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
            continue
        terms.append(stemmer(word))
    return terms
