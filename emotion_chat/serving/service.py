"""What every service's `GrpcService` shares: one gRPC service, one core built at start-up.

A service's servicers are registered before `startup()` has built the core they call, so they
get `lambda: self.core`: until the core exists that raises `NotReadyError` (UNAVAILABLE at
the edge) with the service's own words for what it is still doing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Generic, TypeVar

import grpc
from prometheus_client import CollectorRegistry

from emotion_chat.errors import NotReadyError
from emotion_chat.serving.runner import SideServer

CoreT = TypeVar("CoreT")


class CoreService(Generic[CoreT]):
    name: ClassVar[str]
    """Short name used in logs ("classifier")."""

    service_name: ClassVar[str]
    """The full gRPC service name, for reflection and per-service health."""

    starting: ClassVar[str]
    """What the service is doing until its core exists ("the model is still loading")."""

    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.registry = registry or CollectorRegistry()
        self._core: CoreT | None = None

    @property
    def service_names(self) -> Sequence[str]:
        return (self.service_name,)

    @property
    def core(self) -> CoreT:
        if self._core is None:
            raise NotReadyError(self.starting)
        return self._core

    def interceptors(self) -> list[grpc.aio.ServerInterceptor]:
        return []

    def side_servers(self) -> Sequence[SideServer]:
        return ()
