"""A chat-model server on 127.0.0.1 that speaks the OpenAI chat-completions protocol.

The one fake in the test suite, at the edge the tests cannot reach (a real LLM server). It
streams server-sent events like the real API, calls tools when tools are offered, and answers
from the `<belge>` passages it was given, quoting the first one with its [n] marker. Every
request is recorded so tests can check what the model was shown.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KNOWN_MODELS = {"fake-tools", "fake-notools"}
_PASSAGE = re.compile(r'<belge numara="(\d+)"[^>]*>\n(.*?)\n</belge>', re.S)


class FakeChatServer:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                server.respond(self, body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeChatServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def respond(self, handler: BaseHTTPRequestHandler, body: dict) -> None:
        model = body.get("model")
        if model not in KNOWN_MODELS:
            return _error(handler, 404, f"model '{model}' not found")
        if body.get("tools") and model == "fake-notools":
            return _error(handler, 400, f"registry.ollama.ai/library/{model} does not support tools")
        last = body["messages"][-1]
        if body.get("tools") and last["role"] == "user":
            question = last["content"]
            return _stream(handler, body, tool_call={"name": "search_documents", "arguments": json.dumps(
                {"query": question, "k": 3}, ensure_ascii=False)})
        context = last["content"] if isinstance(last["content"], str) else ""
        found = _PASSAGE.findall(context)
        text = f"{found[0][1].splitlines()[0]} [{found[0][0]}]" if found else "Belgelerde bu sorunun cevabını bulamadım."
        return _stream(handler, body, text=text)


def _error(handler: BaseHTTPRequestHandler, status: int, message: str) -> None:
    payload = json.dumps({"error": {"message": message, "type": "invalid_request_error"}}).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


def _stream(handler: BaseHTTPRequestHandler, body: dict, *, text: str = "", tool_call: dict | None = None) -> None:
    """The answer as server-sent `chat.completion.chunk` events, word by word."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.end_headers()

    def send(delta: dict, finish: str | None = None) -> None:
        chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                 "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        handler.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
        handler.wfile.flush()

    send({"role": "assistant", "content": ""})
    if tool_call:
        send({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                              "function": {"name": tool_call["name"], "arguments": ""}}]})
        send({"tool_calls": [{"index": 0, "function": {"arguments": tool_call["arguments"]}}]})
        send({}, "tool_calls")
    else:
        for word in re.findall(r"\S+\s*", text):
            send({"content": word})
        send({}, "stop")
    handler.wfile.write(b"data: [DONE]\n\n")
    handler.wfile.flush()
