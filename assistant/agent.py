"""The tool-calling agent (LangChain `create_agent`) for chat models that can call tools.

The model decides what to search, may search again with other words or per part of the
question, reads around a passage, lists the sources, and writes the answer with [n] markers.
The tools number passages per answer (`Numbering`), so [n] maps to one file, page and section
whichever call found it. Earlier turns go in as messages: the model resolves follow-ups itself.
"""

from __future__ import annotations

from typing import Iterator

from langchain_core.tools import StructuredTool
from langgraph.config import get_stream_writer

from assistant.conversation import Conversation
from assistant.documents import Documents, Numbering
from assistant.events import (NOT_FOUND, AnswerChunk, AnswerResult, Done, Event, Searching, SourceFound,
                              not_in_documents)
from assistant.llm import AGENT_RULES, cited, passage_block, without_markers
from bilge.config import AnswerConfig


def document_tools(documents: Documents, numbering: Numbering, default_k: int) -> list[StructuredTool]:
    """search_documents, read_passage and list_sources over one collection."""

    def search_documents(query: str, k: int = default_k) -> str:
        """Search the user's documents (hybrid search, then cross-encoder reranking).
        Returns numbered passages; cite them as [n]."""
        emit = get_stream_writer()
        emit(Searching(query))
        blocks = []
        for hit in documents.search(query, max(1, min(k, 20))):
            citation, new = numbering.cite(hit)
            if new:
                emit(SourceFound(citation))
            blocks.append(passage_block(citation))
        return "\n\n".join(blocks) or "Sonuç yok."

    def read_passage(chunk_number: int, window: int = 1) -> str:
        """Read the text around passage [chunk_number]: it and `window` passages on each side."""
        known = numbering.numbered([chunk_number])
        if not known:
            return f"[{chunk_number}] diye bir parça yok; önce search_documents kullan."
        hits = documents.read_passage(known[0].chunk_id, max(0, min(window, 3)))
        return "\n\n".join(passage_block(numbering.cite(h)[0]) for h in hits)

    def list_sources() -> str:
        """List the documents in the collection with their number of passages."""
        return "\n".join(f"{source} ({count} parça)" for source, count in documents.list_sources().items())

    return [StructuredTool.from_function(f) for f in (search_documents, read_passage, list_sources)]


class AgentRunner:
    def __init__(self, cfg: AnswerConfig, documents: Documents, k: int, model) -> None:
        self.cfg, self.documents, self.k, self.model = cfg, documents, k, model

    def run(self, question: str, conversation: Conversation) -> Iterator[Event]:
        from langchain.agents import create_agent
        from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage

        missing = self.documents.missing_names(question, self.cfg.name_max_zipf,
                                               self.cfg.proper_name_max_zipf) if self.cfg.check_names else []
        if missing:  # the same guard as the graph's: no model is asked about what no document names
            answer = not_in_documents(missing)
            yield AnswerChunk(answer)
            yield Done(AnswerResult(question, question, answer=answer, abstained=True,
                                    steps=["abstain: not in the collection: " + ", ".join(missing)]))
            return
        numbering = Numbering()
        agent = create_agent(self.model, document_tools(self.documents, numbering, self.k),
                             system_prompt=AGENT_RULES)
        messages = [m for turn in conversation.turns
                    for m in (HumanMessage(turn.question), AIMessage(turn.answer))] + [HumanMessage(question)]
        steps: list[str] = []
        final = None
        for mode, payload in agent.stream({"messages": messages}, stream_mode=["messages", "custom", "values"]):
            if mode == "custom":
                if isinstance(payload, Searching):
                    steps.append(f"search: {payload.query}")
                yield payload
            elif mode == "messages":
                chunk, meta = payload
                if isinstance(chunk, AIMessageChunk) and meta.get("langgraph_node") == "model" \
                        and isinstance(chunk.content, str) and chunk.content:
                    yield AnswerChunk(chunk.content)
            else:
                final = payload
        answer = str(final["messages"][-1].content).strip() if final else ""
        result = AnswerResult(question, question, answer=answer, short=without_markers(answer),
                              citations=cited(answer, numbering),
                              abstained=not answer or NOT_FOUND in answer,
                              steps=steps + [f"answer: {self.cfg.backend}:{self.cfg.model} (agent)"])
        yield Done(result)
