"""The HTTP front door: REST + server-sent events (`conversations.py`), served with the
OpenAI-compatible and Kakao routes by one ASGI app (`app.py`) on uvicorn (`server.py`)."""
