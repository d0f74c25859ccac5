"""Turkish question handling without a language model: follow-up resolution and query rewrites.

Why rules: the offline path has no generator, and Turkish questions are regular enough that a
few lists go far. Question words and particles ("nedir", "kaç", "mı") carry no search signal;
agglutinated words match better as stems ("etkileri" → "etki"); "ve" and commas join separate
questions that retrieve better one at a time. A follow-up ("Peki yan etkileri neler?") names no
topic, so the topic of the previous turn (the title of what it cited, else its content words) is
carried over.
"""

from __future__ import annotations

import functools
import re
from typing import Callable

from retrievers.turkish import (
    QUESTION_STEMS,
    STOPWORDS,
    hardened,
    is_question_word,
    make_stemmer,
    turkish_casefold,
    upper_first,
)

FOLLOW_UP_MARKERS = frozenset(
    """peki ya bunun onun bunu onu bunlar onlar bunların onların bu o şunun şu aynı bundan ondan
    bunda onda buna ona""".split()
)
"""Words that point back at an earlier turn."""

NAME_MIN_LENGTH = 4

_WORD = re.compile(r"\w+(?:'\w+)?", re.UNICODE)
_PARTS = re.compile(r"\s*(?:,|;|\bve\b|\bile\b|\bayrıca\b)\s*", re.IGNORECASE)
_QUESTION_JOINS = re.compile(r"\s*(?:,|;|\bve\b|\bayrıca\b)\s*", re.IGNORECASE)
"""Joins between two questions. A comma joins two only when both ask ("ne zaman alınır, nasıl
saklanır?"); a polite frame ("Söyler misiniz, …") is dropped before (`without_request_frame`)."""
STEM_LENGTH = 5

_REQUEST_VERB = re.compile(r"söyle\w*|anlat\w*|açıkla(?:r|y\w+|mak)|ver(?:ir|ebilir\w*|in|iniz)|"
                           r"öğren(?:mek|ebilir\w*|eyim)|bil(?:ir|iyor\w*)|sor(?:mak|uyorum|um)|merak|bilgi")
"""Asking verbs as a request inflects them. Verb forms, not stems: "sorun" (a problem), "öğrenci"
and "açıklama" name things."""
_IMPERATIVE = re.compile(r"\w+(?:[iı]n|[iı]n[iı]z|sene)")
"""An asking verb in the imperative ("söyleyin", "anlatın") is a request by itself."""
_ADDRESS = re.compile(r"m[iıuü]s[iıuü]n(?:[iıuü]z)?|istiyorum|isterim|ediyorum|rica")
"""What makes an asking verb a request to the reader: "… misiniz", a wish ("öğrenmek
istiyorum"), or the verb's own imperative ("söyleyin"). "Uyku verir mi?" asks about the drug."""
_PARTICLE = re.compile(r"m[ıiuü](?:y[ıiuü]m|y[ıiuü]z|s[ıiuü]n(?:[ıiuü]z)?|d[ıiuü]r|yd[ıiuü]\w*|ym[ıiuü]ş)?")
"""The question particle, alone or inflected ("mı", "midir", "misiniz", "miyim", "mıydı")."""
_SUBORDINATE_VERB = re.compile(r"\w{2,}(?:[dt][ıiuü]ğ[ıiuü]\w*|(?:[aeıioöuü]r|[dt][ıiuü]y)s[ae](?:m|n|k|n[ıiuü]z)?)")
"""A verb in a subordinate clause, never a name: a participle in -dık ("iyileştiğimi") or a
conditional ("şişerse", "hissedersem", "aldıysam"). Borrowed drug and place names have no "ğ"
and do not end in these conditional forms."""
_WH = frozenset("ne niçin niye".split())
"""Question words that `QUESTION_STEMS` (their inflected forms) does not already match."""
_POLITE = frozenset("lütfen merhaba selam teşekkürler".split())
_FILLERS = frozenset("acaba bana bize".split())


def words(text: str) -> list[str]:
    """Words in Turkish casefold, apostrophe suffixes cut ("Parol'ün" → "parol")."""
    return [w.split("'")[0] for w in _WORD.findall(turkish_casefold(text.replace("’", "'")))]


def content_words(text: str) -> list[str]:
    """Words that say what is asked about: no question words, particles or stop words."""
    return [w for w in words(text) if _is_content(w)]


def _is_content(word: str) -> bool:
    return word not in STOPWORDS and len(word) > 1 and not is_question_word(word)


@functools.cache
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "tr")


@functools.cache
def _snowball() -> Callable[[str], str]:
    return make_stemmer("snowball")


def name_frequency(word: str) -> float:
    """How common the word's family is in general Turkish (wordfreq's Zipf scale): the most
    frequent of the word and its prefixes of `STEM_LENGTH` letters or more, each also with its
    final consonant hardened. Why not the word alone: an inflected form of a common verb is rare
    ("kullanılmalıdır" 3.4, its stem "kullan" 4.4) and would pass for a name; a drug name's
    prefixes are not words ("metformin" 0.0 all the way down). The Snowball stem adds the short
    nouns a five-letter prefix cannot reach ("gripte" → "grip" 4.1, "hapının" → "hap" 4.0)."""
    word = turkish_casefold(word)
    prefixes = [word[:n] for n in range(STEM_LENGTH, len(word))] + [_snowball()(word)]
    return max([_zipf(word)] + [_zipf(form) for p in prefixes for form in {p, hardened(p)}])


def name_candidates(question: str, max_zipf: float, keep_predicate: bool = False) -> list[str]:
    """The question's words that name something specific, as typed: content words of at least
    four letters, not numbers, whose family is rarer than `max_zipf` in general Turkish
    (`name_frequency`: "aspirin" 3.5, "köpeklere" 5.0, "zaman" 6.2). A document collection that
    lacks such a word cannot answer a question built around it; a common word it lacks is often
    only a synonym. Verbs are left out unless `keep_predicate`, however rare their inflected form:
    the predicate ("Alkol içebilir miyim?") and a subordinate clause's ("… şişerse ne yapmalıyım?")."""
    names: dict[str, str] = {}
    surfaces = [surface.split("'")[0] for surface in _WORD.findall(question.replace("’", "'"))]
    predicate = _predicate(surfaces)
    for n, surface in enumerate(surfaces):
        word = turkish_casefold(surface)
        a_verb = not keep_predicate and (n == predicate or _SUBORDINATE_VERB.fullmatch(word))
        if (not a_verb and len(word) >= NAME_MIN_LENGTH and not any(c.isdigit() for c in word) and _is_content(word)
                and name_frequency(word) < max_zipf):
            names.setdefault(word, surface)
    return list(names.values())


def proper_names(question: str) -> set[str]:
    """The question's words written as names, casefolded: with an apostrophe suffix ("Fransa'da"),
    capitalised inside a sentence ("… Ege Bölgesi …"), or first in a sentence with a capitalised
    word after them ("Altay Sezgin …"). Turkish writes names so; a sentence's first word is
    capitalised anyway. A name the collection lacks is a subject it does not cover, however common
    the word is in general Turkish ("Fransa" 4.8): `answer.proper_name_max_zipf`. A question typed
    in capitals has no case to read: none of its words is taken for a name by its case."""
    text = question.replace("’", "'")
    if not any(c.islower() for c in text):
        text = turkish_casefold(text)
    matches = list(_WORD.finditer(text))
    names = set()
    for n, match in enumerate(matches):
        surface, before = match.group(), text[:match.start()].rstrip()
        initial = not before or before[-1] in ".!?:…"
        following = matches[n + 1].group() if n + 1 < len(matches) else ""
        if "'" in surface or (surface[0].isupper() and (not initial or following[:1].isupper())):
            names.add(turkish_casefold(surface.split("'")[0]))
    return names


def names_what_is_missing(frequency: float, written_as_name: bool, max_zipf: float, proper_max_zipf: float) -> bool:
    """Whether a question word the collection lacks, of this `name_frequency`, makes the question
    about something no document covers: rarer than `answer.name_max_zipf`, or than
    `answer.proper_name_max_zipf` when the question writes it as a name (`proper_names`). A pure
    function, so that `bench/abstention.py` replays on recorded words the rule the graph applies."""
    return frequency < max_zipf or (written_as_name and frequency < proper_max_zipf)


def _predicate(surfaces: list[str]) -> int | None:
    """The index of the question's verb, as Turkish word order places it: the word before the
    first question particle ("… içebilir miyim?"), else the last word, unless that one asks."""
    folded = [turkish_casefold(s) for s in surfaces]
    particle = next((n for n, w in enumerate(folded) if _PARTICLE.fullmatch(w)), len(folded))
    verb = particle - 1
    return verb if verb >= 0 and not is_question_word(folded[verb]) else None


def asks_yes_or_no(question: str) -> bool:
    """A question the particle makes ("Metformin yemekle mi alınır?", "… kullanabilir miyim?")
    with no question word to say what is asked for ("ne", "kaç", "hangi", "nasıl", "kim"…): its
    answer is a whole sentence, never a span, so an extractive reader has nothing to point at."""
    asked = words(question)
    return any(_PARTICLE.fullmatch(w) for w in asked) and not any(
        w in _WH or QUESTION_STEMS.match(w) for w in asked)


def without_request_frame(question: str) -> str:
    """The question without a polite frame at its start or end ("Acaba bana söyler misiniz,
    salbutamol nasıl saklanmalıdır?" → "Salbutamol nasıl saklanmalıdır?"), kept whole when no
    content would be left."""
    tokens = list(_WORD.finditer(question))
    kinds = [_frame_kind(turkish_casefold(t.group())) for t in tokens]
    start = _frame_length(kinds)
    end = len(tokens) - _frame_length(kinds[start:][::-1])
    if start >= end or (start, end) == (0, len(tokens)):
        return question
    kept = question[tokens[start].start():tokens[end - 1].end()]
    if not content_words(kept):
        return question
    # A frame cut from the end takes the question mark with it; else the question keeps its own.
    text = kept + "?" if end < len(tokens) else question[tokens[start].start():].rstrip()
    return upper_first(text)


def _frame_kind(word: str) -> str | None:
    if word in _POLITE:
        return "polite"
    if _REQUEST_VERB.fullmatch(word):
        return "polite" if _IMPERATIVE.fullmatch(word) else "verb"
    if _ADDRESS.fullmatch(word):
        return "address"
    return "filler" if word in _FILLERS else None


def _frame_length(kinds: list[str | None]) -> int:
    """How many of the first words form a frame: the run of frame words, when it is polite by
    itself or holds an asking verb addressed to the reader."""
    run = next((i for i, kind in enumerate(kinds) if kind is None), len(kinds))
    found = set(kinds[:run])
    return run if "polite" in found or {"verb", "address"} <= found else 0


def is_follow_up(question: str) -> bool:
    """A question that leans on the previous turn: it starts or is built with a pointing word, or
    it is too short to name a topic of its own."""
    found = words(question)
    return bool(found) and (found[0] in FOLLOW_UP_MARKERS or any(w in FOLLOW_UP_MARKERS for w in found)
                            or len(content_words(question)) <= 1)


def standalone_question(question: str, topic: str) -> str:
    """The follow-up with the earlier topic put in front and its pointing words dropped."""
    kept = [w for w in question.split() if turkish_casefold(w).strip(",.?!") not in FOLLOW_UP_MARKERS]
    return f"{topic} {' '.join(kept)}".strip()


def question_parts(question: str) -> list[str]:
    """A question that asks two things ("ne zaman alınır ve nasıl saklanır?") as its parts,
    each with the shared topic; a single question (also "baş ağrısı ve ateş için ne
    kullanılır?", where only one part asks) comes back alone."""
    parts = [p for p in _QUESTION_JOINS.split(question) if content_words(p)]
    asking = [p for p in parts if any(is_question_word(w) for w in words(p))]
    if len(parts) < 2 or len(asking) < len(parts):
        return [question]
    return _with_topic(parts)


def _with_topic(parts: list[str]) -> list[str]:
    topic = " ".join(content_words(parts[0])[:1])
    return [p.strip() if len(content_words(p)) > 1 or not topic or topic in content_words(p)
            else f"{topic} {p.strip()}" for p in parts]


def keywords_query(question: str) -> str:
    """First rewrite: content words only, each followed by its stem when the stem differs."""
    terms: list[str] = []
    for word in content_words(question):
        terms.append(word)
        if len(word) > STEM_LENGTH + 1:
            terms.append(word[:STEM_LENGTH])
    return " ".join(dict.fromkeys(terms))


def split_question(question: str) -> list[str]:
    """Second rewrite: a question joined by "ve"/commas becomes its parts, each with the shared
    topic (the content words of the first part) when a part has too few of its own."""
    parts = [p for p in _PARTS.split(question) if content_words(p)]
    return _with_topic(parts) if len(parts) > 1 else []


def rewrites(question: str) -> list[list[str]]:
    """The query sets tried in turn after the original question gave weak evidence."""
    attempts: list[list[str]] = []
    keywords = keywords_query(question)
    if keywords and keywords != turkish_casefold(question):
        attempts.append([keywords])
    parts = split_question(question)
    if parts:
        attempts.append(parts)
    return attempts
