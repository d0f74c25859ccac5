"""The answer graph (LangGraph): resolve → retrieve → grade → rewrite and retry → answer | abstain.

Deterministic nodes, so the offline default needs no language model: the grade is the
cross-encoder's score of the best passage against `answer.min_score`; a weak grade rewrites the
question (keywords and stems, then its parts) up to `answer.max_rewrites` times; evidence that
stays weak ends in the plain "not found" answer with the closest passages, never a guess.
The last step is pluggable (`AnswerWriter`): the extractive reader by default, a chat model
writing from the same passages when a backend without tool calling is configured.

Nodes report progress through LangGraph's custom stream (`get_stream_writer`) as the events of
`assistant.events`, so a front end sees each query, each source and the answer as they happen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol, TypedDict

from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph

from assistant.conversation import Conversation
from assistant.documents import Documents, Numbering
from assistant.events import NOT_FOUND, AnswerChunk, AnswerResult, Searching, SourceFound
from assistant.questions import question_parts, rewrites
from bilge.config import AnswerConfig
from retrievers.store import Hit

Emit = Callable[[object], None]


@dataclass
class Evidence:
    """The passages found for one question (the whole question, or one part of it)."""

    question: str
    hits: list[Hit]

    @property
    def best(self) -> float:
        """The highest cross-encoder score: the grade. Not the first hit's, since the order is the fused one."""
        return max((hit.scores.get("rerank", float("-inf")) for hit in self.hits), default=float("-inf"))


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
        return Evidence(question, hits)

    def resolve(state: GraphState) -> GraphState:
        standalone = state["conversation"].resolve(state["question"])
        steps = [f"resolve: {standalone}"] if standalone != state["question"] else []
        return {"standalone": standalone, "attempt": 0, "numbering": Numbering(), "steps": steps}

    def retrieve(state: GraphState) -> GraphState:
        emit, parts = get_stream_writer(), question_parts(state["standalone"])
        evidence = [search(part, part, state["numbering"], emit) for part in parts]
        return {"evidence": evidence, "steps": state["steps"] + [f"search: {part}" for part in parts]}

    def grade(state: GraphState) -> str:
        if all(e.best >= cfg.min_score for e in state["evidence"]):
            return "answer"
        return "rewrite" if state["attempt"] < min(cfg.max_rewrites, len(rewrites(state["standalone"]))) else "abstain"

    def rewrite(state: GraphState) -> GraphState:
        emit, question = get_stream_writer(), state["standalone"]
        queries = rewrites(question)[state["attempt"]]
        parts = len(queries) > 1
        evidence = [search(q if parts else question, q, state["numbering"], emit) for q in queries]
        if not parts:  # a reworded query: keep whichever wording found the stronger passage
            evidence = [max(evidence + state["evidence"][:1], key=lambda e: e.best)]
        steps = state["steps"] + [f"rewrite {state['attempt'] + 1}: " + " | ".join(queries)]
        return {"evidence": evidence, "attempt": state["attempt"] + 1, "steps": steps}

    def answer(state: GraphState) -> GraphState:
        result = _result(state)
        strong = [e for e in state["evidence"] if e.best >= cfg.min_score]
        writer.write(result, strong, state["numbering"], get_stream_writer())
        result.steps.append(f"answer: {writer.name}")
        return {"result": result}

    def abstain(state: GraphState) -> GraphState:
        result = _result(state)
        closest = [h for e in state["evidence"] for h in e.hits[:cfg.passages]]
        result.citations = [state["numbering"].cite(h)[0] for h in closest]
        result.abstained = True
        lines = [NOT_FOUND]
        if result.citations:
            lines += ["", "En yakın bulunan bölümler:"] + [f"- {c.label}" for c in result.citations]
        result.answer = "\n".join(lines)
        emit = get_stream_writer()
        for line in result.answer.split("\n\n"):
            emit(AnswerChunk(line + "\n\n"))
        result.steps.append(f"abstain: best score {max(e.best for e in state['evidence']):.3f} < {cfg.min_score}")
        return {"result": result}

    graph = StateGraph(GraphState)
    for name, node in (("resolve", resolve), ("retrieve", retrieve), ("rewrite", rewrite),
                       ("answer", answer), ("abstain", abstain)):
        graph.add_node(name, node)
    graph.add_edge(START, "resolve")
    graph.add_edge("resolve", "retrieve")
    for node in ("retrieve", "rewrite"):
        graph.add_conditional_edges(node, grade, ["answer", "rewrite", "abstain"])
    graph.add_edge("answer", END)
    graph.add_edge("abstain", END)
    return graph.compile()


def _result(state: GraphState) -> AnswerResult:
    return AnswerResult(question=state["question"], standalone=state["standalone"], steps=list(state["steps"]))
