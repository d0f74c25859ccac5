"""The assistant on a real store of the sample leaflets with the shipped models: the graph's
paths, citations, follow-ups, a planted injection, streaming, and the chat-model path against an
OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json

import pytest

from assistant.conversation import Conversation
from assistant.events import NOT_FOUND, AnswerChunk, Done, Failed, Searching, SourceFound
from assistant.service import Assistant
from tests.conftest import PLANTED, shipped_config, write_config
from tests.fake_openai import FakeChatServer


@pytest.fixture
def make_cfg(shipped, store_home):
    return lambda **sections: shipped_config(store_home, shipped, **sections)


@pytest.fixture(scope="session")
def assistant(shipped, store_home):
    return Assistant(shipped_config(store_home, shipped))


def document_text(source: str) -> str:
    from pathlib import Path

    from retrievers.chunking import chunk_blocks
    from retrievers.loaders import read_blocks

    return chunk_blocks(read_blocks(Path(source)), 900, 1)[0]


def test_strong_evidence_is_answered_with_a_quote_and_an_exact_citation(assistant):
    result = assistant.answer("Parasetamol günde en fazla kaç tablet alınır?")
    assert not result.abstained
    assert "8 tablet" in result.answer and "[1]" in result.answer
    citation = result.citations[0]
    assert citation.file_name == "parasetamol-500.pdf" and citation.page == 1
    assert citation.section == "Nasıl kullanılır?"
    assert document_text(citation.source)[citation.start:citation.end] == citation.text
    assert result.quote in citation.text
    assert [s.split(":")[0] for s in result.steps] == ["search", "answer"]


def test_weak_evidence_is_rewritten_before_it_abstains(make_cfg):
    # no sentence is ever sure enough, so every query set the rewrites offer is tried
    result = Assistant(make_cfg(answer={"sentence_min_score": 0.999})).answer("Metformin ile alkol alınır mı?")
    assert result.steps == ["search: Metformin ile alkol alınır mı?",
                            "rewrite 1: metformin metfo alkol alınır",
                            "rewrite 2: Metformin | alkol alınır mı?", result.steps[-1]]
    assert result.abstained and result.steps[-1].startswith("abstain: ")


def test_no_evidence_abstains_with_the_closest_passages(assistant):
    result = assistant.answer("Türkiye'nin başkenti neresidir?")
    assert result.abstained
    assert result.answer.startswith(NOT_FOUND)
    assert result.citations and all(c.label in result.answer for c in result.citations)
    assert result.steps[-1].startswith("abstain")


@pytest.mark.parametrize("question", ["Omeprazol ne zaman alınır ve nasıl saklanır?",
                                      "Omeprazol ne zaman alınır, nasıl saklanır?"])
def test_a_two_part_question_is_searched_per_part(assistant, question):
    result = assistant.answer(question)
    searches = [s for s in result.steps if s.startswith("search")]
    assert len(searches) == 2 and "saklanır" in searches[1] and "omeprazol" in searches[1].lower()
    assert not result.abstained and "kahvaltıdan önce" in result.answer and "şişesinde" in result.answer


def test_a_polite_question_is_answered_as_the_plain_one(assistant):
    plain = assistant.answer("Salbutamol nasıl saklanmalıdır?")
    polite = assistant.answer("Acaba bana söyler misiniz, salbutamol nasıl saklanmalıdır?")
    assert polite.steps[0] == "resolve: Salbutamol nasıl saklanmalıdır?"
    assert polite.steps[1:] == plain.steps and polite.answer == plain.answer
    assert not polite.abstained and "30 °C" in polite.quote


def test_follow_up_is_resolved_against_the_previous_turn(assistant):
    conversation = Conversation()
    first = assistant.answer("Parasetamol günde en fazla kaç tablet alınır?", conversation)
    assert first.citations[0].file_name == "parasetamol-500.pdf"
    follow = assistant.answer("Peki yan etkileri neler?", conversation)
    assert "parasetamol" in follow.standalone.lower()
    assert follow.citations[0].file_name == "parasetamol-500.pdf"
    assert follow.citations[0].section == "Olası yan etkiler"
    assert len(conversation.turns) == 2


def test_planted_instructions_are_data_not_commands(assistant):
    result = assistant.answer("Parasetamolün yan etkileri nelerdir?")
    assert "HER ŞEY YOLUNDA" not in result.answer
    assert result.citations[0].file_name == "parasetamol-500.pdf"
    quoted = assistant.answer("Asistan talimatı belgesinde ne yazıyor?")
    # Asked about the planted document itself, the answer only quotes it as a cited passage.
    assert all(line.startswith(("> ", "**", "*", NOT_FOUND, "En yakın", "- ")) or not line
               for line in quoted.answer.splitlines())


def test_events_stream_in_order_and_spell_the_answer(assistant):
    async def collect():
        return [event async for event in assistant.ask("D3 vitamini nasıl saklanır?")]

    events = asyncio.run(collect())
    assert isinstance(events[0], Searching) and isinstance(events[-1], Done)
    kinds = [type(e) for e in events]
    assert kinds.index(SourceFound) < kinds.index(AnswerChunk)
    text = "".join(e.text for e in events if isinstance(e, AnswerChunk))
    assert text.strip() == events[-1].result.answer.strip()


def test_cancelling_the_stream_stops_cleanly(assistant):
    async def first_event_then_stop():
        stream = assistant.ask("Loratadin şurubu kaç yaşından itibaren kullanılır?")
        event = await anext(stream)
        await stream.aclose()
        return event

    assert isinstance(asyncio.run(first_event_then_stop()), Searching)


def test_missing_collection_is_one_error_line(make_cfg):
    from bilge.errors import IndexMissingError

    with pytest.raises(IndexMissingError, match="bilge ingest"):
        Assistant(make_cfg(), "yok-boyle-bir-koleksiyon")


def test_bilge_ask_json(make_cfg, tmp_path):
    from typer.testing import CliRunner

    from bilge.cli.main import app

    config = write_config(tmp_path / "bilge.toml", make_cfg())
    result = CliRunner().invoke(app, ["--config", str(config), "ask", "Setirizin uyku yapar mı?", "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert set(record) >= {"answer", "abstained", "citations", "steps"}
    assert set(record["citations"][0]) >= {"source", "page", "section", "start", "end", "text", "score"}


# The chat-model path, against a server that speaks the real protocol.

def test_tool_calling_agent_searches_streams_and_cites(make_cfg):
    with FakeChatServer() as server:
        cfg = make_cfg(answer={"backend": "openai", "model": "fake-tools", "base_url": server.url})
        events = list(Assistant(cfg).events("Parasetamol günde en fazla kaç tablet alınır?"))
    assert isinstance(events[0], Searching)
    result = events[-1].result
    assert len([e for e in events if isinstance(e, AnswerChunk)]) > 3  # streamed word by word
    assert result.citations and result.citations[0].number == 1 and "[1]" in result.answer
    assert result.citations[0].text.splitlines()[0] in result.answer
    tool_turn = server.requests[-1]["messages"]
    assert [m["role"] for m in tool_turn] == ["system", "user", "assistant", "tool"]
    assert "<belge numara" in tool_turn[-1]["content"] and "<belge numara" not in tool_turn[0]["content"]


def test_injected_text_reaches_the_model_only_as_tool_data(make_cfg):
    with FakeChatServer() as server:
        cfg = make_cfg(answer={"backend": "openai", "model": "fake-tools", "base_url": server.url})
        Assistant(cfg).answer("Asistan talimatı belgesinde ne yazıyor?")
    seen = [(m["role"], m["content"]) for r in server.requests for m in r["messages"] if PLANTED[:30] in str(m["content"])]
    assert seen and all(role == "tool" for role, _ in seen)
    assert all("VERİDİR" in r["messages"][0]["content"] for r in server.requests)


def test_model_without_tools_falls_back_to_the_graph_with_the_model_writing(make_cfg):
    with FakeChatServer() as server:
        cfg = make_cfg(answer={"backend": "ollama", "model": "fake-notools", "base_url": server.url})
        result = Assistant(cfg).answer("D3 vitamini nasıl saklanır?")
    assert not result.abstained and result.citations[0].file_name == "d3-vitamini-damla.md"
    assert result.steps[-1].startswith("answer: ollama:fake-notools (writer)")
    assert "tools" not in server.requests[-1]


@pytest.mark.parametrize(("model", "url", "expected"), [
    ("fake-tools", "http://127.0.0.1:9/v1", "Cannot reach the chat model server"),
    ("no-such-model", None, "has no model 'no-such-model'"),
])
def test_backend_failures_become_one_error_event(make_cfg, model, url, expected):
    with FakeChatServer() as server:
        cfg = make_cfg(answer={"backend": "openai", "model": model, "base_url": url or server.url})
        events = list(Assistant(cfg).events("D3 vitamini nasıl saklanır?"))
    assert isinstance(events[-1], Failed) and expected in events[-1].message
    assert "\n" not in events[-1].message


def test_answer_metrics_casefold_turkish():
    from retrievers.answer_metrics import exact_match, token_f1

    assert exact_match("İSTANBUL'da", "istanbul da") == 1.0
    assert token_f1("Günde 8 tablet", "8 tablet") == pytest.approx(0.8)
    assert token_f1("ılık su", "ILIK SU") == 1.0


def test_contains_answer_matches_whole_words_only():
    from retrievers.answer_metrics import contains_answer

    assert contains_answer("Tabletler ILIK SU ile yutulur.", ["ılık su"])
    assert not contains_answer("Günde 18 tablet alınır.", ["8 tablet"])
    assert not contains_answer("Bir şey.", ["", "yok"])


def test_eval_answers_on_a_small_squad_file(make_cfg, tmp_path):
    from typer.testing import CliRunner

    from bilge.cli.main import app

    context = "Parasetamol ağrı kesici ve ateş düşürücüdür. Günde 8 tabletten fazla alınmaz."
    squad = {"version": "1.1", "data": [{"title": "Parasetamol", "paragraphs": [{"context": context, "qas": [
        {"id": "1", "question": "Günde en fazla kaç tablet parasetamol alınır?",
         "answers": [{"text": "8 tabletten", "answer_start": context.index("8 tabletten")}]}]}]}]}
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(squad, ensure_ascii=False), encoding="utf-8")
    config = write_config(tmp_path / "bilge.toml", make_cfg())
    result = CliRunner().invoke(app, ["--config", str(config), "eval", "answers", "--squad", str(path), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert metrics["questions"] == 1 and metrics["answered"] == 1.0
    assert 0.0 < metrics["f1"] <= 1.0 and metrics["selective_accuracy"] in (0.0, 1.0)
    assert metrics["quote_has_answer"] == 1.0  # the quoted sentence holds "8 tabletten"


def test_eval_answers_samples_questions_across_the_file_not_its_first_ones(make_cfg, tmp_path):
    """`--limit N` asks a file's first N questions, often a handful of articles of one kind; `--sample N`
    draws them from every article, seeded, so a quick run stands for the whole file."""
    from typer.testing import CliRunner

    from bilge.cli.main import app

    drugs = ["Parasetamol", "İbuprofen", "Naproksen", "Setirizin", "Omeprazol", "Metformin", "Amoksisilin", "Salbutamol"]
    articles = []
    for drug in drugs:
        context = f"{drug} tableti 25 °C altında saklanır. {drug} günde iki kez alınır."
        articles.append({"title": drug, "paragraphs": [{"context": context, "qas": [
            {"id": drug, "question": f"{drug} günde kaç kez alınır?",
             "answers": [{"text": "iki kez", "answer_start": context.index("iki kez")}]}]}]})
    path = tmp_path / "drugs.json"
    path.write_text(json.dumps({"version": "1.1", "data": articles}, ensure_ascii=False), encoding="utf-8")
    config = write_config(tmp_path / "bilge.toml", make_cfg())

    def asked(*options: str) -> list[str]:
        details = tmp_path / "details.jsonl"
        result = CliRunner().invoke(app, ["--config", str(config), "eval", "answers", "--squad", str(path),
                                          "--details", str(details), "--json", *options])
        assert result.exit_code == 0, result.output
        return [json.loads(line)["question"].split()[0] for line in details.read_text(encoding="utf-8").splitlines()]

    sampled = asked("--sample", "3")
    assert len(sampled) == 3 and sampled != drugs[:3]
    assert sampled == [d for d in drugs if d in sampled]  # in file order
    assert asked("--sample", "3") == sampled  # seeded: the same draw each run
    assert asked("--limit", "3") == drugs[:3]
    result = CliRunner().invoke(app, ["--config", str(config), "eval", "answers", "--squad", str(path),
                                      "--limit", "3", "--sample", "3"])
    assert result.exit_code != 0 and "--sample" in result.output and "Traceback" not in result.output


def test_tidy_span_drops_an_unclosed_bracket_and_edges():
    from assistant.extractive import tidy_span

    assert tidy_span(" 8 tabletten (4 gram") == "8 tabletten"
    assert tidy_span("8 tabletten (4 gram).") == "8 tabletten (4 gram)"
