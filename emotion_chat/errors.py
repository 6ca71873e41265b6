"""Domain errors shared by every service, free of any transport.

Services raise these; each front door maps `ErrorCode` to its own status once: the gRPC
interceptor (`emotion_chat.serving.status`) to a status code, the orchestrator's HTTP door
to an HTTP status. Any other exception becomes an internal error with a generic message (the
details go to the log, not the caller).
"""

from __future__ import annotations

import enum


class ErrorCode(enum.Enum):
    """What went wrong, in the vocabulary every front door can map (gRPC's, by name)."""

    INVALID_ARGUMENT = "invalid_argument"
    NOT_FOUND = "not_found"
    FAILED_PRECONDITION = "failed_precondition"
    ABORTED = "aborted"
    RESOURCE_EXHAUSTED = "resource_exhausted"
    DEADLINE_EXCEEDED = "deadline_exceeded"
    UNAVAILABLE = "unavailable"
    UNAUTHENTICATED = "unauthenticated"
    PERMISSION_DENIED = "permission_denied"
    INTERNAL = "internal"
    UNKNOWN = "unknown"


class EmotionChatError(Exception):
    """Base class: an error whose message is safe to show to the caller."""

    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInputError(EmotionChatError):
    """The request is malformed: empty text, too many items, out-of-range parameter..."""

    code = ErrorCode.INVALID_ARGUMENT


class NotFoundError(EmotionChatError):
    """The named resource (conversation, persona, model) does not exist."""

    code = ErrorCode.NOT_FOUND


class PreconditionError(EmotionChatError):
    """The request is well-formed but the resource is not in a state that allows it (e.g.
    regenerating when the last bot message is a question)."""

    code = ErrorCode.FAILED_PRECONDITION


class BusyError(EmotionChatError):
    """A per-resource lock could not be taken in time; the caller may retry."""

    code = ErrorCode.ABORTED


class OverloadedError(EmotionChatError):
    """A bounded queue or concurrency limit is full; the caller may retry later."""

    code = ErrorCode.RESOURCE_EXHAUSTED


class DeadlineExpiredError(EmotionChatError):
    """The request's deadline passed before its work could be done."""

    code = ErrorCode.DEADLINE_EXCEEDED


class NotReadyError(EmotionChatError):
    """The service (or a model it needs) is not loaded yet or is shutting down."""

    code = ErrorCode.UNAVAILABLE


class UnauthenticatedError(EmotionChatError):
    code = ErrorCode.UNAUTHENTICATED


class PermissionDeniedError(EmotionChatError):
    code = ErrorCode.PERMISSION_DENIED


class UpstreamError(EmotionChatError):
    """A downstream dependency failed; carries the code to report."""

    def __init__(self, message: str, code: ErrorCode = ErrorCode.UNAVAILABLE) -> None:
        super().__init__(message)
        self.code = code
