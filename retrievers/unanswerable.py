"""Questions the documents cannot answer, made from real ones, to calibrate abstention on.

Hand-picked off-topic questions ("Kediler neden mırlar?") are easy: nothing in a leaflet looks
like them. What goes wrong in use is a question that fits the collection in every word but one.
So the articles of a SQuAD file are split in two halves, each half indexed alone, and every
store is asked (`Probe.kind`):
- `answerable`: its own articles' questions;
- `absent_article`: the other half's questions (their article is not in the store);
- `absent_entity`: its own questions with the named subject (a word of the article's title)
  replaced by another article's title word that occurs nowhere in the store ("Pardus'un …" →
  "Turkcell'un …");
- `absent_attribute`: its own questions with the word that says what is asked (the word after
  "hangi"/"kaç", or before a closing "nedir"/"kimdir"/"neresidir") replaced by the word in the
  same place of another article's question in the same store, one the question's own article
  never uses — the entity is there, the attribute is elsewhere, never together, like a storage
  temperature asked of a leaflet that gives none while others do. Only those places: the rarest
  word of the question, swapped before, was as often its verb or an aside ("İstanbul'a gelerek
  Beykoz'da karaya çıkıp nerede karargâh kurdu?" → "… İstanbul'a dilimize Beykoz'da …"), which
  left a question its article still answers counted as unanswerable.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from retrievers.squad import Article
from retrievers.turkish import STOPWORDS, analyze, fold_diacritics, is_question_word, make_stemmer, turkish_casefold

KINDS = ("answerable", "absent_article", "absent_entity", "absent_attribute")
_WORD = re.compile(r"\w+", re.UNICODE)
MIN_LENGTH = 4


@dataclass(frozen=True)
class Probe:
    question: str
    kind: str
    answers: tuple[str, ...] = ()
    original: str = ""  # the real question a swapped one was made from


def split_halves(articles: list[Article], seed: int = 13) -> tuple[list[Article], list[Article]]:
    """Articles with at least one question, in two halves drawn by title (seeded)."""
    asked = [a for a in articles if any(p.qas for p in a.paragraphs)]
    order = list(range(len(asked)))
    random.Random(seed).shuffle(order)
    half = set(order[: len(order) // 2])
    return [a for i, a in enumerate(asked) if i in half], [a for i, a in enumerate(asked) if i not in half]


def _key(word: str) -> str:
    return fold_diacritics(word)[:5]


def _keys(text: str) -> set[str]:
    return {_key(w) for w in _WORD.findall(text) if len(w) >= MIN_LENGTH}


def _content(word: str) -> bool:
    return (len(word) >= MIN_LENGTH and not word.isdigit() and turkish_casefold(word) not in STOPWORDS
            and not is_question_word(turkish_casefold(word)))


def _name(word: str) -> bool:
    return _content(word) and word[0].isupper()


def _common(word: str) -> bool:
    """A lower-case word long enough to say what is asked ("menzili", "başkenti")."""
    return _content(word) and word.islower() and len(word) > MIN_LENGTH


_ASKS_NEXT = re.compile(r"hangi|kaç")
"""The word after these says what is asked ("hangi yılda", "kaç adet")."""
_ASKS_LAST = re.compile(r"ne(?:dir|lerdir|ydi)?|kim(?:dir|di|lerdir)?|nere(?:si|sidir|dedir|lidir)|nasıldır")
"""Closing the question, these make the word before them what is asked ("mezarı nerededir?")."""


_TIME = re.compile(r"tarih|yıl|sene|yüzyıl|asır|dönem|zaman|gün|hafta|saat")
"""Words asking when: any date answers them, so they never make a question unanswerable."""


def _asked_words(question: str) -> list[tuple[str, str]]:
    """(place, word) for each word saying what `question` asks: "next" after "hangi"/"kaç",
    "last" before a closing "nedir"; a place is kept so a swap puts a word where one like it stood."""
    words = _WORD.findall(question)
    folded = [turkish_casefold(word) for word in words]
    asked = [("next", words[i + 1]) for i in range(len(words) - 1) if _ASKS_NEXT.fullmatch(folded[i])]
    if len(words) >= 2 and _ASKS_LAST.fullmatch(folded[-1]):
        asked.append(("last", words[-2]))
    return [(place, word) for place, word in asked if _common(word)]


def _article_text(article: Article) -> str:
    return article.title + " " + " ".join(p.context for p in article.paragraphs)


def _article_keys(article: Article) -> set[str]:
    return _keys(_article_text(article))


def _stem(word: str) -> str:
    return make_stemmer("snowball")(turkish_casefold(word))


def _article_stems(article: Article) -> set[str]:
    """The article's Snowball stems, beside its 5-letter keys: the key misses a short stem's other
    forms ("yılda" in "yılında"), the stem a long one's ("üniversitede" in "üniversitesi")."""
    return set(analyze(_article_text(article), make_stemmer("snowball")))


def _replace(question: str, word: str, replacement: str) -> str:
    """`word` of the question replaced, keeping an apostrophe suffix after it ("Pardus'un")."""
    return re.sub(rf"\b{re.escape(word)}\b", replacement, question, count=1)


def probes(store: list[Article], other: list[Article], limit: int | None = None, seed: int = 13) -> list[Probe]:
    """The four kinds of question for a store holding `store`'s articles (at most `limit` each)."""
    rng = random.Random(seed)
    store_keys = set().union(*(_article_keys(a) for a in store))
    foreign_titles = [w for a in other for w in _WORD.findall(a.title) if _name(w) and _key(w) not in store_keys]
    asked_words = {id(a): [asked for p in a.paragraphs for qa in p.qas for asked in _asked_words(qa.question)]
                   for a in store}
    elsewhere_of: dict[tuple[int, str], list[str]] = {}  # per article and place: words asked of others it never uses
    own = [(a, qa) for a in store for p in a.paragraphs for qa in p.qas]
    rng.shuffle(own)
    kinds: dict[str, list[Probe]] = {kind: [] for kind in KINDS}
    kinds["answerable"] = [Probe(qa.question, "answerable", tuple(x.text for x in qa.answers)) for _, qa in own]
    others = [qa.question for a in other for p in a.paragraphs for qa in p.qas]
    kinds["absent_article"] = [Probe(q, "absent_article") for q in rng.sample(others, len(others))]
    for article, qa in own:
        title_keys = _keys(article.title)
        entity = next((w for w in _WORD.findall(qa.question) if _name(w) and _key(w) in title_keys), None)
        if entity and foreign_titles:
            kinds["absent_entity"].append(Probe(_replace(qa.question, entity, rng.choice(foreign_titles)),
                                                "absent_entity", original=qa.question))
        asked = next(((place, w) for place, w in _asked_words(qa.question) if _key(w) not in title_keys), None)
        if asked:
            place, attribute = asked
            if (id(article), place) not in elsewhere_of:
                article_keys, stems = _article_keys(article), _article_stems(article)
                elsewhere_of[id(article), place] = [w for a in store if a is not article
                                                    for where, w in asked_words[id(a)] if where == place
                                                    and _key(w) not in article_keys and _stem(w) not in stems
                                                    and not _TIME.match(turkish_casefold(w))]
            elsewhere = elsewhere_of[id(article), place]
            if elsewhere:
                kinds["absent_attribute"].append(Probe(_replace(qa.question, attribute, rng.choice(elsewhere)),
                                                       "absent_attribute", original=qa.question))
    return [probe for kind in KINDS for probe in kinds[kind][:limit]]
