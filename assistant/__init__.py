"""Answering from the documents: the LangGraph graph, the tool-calling agent and the event stream."""
