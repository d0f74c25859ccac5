"""Unanswerable questions made from real ones, and the abstention summary."""

from __future__ import annotations

import json

from retrievers.squad import Answer, Article, Paragraph, Question


def article(title: str, context: str, *questions: str) -> Article:
    return Article(title, [Paragraph(context, [Question(str(i), q, [Answer(context.split()[0], 0)])
                                               for i, q in enumerate(questions)])])


STORE = [
    article("Pardus", "Pardus bir işletim sistemidir. İlk sürümü 2005 yılında yayımlandı.",
            "Pardus'un ilk sürümü hangi yılda yayımlandı?"),
    article("Altay", "Altay bir ana muharebe tankıdır. Motor hacmi büyüktür.",
            "Altay tankının motor hacmi nedir?"),
]
OTHER = [article("Turkcell", "Turkcell bir iletişim şirketidir.", "Turkcell ne zaman kuruldu?")]


def test_probes_make_each_kind_from_real_questions():
    from retrievers.unanswerable import probes

    made = probes(STORE, OTHER, seed=1)
    by_kind = {kind: [p.question for p in made if p.kind == kind] for kind in {p.kind for p in made}}
    assert sorted(by_kind["answerable"]) == ["Altay tankının motor hacmi nedir?",
                                             "Pardus'un ilk sürümü hangi yılda yayımlandı?"]
    assert by_kind["absent_article"] == ["Turkcell ne zaman kuruldu?"]
    assert "Turkcell'un ilk sürümü hangi yılda yayımlandı?" in by_kind["absent_entity"]
    assert probes(STORE, OTHER, seed=1) == made  # seeded


def test_an_attribute_probe_swaps_the_word_asked_about_for_one_asked_of_another_article():
    """The word after "hangi"/"kaç", or before a closing "nedir"/"kimdir", is what is asked; a verb
    ("yayımlandı", "çizildi") swapped instead leaves a question its article still answers. The
    replacement fills the same place in another article's question, its own article never uses it
    in any form, and it does not ask when (any date would answer that)."""
    from retrievers.unanswerable import probes

    piri_reis = article("Piri Reis", "Piri Reis bir denizcidir. Haritası ceylan derisine çizildi. Memleketi Gelibolu'dur.",
                        "Piri Reis'in haritası hangi deriye çizildi?", "Piri Reis'in memleketi nedir?")
    sinan = article("Mimar Sinan", "Mimar Sinan bir mimardır. Selimiye'yi Edirne'de yaptı.",
                    "Mimar Sinan Selimiye'yi hangi şehirde yaptı?")
    made = {p.original: p.question for p in probes(STORE + [piri_reis, sinan], OTHER, seed=1)
            if p.kind == "absent_attribute"}
    assert made["Altay tankının motor hacmi nedir?"] == "Altay tankının motor memleketi nedir?"  # the entity stays
    assert made["Piri Reis'in memleketi nedir?"] == "Piri Reis'in hacmi nedir?"
    assert made["Piri Reis'in haritası hangi deriye çizildi?"] == "Piri Reis'in haritası hangi şehirde çizildi?"
    assert made["Mimar Sinan Selimiye'yi hangi şehirde yaptı?"] == "Mimar Sinan Selimiye'yi hangi deriye yaptı?"
    assert made["Pardus'un ilk sürümü hangi yılda yayımlandı?"] in {"Pardus'un ilk sürümü hangi deriye yayımlandı?",
                                                                   "Pardus'un ilk sürümü hangi şehirde yayımlandı?"}
    pardus = article("Pardus", "Pardus bir işletim sistemidir.", "Pardus hangi dilde yazıldı?")
    written = article("Piri Reis", "Piri Reis bir denizcidir. Kitabı Türk dilinde yazıldı.",
                      "Piri Reis'in haritası hangi deriye çizildi?")
    made = [p.question for p in probes([pardus, written], OTHER, seed=1) if p.kind == "absent_attribute"]
    assert made == ["Pardus hangi deriye yazıldı?"]  # "dilinde" is "dilde" by its stem, though not by its key


def test_halves_split_articles_with_questions_only():
    from retrievers.unanswerable import split_halves

    silent = Article("Boş", [Paragraph("Soru yok.", [])])
    first, second = split_halves(STORE + OTHER + [silent])
    assert sorted(a.title for a in first + second) == ["Altay", "Pardus", "Turkcell"]
    assert not {a.title for a in first} & {a.title for a in second}


def test_summary_counts_precision_over_all_questions_asked():
    from assistant.abstention import abstention_summary
    from assistant.evaluation import Tally

    tally = Tally()
    for abstained in (True, False, False, False):
        tally.add("abstained_answerable", abstained)
    for abstained in (True, True, True, False):
        tally.add("abstained_absent_article", abstained)
    summary = abstention_summary(tally)
    assert summary["answered_answerable"] == 0.75 and summary["abstention_recall"] == 0.75
    assert summary["abstention_precision"] == 0.75  # 3 right abstentions of 4


def test_eval_abstention_reports_every_kind(shipped, store_home, tmp_path):
    from typer.testing import CliRunner

    from bilge.cli.main import app
    from retrievers.squad import dump_squad
    from tests.conftest import shipped_config, write_config

    squad = tmp_path / "mini.json"
    dump_squad(STORE + OTHER + [article("Setirizin", "Setirizin bir antihistaminiktir. Uyku yapabilir.",
                                        "Setirizin uyku yapar mı?")], squad)
    config = write_config(tmp_path / "bilge.toml", shipped_config(tmp_path / "home", shipped))
    details = tmp_path / "details.jsonl"
    result = CliRunner().invoke(app, ["--config", str(config), "eval", "abstention", "--squad", str(squad),
                                      "--details", str(details), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert {"abstained_answerable", "abstained_absent_article", "answered_answerable",
            "abstention_precision", "abstention_recall"} <= set(metrics)
    records = [json.loads(line) for line in details.read_text(encoding="utf-8").splitlines()]
    assert {r["kind"] for r in records} >= {"answerable", "absent_article"}
    assert all({"half", "scores", "missing_names", "abstained"} <= set(r) for r in records)
