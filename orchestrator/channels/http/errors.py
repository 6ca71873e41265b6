"""Domain errors → HTTP statuses and the one JSON error shape of the HTTP front door:
`{"error": {"code": "invalid_argument", "message": "..."}}`."""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from emotion_chat.errors import EmotionChatError, ErrorCode

log = logging.getLogger(__name__)

HTTP_STATUS = {
    ErrorCode.INVALID_ARGUMENT: 400,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.ABORTED: 409,
    ErrorCode.FAILED_PRECONDITION: 409,
    ErrorCode.RESOURCE_EXHAUSTED: 429,
    ErrorCode.INTERNAL: 500,
    ErrorCode.UNKNOWN: 500,
    ErrorCode.UNAVAILABLE: 503,
    ErrorCode.DEADLINE_EXCEEDED: 504,
}
_FROM_STATUS = {400: ErrorCode.INVALID_ARGUMENT, 401: ErrorCode.UNAUTHENTICATED,
                403: ErrorCode.PERMISSION_DENIED, 404: ErrorCode.NOT_FOUND,
                405: ErrorCode.INVALID_ARGUMENT, 409: ErrorCode.ABORTED,
                413: ErrorCode.INVALID_ARGUMENT, 415: ErrorCode.INVALID_ARGUMENT,
                429: ErrorCode.RESOURCE_EXHAUSTED, 503: ErrorCode.UNAVAILABLE}


def error_body(code: ErrorCode, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code.value, "message": message}}


def error_response(code: ErrorCode, message: str, status: int | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(error_body(code, message), ensure_ascii=False).encode()
    if code is ErrorCode.UNAUTHENTICATED:
        headers = {"WWW-Authenticate": "Bearer", **(headers or {})}
    return Response(body, status or HTTP_STATUS[code], headers, "application/json")


def describe_validation(exc: RequestValidationError) -> str:
    """One readable line: what is wrong, where in the body."""
    problems = []
    for error in exc.errors():
        kind = error.get("type", "")
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        if kind == "json_invalid":
            problems.append(f"the request body is not valid JSON "
                            f"({error.get('ctx', {}).get('error', 'parse error')})")
        elif kind == "missing":
            problems.append(f"{where} is required")
        else:
            problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(problems) or "invalid request"


def install(app: FastAPI) -> None:
    @app.exception_handler(EmotionChatError)
    async def domain_error(request: Request, exc: EmotionChatError) -> Response:
        if exc.code in (ErrorCode.INTERNAL, ErrorCode.UNKNOWN):
            log.error("%s %s failed: %s", request.method, request.url.path, exc.message,
                      exc_info=exc)
        return error_response(exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_response(ErrorCode.INVALID_ARGUMENT, describe_validation(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = _FROM_STATUS.get(exc.status_code, ErrorCode.UNKNOWN)
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"no route {request.method} {request.url.path}"
        return error_response(code, message, exc.status_code, dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("%s %s failed with an unexpected error", request.method, request.url.path,
                  exc_info=exc)
        return error_response(ErrorCode.INTERNAL, "internal error")
