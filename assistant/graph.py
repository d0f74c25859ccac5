"""The answer graph (LangGraph): resolve → check names → retrieve → grade → rewrite and retry →
answer | abstain.

Resolving drops a polite frame ("Acaba bana söyler misiniz, …") and gives a follow-up its topic.
Deterministic nodes, so the offline default needs no language model. A question that names
something no document contains ("Aspirin …" asked of leaflets without aspirin) is answered with
which name was not found, before any search: retrieval would otherwise offer another drug's
sentence that fits the rest of the question. Retrieval ranks passages, the selector ranks their
sentences with their passage's evidence (`retrievers.selector`); the grade is the cross-encoder's
score of the best passage against `answer.min_score`, the selector's probability of the best
sentence against `answer.sentence_min_score` and the reader's margin for it against
`answer.reader_min_margin`; and unless the reader is sure, it never vouches for a sentence whose
document never mentions a word of the question rarer than `answer.document_name_max_zipf` that
another document holds ("Omeprazol tiroid hastalarında kullanılır mı?": the omeprazole leaflet
never says "tiroid"). A weak grade rewrites the question (keywords and stems, then its parts) up
to `answer.max_rewrites` times; evidence that stays weak ends in the plain "not found" answer
with the closest passages, never a guess.
The last step is pluggable (`AnswerWriter`): the extractive reader by default, a chat model
writing from the same passages when a backend without tool calling is configured.

Nodes report progress through LangGraph's custom stream (`get_stream_writer`) as the events of
`assistant.events`, so a front end sees each query, each source and the answer as they happen.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypedDict

from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph

from assistant.conversation import Conversation
from assistant.documents import Documents, Numbering
from assistant.events import (
    NOT_FOUND,
    AnswerChunk,
    AnswerResult,
    Searching,
    SourceFound,
    not_in_document,
    not_in_documents,
)
from assistant.questions import asks_yes_or_no, question_parts, rewrites, without_request_frame
from bilge.config import AnswerConfig
from retrievers.selector import ScoredSentence
from retrievers.store import Hit

Emit = Callable[[object], None]


def required_margin(cfg: AnswerConfig, unfamiliar: bool) -> float:
    """The reader margin the best sentence needs: more when the question uses a word no
    document does ("Parasetamol köpeklere verilebilir mi?" of leaflets that never mention
    dogs), since its other words then find a passage about something else."""
    return max(cfg.reader_min_margin, cfg.unfamiliar_min_margin) if unfamiliar else cfg.reader_min_margin


def held_back_by_document(cfg: AnswerConfig, unmentioned_zipf: float, margin: float | None) -> bool:
    """The document check of `vouched`: the answering document lacks a question word rarer than
    `answer.document_name_max_zipf` that another document holds, and the reader is not sure
    enough (`answer.document_min_margin`) to answer without it."""
    return unmentioned_zipf < cfg.document_name_max_zipf and (margin is None or margin < cfg.document_min_margin)


def vouched(cfg: AnswerConfig, passage: float, sentence: float, margin: float | None, *,
            yes_no: bool, unfamiliar: bool, unmentioned_zipf: float = math.inf) -> bool:
    """Whether evidence with these scores is answered: the passage (cross-encoder score) above
    its bar, and the best sentence vouched for: by the selector (`sentence`, a probability) and
    the reader (`margin`; None when no reader read it) together; or by the selector alone when
    it is sure and the question is yes/no, whose answer is the sentence itself and which an
    extractive reader has no span for ("Karaciğer hastası parasetamol kullanabilir mi?" →
    "Ciddi karaciğer hastalığınız varsa parasetamol kullanmayınız."); or by the reader alone
    when it is sure of its span in a sentence the 4-layer selector ranked first but doubted
    ("Viyana Kongresi ne zaman toplandı?": 0.02, the reader's margin 11) — unless the question
    has a word no document contains (`unfamiliar`), where the reader's span may answer the rest
    of the question about something else. And when the answering sentence's document never
    mentions a word of the question rarer than `answer.document_name_max_zipf` that another
    document does (`unmentioned_zipf`, the rarest such word's Zipf), the document likely speaks of
    something else: only a reader sure of its span (`answer.document_min_margin`) answers then,
    as where the stems miss a word the document has in another form ("kadı" asked of an article
    that says "kadısı"); not a sure selector, which is as sure of "Reflü … tedavisinde
    kullanılır." for "Omeprazol tiroid hastalarında kullanılır mı?". A pure function of the
    scores, so that `bench/abstention.py` replays on recorded scores exactly the rule the graph
    applies."""
    if held_back_by_document(cfg, unmentioned_zipf, margin):
        return False
    reader_agrees = margin is None or margin >= required_margin(cfg, unfamiliar)
    selector_sure = yes_no and sentence >= cfg.yes_no_min_sentence
    reader_sure = margin is not None and margin >= cfg.reader_sure_margin and not unfamiliar
    return passage >= cfg.min_score and (
        (sentence >= cfg.sentence_min_score and (reader_agrees or selector_sure)) or reader_sure)


@dataclass
class Evidence:
    """The passages found for one question (the whole question, or one part of it), and the
    sentences of the top ones, best answer first."""

    question: str
    hits: list[Hit]
    sentences: list[ScoredSentence]
    unfamiliar: list[str] = field(default_factory=list)  # its words no document contains
    unmentioned: dict[str, float] = field(default_factory=dict)  # its names the answer's document lacks, with Zipf
    yes_no: bool = field(init=False)  # the question asks yes or no ("… alabilir miyim?")

    def __post_init__(self) -> None:
        self.yes_no = asks_yes_or_no(self.question)

    @property
    def passage_score(self) -> float:
        """The highest cross-encoder score. Not the first hit's, since the order is the fused one."""
        return max((hit.scores.get("rerank", float("-inf")) for hit in self.hits), default=float("-inf"))

    @property
    def sentence_score(self) -> float:
        """The selector's probability that the best sentence answers."""
        return self.sentences[0].probability if self.sentences else 0.0

    @property
    def unmentioned_zipf(self) -> float:
        """The Zipf frequency of the rarest question word the answering document never mentions."""
        return min(self.unmentioned.values(), default=math.inf)

    def off_document(self, cfg: AnswerConfig) -> list[str]:
        """The question's words, rarer than `answer.document_name_max_zipf`, that the answering
        document never mentions while another document does, when they hold the answer back (the
        reader is not sure enough to answer without them): the reason an abstention gives."""
        if not held_back_by_document(cfg, self.unmentioned_zipf, self.reader_margin):
            return []
        return [word for word, zipf in self.unmentioned.items() if zipf < cfg.document_name_max_zipf]

    @property
    def answer_file(self) -> str:
        """The file name of the best sentence's passage."""
        meta = self.hits[self.sentences[0].passage].metadata if self.sentences else {}
        return str(meta.get("file_name") or meta.get("source", ""))

    @property
    def reader_margin(self) -> float | None:
        """The reader's margin for the best sentence (None when no reader read it)."""
        return self.sentences[0].margin if self.sentences else None

    def strong(self, cfg: AnswerConfig) -> bool:
        """Answered, by the rule of `vouched`."""
        return vouched(cfg, self.passage_score, self.sentence_score, self.reader_margin,
                       yes_no=self.yes_no, unfamiliar=bool(self.unfamiliar),
                       unmentioned_zipf=self.unmentioned_zipf)

    def scores(self) -> dict[str, float]:
        """The evidence graded, for `bilge ask --json` and calibration."""
        scores = {"passage": self.passage_score, "sentence": self.sentence_score}
        if self.reader_margin is not None:
            scores["reader_margin"] = self.reader_margin
        if self.unmentioned:
            scores["unmentioned_zipf"] = self.unmentioned_zipf
        return scores


class AnswerWriter(Protocol):
    name: str

    def write(self, result: AnswerResult, evidence: list[Evidence], numbering: Numbering, emit: Emit) -> None:
        """Fill `result.answer` and `result.citations` from strong evidence, emitting the text."""


class GraphState(TypedDict, total=False):
    question: str
    conversation: Conversation
    standalone: str
    attempt: int
    evidence: list[Evidence]
    numbering: Numbering
    steps: list[str]
    missing: list[str]
    result: AnswerResult


def build_answer_graph(documents: Documents, cfg: AnswerConfig, k: int, writer: AnswerWriter):
    """The compiled graph; run it with `stream(state, stream_mode=["custom", "values"])`."""

    def search(question: str, query: str, numbering: Numbering, emit: Emit) -> Evidence:
        emit(Searching(query))
        hits = documents.search(query, k)
        for hit in hits[:cfg.passages]:
            citation, new = numbering.cite(hit)
            if new:
                emit(SourceFound(citation))
        sentences = documents.select(question, hits[:cfg.passages])
        checked = sentences and cfg.document_name_max_zipf > 0
        unmentioned = documents.unmentioned_names(question, hits[sentences[0].passage]) if checked else {}
        return Evidence(question, hits, sentences, documents.unfamiliar_words(question), unmentioned)

    def resolve(state: GraphState) -> GraphState:
        standalone = state["conversation"].resolve(without_request_frame(state["question"]))
        steps = [f"resolve: {standalone}"] if standalone != state["question"] else []
        return {"standalone": standalone, "attempt": 0, "numbering": Numbering(), "steps": steps}

    def check_names(state: GraphState) -> GraphState:
        if not cfg.check_names:
            return {"missing": []}
        return {"missing": documents.missing_names(state["standalone"], cfg.name_max_zipf, cfg.proper_name_max_zipf)}

    def names_found(state: GraphState) -> str:
        return "absent" if state["missing"] else "retrieve"

    def absent(state: GraphState) -> GraphState:
        result = _result(state)
        result.abstained = True
        result.answer = not_in_documents(state["missing"])
        get_stream_writer()(AnswerChunk(result.answer + "\n\n"))
        result.steps.append("abstain: not in the collection: " + ", ".join(state["missing"]))
        return {"result": result}

    def retrieve(state: GraphState) -> GraphState:
        emit, parts = get_stream_writer(), question_parts(state["standalone"])
        evidence = [search(part, part, state["numbering"], emit) for part in parts]
        return {"evidence": evidence, "steps": state["steps"] + [f"search: {part}" for part in parts]}

    def grade(state: GraphState) -> str:
        if all(e.strong(cfg) for e in state["evidence"]):
            return "answer"
        return "rewrite" if state["attempt"] < min(cfg.max_rewrites, len(rewrites(state["standalone"]))) else "abstain"

    def rewrite(state: GraphState) -> GraphState:
        emit, question = get_stream_writer(), state["standalone"]
        queries = rewrites(question)[state["attempt"]]
        parts = len(queries) > 1
        evidence = [search(q if parts else question, q, state["numbering"], emit) for q in queries]
        if not parts:  # a reworded query: keep whichever wording found the stronger passage
            evidence = [max(evidence + state["evidence"][:1], key=lambda e: (e.strong(cfg), e.sentence_score))]
        steps = state["steps"] + [f"rewrite {state['attempt'] + 1}: " + " | ".join(queries)]
        return {"evidence": evidence, "attempt": state["attempt"] + 1, "steps": steps}

    def answer(state: GraphState) -> GraphState:
        result = _result(state)
        result.scores = state["evidence"][0].scores()
        strong = [e for e in state["evidence"] if e.strong(cfg)]
        writer.write(result, strong, state["numbering"], get_stream_writer())
        result.steps.append(f"answer: {writer.name}")
        return {"result": result}

    def abstain(state: GraphState) -> GraphState:
        result = _result(state)
        result.scores = state["evidence"][0].scores()
        closest = [h for e in state["evidence"] for h in e.hits[:cfg.passages]]
        result.citations = [state["numbering"].cite(h)[0] for h in closest]
        result.abstained = True
        weakest = min(state["evidence"], key=lambda e: (e.strong(cfg), e.sentence_score))
        lacking = weakest.off_document(cfg)
        lines = [NOT_FOUND]
        if lacking:
            lines += ["", not_in_document(lacking, weakest.answer_file)]
        if result.citations:
            lines += ["", "En yakın bulunan bölümler:"] + [f"- {c.label}" for c in result.citations]
        result.answer = "\n".join(lines)
        emit = get_stream_writer()
        for line in result.answer.split("\n\n"):
            emit(AnswerChunk(line + "\n\n"))
        result.steps.append(_abstain_step(cfg, weakest, lacking))
        return {"result": result}

    graph = StateGraph(GraphState)
    for name, node in (("resolve", resolve), ("check_names", check_names), ("absent", absent),
                       ("retrieve", retrieve), ("rewrite", rewrite), ("answer", answer), ("abstain", abstain)):
        graph.add_node(name, node)
    graph.add_edge(START, "resolve")
    graph.add_edge("resolve", "check_names")
    graph.add_conditional_edges("check_names", names_found, ["absent", "retrieve"])
    graph.add_edge("absent", END)
    for node in ("retrieve", "rewrite"):
        graph.add_conditional_edges(node, grade, ["answer", "rewrite", "abstain"])
    graph.add_edge("answer", END)
    graph.add_edge("abstain", END)
    return graph.compile()


def _abstain_step(cfg: AnswerConfig, weakest: Evidence, lacking: list[str]) -> str:
    """Why the weakest evidence was not answered, with each score and the bar it missed
    (`lacking`: its `off_document` words, when the document check held it back)."""
    if lacking:
        margin = "none" if weakest.reader_margin is None else f"{weakest.reader_margin:.2f}"
        return (f"abstain: {weakest.answer_file} never mentions {', '.join(lacking)}, which another "
                f"document does; reader margin {margin} (needs {cfg.document_min_margin})")
    unfamiliar = f", with {', '.join(weakest.unfamiliar)} in no document" if weakest.unfamiliar else ""
    yes_no = f", or a sentence ≥ {cfg.yes_no_min_sentence}" if weakest.yes_no else ""
    margin = "" if weakest.reader_margin is None else (
        f", reader margin {weakest.reader_margin:.2f} (needs {required_margin(cfg, bool(weakest.unfamiliar))}{unfamiliar}{yes_no}; "
        f"{cfg.reader_sure_margin} answers alone)")
    return (f"abstain: passage {weakest.passage_score:.3f} (needs {cfg.min_score}), "
            f"sentence {weakest.sentence_score:.3f} (needs {cfg.sentence_min_score}){margin}")


def _result(state: GraphState) -> AnswerResult:
    return AnswerResult(question=state["question"], standalone=state["standalone"], steps=list(state["steps"]))
