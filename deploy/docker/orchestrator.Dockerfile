# emotion-chat orchestrator: serving image (no torch). Build from the repository root:
#   docker build -f deploy/docker/orchestrator.Dockerfile -t emotion-chat/orchestrator:0.1.0 .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
# Only the shared foundation, the CLI and this service: the wheel holds what is copied.
COPY emotion_chat ./emotion_chat
COPY emotion_chat_cli ./emotion_chat_cli
COPY orchestrator ./orchestrator
RUN pip wheel --no-deps --wheel-dir /wheels . \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install /wheels/*.whl

FROM ${PYTHON_IMAGE}
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HOME=/tmp EMOTION_CHAT_HOME=/tmp/emotion-chat
COPY --from=build /opt/venv /opt/venv
RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin emotion-chat
USER 10001
EXPOSE 50051 8080 9091
ENTRYPOINT ["emotion-chat"]
CMD ["serve", "orchestrator"]
