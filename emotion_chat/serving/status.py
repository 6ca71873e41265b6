"""Domain error codes ↔ gRPC status codes: the one mapping of the gRPC front doors."""

from __future__ import annotations

import grpc

from emotion_chat.errors import ErrorCode

GRPC_CODES: dict[ErrorCode, grpc.StatusCode] = {
    code: getattr(grpc.StatusCode, code.name) for code in ErrorCode}
FROM_GRPC: dict[grpc.StatusCode, ErrorCode] = {v: k for k, v in GRPC_CODES.items()}


def grpc_code(code: ErrorCode) -> grpc.StatusCode:
    return GRPC_CODES[code]


def error_code(code: grpc.StatusCode) -> ErrorCode:
    """A gRPC status of a downstream call in domain terms (CANCELLED and others: UNKNOWN)."""
    return FROM_GRPC.get(code, ErrorCode.UNKNOWN)
