"""The HTTP front door's ASGI app: REST + server-sent events, the OpenAI-compatible chat
completions API, the Kakao i OpenBuilder skill and the web chat page; one error shape,
bearer tokens, CORS, and the API docs (served from the installed swagger-ui-bundle: no
CDN)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from orchestrator.channels.http import conversations, errors, tracks
from orchestrator.channels.http.auth import BearerAuth
from orchestrator.channels.http.context import HttpContext
from orchestrator.channels.http.metrics import HttpMetricsMiddleware
from orchestrator.channels.http.tracing import TracingMiddleware
from orchestrator.channels.kakao import routes as kakao
from orchestrator.channels.openai import routes as openai
from orchestrator.channels.web import routes as web
from orchestrator.metrics import OrchestratorMetrics

DOCS_ASSETS = "/docs/assets"


def build_app(context: HttpContext, tokens: Sequence[str], cors_origins: Sequence[str],
              metrics: OrchestratorMetrics) -> FastAPI:
    app = FastAPI(title="emotion-chat", version="1",
                  description="Korean emotion-aware chat: one turn per message, the detected "
                  "emotion, the reply, and where the time went.",
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.chat = context
    errors.install(app)
    protected = [Depends(BearerAuth(tokens))] if tokens else []
    app.include_router(conversations.router, dependencies=protected)
    app.include_router(tracks.router, dependencies=protected)
    app.include_router(openai.router, dependencies=protected)
    app.include_router(kakao.router, dependencies=protected)
    app.include_router(conversations.health)
    app.include_router(web.router)
    app.mount("/static", web.static_files(), name="web")
    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="emotion-chat API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png")

    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins),
                           allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
                           allow_headers=["Authorization", "Content-Type", "Accept",
                                          "X-Conversation-Id"])
    app.add_middleware(HttpMetricsMiddleware, metrics=metrics)
    app.add_middleware(TracingMiddleware)
    return app
