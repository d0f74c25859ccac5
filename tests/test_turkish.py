from retrievers.textrepair import decode_text, looks_binary, repair_text
from retrievers.turkish import analyze, make_stemmer, sentence_spans, turkish_casefold


def test_turkish_casefolding():
    assert turkish_casefold("İSTANBUL") == "istanbul"
    assert turkish_casefold("IŞIK") == "ışık"
    assert turkish_casefold("İstanbul") == turkish_casefold("istanbul")
    assert turkish_casefold("IŞIK") != turkish_casefold("işik")
    assert turkish_casefold("ÇĞÖÜ") == "çğöü"


def test_casefold_normalises_decomposed_input():
    decomposed = "s\u0327urup"  # s + combining cedilla
    assert turkish_casefold(decomposed) == "şurup"


def test_analyzer_splits_apostrophes_drops_stopwords_and_stems():
    stem = make_stemmer("prefix", 5)
    assert analyze("İstanbul'da IŞIK ve güneş", stem) == ["istan", "ışık", "güneş"]
    assert analyze("Ankara'nın", make_stemmer("none")) == ["ankara", "nın"]


def test_snowball_stemmer_merges_inflections():
    stem = make_stemmer("snowball")
    assert analyze("kitaplar", stem) == analyze("kitapların", stem)


def test_sentence_boundaries_respect_abbreviations_and_ordinals():
    text = "Dr. Ayşe geldi. Günde 2 kez alınır. 3. gün doz artar. Yan etkiler vb. görülebilir! Neden?\nBaş ağrısı"
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Dr. Ayşe geldi.", "Günde 2 kez alınır.", "3. gün doz artar.", "Yan etkiler vb. görülebilir!", "Neden?",
        "Baş ağrısı",
    ]


def test_roman_ordinals_and_dotted_abbreviations_do_not_end_a_sentence():
    """Turkish history text names rulers with Roman ordinals ("II. Murad") and dates with "M.Ö.":
    a split there quotes half a sentence and cuts the answer from its question's words."""
    text = "Fatih Sultan Mehmed, II. Murad'ın oğludur. Şehir M.Ö. 330 yılında kuruldu. XIV. Louis öldü. Bitti."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Fatih Sultan Mehmed, II. Murad'ın oğludur.", "Şehir M.Ö. 330 yılında kuruldu.", "XIV. Louis öldü.",
        "Bitti.",
    ]


def test_a_sentence_glued_to_the_next_still_ends():
    """Extracted text often loses the space after a full stop ("etmiştir.Anadolu"); a capital right
    after the stop of a lower-case word ends the sentence, but not after an abbreviation or numeral."""
    text = "Savaşı kazanmıştır.Anadolu Beylikleri kuruldu. Dr.Ayşe geldi. IV.Murat tahta çıktı. Prof.Kaya yazdı."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Savaşı kazanmıştır.", "Anadolu Beylikleri kuruldu.", "Dr.Ayşe geldi.", "IV.Murat tahta çıktı.",
        "Prof.Kaya yazdı.",
    ]


def test_a_sentence_glued_to_a_year_a_quote_or_a_ruler_still_ends():
    """The same lost space before a year, a quotation or a ruler's ordinal ("etmiştir.1281 yılında",
    "addır.'Celâl’e mensup'", "kaldırıldı.II. Mehmed"), seen in TQuAD's own paragraphs; a decimal
    number or a dose ("2.5 mg") keeps its stop."""
    text = ("Osman Bey hayatını kaybetmiştir.1281 yılında evlendi. Buna isyan denir.'Celâl’e mensup' demektir. "
            "Kuşatma kaldırıldı.II. Mehmed tahta geçti. Günde 2.5 mg alınır. Dr.Kaya.1990 yılında yazdı.")
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Osman Bey hayatını kaybetmiştir.", "1281 yılında evlendi.", "Buna isyan denir.",
        "'Celâl’e mensup' demektir.", "Kuşatma kaldırıldı.", "II. Mehmed tahta geçti.", "Günde 2.5 mg alınır.",
        "Dr.Kaya.", "1990 yılında yazdı.",
    ]


def test_mojibake_is_repaired():
    assert repair_text("Ä°laÃ§ ÅŸurubu Ä±lÄ±k suyla") == "İlaç şurubu ılık suyla"


def test_cp1254_and_bom_files_decode():
    text = "Işık, ığdır, şeker, İzmir"
    assert decode_text(text.encode("cp1254")) == text
    assert decode_text(b"\xef\xbb\xbf" + text.encode()) == text
    assert decode_text(text.encode("utf-16")) == text


def test_binary_detection():
    assert looks_binary(b"\x00\x01\x02PK\x03\x04" * 100)
    assert not looks_binary("Düz metin\n".encode())


def window_of(query: str, text: str, budget: int) -> str:
    from retrievers.window import query_window

    stem = make_stemmer("prefix", 5)
    return query_window(text, set(analyze(query, stem)), lambda t: analyze(t, stem), budget)


LEAFLET = ("Parasetamol ağrı kesici ve ateş düşürücü bir ilaçtır. Tabletler bir bardak su ile yutulur. "
           "Çocuklarda doz kiloya göre hesaplanır. Karaciğer hastalığı olanlar doktoruna danışmalıdır. "
           "Yüksek dozda alınması KARACİĞERE zarar verebilir. İlacı güneş ışığından uzak saklayınız.")


def test_query_window_keeps_the_sentences_with_the_query_terms():
    window = window_of("Karaciğer hastalığında parasetamol zarar verir mi?", LEAFLET, 110)
    assert window == ("Karaciğer hastalığı olanlar doktoruna danışmalıdır. "
                      "Yüksek dozda alınması KARACİĞERE zarar verebilir.")
    assert window_of("Tabletler nasıl yutulur?", LEAFLET, 110).startswith("Parasetamol ağrı kesici")  # earliest run
    assert window_of("karaciğer", LEAFLET, 0) == LEAFLET == window_of("karaciğer", LEAFLET, 1000)


def test_query_window_cuts_one_long_sentence_at_a_space():
    sentence = "Bu ilaç " + "uzun bir açıklama ile " * 20 + "karaciğer için zararlıdır."
    window = window_of("karaciğer", sentence, 60)
    assert len(window) <= 60 and sentence.startswith(window) and not window.endswith(" ")


def test_consonant_softening_is_folded():
    from retrievers.turkish import hardened, softening_key

    assert hardened("şurub") == "şurup" and hardened("köpeğ") == "köpek" and hardened("kalem") == "kalem"
    assert softening_key("şurubu") == softening_key("şurup") == "surup"
    assert softening_key("ilacı") == softening_key("ilaç")
    assert softening_key("kalem") != softening_key("kale")


def test_a_collection_with_a_word_contains_its_softened_forms():
    from bilge.config import Bm25Config
    from retrievers.bm25 import Bm25Index

    index = Bm25Index.build(Bm25Config(), ["a", "b"], ["Öksürük şurup olarak satılır.", "Bir ilaç günde iki kez."])
    assert index.contains("şurubu") and index.contains("ilacı") and index.contains("Ilac")
    assert not index.contains("kalemi")


def test_a_passage_mentions_a_name_as_the_collection_contains_it():
    from bilge.config import Bm25Config
    from retrievers.bm25 import Bm25Index

    index = Bm25Index.build(Bm25Config(), ["a"], ["METFORMİN 850 MG TABLET\nBulantı görülebilir."])
    assert index.mentions("METFORMİN 850 MG TABLET\nBulantı görülebilir.", "Metforminin")
    assert index.mentions("Öksürük şurubu", "şurup") and index.mentions("Ibuprofen tablet", "İbuprofenin")
    assert not index.mentions("Omeprazol 20 mg\nBaş ağrısı görülebilir.", "Metforminin")


def test_names_are_judged_by_their_family_not_their_inflected_form():
    from assistant.questions import name_candidates, name_frequency

    assert name_frequency("kullanılmalıdır") > 4.0 > 3.5 > name_frequency("aspirin")  # by "kullan"
    assert name_frequency("metformin") == 0.0 and name_frequency("köpeklere") > 4.5
    assert name_candidates("Metformin kullanılmalıdır mı?", 4.0) == ["Metformin"]
    assert name_frequency("gripte") > 4.0 and name_frequency("hapının") > 3.5  # Snowball stems: grip, hap


def test_words_written_as_names_are_told_from_sentence_case():
    """Turkish capitalises a name and sets its suffix off with an apostrophe; a sentence's first
    word is capitalised anyway, so it counts only when a capitalised word follows it."""
    from assistant.questions import proper_names

    assert proper_names("Parol'ü Fransa’da bulabilir miyim?") == {"parol", "fransa"}
    assert proper_names("Altay Sezgin hangi yılda doğdu?") == {"altay", "sezgin"}
    assert proper_names("Bu ilaç İzmir Ege Bölgesi için mi?") == {"izmir", "ege", "bölgesi"}
    assert proper_names("Hamilelikte kullanılır mı? Araba kullanabilir miyim?") == set()
    assert proper_names("HAMİLELİKTE PAROL KULLANILIR MI?") == set()  # no case to read
    assert proper_names("HAMİLELİKTE PAROL'Ü KULLANABİLİR MİYİM?") == {"parol"}  # the apostrophe still tells


def test_the_questions_verb_is_never_taken_for_a_name():
    from assistant.questions import name_candidates

    assert name_candidates("Parasetamol alırken alkol içebilir miyim?", 3.5) == ["Parasetamol"]
    assert name_candidates("İbuprofen kafein içerir mi?", 3.5) == ["İbuprofen", "kafein"]
    assert name_candidates("Aspirin nedir?", 3.5) == ["Aspirin"]  # a question word is no verb
    # nor is a subordinate clause's: a participle in -dık, a conditional
    assert name_candidates("İyileştiğimi hissedersem amoksisilini bırakabilir miyim?", 3.5) == ["amoksisilini"]
    assert name_candidates("Amoksisilin kullanırken dudaklarım şişerse ne yapmalıyım?", 3.5) == ["Amoksisilin"]
    # as an unfamiliar word, a predicate no document uses still counts
    assert "renktedir" in name_candidates("Şurup hangi renktedir?", float("inf"), keep_predicate=True)


def test_a_yes_no_question_is_told_from_one_that_asks_for_something():
    from assistant.questions import asks_yes_or_no

    for yes_no in ("Metformin yemekle mi alınır?", "Karaciğer hastası olan biri parasetamol kullanabilir mi?",
                   "Alkol içebilir miyim?", "İbuprofen aç karnına mı alınır, tok karnına mı?",
                   "Kaçınılması gereken yiyecekler var mı?"):
        assert asks_yes_or_no(yes_no), yes_no
    for asks in ("Parasetamol kaç saat arayla alınır?", "Omeprazol ne zaman alınmalıdır?", "Yan etkileri nelerdir?",
                 "Hangi ilaç uyku yapar mı?", "Salbutamol nasıl saklanır?", "Kimler kullanmamalıdır?"):
        assert not asks_yes_or_no(asks), asks


def test_a_question_asking_a_number_and_a_sentence_stating_one_are_told():
    from retrievers.turkish import asks_count, holds_number

    for count in ("Günde kaç tablet alınır?", "KAÇ yaşından küçüklere verilmez?", "Yaşı kaçtır?",
                  "Kaçıncı kuşatmadır?", "Kaça satılır?"):
        assert asks_count(count), count
    for other in ("Hangi yiyeceklerden kaçınmalıyım?", "Kaçak ilaç nasıl anlaşılır?", "Ne zaman alınır?",
                  "Bayezid neden İran'a kaçtı?"):
        assert not asks_count(other), other
    for number in ("Günde 2 kez alınır.", "Günde bir kez alınır.", "Haftada bir uygulanır.", "Bir tablet yutulur.",
                   "İki yaşından küçüklere verilmez.", "Dördüncü kuşatmadır.", "III.Arnavutluk seferinde kuşatıldı.",
                   "Tedavi yarım saat sürer."):
        assert holds_number(number), number
    # a definition's article is no count: the sentence a leaflet opens with answers no "kaç" question
    for none in ("Setirizin bir antihistaminiktir.", "Omeprazol bir proton pompası inhibitörüdür.",
                 "Uyku hali görülebilir."):
        assert not holds_number(none), none


def test_a_polite_request_frame_is_not_part_of_the_question():
    from assistant.questions import without_request_frame as plain

    assert plain("Acaba bana söyler misiniz, salbutamol nasıl saklanmalıdır?") == "Salbutamol nasıl saklanmalıdır?"
    assert plain("Merhaba, ilacı ne zaman almalıyım lütfen?") == "İlacı ne zaman almalıyım?"
    assert plain("Parasetamolün yan etkileri nelerdir, öğrenmek istiyorum.") == "Parasetamolün yan etkileri nelerdir?"
    assert plain("Omeprazol aç karnına mı alınır, söyleyebilir misiniz?") == "Omeprazol aç karnına mı alınır?"
    # Words that only look like a request stay: a problem ("sorun"), a student ("öğrenci"), a note.
    for kept in ("Böbrek sorunu olanlar kullanabilir mi?", "Öğrenciler hangi sınava girer?",
                 "Açıklama bölümünde ne yazıyor?", "Salbutamol nasıl saklanmalıdır?"):
        assert plain(kept) == kept
    assert plain("Söyler misiniz?") == "Söyler misiniz?"  # nothing would be left to ask
