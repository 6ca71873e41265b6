"""The OpenAI-compatible front door: `POST /v1/chat/completions` and `GET /v1/models`, so
chat clients and UIs made for OpenAI or vLLM can talk to the bot."""
