"""What the HTTP routes need from the orchestrator, kept on `app.state.chat`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request

from emotion_chat.personas import PersonaRegistry
from orchestrator.core.chat import ChatCore
from orchestrator.settings import OrchestratorSettings


@dataclass(frozen=True)
class HttpContext:
    core: Callable[[], ChatCore]
    """The chat core (raises NotReadyError while the service starts)."""
    personas: PersonaRegistry
    settings: OrchestratorSettings
    serving: Callable[[], bool]
    """Readiness: SERVING on the gRPC side."""
    auth: bool = False
    """Bearer tokens are required."""


def context_of(request: Request) -> HttpContext:
    context: HttpContext = request.app.state.chat
    return context
