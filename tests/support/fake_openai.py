"""A local HTTP server speaking the OpenAI chat-completions protocol (JSON and SSE).

`scenario` picks the behaviour: "ok" streams `reply` in pieces (after `delay_s`), an HTTP
status code string ("401", "403", "429", "500", "404") answers that error, "slow" sleeps
past the client's timeout. Every request is recorded (headers and JSON body) for assertions
on the wire.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeOpenAI:
    def __init__(self, reply: str = "그랬구나, 많이 힘들었겠다. 내가 들어 줄게!") -> None:
        self.reply = reply
        self.scenario = "ok"
        self.delay_s = 0.0
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                fake.headers.append({k.lower(): v for k, v in self.headers.items()})
                if not self.path.endswith("/chat/completions"):
                    return self._error(404, "not found")
                if fake.scenario == "slow":
                    time.sleep(3)
                    return self._error(500, "too late")
                if fake.scenario.isdigit():
                    return self._error(int(fake.scenario), f"scenario {fake.scenario}")
                time.sleep(fake.delay_s)
                if body.get("stream"):
                    return self._stream(body)
                return self._json(200, {
                    "id": "c1", "object": "chat.completion", "created": 0,
                    "model": body["model"],
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": fake.reply}}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, message: str) -> None:
                self._json(status, {"error": {"message": message, "type": "test",
                                              "code": str(status)}})

            def _stream(self, body: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                words = fake.reply.split(" ")
                pieces = [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]

                def chunk(choices: list[Any], usage: Any = None) -> None:
                    payload = {"id": "c1", "object": "chat.completion.chunk", "created": 0,
                               "model": body["model"], "choices": choices, "usage": usage}
                    self._write(f"data: {json.dumps(payload, ensure_ascii=False)}\n\n")

                for i, piece in enumerate(pieces):
                    delta = {"content": piece, **({"role": "assistant"} if i == 0 else {})}
                    chunk([{"index": 0, "delta": delta, "finish_reason": None}])
                chunk([{"index": 0, "delta": {}, "finish_reason": "stop"}])
                if body.get("stream_options", {}).get("include_usage"):
                    chunk([], {"prompt_tokens": 42, "completion_tokens": len(pieces),
                               "total_tokens": 42 + len(pieces)})
                self._write("data: [DONE]\n\n")
                self.wfile.write(b"0\r\n\r\n")

            def _write(self, text: str) -> None:
                data = text.encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
