"""`bilge data check`: find every problem in SQuAD-format files, with its location.

Works on the raw JSON (not the parsed dataclasses) so a schema problem in one record is
reported and the rest of the file is still checked.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from retrievers.squad import read_json

KINDS = (
    "schema", "empty_field", "duplicate_id", "duplicate_paragraph", "offset_mismatch", "answer_absent",
    "question_repeated", "unanswered",
)
"""Problem kinds, in the order the table shows them."""


@dataclass(frozen=True)
class Problem:
    kind: str
    file: str
    article: int
    paragraph: int | None = None
    question_id: str | None = None
    detail: str = ""


def check_files(paths: list[Path]) -> list[Problem]:
    problems: list[Problem] = []
    ids: dict[str, tuple[str, int, int]] = {}
    contexts: dict[str, tuple[str, int, int]] = {}
    questions: dict[str, set[str]] = defaultdict(set)
    for path in paths:
        raw = read_json(path)
        data = raw.get("data") if isinstance(raw, dict) else None
        if not isinstance(data, list):
            problems.append(Problem("schema", str(path), -1, detail="no top-level 'data' list"))
            continue
        for a, article in enumerate(data):
            paragraphs = article.get("paragraphs") if isinstance(article, dict) else None
            if not isinstance(paragraphs, list):
                problems.append(Problem("schema", str(path), a, detail="article without a 'paragraphs' list"))
                continue
            for p, paragraph in enumerate(paragraphs):
                problems += _check_paragraph(str(path), a, p, paragraph, ids, contexts, questions)
    for question, places in questions.items():
        if len(places) > 1:
            problems.append(Problem("question_repeated", "", -1, detail=f"{question!r} in {len(places)} paragraphs"))
    return problems


def _check_paragraph(file, a, p, paragraph, ids, contexts, questions) -> list[Problem]:
    found = []
    context = paragraph.get("context") if isinstance(paragraph, dict) else None
    qas = paragraph.get("qas") if isinstance(paragraph, dict) else None
    if not isinstance(context, str) or not isinstance(qas, list):
        return [Problem("schema", file, a, p, detail="paragraph needs a 'context' string and a 'qas' list")]
    if not context.strip():
        found.append(Problem("empty_field", file, a, p, detail="empty context"))
    key = " ".join(context.split())
    if key in contexts:
        found.append(Problem("duplicate_paragraph", file, a, p, detail=f"same as {contexts[key]}"))
    else:
        contexts[key] = (file, a, p)
    for qa in qas:
        if not isinstance(qa, dict) or not isinstance(qa.get("question"), str):
            found.append(Problem("schema", file, a, p, detail="question without a 'question' string"))
            continue
        qid = str(qa.get("id", ""))
        if not qid or not qa["question"].strip():
            found.append(Problem("empty_field", file, a, p, qid, "empty id or question"))
        elif qid in ids:
            found.append(Problem("duplicate_id", file, a, p, qid, f"also at {ids[qid]}"))
        else:
            ids[qid] = (file, a, p)
        questions[" ".join(qa["question"].split())].add(key)
        answers = qa.get("answers", [])
        if not answers:
            found.append(Problem("unanswered", file, a, p, qid))
        for answer in answers:
            found += _check_answer(file, a, p, qid, context, answer)
    return found


def _check_answer(file, a, p, qid, context, answer) -> list[Problem]:
    if not isinstance(answer, dict) or not isinstance(answer.get("text"), str):
        return [Problem("schema", file, a, p, qid, "answer without a 'text' string")]
    text, start = answer["text"], answer.get("answer_start")
    if not text.strip():
        return [Problem("empty_field", file, a, p, qid, "empty answer text")]
    if text not in context:
        return [Problem("answer_absent", file, a, p, qid, f"{text!r} does not occur in the paragraph")]
    if not isinstance(start, int) or context[start:start + len(text)] != text:
        occurrences = context.count(text)
        return [Problem("offset_mismatch", file, a, p, qid,
                        f"answer_start {start} does not point at {text!r} (it occurs {occurrences}×)")]
    return []


def counts(problems: list[Problem]) -> dict[str, int]:
    tally = Counter(problem.kind for problem in problems)
    return {kind: tally.get(kind, 0) for kind in KINDS}


def as_json(problems: list[Problem]) -> dict:
    return {"counts": counts(problems), "problems": [asdict(problem) for problem in problems]}
