"""Domain errors shared by every service.

Services raise these; one server interceptor (`emotion_chat.serving.interceptors`) turns them
into gRPC status codes, so servicers never deal with status codes themselves. Any other
exception becomes INTERNAL with a generic message (the details go to the log, not the client).
"""

from __future__ import annotations

import grpc


class EmotionChatError(Exception):
    """Base class: an error whose message is safe to show to the caller."""

    code: grpc.StatusCode = grpc.StatusCode.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInputError(EmotionChatError):
    """The request is malformed: empty text, too many items, out-of-range parameter..."""

    code = grpc.StatusCode.INVALID_ARGUMENT


class NotFoundError(EmotionChatError):
    """The named resource (conversation, persona, model) does not exist."""

    code = grpc.StatusCode.NOT_FOUND


class OverloadedError(EmotionChatError):
    """A bounded queue or concurrency limit is full; the caller may retry later."""

    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class DeadlineExpiredError(EmotionChatError):
    """The request's deadline passed before its work could be done."""

    code = grpc.StatusCode.DEADLINE_EXCEEDED


class NotReadyError(EmotionChatError):
    """The service (or a model it needs) is not loaded yet or is shutting down."""

    code = grpc.StatusCode.UNAVAILABLE


class UnauthenticatedError(EmotionChatError):
    code = grpc.StatusCode.UNAUTHENTICATED


class PermissionDeniedError(EmotionChatError):
    code = grpc.StatusCode.PERMISSION_DENIED


class UpstreamError(EmotionChatError):
    """A downstream dependency failed; carries the status code to report."""

    def __init__(self, message: str, code: grpc.StatusCode = grpc.StatusCode.UNAVAILABLE) -> None:
        super().__init__(message)
        self.code = code
