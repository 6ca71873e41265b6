"""uvicorn in the orchestrator's own event loop, beside the grpc.aio server (as MLServer,
Triton and KServe serve both protocols from one process).

uvicorn's signal handling is switched off: the service runner owns SIGTERM/SIGINT and drains
both servers together.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn
from starlette.types import ASGIApp

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class HttpServer:
    """A `SideServer` serving an ASGI app."""

    name = "http"

    def __init__(self, app: ASGIApp, host: str, port: int, *, access_log: bool = False,
                 cert_file: Path | None = None, key_file: Path | None = None,
                 client_ca_file: Path | None = None) -> None:
        self.port = port
        self.serving = False
        tls: dict[str, Any] = {}
        if cert_file is not None and key_file is not None:
            tls = {"ssl_certfile": str(cert_file), "ssl_keyfile": str(key_file)}
            if client_ca_file is not None:
                tls |= {"ssl_ca_certs": str(client_ca_file), "ssl_cert_reqs": ssl.CERT_REQUIRED}
        self._config = uvicorn.Config(
            app, host=host, port=port, loop="none", lifespan="off", http="httptools",
            log_config=None, access_log=access_log, server_header=False,
            timeout_keep_alive=30, **tls)
        self._server = _Server(self._config)
        self._host = host
        self._task: asyncio.Task[None] | None = None

    def _bind(self) -> socket.socket:
        """Bind here, so a taken port is a clear error (uvicorn would sys.exit)."""
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say so, and without
        # it a keep-alive response (headers and body in two writes) waits 40 ms for a delayed
        # ACK (Nagle).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.bind((self._host, self.port))
        except OSError as exc:
            sock.close()
            raise RuntimeError(f"cannot serve HTTP on {self._host}:{self.port}: "
                               f"{exc.strerror}") from exc
        sock.listen(2048)
        sock.setblocking(False)
        return sock

    async def _serve(self, sock: socket.socket) -> None:
        try:
            await self._server.serve(sockets=[sock])
        except SystemExit as exc:  # uvicorn's way of failing at start-up
            raise RuntimeError(f"the HTTP server stopped at start-up (exit {exc.code})") from None

    async def start(self) -> None:
        sock = self._bind()
        self.port = sock.getsockname()[1]
        self._task = asyncio.create_task(self._serve(sock))
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError(f"the HTTP server on port {self.port} did not start")
            await asyncio.sleep(0.01)

    async def stop(self, grace_s: float) -> None:
        if self._task is None:
            return
        self._config.timeout_graceful_shutdown = max(1, int(grace_s))
        self._server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
