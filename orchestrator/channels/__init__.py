"""The front doors: where a person's message enters. Each turns its payload into one
`TurnRequest` for the chat core (`orchestrator.core`) and the result back into its own
format: gRPC (`grpc/`), HTTP/JSON with server-sent events (`http/`), the OpenAI-compatible
chat completions API (`openai/`) and the Kakao i OpenBuilder skill (`kakao/`)."""
