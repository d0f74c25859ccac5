"""`bilge data fix`: repair what can be repaired in SQuAD files, drop the rest, report both.

- text: mojibake/BOM repaired, NFC, runs of whitespace collapsed (contexts, questions, answers);
- a correct answer offset is carried over to the normalised context (same occurrence);
- a wrong offset is recomputed when the answer text occurs exactly once in the paragraph;
- ambiguous (several occurrences) or absent answers are dropped, and a question left with no
  answer goes too; a repeated paragraph is merged into its first occurrence; a repeated id is
  renamed. Every change and every drop is in the report. Fixing a fixed file changes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from retrievers.textrepair import repair_text
from retrievers.squad import read_json


def normalize(text: str) -> str:
    return " ".join(repair_text(text).split())


@dataclass
class FixReport:
    changes: list[dict] = field(default_factory=list)
    drops: list[dict] = field(default_factory=list)

    def change(self, where: str, what: str) -> None:
        self.changes.append({"where": where, "what": what})

    def drop(self, where: str, why: str) -> None:
        self.drops.append({"where": where, "why": why})

    def as_dict(self) -> dict:
        return {"counts": {"changes": len(self.changes), "drops": len(self.drops),
                           "drops_by_reason": dict(Counter(d["why"].split(":")[0] for d in self.drops))},
                **asdict(self)}


def _locate(raw_context: str, context: str, raw_text: str, text: str, start) -> tuple[int | None, str]:
    """(new start or None, reason) for one answer in the normalised context."""
    if isinstance(start, int) and raw_context[start:start + len(raw_text)] == raw_text:
        nth = raw_context.count(raw_text, 0, start)
        position = -1
        for _ in range(nth + 1):
            position = context.find(text, position + 1)
            if position < 0:
                break
        if position >= 0:
            return position, "kept"
    occurrences = context.count(text)
    if occurrences == 1:
        return context.index(text), "recomputed"
    return None, "ambiguous: answer occurs several times" if occurrences else "absent: answer not in paragraph"


def fix_files(paths: list[Path]) -> tuple[dict, FixReport]:
    report = FixReport()
    seen_ids: set[str] = set()
    paragraphs_by_context: dict[str, dict] = {}
    articles = []
    for path in paths:
        raw = read_json(path)
        data = raw.get("data") if isinstance(raw, dict) else None
        if not isinstance(data, list):
            report.drop(str(path), "schema: no top-level 'data' list")
            continue
        for a, article in enumerate(data):
            where = f"{Path(path).name}#{a}"
            if not isinstance(article, dict) or not isinstance(article.get("paragraphs"), list):
                report.drop(where, "schema: article without paragraphs")
                continue
            fixed = {"title": normalize(str(article.get("title", f"article-{a}"))), "paragraphs": []}
            for p, paragraph in enumerate(article["paragraphs"]):
                kept = _fix_paragraph(f"{where}/{p}", paragraph, report, seen_ids, paragraphs_by_context)
                if kept is not None:
                    fixed["paragraphs"].append(kept)
            if fixed["paragraphs"]:
                articles.append(fixed)
            else:
                report.drop(where, "empty: no paragraph left")
    return {"version": "1.1", "data": articles}, report


def _fix_paragraph(where, paragraph, report, seen_ids, paragraphs_by_context) -> dict | None:
    if not isinstance(paragraph, dict) or not isinstance(paragraph.get("context"), str):
        report.drop(where, "schema: paragraph without a context")
        return None
    raw_context = paragraph["context"]
    context = normalize(raw_context)
    if not context:
        report.drop(where, "empty: empty context")
        return None
    if context != raw_context:
        report.change(where, "context text normalised")
    qas = [q for q in (_fix_question(f"{where}/{n}", raw_context, context, qa, report, seen_ids)
                       for n, qa in enumerate(paragraph.get("qas") or [])) if q is not None]
    if context in paragraphs_by_context:
        first = paragraphs_by_context[context]["qas"]
        known = {(q["question"], str(q["answers"])) for q in first}
        for qa in qas:
            if (qa["question"], str(qa["answers"])) in known:
                report.drop(f"{where} ({qa['id']})", "duplicate: same question already in the paragraph")
            else:
                first.append(qa)
        report.change(where, "duplicate paragraph merged into its first occurrence")
        return None
    fixed = {"context": context, "qas": qas}
    paragraphs_by_context[context] = fixed
    return fixed


def _fix_question(where, raw_context, context, qa, report, seen_ids) -> dict | None:
    if not isinstance(qa, dict) or not isinstance(qa.get("question"), str):
        report.drop(where, "schema: question without text")
        return None
    question = normalize(qa["question"])
    if not question:
        report.drop(where, "empty: empty question")
        return None
    qid = str(qa.get("id") or where)
    if qid in seen_ids:
        new = next(f"{qid}-{n}" for n in range(2, 10_000) if f"{qid}-{n}" not in seen_ids)
        report.change(where, f"duplicate id {qid!r} renamed {new!r}")
        qid = new
    seen_ids.add(qid)
    answers = []
    for raw_answer in qa.get("answers") or []:
        raw_text = raw_answer.get("text") if isinstance(raw_answer, dict) else None
        text = normalize(raw_text) if isinstance(raw_text, str) else ""
        if not text:
            report.drop(f"{where} ({qid})", "empty: empty answer")
            continue
        start, how = _locate(raw_context, context, raw_text, text, raw_answer.get("answer_start"))
        if start is None:
            report.drop(f"{where} ({qid})", f"{how} ({text!r})")
            continue
        if how == "recomputed":
            report.change(f"{where} ({qid})", f"answer_start {raw_answer.get('answer_start')} → {start} for {text!r}")
        answers.append({"text": text, "answer_start": start})
    if qa.get("answers") and not answers:
        report.drop(f"{where} ({qid})", "unanswerable: no usable answer left")
        return None
    return {"id": qid, "question": question, "answers": answers}
