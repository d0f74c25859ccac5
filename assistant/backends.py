"""Which answer machinery the config asks for, behind one `run(question, conversation)`.

- `extractive` (offline default): the answer graph with the reader writing the answer;
- a chat model with `tool_calling = true`: the tool-calling agent, falling back to the graph
  (the model writing only the final answer) when the server says the model cannot call tools;
- a chat model with `tool_calling = false`: that graph directly.
"""

from __future__ import annotations

from typing import Iterator

from assistant.conversation import Conversation
from assistant.documents import Documents
from assistant.events import Done, Event
from assistant.graph import AnswerWriter, build_answer_graph
from bilge.config import BilgeConfig


class GraphRunner:
    def __init__(self, cfg: BilgeConfig, documents: Documents, writer: AnswerWriter) -> None:
        self.graph = build_answer_graph(documents, cfg.answer, cfg.retrieval.k, writer)

    def run(self, question: str, conversation: Conversation) -> Iterator[Event]:
        final = None
        for mode, payload in self.graph.stream({"question": question, "conversation": conversation},
                                               stream_mode=["custom", "values"]):
            if mode == "custom":
                yield payload
            else:
                final = payload
        yield Done(final["result"])


class ToolCallingRunner:
    """The agent, or the graph when the model turns out not to support tools."""

    def __init__(self, agent, graph: GraphRunner) -> None:
        self.agent, self.graph = agent, graph

    def run(self, question: str, conversation: Conversation) -> Iterator[Event]:
        import openai

        started = False
        try:
            for event in self.agent.run(question, conversation):
                started = True
                yield event
        except openai.BadRequestError as exc:
            if started or "tool" not in str(exc).lower():
                raise
            yield from self.graph.run(question, conversation)


def build_runner(cfg: BilgeConfig, documents: Documents):
    if cfg.answer.backend == "extractive":
        from assistant.extractive import ExtractiveWriter

        return GraphRunner(cfg, documents, ExtractiveWriter(f"extractive: {documents.selector.name}", cfg.answer))
    from assistant.agent import AgentRunner
    from assistant.llm import LlmWriter, chat_model

    model = chat_model(cfg.answer)
    graph = GraphRunner(cfg, documents, LlmWriter(cfg.answer, model))
    if not cfg.answer.tool_calling:
        return graph
    return ToolCallingRunner(AgentRunner(cfg.answer, documents, cfg.retrieval.k, model), graph)
