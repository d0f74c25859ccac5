"""bilge data check / fix / convert / split / inspect on small hand-made files and the real data."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from bilge.cli.main import app
from retrievers.squad import load_squad
from training.datasets.check import check_files, counts
from training.datasets.convert import from_rows, from_textpair
from training.datasets.fix import fix_files
from training.datasets.split import paragraph_key, split_articles

CONTEXT = "Osmanlı Devleti 1299 yılında kuruldu. İstanbul 1453 yılında fethedildi."


def squad(path, articles):
    path.write_text(json.dumps({"version": "1.1", "data": articles}, ensure_ascii=False), encoding="utf-8")
    return path


def qa(qid, question, text, start):
    return {"id": qid, "question": question, "answers": [{"text": text, "answer_start": start}]}


@pytest.fixture
def messy(tmp_path):
    return squad(tmp_path / "messy.json", [
        {"title": "Tarih", "paragraphs": [
            {"context": CONTEXT, "qas": [
                qa("1", "Devlet ne zaman kuruldu?", "1299", CONTEXT.index("1299")),  # fine
                qa("2", "İstanbul ne zaman fethedildi?", "1453", 3),                  # wrong offset, unique text
                qa("2", "Yinelenen kimlik?", "Osmanlı", 0),                            # duplicate id
                qa("3", "Olmayan cevap?", "1071", 5),                                  # absent
                qa("4", "", "1299", CONTEXT.index("1299")),                            # empty question
            ]},
            {"context": CONTEXT, "qas": [qa("5", "Devlet ne zaman kuruldu?", "1299", CONTEXT.index("1299"))]},
            {"context": "yıl yıl yıl", "qas": [qa("6", "Devlet ne zaman kuruldu?", "yıl", 99)]},  # ambiguous
            {"qas": []},                                                              # schema
        ]},
    ])


def test_check_finds_every_problem_kind(messy):
    found = counts(check_files([messy]))
    assert found == {"schema": 1, "empty_field": 1, "duplicate_id": 1, "duplicate_paragraph": 1,
                     "offset_mismatch": 2, "answer_absent": 1, "question_repeated": 1, "unanswered": 0}


def test_fix_repairs_drops_reports_and_is_idempotent(messy, tmp_path):
    fixed, report = fix_files([messy])
    whys = [d["why"] for d in report.drops]
    assert any(w.startswith("absent") for w in whys) and any(w.startswith("ambiguous") for w in whys)
    assert any(w.startswith("schema") for w in whys) and any(w.startswith("empty") for w in whys)
    assert any("answer_start 3 →" in c["what"] for c in report.changes)
    assert any("renamed" in c["what"] for c in report.changes)
    out = squad(tmp_path / "fixed.json", fixed["data"])
    after = counts(check_files([out]))
    assert all(after[kind] == 0 for kind in ("schema", "empty_field", "duplicate_id", "duplicate_paragraph",
                                             "offset_mismatch", "answer_absent"))
    again, second_report = fix_files([out])
    assert again == fixed and second_report.changes == [] and second_report.drops == []


def test_fix_repairs_mojibake_and_whitespace(tmp_path):
    context = "Ä°stanbul  1453   yÄ±lÄ±nda\nfethedildi."
    path = squad(tmp_path / "m.json", [{"title": "t", "paragraphs": [
        {"context": context, "qas": [qa("1", "Ne zaman?", "1453", context.index("1453"))]}]}])
    fixed, _ = fix_files([path])
    paragraph = fixed["data"][0]["paragraphs"][0]
    assert paragraph["context"] == "İstanbul 1453 yılında fethedildi."
    answer = paragraph["qas"][0]["answers"][0]
    assert paragraph["context"][answer["answer_start"]:].startswith("1453")


def test_real_offset_bug_is_found_and_repaired(shared_data, tmp_path):
    source = shared_data / "tquad" / "enelpi_1451-1579_train_data.json"
    assert counts(check_files([source]))["offset_mismatch"] >= 5
    fixed, report = fix_files([source])
    out = squad(tmp_path / "fixed.json", fixed["data"])
    after = counts(check_files([out]))
    assert after["offset_mismatch"] == after["answer_absent"] == after["duplicate_id"] == 0
    assert report.drops  # the ambiguous and absent answers are reported, not silently lost


def test_jsonl_and_csv_conversion_round_trip(tmp_path):
    rows = [{"question": "Ne zaman kuruldu?", "context": CONTEXT, "answer": "1299", "title": "Tarih"},
            {"question": "Ne zaman fethedildi?", "context": CONTEXT, "answer": "1453", "title": "Tarih"}]
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    with (tmp_path / "rows.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for path, kind in ((jsonl, "jsonl"), (tmp_path / "rows.csv", "csv")):
        result = from_rows(path, kind)
        assert result.review == []
        (article,) = result.articles
        (paragraph,) = article.paragraphs
        assert [(q.question, q.answers[0].text, paragraph.context[q.answers[0].start:][:4]) for q in paragraph.qas] == [
            ("Ne zaman kuruldu?", "1299", "1299"), ("Ne zaman fethedildi?", "1453", "1453")]


def test_textpair_alignment_flags_ambiguous_questions(tmp_path):
    contexts = tmp_path / "paragraflar.txt"
    contexts.write_text(
        "Parasetamol ağrı kesici ve ateş düşürücüdür.\n\n"
        "Amoksisilin bir antibiyotiktir ve enfeksiyonlarda kullanılır.\n\n"
        "Omeprazol mide asidini azaltır.\n", encoding="utf-8")
    questions = tmp_path / "sorular.tsv"
    questions.write_text(
        "1\tParasetamol ne işe yarar?\tağrı kesici\n"
        "2\tAmoksisilin hangi ilaç grubundandır?\n"
        "3\tBu ilaç nedir?\n"  # shares no content word: cannot be placed with confidence
        "1\tOmeprazol neyi azaltır?\n", encoding="utf-8")  # numbered 1 but about paragraph 3
    result = from_textpair(contexts, questions, min_confidence=0.35)
    placed = {q.question: p.context for a in result.articles for p in a.paragraphs for q in p.qas}
    assert placed["Parasetamol ne işe yarar?"].startswith("Parasetamol")
    assert placed["Amoksisilin hangi ilaç grubundandır?"].startswith("Amoksisilin")
    review = {r["question"]: r["reason"] for r in result.review}
    assert set(review) == {"Bu ilaç nedir?", "Omeprazol neyi azaltır?"}
    assert "numbered context 0 but the content points to 2" in review["Omeprazol neyi azaltır?"]


def test_textpair_block_count_mismatch_is_reported(tmp_path):
    contexts = tmp_path / "p.txt"
    contexts.write_text("Parasetamol ağrı keser.\n\nAmoksisilin antibiyotiktir.\n", encoding="utf-8")
    questions = tmp_path / "q.tsv"
    questions.write_text("3\tAmoksisilin nedir?\tantibiyotiktir\n", encoding="utf-8")
    result = from_textpair(contexts, questions, 0.35)
    assert "has 2 blank-line-separated contexts but the questions refer to 3" in result.notes[0]
    assert result.questions == 1  # aligned by content instead of the untrusted number


def test_split_by_article_without_overlap_or_held_out(tmp_path, shared_data):
    articles = [a for f in sorted((shared_data / "tquad").glob("enelpi_*.json")) for a in load_squad(f)]
    dev = load_squad(shared_data / "tquad" / "dev.json")
    held_out = {paragraph_key(p.context) for a in dev for p in a.paragraphs}
    result = split_articles(articles, 0.1, held_out=held_out)
    train_keys = {paragraph_key(p.context) for a in result.train for p in a.paragraphs}
    dev_keys = {paragraph_key(p.context) for a in result.dev for p in a.paragraphs}
    assert not train_keys & dev_keys and not (train_keys | dev_keys) & held_out
    assert not {a.title for a in result.train} & {a.title for a in result.dev}
    assert result.excluded_paragraphs == 25
    assert split_articles(articles, 0.1, held_out=held_out).dev == result.dev  # deterministic


def test_inspect_ranks_candidates_with_every_scorer(tmp_path, tiny_model_dir):
    from tests.conftest import make_config, write_config

    cfg = make_config(tmp_path / "home", tiny_model_dir, reranker={"model": str(tmp_path / "no-reranker")})
    config = write_config(tmp_path / "bilge.toml", cfg)
    result = CliRunner().invoke(app, [
        "--config", str(config), "data", "inspect", "--question", "Parasetamol karaciğere zarar verir mi?",
        "--paragraph", "Yüksek dozda parasetamol karaciğer hasarı yapabilir.",
        "--unrelated", "Salbutamol nefes darlığını rahatlatır.", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data["margins"]) == {"bi-encoder", "bm25"}  # no reranker configured
    assert data["margins"]["bm25"] > 0
    assert [c["role"] for c in data["candidates"]] == ["answer", "unrelated"]


def test_data_cli_check_json_and_fix_outputs(messy, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["data", "check", str(messy), "--json"], catch_exceptions=False)
    assert result.exit_code == 1  # a schema problem
    data = json.loads(result.stdout)
    assert set(data) == {"counts", "problems"}
    assert {"kind", "file", "article", "paragraph", "question_id", "detail"} == set(data["problems"][0])
    out = tmp_path / "out" / "fixed.json"
    result = runner.invoke(app, ["data", "fix", str(messy), "-o", str(out), "--json"], catch_exceptions=False)
    assert result.exit_code == 0 and out.exists() and (tmp_path / "out" / "fixed.report.json").exists()


def test_folder_conversion_aligns_questions_to_document_passages(docs_dir, tmp_path):
    from training.datasets.convert import from_folder

    questions = tmp_path / "sorular.txt"
    questions.write_text("Amoksisilin hangi ilaç grubundandır?\tpenisilin grubundan bir antibiyotiktir\n"
                         "Bu nedir?\n", encoding="utf-8")
    result = from_folder(docs_dir, questions, 0.35)
    (placed,) = [(p.context, q) for a in result.articles for p in a.paragraphs for q in p.qas]
    context, question = placed
    assert "Amoksisilin" in context and question.answers[0].text == "penisilin grubundan bir antibiyotiktir"
    assert context[question.answers[0].start:].startswith("penisilin grubundan")
    assert [r["question"] for r in result.review] == ["Bu nedir?"]
