"""Broken PDF spacing: split words joined with the document's own vocabulary, real word pairs kept."""

from __future__ import annotations

from retrievers.spacing import SpacingRepair, repair_spacing
from tests.conftest import REPO


def test_the_leaflet_sentence_is_repaired():
    broken = "JANUMET 56 tabletlik ambalajlarda kullan ıma sunulmu ştur."
    assert repair_spacing([broken]) == ["JANUMET 56 tabletlik ambalajlarda kullanıma sunulmuştur."]


def test_real_word_pairs_names_and_numbers_are_never_joined():
    text = ("Ne den böyle? Gün de iki kez alınır. Metformin de kan şekerini düşürür. Metformin tablet, "
            "Metformin etkisi ve Metforminde yoktur. Doktor Ali Bey 50 mg/850 mg verdi. O da öyle.")
    assert repair_spacing([text]) == [text]


def test_a_term_no_word_list_holds_is_joined_from_the_document_itself():
    pages = ["Metforminin etkisi güçlüdür.", "Metformi nin etkisi sürer."]
    assert repair_spacing(pages)[1] == "Metforminin etkisi sürer."


def test_planted_splits_in_the_sample_leaflets():
    """Every word of 5+ letters of the leaflets split before its first inner ç, ğ, ı, ö, ş or ü:
    most are joined again, and not one real space is removed."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "corpora" / "ilac-ornek").glob("*.md")))
    words = text.split(" ")
    broken, planted = [], 0
    for word in words:
        cut = next((i for i in range(1, len(word) - 1) if word[i] in "çğıöşü" and word[:i].isalpha()), None)
        if cut is not None and len(word) >= 5 and word.isalpha():
            broken.append(word[:cut] + " " + word[cut:])
            planted += 1
        else:
            broken.append(word)
    repaired = SpacingRepair(" ".join(broken)).repair(" ".join(broken))
    assert repaired.count(" ") >= text.count(" ")  # no real space removed
    rejoined = planted - (repaired.count(" ") - text.count(" "))
    assert planted >= 30 and rejoined / planted >= 0.6


def test_a_pdf_with_broken_spacing_is_ingested_repaired(tmp_path):
    from corpora.writers import write_pdf
    from retrievers.loaders import read_blocks

    path = tmp_path / "janumet.pdf"
    write_pdf(path, "Janumet", [("Ambalaj", ["JANUMET 56 tabletlik ambalajlarda kullan ıma sunulmu ştur."])])
    text = " ".join(block.text for block in read_blocks(path))
    assert "kullanıma sunulmuştur" in text
