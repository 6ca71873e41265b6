"""Log set-up of `emotion-chat serve`: the text lines as before, or JSON lines.

`--log-format json` (env `<PREFIX>_LOG_FORMAT=json`) writes one JSON object per line:
`time` (UTC, ISO 8601), `level`, `logger`, `message`, `service`, `exception` when there is
one, and, on every line logged while a turn is handled, `conversation_id` and the current
`trace_id`/`span_id` (W3C hex; those of an incoming `traceparent` even with tracing off).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any, Literal

from emotion_chat.serving.tracing import conversation_id, current_ids

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class TurnContextFilter(logging.Filter):
    """Adds the turn's `conversation_id`, `trace_id` and `span_id` to each record (None
    outside a turn)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.conversation_id = conversation_id.get()
        ids = current_ids()
        record.trace_id, record.span_id = ids if ids is not None else (None, None)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record (keys in the module docstring)."""

    def __init__(self, service: str | None = None) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if self.service:
            entry["service"] = self.service
        for key in ("conversation_id", "trace_id", "span_id"):
            value = getattr(record, key, None)
            if value:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def log_handler(log_format: LogFormat, service: str | None = None,
                stream: Any = None) -> logging.Handler:
    """A stream handler (stderr by default) writing `log_format` lines."""
    handler = logging.StreamHandler(stream)
    if log_format == "json":
        handler.setFormatter(JsonFormatter(service))
        handler.addFilter(TurnContextFilter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(level: str, log_format: LogFormat = "text",
                      service: str | None = None) -> None:
    """The root logger's level and handler (as logging.basicConfig: once per process)."""
    logging.basicConfig(level=level.upper(), handlers=[log_handler(log_format, service)])
