"""The answer step on real models: the selector's sentence, the combined score, the reader's
window, names the collection lacks, and the sample leaflets' questions end to end."""

from __future__ import annotations

import pytest

from assistant.events import NOT_FOUND
from assistant.service import Assistant
from bilge.config import AnswerConfig
from tests.conftest import shipped_config

PARAGRAPH = ("Parasetamol ağrı kesici ve ateş düşürücü bir ilaçtır. Yetişkinlerde önerilen başlangıç dozu 4-6 saat "
             "arayla 1 tablettir. Günde 8 tabletten fazla almayınız. Tabletler bir bardak su ile yutulur.")


@pytest.fixture(scope="session")
def assistant(shipped, store_home):
    return Assistant(shipped_config(store_home, shipped))


@pytest.fixture(scope="session")
def selector(shipped):
    from retrievers.rerank import CrossEncoderReranker
    from retrievers.selector import SentenceSelector

    return SentenceSelector(CrossEncoderReranker(str(shipped / "selector"), precision="float32"),
                            AnswerConfig(passage_weight=0.5))


def test_reader_input_maps_back_to_the_passage():
    from retrievers.sentences import reader_input, sentences_holding
    from retrievers.turkish import sentence_spans

    spans = list(sentence_spans(PARAGRAPH))
    third = spans[2]
    window = reader_input(PARAGRAPH, third, neighbours=1, title="Parasetamol", section="Nasıl kullanılır?")
    assert window.context.startswith("Parasetamol — Nasıl kullanılır?\nYetişkinlerde")
    assert window.context.endswith("yutulur.") and "ateş düşürücü" not in window.context
    assert window.context[window.sentence[0]:window.sentence[1]] == "Günde 8 tabletten fazla almayınız."
    start = window.context.index("8 tabletten")
    assert PARAGRAPH[slice(*window.to_passage(start, start + 11))] == "8 tabletten"
    assert window.to_passage(0, 5) == (window.window_start, window.window_start)  # the heading is not the passage
    answer = PARAGRAPH.index("8 tabletten")
    assert sentences_holding(spans, answer, answer + 11) == [2]
    assert sentences_holding(spans, spans[1][1] - 3, spans[2][0] + 3) == [1, 2]


def test_the_selector_picks_the_answering_sentence_not_the_first(selector):
    from retrievers.selector import Passage

    passage = Passage(PARAGRAPH, "Parasetamol 500 mg Tablet", "Nasıl kullanılır?")
    best = selector.rank("Parasetamol günde en fazla kaç tablet alınabilir?", [passage])[0]
    assert PARAGRAPH[best.start:best.end] == "Günde 8 tabletten fazla almayınız."
    start = selector.rank("Parasetamolün başlangıç dozu nedir?", [passage])[0]
    assert PARAGRAPH[start.start:start.end].startswith("Yetişkinlerde önerilen başlangıç dozu")


def test_the_combined_score_keeps_the_top_passages_sentence_against_a_near_duplicate(selector):
    from retrievers.selector import Passage

    sentence = "Günde 8 tabletten fazla almayınız."
    lower = Passage(f"Tabletler su ile yutulur. {sentence}", "Kullanma talimatı", "Nasıl kullanılır?", score=-1.0)
    top = Passage(f"Tabletler tok karnına alınır. {sentence}", "Kullanma talimatı", "Nasıl kullanılır?", score=2.0)
    question = "Günde en fazla kaç tablet alınır?"
    ranked = selector.rank(question, [lower, top])
    assert ranked[0].passage == 1 and top.text[ranked[0].start:ranked[0].end] == sentence
    alone = type(selector)(selector.model, AnswerConfig(passage_weight=0.0)).rank(question, [lower, top])
    assert alone[0].logit == pytest.approx(alone[1].logit, abs=0.5)  # the sentence alone cannot tell them apart


def test_a_passage_about_another_named_thing_never_answers_while_one_names_it(selector):
    from dataclasses import replace

    from retrievers.selector import Passage

    question = "Metforminin yan etkileri nelerdir?"
    other = Passage("Baş ağrısı, karın ağrısı ve ishal sık görülen yan etkilerdir.", "Omeprazol 20 mg Kapsül",
                    "Olası yan etkiler", score=3.5, named=False)
    named = Passage("Bulantı, kusma ve iştah kaybı tedavinin başında görülür. Ağızda metalik tat olabilir.",
                    "Metformin 850 mg Tablet", "Olası yan etkiler", score=3.0)
    assert selector.rank(question, [replace(other, named=True), named])[0].passage == 0  # the models alone
    ranked = selector.rank(question, [other, named])
    assert ranked[0].passage == 1 and all(s.passage == 0 for s in ranked[2:])


def test_the_lexical_share_of_the_question_joins_the_answer_score(selector):
    from bilge.config import Bm25Config
    from retrievers.bm25 import Bm25Index
    from retrievers.selector import Passage
    from retrievers.turkish import sentence_spans

    sentences = [PARAGRAPH[s:e] for s, e in sentence_spans(PARAGRAPH)]
    index = Bm25Index.build(Bm25Config(), [str(n) for n in range(len(sentences))], sentences)
    lexical = type(selector)(selector.model, AnswerConfig(passage_weight=0.5, lexical_weight=4.0), None,
                             index.coverage)
    question, passage = "Parasetamol bir bardak su ile mi yutulur?", Passage(PARAGRAPH)
    plain = {(s.start, s.end): s.score for s in selector.rank(question, [passage])}
    ranked = lexical.rank(question, [passage])
    assert PARAGRAPH[ranked[0].start:ranked[0].end] == "Tabletler bir bardak su ile yutulur."
    for sentence in ranked:
        share = index.coverage(question, PARAGRAPH[sentence.start:sentence.end])
        assert sentence.score == pytest.approx(plain[(sentence.start, sentence.end)] + 4.0 * share, abs=1e-4)


def test_the_reader_marks_the_answer_inside_the_chosen_sentence(selector, shipped):
    from retrievers.reader import QaModelReader
    from retrievers.selector import Passage

    reading = type(selector)(selector.model, AnswerConfig(passage_weight=0.5, reader_candidates=2),
                             QaModelReader.from_path(str(shipped / "reader")))
    passage = Passage(PARAGRAPH, "Parasetamol 500 mg Tablet", "Nasıl kullanılır?")
    best = reading.rank("Parasetamol günde en fazla kaç tablet alınabilir?", [passage])[0]
    assert PARAGRAPH[best.start:best.end] == "Günde 8 tabletten fazla almayınız."
    assert best.answer is not None and best.start <= best.answer[0] < best.answer[1] <= best.end
    assert "8" in PARAGRAPH[slice(*best.answer)] and best.answer != (best.start, best.end)
    assert best.score == pytest.approx(best.logit + 0.5 * passage.score + reading.cfg.reader_weight * best.margin)


def test_an_answer_starts_where_a_word_does():
    from retrievers.reader import starts_word

    text = "Ordu 6 Nisan 1453'te (sabah) Antlaşması; bitirip1943"
    assert all(starts_word(text, text.index(word)) for word in ("Ordu", "1453", "sabah", "Antlaşması", "1943"))
    assert not starts_word(text, text.index("te ")) and not starts_word(text, text.index("laşması"))


def test_the_reader_marks_whole_words_never_a_piece_of_one(shipped):
    from retrievers.reader import QaModelReader, starts_word

    reader = QaModelReader.from_path(str(shipped / "reader"))
    context = "Tarih\nKarlofça Antlaşması 1618 yılında imzalandı."
    # the shipped reader's best pair of pieces here is "laşması"
    span = reader.read("Hangi anlaşma 1618 yılında imzalandı?", context, within=(len("Tarih\n"), len(context)))
    assert span is not None and starts_word(context, span.start) and "Antlaşması" in context[span.start:span.end]


def test_the_first_word_of_the_sentence_read_may_start_the_answer(shipped):
    """A sentence's first piece carries the space or line break before it ("▁Vas" = " Vas"), so
    its offsets begin one character before the sentence: the answer still may start there (the
    subject opens most Turkish sentences, and was never markable)."""
    from retrievers.reader import QaModelReader

    reader = QaModelReader.from_path(str(shipped / "reader"))
    context = "Tarih\nSavaş bitti. Vasvar Antlaşması 1618 yılında imzalandı. Barış uzun sürdü."
    sentence = (context.index("Vasvar"), context.index(" Barış"))
    for within in (sentence, (len("Tarih\n"), sentence[1])):
        span = reader.read("Hangi antlaşma 1618 yılında imzalandı?", context, within=within)
        assert span is not None and context[span.start:span.end] == "Vasvar Antlaşması"


def test_a_question_longer_than_the_passage_it_reads_is_read(shipped):
    """The tokenizer's offsets of the question's pieces point into the question, not the passage:
    a passage shorter than the question (a one-line note, a heading's only sentence) is read too."""
    from retrievers.reader import QaModelReader

    reader = QaModelReader.from_path(str(shipped / "reader"))
    question = "Bu ilacı kullanırken araç ve makine kullanımı konusunda nelere dikkat etmeliyim acaba?"
    context = "Araç kullanmayın."
    span = reader.read(question, context)
    assert span is not None and 0 <= span.start < span.end <= len(context)


def test_a_drug_the_collection_does_not_contain_is_named_in_the_abstention(assistant):
    result = assistant.answer("Aspirin günde en fazla kaç tablet alınır?")
    assert result.abstained and result.answer.startswith(NOT_FOUND)
    assert "«Aspirin»" in result.answer and not result.citations
    assert result.steps[-1] == "abstain: not in the collection: Aspirin"


def test_a_word_no_document_contains_needs_the_readers_own_yes(assistant, shipped, store_home):
    question = "Parasetamol köpeklere verilebilir mi?"
    result = assistant.answer(question)
    assert result.abstained and "with köpeklere in no document" in result.steps[-1]
    # the passage and sentence scores alone let it through: only the reader can say that none answers
    relaxed = Assistant(shipped_config(store_home, shipped, answer={"unfamiliar_min_margin": -100.0,
                                                                    "reader_min_margin": -100.0}))
    assert not relaxed.answer(question).abstained


def test_a_yes_no_question_is_answered_by_the_sentence_the_selector_is_sure_of(assistant, shipped, store_home):
    question = "Karaciğer hastalığım var, parasetamol alabilir miyim?"
    result = assistant.answer(question)
    assert not result.abstained and "karaciğer hastalığınız" in result.quote, result.steps
    assert "**" not in result.answer and result.short == result.quote  # the sentence is the answer: no span
    strict = Assistant(shipped_config(store_home, shipped, answer={"yes_no_min_sentence": 1.0}))
    assert "or a sentence ≥ 1.0" in strict.answer(question).steps[-1]  # the reader alone finds no span in it


def test_a_reader_sure_of_its_span_answers_where_the_selector_doubts(shipped, store_home):
    question = "Amoksisilin kaç saatte bir alınır?"
    doubting = {"sentence_min_score": 0.999, "max_rewrites": 0}  # no sentence reaches the selector's bar
    off = Assistant(shipped_config(store_home, shipped, answer={**doubting, "reader_sure_margin": 100.0}))
    assert off.answer(question).abstained
    result = Assistant(shipped_config(store_home, shipped, answer=doubting)).answer(question)
    assert not result.abstained and "8 saatte bir" in result.quote and result.scores["reader_margin"] >= 8.0


@pytest.mark.parametrize("passage, sentence, margin, yes_no, unfamiliar, answered", [
    (0.8, 0.6, 1.0, False, False, True),  # both models vouch
    (0.05, 0.6, 1.0, False, False, False),  # below the passage bar nothing answers
    (0.8, 0.6, -6.0, False, False, False),  # the reader finds no answer in the sentence
    (0.8, 0.6, None, False, False, True),  # no reader to ask
    (0.8, 0.6, -1.0, False, True, False),  # a word in no document: the reader's own yes is needed
    (0.8, 0.95, -9.0, True, False, True),  # yes/no: the sure selector alone
    (0.8, 0.6, -9.0, True, False, False),  # yes/no, the selector unsure
    (0.8, 0.01, 9.0, False, False, True),  # the sure reader alone
    (0.8, 0.01, 9.0, False, True, False),  # … not when a word is in no document
])
def test_the_grade_answers_when_a_model_vouches_for_the_sentence(passage, sentence, margin, yes_no, unfamiliar,
                                                                  answered):
    from assistant.graph import vouched

    cfg = AnswerConfig(min_score=0.1, sentence_min_score=0.05, reader_min_margin=-4.0, unfamiliar_min_margin=0.0,
                       yes_no_min_sentence=0.9, reader_sure_margin=8.0)
    assert vouched(cfg, passage, sentence, margin, yes_no=yes_no, unfamiliar=unfamiliar) is answered


@pytest.mark.parametrize("unmentioned_zipf, margin, answered", [
    (4.6, 9.0, False),  # the answering document lacks a rare word of the question
    (4.6, 12.0, True),  # … but the reader is sure of its span: the word in another form ("kadı", "kadısı")
    (5.2, 9.0, True),  # the word it lacks is common
    (float("inf"), 9.0, True),  # it lacks none
])
def test_an_answer_from_a_document_that_never_mentions_a_rare_word_of_the_question_needs_a_sure_reader(
        unmentioned_zipf, margin, answered):
    from assistant.graph import vouched

    cfg = AnswerConfig(document_name_max_zipf=5.0, document_min_margin=11.0, yes_no_min_sentence=0.9)
    # a sure selector does not answer for it: it is as sure of a leaflet's indications for any "kullanılır mı?"
    assert vouched(cfg, 0.9, 0.99, margin, yes_no=True, unfamiliar=False,
                   unmentioned_zipf=unmentioned_zipf) is answered


@pytest.mark.parametrize("question, absent", [
    ("Metformin süte karıştırılabilir mi?", "süte"),  # only the D3 leaflet speaks of milk
    ("Omeprazol tiroid hastalarında kullanılır mı?", "tiroid"),  # only salbutamol's does
])
def test_a_word_only_another_document_holds_is_abstained_on_naming_the_file(assistant, question, absent):
    result = assistant.answer(question)
    assert result.abstained, result.answer
    assert "never mentions" in result.steps[-1] and absent in result.steps[-1], result.steps
    assert f"«{absent}»" in result.answer and "belgesinde hiç geçmiyor" in result.answer


def test_names_are_matched_without_diacritics_and_through_suffixes(assistant):
    documents = assistant.documents
    assert documents.missing_names("Parasetamolün yan etkileri", 3.5, 5.0) == []
    assert documents.missing_names("IBUPROFEN hangi sıcaklıkta saklanır?", 3.5, 5.0) == []
    assert documents.missing_names("Naproksen ile Varfarin birlikte alınır mı?", 3.5, 5.0) == ["Varfarin"]


def test_a_name_the_collection_lacks_is_missing_up_to_a_higher_bar_when_written_as_a_name(assistant):
    """"Fransa" (Zipf 4.8) is too common a word for the name bar (3.5), but written as a name it
    says what is asked about, and no leaflet mentions it; lower-case mid-question it is a word."""
    documents = assistant.documents
    assert documents.missing_names("Metformin Fransa'da reçetesiz satılır mı?", 3.5, 5.0) == ["Fransa"]
    assert documents.missing_names("Metformin Fransa'da reçetesiz satılır mı?", 3.5, 0.0) == []
    assert documents.missing_names("Metformin alırken ingiltere seyahati olur mu?", 3.5, 5.0) == []
    result = assistant.answer("Metformin Fransa'da reçetesiz satılır mı?")
    assert result.abstained and "«Fransa»" in result.answer, result.answer


ANSWERED = [
    ("Parasetamol günde en fazla kaç tablet alınır?", "parasetamol-500.pdf", "8 tabletten"),
    ("İbuprofenin günlük dozu en fazla ne kadar olabilir?", "ibuprofen-400.docx", "1200 mg"),
    ("Amoksisilin kaç saatte bir alınır?", "amoksisilin-500.html", "8 saatte bir"),
    # a count question: the leaflet's first sentence, which names the drug, states no number
    ("Amoksisilin kaç kez alınır?", "amoksisilin-500.html", "8 saatte bir"),
    ("Omeprazol ne zaman alınmalıdır?", "omeprazol-20.md", "kahvaltıdan önce"),
    ("Metformin hangi hastalıkta kullanılır?", "metformin-850.txt", "tip 2 diyabet"),
    ("Setirizin kullanırken araç kullanılabilir mi?", "setirizin-10.pdf", "araç kullanırken"),
    ("Salbutamol 24 saatte en çok kaç püskürtme kullanılabilir?", "salbutamol-inhaler.docx", "8 püskürtme"),
    ("Loratadin şurubu açıldıktan sonra ne kadar süre kullanılabilir?", "loratadin-surup.html", "1 ay içinde"),
    ("D3 vitamini damlası bebeklere günde kaç damla verilir?", "d3-vitamini-damla.md", "1 damla"),
    ("Naproksen kan sulandırıcılarla birlikte alınırsa ne olur?", "naproksen-550.txt", "kanama riski"),
    ("İbuprofen hangi sıcaklıkta saklanmalıdır?", "ibuprofen-400.docx", "30 °C"),
    ("Amoksisilini kimler kullanmamalıdır?", "amoksisilin-500.html", "Penisiline alerjiniz"),
    ("Omeprazolün uzun süre kullanılmasının riski nedir?", "omeprazol-20.md", "B12 vitamini"),
    ("Parasetamol kullanırken alkol içebilir miyim?", "parasetamol-500.pdf", "alkol"),
    # Both sentences of its side-effect section answer; the selector prefers the shorter one.
    ("Metforminin yan etkileri nelerdir?", "metformin-850.txt", ("Bulantı, kusma", "metalik tat")),
]

ABSTAINED = [
    "Aspirin günde kaç kez alınır?",
    "Parol günde en fazla kaç tablet alınır?",
    "İbuprofen kafein içerir mi?",
    "Parasetamol köpeklere verilebilir mi?",
    # yes/no: the reader finds an "answer" in the leaflet's first sentence; its margin must not choose it
    "İbuprofen alkolle birlikte alınır mı?",
    "Salbutamol inhalerin fiyatı ne kadardır?",
    "Kediler neden mırlar?",
    "Ekmek nasıl yapılır?",
    "Türkiye'nin başkenti neresidir?",
]


@pytest.mark.parametrize(("question", "source", "quoted"), ANSWERED)
def test_sample_leaflet_questions_are_answered_from_the_right_sentence(assistant, question, source, quoted):
    result = assistant.answer(question)
    assert not result.abstained, result.steps
    assert result.citations[0].file_name == source
    assert any(right in result.quote for right in ((quoted,) if isinstance(quoted, str) else quoted))


@pytest.mark.parametrize("question", ABSTAINED)
def test_sample_leaflet_questions_the_leaflets_cannot_answer_are_abstained_on(assistant, question):
    result = assistant.answer(question)
    assert result.abstained, (result.quote, result.scores, result.steps)
    assert result.answer.startswith(NOT_FOUND)


def test_the_chat_model_is_never_asked_about_a_name_no_document_contains(shipped, store_home):
    from tests.fake_openai import FakeChatServer

    with FakeChatServer() as server:
        cfg = shipped_config(store_home, shipped, answer={"backend": "openai", "model": "fake-tools",
                                                          "base_url": server.url})
        result = Assistant(cfg).answer("Aspirin kaç yaşından itibaren kullanılır?")
    assert result.abstained and "«Aspirin»" in result.answer
    assert server.requests == []
